"""Lesson 06 exercise: make this app's metrics right across gunicorn's workers.

The counter and the histogram are here, but each worker shows only its own
counts, and the requests in progress are not measured. Write each TODO, then check:

    python scripts/check.py 06 --file 06_multiprocess/exercise.py

Run:      python 06_multiprocess/exercise.py
Traffic:  python 06_multiprocess/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys
import time

if __name__ == "__main__":
    # Served by gunicorn, not by Flask's development server: this process becomes
    # gunicorn's master, set up by gunicorn_conf.py, and gunicorn imports this file in
    # each worker. It hands over first, before Flask and the client are imported: the
    # client reads PROMETHEUS_MULTIPROC_DIR once, when imported, and gunicorn_conf.py sets it.
    os.chdir(os.path.dirname(os.path.abspath(__file__)))  # where gunicorn finds both files
    module = os.path.basename(__file__).removesuffix(".py")
    gunicorn = ["-m", "gunicorn", "--config", "python:gunicorn_conf", f"{module}:app"]
    os.execv(sys.executable, [sys.executable, *gunicorn])

from flask import Flask, g, jsonify, request
from prometheus_client import Counter, Histogram, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

REQUESTS = Counter("http_requests", "HTTP requests answered.", ["route", "status"])
BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0)  # seconds: /work takes 0 to 5 s
DURATION = Histogram("http_request_duration_seconds", "Time to answer.", ["route"], buckets=BUCKETS)
for route in ("/", "/work"):  # export these series at 0 from the start, as rate() needs
    REQUESTS.labels(route=route, status="200")
    DURATION.labels(route=route)
# TODO 2: create a gauge "http_inprogress_requests" (help text "Requests in progress."),
#         no labels, that adds up the values of the workers alive now:
#         multiprocess_mode="livesum".
# (Import what you use from prometheus_client and prometheus_client.multiprocess.)


def metrics(environ, start_response):
    """/metrics, served by prometheus_client's own WSGI app."""
    # TODO 1: in multiprocess mode (when PROMETHEUS_MULTIPROC_DIR is set), answer from a
    #         new CollectorRegistry made for this scrape, holding a MultiProcessCollector
    #         that reads every worker's files. Otherwise (MULTIPROC=off), keep the line below.
    return make_wsgi_app()(environ, start_response)  # only the metrics of the worker that answers


app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": metrics})


@app.before_request
def start():
    # TODO 2: one more request in progress.
    g.started = time.perf_counter()


@app.after_request
def count(response):
    route = request.url_rule.rule if request.url_rule else "unmatched"  # never the raw path
    REQUESTS.labels(route=route, status=response.status_code).inc()
    DURATION.labels(route=route).observe(time.perf_counter() - g.started)
    return response


# TODO 2: one request less in progress, once it is over, whatever happened: in a function
#         decorated with @app.teardown_request, which Flask calls after every request.


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
