"""Lesson 02: gauges.

A gauge is a value that goes up and down: items in a list, requests in
progress, the time something last happened.

Run:     python 02_gauges/app.py
Metrics: curl -s http://127.0.0.1:5000/metrics
"""

import errno
import os
import socket
import sys
import threading
import time

from flask import Flask, jsonify, request
from prometheus_client import Gauge, make_wsgi_app
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

MAX_ITEMS = 1_000  # a careless loop of /add must not use up the app's memory
MAX_WORK_MS = 5_000

# The list the gauge describes. Flask handles requests in threads, so each
# check-then-change of the list (is it full? is the number in it?) holds the
# lock: without it, two threads could both see room for one last item.
my_list = []
my_list_lock = threading.Lock()

# The gauge asks the list for its size each time /metrics is scraped, so the
# two can never disagree (the README compares this with set() and inc()/dec()).
LIST_SIZE = Gauge("list_size", "Number of items in a list.", ["list"])
LIST_SIZE.labels(list="my_list").set_function(lambda: len(my_list))

WORK_IN_PROGRESS = Gauge("work_requests_in_progress", "Requests to /work being handled now.")
WORK_LAST_SUCCESS = Gauge(
    "work_last_success_timestamp_seconds", "Unix time at which a /work request last succeeded."
)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/add/<int:number>")
def add(number):
    with my_list_lock:
        if len(my_list) >= MAX_ITEMS:
            return jsonify(error=f"the list is full ({MAX_ITEMS} items): remove some first"), 409
        my_list.append(number)
        size = len(my_list)
    return jsonify(added=number, size=size)


@app.get("/remove/<int:number>")
def remove(number):
    with my_list_lock:
        if number not in my_list:
            return jsonify(error=f"{number} is not in the list"), 404
        my_list.remove(number)
        size = len(my_list)
    return jsonify(removed=number, size=size)


# <int:number> above matches 0, 1, 2, ... only: -3, 1.5 or abc end up here.
@app.get("/add/<text>")
@app.get("/remove/<text>")
def not_a_whole_number(text):
    return jsonify(error=f"expected a whole number (0, 1, 2, ...), not {text!r}"), 400


@app.get("/list")
def show_list():
    with my_list_lock:
        items = list(my_list)
    return jsonify(size=len(items), items=items)


@app.get("/work")
@WORK_IN_PROGRESS.track_inprogress()
def work():
    ms = request.args.get("ms", type=int)  # None when missing or not a whole number
    if ms is None or not 0 <= ms <= MAX_WORK_MS:
        return jsonify(error=f"ms must be a whole number of milliseconds, 0 to {MAX_WORK_MS}"), 400
    time.sleep(ms / 1000)  # stands in for real work: a query, a call to another service
    WORK_LAST_SUCCESS.set_to_current_time()
    return jsonify(slept_ms=ms)


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
