"""Lesson 04 exercise: time the GitHub lookups with a summary, and count how they end.

The GitHub client and the route are all here; the metrics are not. Write each
TODO, then check (the grader starts the offline GitHub stand-in by itself):

    python scripts/check.py 04 --file 04_summaries/exercise.py

Run:      python scripts/fake_github.py   (the offline GitHub stand-in), then
          GITHUB_API_URL=http://127.0.0.1:5050 python 04_summaries/exercise.py
Traffic:  python 04_summaries/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

import github
from flask import Flask, jsonify
from prometheus_client import make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# TODO 1: create a summary "github_lookup_duration_seconds" (help text "Time spent looking
#         a repository up on GitHub, failed lookups included.") with no labels: the same
#         name as lesson 03's histogram, only the type differs.
# TODO 2: create a counter "github_lookups" (help text "GitHub lookups, by how they ended.")
#         with one label, "outcome", and export its five series at 0, one for each outcome
#         in github.OUTCOMES (ok, not_found, rate_limited, error, timeout).
# (Import what you use from prometheus_client.)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.get("/repos/<owner>/<repo>")
def repository(owner, repo):
    problem = github.name_problem(owner, repo)
    if problem:
        return jsonify(error=problem), 400  # not timed: it never reached GitHub
    # TODO 1: time the lookup on the next line, in seconds, whatever its outcome.
    outcome, status, body = github.fetch_repository(owner, repo)
    # TODO 2: count this lookup once, under its outcome.
    return jsonify(body), status


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
