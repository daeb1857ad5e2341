"""Lesson 01, step 1: one counter per page, as most tutorials start.

The client adds `_total` to a counter's name: these are exported as
home_page_visits_total, about_page_visits_total and health_check_calls_total.

Run:      python 01_counters/step1_one_counter_per_page.py
Traffic:  python 01_counters/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

from flask import Flask, jsonify
from prometheus_client import Counter, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

HOME_PAGE_VISITS = Counter("home_page_visits", "Visits to the home page.")
ABOUT_PAGE_VISITS = Counter("about_page_visits", "Visits to the about page.")
HEALTH_CHECK_CALLS = Counter("health_check_calls", "Times the /health endpoint was called.")

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/")
def home():
    HOME_PAGE_VISITS.inc()
    return "<h1>Welcome to the home page</h1>\n"


@app.get("/about")
def about():
    ABOUT_PAGE_VISITS.inc()
    return "<h1>About this workshop</h1>\n"


@app.get("/health")
def health():
    HEALTH_CHECK_CALLS.inc()
    return jsonify(status="ok")


@app.get("/divide/<int(signed=True):dividend>/<int(signed=True):divisor>")
def divide(dividend, divisor):
    return jsonify(result=dividend / divisor)  # /divide/1/0 raises ZeroDivisionError


@app.errorhandler(ArithmeticError)  # raised in divide()
def cannot_divide(error):
    return jsonify(error=f"cannot divide: {error}"), 400


@app.errorhandler(404)
def page_not_found(error):
    return jsonify(error="no such page"), 404


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
