"""Lesson 03, step 1: time each GitHub lookup with a histogram, default buckets.

The client's default buckets were made for web requests: from 5 ms to 10 s.
Step 2 (app.py) picks buckets that fit the lookups instead.

Run:      python scripts/fake_github.py   (the offline GitHub stand-in), then
          GITHUB_API_URL=http://127.0.0.1:5050 python 03_histograms/step1_default_buckets.py
Traffic:  python 03_histograms/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

import github
from flask import Flask, jsonify
from prometheus_client import Counter, Histogram, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

LOOKUP_DURATION = Histogram(
    "github_lookup_duration_seconds",
    "Time spent looking a repository up on GitHub, failed lookups included.",
)
GITHUB_LOOKUPS = Counter("github_lookups", "GitHub lookups, by how they ended.", ["outcome"])
for outcome in github.OUTCOMES:  # ok, not_found, rate_limited, error, timeout
    GITHUB_LOOKUPS.labels(outcome=outcome)  # export 0 before the first lookup

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/repos/<owner>/<repo>")
def repository(owner, repo):
    problem = github.name_problem(owner, repo)
    if problem:
        return jsonify(error=problem), 400  # not timed: it never reached GitHub
    # Failures are timed too: a lookup that timed out took 5 s of someone's time.
    with LOOKUP_DURATION.time():
        outcome, status, body = github.fetch_repository(owner, repo)
    GITHUB_LOOKUPS.labels(outcome=outcome).inc()
    return jsonify(body), status


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
