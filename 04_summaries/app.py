"""Lesson 04: summaries.

A summary records how many observations it saw and their total, here for the
same GitHub lookups as lesson 03. The Python client's summary exports only
those two numbers (no percentiles), enough for rates and average durations.

Run:     python scripts/fake_github.py     (the offline GitHub stand-in), then
         GITHUB_API_URL=http://127.0.0.1:5050 python 04_summaries/app.py
Lookup:  curl -s http://127.0.0.1:5000/repos/prometheus/prometheus
Metrics: curl -s http://127.0.0.1:5000/metrics
"""

import errno
import os
import re
import socket
import sys

import requests
from flask import Flask, jsonify
from prometheus_client import Counter, Summary, make_wsgi_app
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

# A summary keeps a count and a sum per label set: two series, whatever the
# durations. Other clients (Go, Java) can add percentiles computed inside the
# process; the Python client cannot, and those could not be combined anyway.
REQUEST_PROCESSING = Summary(
    "request_processing_seconds",
    "Time spent looking up a repository on GitHub for a /repos request.",
    ["method", "endpoint"],
)
# The labels hold the route, never the owner or repository asked for: those
# come from the request, and each new value would be a new set of series.
REQUEST_PROCESSING.labels(method="GET", endpoint="/repos")  # export 0 before the first lookup

GITHUB_LOOKUPS = Counter("github_lookups", "GitHub lookups, by how they ended.", ["outcome"])
for outcome in ("ok", "not_found", "rate_limited", "error", "timeout"):
    GITHUB_LOOKUPS.labels(outcome=outcome)


def read_github_api_url():
    url = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    if not url.startswith(("http://", "https://")):
        sys.exit(f"GITHUB_API_URL must start with http:// or https://, not {url!r}")
    return url


def read_timeout_seconds():
    value = os.environ.get("GITHUB_TIMEOUT_SECONDS", "5")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 60:  # also rejects "nan"
        sys.exit(f"GITHUB_TIMEOUT_SECONDS must be over 0 and at most 60 seconds, not {value!r}")
    return seconds


GITHUB_API_URL = read_github_api_url()
# (connect, read): a connect timeout a little over 3 s, TCP's retransmission
# window, as requests advises; then at most this long waiting for GitHub's answer.
GITHUB_TIMEOUTS = (3.05, read_timeout_seconds())
GITHUB_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "prometheus-python-workshop",  # GitHub refuses requests without one
}
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "").strip()
if GITHUB_TOKEN:
    GITHUB_HEADERS["Authorization"] = f"Bearer {GITHUB_TOKEN}"

RATE_LIMITED = (
    "GitHub's rate limit is used up (60 lookups an hour without a token, 5,000 with one): "
    "wait for the reset, set GITHUB_TOKEN, "
    "or use the offline stand-in: python scripts/fake_github.py"
)

# GitHub's own rules. Checking them first means a name such as ".." never
# reaches the URL we build, so no path tricks can send us elsewhere.
OWNER_NAME = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
REPO_NAME = re.compile(r"[A-Za-z0-9._-]+")

app = Flask(__name__)

# Serve /metrics with the client's own WSGI app, as in lesson 01.
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


def name_problem(owner, repo):
    """Why owner/repo cannot name a GitHub repository, or None when it can."""
    if len(owner) > 39 or not OWNER_NAME.fullmatch(owner):
        return "bad owner name: letters, digits and single inner hyphens (at most 39)"
    if len(repo) > 100 or not REPO_NAME.fullmatch(repo) or repo in (".", ".."):
        return "bad repository name: letters, digits, '.', '_', '-' (at most 100), not '.' or '..'"
    return None


def fetch_repository(owner, repo):
    """Ask GitHub for one repository: (outcome, our status code, JSON body)."""
    url = f"{GITHUB_API_URL}/repos/{owner}/{repo}"
    try:
        # A new connection per lookup: requests does not promise that one shared
        # Session is safe across the threads serving requests at the same time.
        response = requests.get(url, headers=GITHUB_HEADERS, timeout=GITHUB_TIMEOUTS)
    except requests.Timeout:  # first: a connect timeout is also a ConnectionError
        return "timeout", 504, {"error": "GitHub did not answer in time: try again later"}
    except requests.RequestException as error:  # refused, DNS, TLS, reset, ...
        reason = f"cannot reach GitHub at {GITHUB_API_URL} ({error.__class__.__name__})"
        return "error", 502, {"error": reason}
    return read_answer(response, owner, repo)


def read_answer(response, owner, repo):
    if response.status_code == 404:
        return "not_found", 404, {"error": f"GitHub has no repository {owner}/{repo}"}
    if is_rate_limited(response):
        return "rate_limited", 503, {"error": RATE_LIMITED}
    if response.status_code != 200:
        return "error", 502, {"error": f"GitHub answered HTTP {response.status_code}"}
    try:
        return "ok", 200, response.json()
    except ValueError:  # HTML from a proxy or a Wi-Fi login page
        return "error", 502, {"error": "GitHub's answer was not JSON: a proxy or a login page?"}


def is_rate_limited(response):
    # A 403 alone can mean other things, such as a blocked repository.
    used_up = response.headers.get("x-ratelimit-remaining") == "0"
    return response.status_code in (403, 429) and used_up


@app.get("/repos/<owner>/<repo>")
def repository(owner, repo):
    problem = name_problem(owner, repo)
    if problem:
        return jsonify(error=problem), 400  # not timed: it never reached GitHub
    # Failures are timed too: a lookup that timed out took 5 s of someone's time.
    with REQUEST_PROCESSING.labels(method="GET", endpoint="/repos").time():
        outcome, status, body = fetch_repository(owner, repo)
    GITHUB_LOOKUPS.labels(outcome=outcome).inc()
    return jsonify(body), status


@app.errorhandler(404)
def page_not_found(error):
    return jsonify(error="no such page: try /repos/<owner>/<repo>"), 404


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
