"""Lesson 02, step 4 (the finished app): how many right now, and when it last worked.

Step 3's list gauge, plus two gauges on /work: the requests it is handling
now, and the Unix time of its last success.

Run:      python 02_gauges/app.py
Traffic:  python 02_gauges/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys
import threading
import time

from flask import Flask, jsonify, request
from prometheus_client import Gauge, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

my_list = []
my_list_lock = threading.Lock()  # held by every check-then-change of my_list

LIST_SIZE = Gauge("list_size", "Number of items in a list.", ["list"])
LIST_SIZE.labels(list="my_list").set_function(lambda: len(my_list))
WORK_IN_PROGRESS = Gauge("work_requests_in_progress", "Requests to /work being handled now.")
LAST_SUCCESS = Gauge("work_last_success_timestamp_seconds", "Unix time of the last /work success.")

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.post("/add/<int:number>")
def add(number):
    with my_list_lock:
        if len(my_list) >= 1000:  # a careless loop of POST /add must not use up the memory
            return jsonify(error="the list is full (1000 items): remove some first"), 409
        my_list.append(number)
    return jsonify(added=number)


@app.post("/remove/<int:number>")
def remove(number):
    with my_list_lock:
        if number not in my_list:
            return jsonify(error=f"{number} is not in the list"), 404
        my_list.remove(number)
    return jsonify(removed=number)


@app.post("/add/<text>")  # <int:number> above matches 0, 1, 2, ... only: -3 or abc come here
@app.post("/remove/<text>")
def not_a_whole_number(text):
    return jsonify(error=f"expected a whole number (0, 1, 2, ...), not {text!r}"), 400


@app.get("/list")
def show_list():
    return jsonify(items=list(my_list))  # list() copies it in one step: no lock needed


@app.get("/work")
@WORK_IN_PROGRESS.track_inprogress()
def work():
    ms = request.args.get("ms", type=int)  # None when missing or not a whole number
    if ms is None or not 0 <= ms <= 5000:
        return jsonify(error="ms must be a whole number of milliseconds, 0 to 5000"), 400
    time.sleep(ms / 1000)  # stands in for real work: a query, a call to another service
    LAST_SUCCESS.set_to_current_time()
    return jsonify(slept_ms=ms)


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
