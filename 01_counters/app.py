"""Lesson 01, step 3 (the finished app): counting what goes wrong.

Step 2's labelled counter, plus a counter for unknown paths and one for the
exceptions raised in /divide.

Run:      python 01_counters/app.py
Traffic:  python 01_counters/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

from flask import Flask, jsonify
from prometheus_client import Counter, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

PAGE_VISITS = Counter("page_visits", "Visits to the site's pages.", ["page"])
for page in ("home", "about"):
    PAGE_VISITS.labels(page=page)  # export 0 before the first visit
HEALTH_CHECK_CALLS = Counter("health_check_calls", "Times the /health endpoint was called.")
# No `path` label: a scanner trying 10,000 URLs would create 10,000 series.
PAGE_NOT_FOUND = Counter("page_not_found", "Requests for paths that do not exist (answered 404).")
DIVIDE_EXCEPTIONS = Counter("divide_exceptions", "Exceptions raised while handling /divide.")

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/")
def home():
    PAGE_VISITS.labels(page="home").inc()
    return "<h1>Welcome to the home page</h1>\n"


@app.get("/about")
def about():
    PAGE_VISITS.labels(page="about").inc()
    return "<h1>About this workshop</h1>\n"


@app.get("/health")
def health():
    HEALTH_CHECK_CALLS.inc()
    return jsonify(status="ok")


@app.get("/divide/<int(signed=True):dividend>/<int(signed=True):divisor>")
@DIVIDE_EXCEPTIONS.count_exceptions()
def divide(dividend, divisor):
    return jsonify(result=dividend / divisor)  # /divide/1/0 raises ZeroDivisionError


@app.errorhandler(ArithmeticError)  # raised in divide(): counted above, answered here
def cannot_divide(error):
    return jsonify(error=f"cannot divide: {error}"), 400


@app.errorhandler(404)
def page_not_found(error):
    PAGE_NOT_FOUND.inc()
    return jsonify(error="no such page"), 404


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
