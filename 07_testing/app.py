"""Lesson 07: the app under test: forecast lookups, counted, timed and tracked.

GET /forecast/<city> asks the forecast provider (forecasts.py, a stand-in for a
service across the network) for a city's forecast. create_app() builds the app
with its metrics on the registry it is given: the running app uses the client's
global one, each test one of its own, with a fake provider and a fake clock.

Run:      python 07_testing/app.py
Traffic:  python 07_testing/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
Tests:    python -m pytest 07_testing/test_app.py
"""

import os
import sys
import time

import forecasts
from flask import Flask, jsonify
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

CITIES = ("berlin", "lima", "tokyo")  # the label's values, with "other" for every other city


def create_app(fetch=forecasts.fetch, registry=REGISTRY, clock=time.perf_counter):
    """The app, with its metrics on `registry`; `fetch` asks the provider, `clock` reads
    the time in seconds. A test passes its own registry, a fake provider and a fake clock."""
    lookups = Counter(
        "forecast_lookups", "Lookups, by city and outcome.", ["city", "outcome"], registry=registry
    )
    for city in (*CITIES, "other"):
        for outcome in ("ok", "not_found", "error"):
            lookups.labels(city=city, outcome=outcome)  # export 0 before the first lookup
    duration = Histogram(
        "forecast_lookup_duration_seconds",
        "Time spent asking the provider, failed lookups included.",
        buckets=(0.1, 0.25, 0.5, 1.0, 2.5),
        registry=registry,
    )
    in_progress = Gauge(
        "forecast_lookups_in_progress", "Lookups waiting for the provider now.", registry=registry
    )

    app = Flask(__name__)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app(registry)})

    @app.get("/forecast/<city>")
    @in_progress.track_inprogress()
    def forecast(city):
        counted_as = city if city in CITIES else "other"  # not whatever a client typed
        started = clock()
        try:
            report = fetch(city)
        except LookupError:
            lookups.labels(city=counted_as, outcome="not_found").inc()
            return jsonify(error=f"no forecast for {city!r}"), 404
        except OSError:  # ConnectionError, TimeoutError: the provider failed
            lookups.labels(city=counted_as, outcome="error").inc()
            return jsonify(error="the forecast provider failed: try again later"), 502
        finally:  # a failed lookup took someone's time too
            duration.observe(clock() - started)
        lookups.labels(city=counted_as, outcome="ok").inc()
        return jsonify(report)

    return app


app = create_app()

if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
