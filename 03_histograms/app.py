"""Lesson 03, step 2 (the finished app): a histogram with buckets made for GitHub.

Step 1 used the client's default buckets, made for web requests from 5 ms to
10 s. These fit the lookups: GitHub answers in about 0.1 to 1 s.

Run:      python scripts/fake_github.py   (the offline GitHub stand-in), then
          GITHUB_API_URL=http://127.0.0.1:5050 python 03_histograms/app.py
Traffic:  python 03_histograms/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

import github
from flask import Flask, jsonify
from prometheus_client import Counter, Histogram, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# A quarter of a second apart where GitHub answers; 1.0 for the alert (95% of
# lookups under 1 s); nothing under 0.1 s, which a call over the internet never
# takes. Anything slower than 2.5 s lands only in +Inf.
LOOKUP_DURATION = Histogram(
    "github_lookup_duration_seconds",
    "Time spent looking a repository up on GitHub, failed lookups included.",
    buckets=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5),
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
