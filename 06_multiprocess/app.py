"""Lesson 06, step 2 (the finished app): metrics that stay right across gunicorn workers.

gunicorn runs WORKERS copies of this app, each in a process of its own. Each
worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds
up the files of every worker, whichever worker answers the scrape.

Run:      python 06_multiprocess/app.py      (MULTIPROC=off: step 1, the bug)
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
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.multiprocess import MultiProcessCollector
from werkzeug.middleware.dispatcher import DispatcherMiddleware

REQUESTS = Counter("http_requests", "HTTP requests answered.", ["route", "status"])
BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0)  # seconds: /work takes 0 to 5 s
DURATION = Histogram("http_request_duration_seconds", "Time to answer.", ["route"], buckets=BUCKETS)
for route in ("/", "/work"):  # export these series at 0 from the start, as rate() needs
    REQUESTS.labels(route=route, status="200")
    DURATION.labels(route=route)
# Each worker has its own value: "livesum" adds up those of the workers alive now.
INPROGRESS = Gauge("http_inprogress_requests", "Requests in progress.", multiprocess_mode="livesum")


def metrics(environ, start_response):
    """/metrics, served by prometheus_client's own WSGI app."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # set by gunicorn_conf.py, unless MULTIPROC=off
        registry = CollectorRegistry()  # made for this scrape: no metric registers in it
        MultiProcessCollector(registry)  # it reads the files of every worker, alive or dead
        return make_wsgi_app(registry)(environ, start_response)
    return make_wsgi_app()(environ, start_response)  # only the metrics of the worker that answers


app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": metrics})


@app.before_request
def start():
    INPROGRESS.inc()
    g.started = time.perf_counter()


@app.after_request
def count(response):
    route = request.url_rule.rule if request.url_rule else "unmatched"  # never the raw path
    REQUESTS.labels(route=route, status=response.status_code).inc()
    DURATION.labels(route=route).observe(time.perf_counter() - g.started)
    return response


@app.teardown_request  # called after every request, even one that raised
def finish(error):
    INPROGRESS.dec()


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
