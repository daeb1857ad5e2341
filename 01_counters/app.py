"""Lesson 01: counters.

A counter only goes up (and back to zero when the process restarts).
Use one for anything you would describe as "how many times did X happen".

Run:     python 01_counters/app.py
Metrics: curl -s http://127.0.0.1:5000/metrics
"""

import errno
import os
import socket
import sys

from flask import Flask, jsonify
from prometheus_client import Counter, make_wsgi_app
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# Step 1: one counter per page, as most tutorials start.
# The client adds the `_total` suffix for you: these are exposed as
# home_page_visits_total and about_page_visits_total.
HOME_PAGE_VISITS = Counter("home_page_visits", "Visits to the home page.")
ABOUT_PAGE_VISITS = Counter("about_page_visits", "Visits to the about page.")
HEALTH_CHECK_CALLS = Counter("health_check_calls", "Times the /health endpoint was called.")

# Step 2: one counter with a `page` label instead of one counter per page.
# Label values come from this code, never from the request: a label holding
# the raw path would let any scanner create a new series per URL it tries.
PAGE_VISITS = Counter("page_visits", "Visits to the site's pages.", ["page"])
for page in ("home", "about"):
    PAGE_VISITS.labels(page=page)  # export 0 before the first visit

# Requests for paths that do not exist. Deliberately no `path` label (see above).
PAGE_NOT_FOUND = Counter("page_not_found", "Requests for paths that do not exist (answered 404).")

# Exceptions raised inside /divide, counted by count_exceptions().
DIVIDE_EXCEPTIONS = Counter("divide_exceptions", "Exceptions raised while handling /divide.")

app = Flask(__name__)

# Serve /metrics with the client's own WSGI app: it negotiates the format
# Prometheus asks for (OpenMetrics), gzips when asked, and filters with
# /metrics?name[]=home_page_visits_total.
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/")
def home():
    HOME_PAGE_VISITS.inc()
    PAGE_VISITS.labels(page="home").inc()
    return "<h1>Welcome to the home page</h1>\n"


@app.get("/about")
def about():
    ABOUT_PAGE_VISITS.inc()
    PAGE_VISITS.labels(page="about").inc()
    return "<h1>About this workshop</h1>\n"


@app.get("/health")
def health():
    HEALTH_CHECK_CALLS.inc()
    return jsonify(status="ok")


@app.get("/divide/<int(signed=True):dividend>/<int(signed=True):divisor>")
@DIVIDE_EXCEPTIONS.count_exceptions()
def divide(dividend, divisor):
    # /divide/1/0 raises ZeroDivisionError: counted above, answered below.
    return jsonify(result=dividend / divisor)


@app.errorhandler(ArithmeticError)
def cannot_divide(error):
    # ZeroDivisionError, or OverflowError for a result too large for a float
    return jsonify(error=f"cannot divide: {error}"), 400


@app.errorhandler(404)
def page_not_found(error):
    PAGE_NOT_FOUND.inc()
    return jsonify(error="no such page"), 404


# The code below is the same in every lesson: each app.py stays
# self-contained on purpose, so you can copy this one file into your project.


@app.errorhandler(HTTPException)
def http_error(error):
    """Wrong methods and the like: a one-line JSON reason instead of an HTML page."""
    response = error.get_response()  # keeps the status and headers such as Allow
    response.set_data(jsonify(error=error.description).get_data())
    response.content_type = "application/json"
    return response


def read_port():
    value = os.environ.get("PORT", "5000")
    if not value.isdigit() or not 0 < int(value) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def exit_if_port_taken(host, port):
    """Say in one line what to do, instead of a longer message from werkzeug."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # like werkzeug, allow a port still in TIME_WAIT
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                sys.exit(f"cannot listen on {host}:{port}: {error.strerror}")
            sys.exit(
                f"port {port} is already in use: stop the other program or pick "
                f"another port, e.g. PORT={port + 1} python {sys.argv[0]} "
                "(on macOS, port 5000 is often the AirPlay Receiver)"
            )


def main():
    # 127.0.0.1 keeps the app private to your laptop, even on workshop Wi-Fi.
    # In a container, use HOST=0.0.0.0: the container's loopback is not
    # reachable from outside it, so the app must listen on every interface.
    host = os.environ.get("HOST", "127.0.0.1")
    port = read_port()
    exit_if_port_taken(host, port)
    # Flask's development server, threaded so requests run concurrently.
    # In production, serve `app` with a WSGI server such as gunicorn instead.
    app.run(host=host, port=port, threaded=True, debug=False)


if __name__ == "__main__":
    main()
