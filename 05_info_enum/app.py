"""Lesson 05: info and enum.

An info metric carries facts that do not change while the app runs, such as
its version, as labels. An enum says which one of a fixed set of states the
app is in.

Run:     python 05_info_enum/app.py
Metrics: curl -s http://127.0.0.1:5000/metrics
"""

import errno
import os
import socket
import sys

from flask import Flask, jsonify
from prometheus_client import Enum, Gauge, Info, make_wsgi_app
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

__version__ = "1.2.0"
__author__ = "The workshop team"

STATES = ["loading", "missing", "running", "stopped"]

# The client appends `_info` to an Info's name: this one is exposed as
# application_info_info. The labels come from the constants above, so a new
# release cannot export a stale version.
APP_INFO = Info("application_info", "Version and author of this app.")
APP_INFO.info({"version": __version__, "author": __author__})

# One series per state; exactly one of them is 1. It starts in the first state.
APP_STATE = Enum("application_state", "The state the app is in.", states=STATES)

# The same kind of fact as a plain gauge that is always 1: the "info-style
# gauge" many exporters use. You choose the whole name, and it also works in
# multiprocess mode, where Info and Enum do not.
BUILD_INFO = Gauge(
    "workshop_build_info", "Build of this app; always 1.", ["service", "version", "env"]
)
BUILD_INFO.labels(service="workshop", version=__version__, env="dev").set(1)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


# POST, not GET: a GET must never change anything (see the README).
@app.post("/state/<name>")
def set_state(name):
    if name not in STATES:
        return jsonify(error=f"unknown state {name!r}: use one of {', '.join(STATES)}"), 400
    APP_STATE.state(name)
    return jsonify(state=name)


# Everything above ran when the module was loaded: the app is ready to serve.
APP_STATE.state("running")


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
