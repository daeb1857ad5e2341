"""Lesson 06, step 3: the metric types that multiprocess mode changes.

A side trip: app.py stays the finished app. This one has the same pages and
/metrics, and one metric of each kind that multiprocess mode treats differently.
Start it with MULTIPROC=off, then without, and compare.

Run:      python 06_multiprocess/step3_other_metric_types.py
Traffic:  python 06_multiprocess/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys
import time

if __name__ == "__main__":
    # As in app.py: this process becomes gunicorn's master (see gunicorn_conf.py),
    # before Flask and the client are imported.
    os.chdir(os.path.dirname(os.path.abspath(__file__)))  # where gunicorn finds both files
    module = os.path.basename(__file__).removesuffix(".py")
    gunicorn = ["-m", "gunicorn", "--config", "python:gunicorn_conf", f"{module}:app"]
    os.execv(sys.executable, [sys.executable, *gunicorn])

from flask import Flask, jsonify, request
from prometheus_client import CollectorRegistry, Enum, Gauge, Info, Summary, make_wsgi_app
from prometheus_client.multiprocess import MultiProcessCollector
from werkzeug.middleware.dispatcher import DispatcherMiddleware

jobs = ["resize", "upload", "email"]  # a queue of work waiting, say

# Neither writes a file: both vanish in multiprocess mode.
BUILD = Info("app_build", "Version of this app.")
BUILD.info({"version": "1.0.0"})
STATE = Enum("app_state", "What the app is doing.", states=["starting", "running"])
STATE.state("running")
# Nobody calls the function in multiprocess mode: the file holds the 0 written at start.
QUEUE = Gauge("app_queue_jobs", "Jobs waiting.", multiprocess_mode="livesum")
QUEUE.set_function(lambda: len(jobs))
# No multiprocess_mode: the default, "all", exports one series per worker, with a pid label.
STARTED = Gauge("worker_start_time_seconds", "When this worker started, in Unix time.")
STARTED.set_to_current_time()
RESPONSE_SIZE = Summary("http_response_size_bytes", "Size of the answers' bodies.")


def metrics(environ, start_response):
    """/metrics, as in app.py."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return make_wsgi_app(registry)(environ, start_response)
    return make_wsgi_app()(environ, start_response)


app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": metrics})


@app.after_request
def measure(response):
    RESPONSE_SIZE.observe(response.content_length or 0)
    return response


@app.get("/")
def home():
    return "<h1>Welcome to the home page</h1>\n"


@app.get("/work")
def work():
    ms = request.args.get("ms", type=int)  # None when missing or not a whole number
    if ms is None or not 0 <= ms <= 5000:
        return jsonify(error="ms must be a whole number of milliseconds, 0 to 5000"), 400
    time.sleep(ms / 1000)  # stands in for real work: a query, a call to another service
    return jsonify(slept_ms=ms)
