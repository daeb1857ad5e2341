"""Lesson 01 exercise: count the visits and the errors of this app.

The routes are all here; the counters are not. Write each TODO, then check:

    python scripts/check.py 01 --file 01_counters/exercise.py

Run:      python 01_counters/exercise.py
Traffic:  python 01_counters/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

from flask import Flask, jsonify
from prometheus_client import make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# TODO 1: create a counter "page_visits" (help text "Visits to the site's pages.") with one
#         label, "page", and export its two series, page="home" and page="about", at 0.
# TODO 2: create a counter "health_check_calls" ("Times the /health endpoint was called.").
# TODO 3: create a counter "page_not_found"
#         ("Requests for paths that do not exist (answered 404).").
# TODO 4: create a counter "divide_exceptions" ("Exceptions raised while handling /divide.").
# (Import what you use from prometheus_client.)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/")
def home():
    # TODO 1: count this visit, with page="home".
    return "<h1>Welcome to the home page</h1>\n"


@app.get("/about")
def about():
    # TODO 1: count this visit, with page="about".
    return "<h1>About this workshop</h1>\n"


@app.get("/health")
def health():
    # TODO 2: count this call.
    return jsonify(status="ok")


@app.get("/divide/<int(signed=True):dividend>/<int(signed=True):divisor>")
# TODO 4: count every exception raised in divide() (one decorator line, right here).
def divide(dividend, divisor):
    return jsonify(result=dividend / divisor)  # /divide/1/0 raises ZeroDivisionError


@app.errorhandler(ArithmeticError)  # raised in divide()
def cannot_divide(error):
    return jsonify(error=f"cannot divide: {error}"), 400


@app.errorhandler(404)
def page_not_found(error):
    # TODO 3: count this request for a path that does not exist.
    return jsonify(error="no such page"), 404


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
