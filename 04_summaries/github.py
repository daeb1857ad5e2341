"""The GitHub client of lessons 03 and 04: settings, name checks, one lookup.

Not the lesson's subject: app.py times fetch_repository() and counts its
outcomes. Lesson 04 has an identical copy, so each lesson folder runs on its own.

Settings, from the environment:
    GITHUB_API_URL          default https://api.github.com (the stand-in: http://127.0.0.1:5050)
    GITHUB_TIMEOUT_SECONDS  how long a lookup may take in all, default 5
    GITHUB_TOKEN            optional: 5,000 lookups an hour instead of 60
"""

import json
import math
import os
import re
import sys
import threading
import time
from urllib.parse import urljoin, urlsplit

import requests

# Every lookup ends in exactly one of these: app.py counts each once.
OUTCOMES = ("ok", "not_found", "rate_limited", "error", "timeout")
MAX_BODY_BYTES = 1_000_000  # a repository is about 6 KB of JSON: more is not one
CHUNK_BYTES = 64 * 1024
# A repository's JSON holds a few dozen "[" and "{". Each one can open a level
# of nesting, and Python's json module recurses once per level: [[[[...]]]]
# 1,000 deep ends in a RecursionError (while reading it or sending it on).
MAX_BRACKETS = 500
MAX_REDIRECTS = 3
RATE_LIMITED = (
    "GitHub's rate limit is used up (60 lookups an hour without a token, 5,000 with one): "
    "wait for the reset, set GITHUB_TOKEN, "
    "or use the offline stand-in: python scripts/fake_github.py"
)
TIMED_OUT = "GitHub did not answer in time: try again later"
BAD_REDIRECT = "GitHub redirected to something that is not a URL: not followed"
NOT_JSON = "GitHub's answer is not JSON: a proxy or a login page?"
NOT_A_NUMBER = "GitHub's answer holds NaN or an infinite number, which JSON does not allow"
# GitHub's own rules. Checking them first means a name such as ".." never
# reaches the URL we build, so no path tricks can send us elsewhere.
OWNER_NAME = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
REPO_NAME = re.compile(r"[A-Za-z0-9._-]+")


def origin(url):
    """The "scheme://host:port" of url (never a path or a password), or None if it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}[parts.scheme]
    except (KeyError, ValueError):  # another scheme, a port such as 99999, "[::1"
        return None
    if not parts.hostname or "@" in parts.netloc:  # a user name or password in the URL
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
    return f"{parts.scheme}://{host}:{port}"


def read_api_url():
    value = os.environ.get("GITHUB_API_URL", "https://api.github.com")
    if "@" in value:  # not printed: it may hold a password
        sys.exit("GITHUB_API_URL must not contain a user name or password: set GITHUB_TOKEN")
    if not value.startswith(("http://", "https://")) or origin(value) is None:
        sys.exit(f"GITHUB_API_URL must be http:// or https:// and a host, not {value!r}")
    if "?" in value or "#" in value:  # "/repos/..." would land in the query or the fragment
        sys.exit(f"GITHUB_API_URL must not have a query (?) or a fragment (#), not {value!r}")
    return value.rstrip("/")


def read_deadline_seconds():
    value = os.environ.get("GITHUB_TIMEOUT_SECONDS", "5")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 60:  # also rejects "nan"
        sys.exit(f"GITHUB_TIMEOUT_SECONDS must be over 0 and at most 60 seconds, not {value!r}")
    return seconds


API_URL = read_api_url()
ORIGIN = origin(API_URL)  # what error messages show of API_URL
# How long a lookup may take in all: connecting, redirects, GitHub's answer.
DEADLINE_SECONDS = read_deadline_seconds()
# A connect timeout a little over 3 s, TCP's retransmission window, as requests advises.
CONNECT_TIMEOUT_SECONDS = 3.05
HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "prometheus-python-workshop",  # GitHub refuses requests without one
}
if os.environ.get("GITHUB_TOKEN", "").strip():
    HEADERS["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN'].strip()}"


class Failed(Exception):
    """A lookup that found no repository: its outcome, our status code and why."""

    def __init__(self, outcome, status, reason):
        super().__init__(reason)
        self.outcome, self.status, self.reason = outcome, status, reason


def name_problem(owner, repo):
    """Why owner/repo cannot name a GitHub repository, or None when it can."""
    if len(owner) > 39 or not OWNER_NAME.fullmatch(owner):
        return "bad owner name: letters, digits and single inner hyphens (at most 39)"
    if len(repo) > 100 or not REPO_NAME.fullmatch(repo) or repo in (".", ".."):
        return "bad repository name: letters, digits, '.', '_', '-' (at most 100), not '.' or '..'"
    return None


def fetch_repository(owner, repo):
    """Ask GitHub for one repository: (outcome, our status code, JSON body), within
    DEADLINE_SECONDS whatever GitHub does.

    requests' read timeout bounds each wait for the next bytes, not the whole
    answer: one that arrives a byte a second never times out. So the lookup runs in
    a thread of its own, given until the deadline. Past it, the answer is "timeout",
    and the thread's own answer, whenever it comes, is dropped: it ends when GitHub
    finishes, hangs up or pauses for DEADLINE_SECONDS (a daemon thread: it never
    keeps the app from stopping).
    """
    deadline = time.monotonic() + DEADLINE_SECONDS
    answers = []
    lookup = threading.Thread(
        target=lambda: answers.append(answer(owner, repo, deadline)), daemon=True
    )
    lookup.start()
    lookup.join(DEADLINE_SECONDS)
    if answers:
        return answers[0]
    if lookup.is_alive():
        return "timeout", 504, {"error": TIMED_OUT}
    # answer() raised: a bug, whose traceback the thread has printed. Still one outcome.
    return "error", 502, {"error": "the lookup failed: the app's log says why"}


def answer(owner, repo, deadline):
    """(outcome, our status code, JSON body) for one repository."""
    try:
        return "ok", 200, look_up(owner, repo, deadline)
    except Failed as failure:
        return failure.outcome, failure.status, {"error": failure.reason}


def look_up(owner, repo, deadline):
    """The repository's JSON, or Failed."""
    try:
        with get(f"{API_URL}/repos/{owner}/{repo}", deadline) as response:
            check_status(response, owner, repo)
            body = read_body(response, deadline)
    except requests.Timeout:  # first: a connect timeout is also a ConnectionError
        raise Failed("timeout", 504, TIMED_OUT) from None
    except requests.RequestException as error:  # refused, DNS, TLS, reset, cut off, ...
        reason = f"cannot reach GitHub at {ORIGIN} ({error.__class__.__name__})"
        raise Failed("error", 502, reason) from None
    return parse(body)


def parse(body):
    """The JSON in body, or Failed: not JSON, nested too deeply, or with NaN or Infinity,
    which Python's json module accepts but JSON does not (our answer would not be JSON)."""
    if body.count(b"[") + body.count(b"{") > MAX_BRACKETS:
        raise Failed("error", 502, "GitHub's answer nests too deeply: not one repository")
    try:
        return json.loads(body, parse_constant=not_a_number, parse_float=finite_float)
    except ValueError:  # HTML from a proxy or a login page, or not even UTF-8
        raise Failed("error", 502, NOT_JSON) from None


def not_a_number(name):
    """json.loads calls this for NaN, Infinity and -Infinity."""
    raise Failed("error", 502, NOT_A_NUMBER)


def finite_float(text):
    """json.loads calls this for every number with a fraction or an exponent."""
    number = float(text)
    if math.isinf(number):  # 1e999: too large for a float
        raise Failed("error", 502, NOT_A_NUMBER)
    return number


def get(url, deadline):
    """GET url, following redirects only to GitHub itself (same scheme, host and port).

    GitHub answers 301 for a renamed repository. Another server is not GitHub:
    its answer would be counted as "ok" (and it could be anything).
    """
    for _ in range(MAX_REDIRECTS + 1):
        # A new connection per lookup: requests does not promise that one shared
        # Session is safe across the threads serving requests at the same time.
        # stream=True: the body is read by read_body(), which stops at MAX_BODY_BYTES.
        timeouts = (CONNECT_TIMEOUT_SECONDS, max(deadline - time.monotonic(), 0.001))
        try:
            response = requests.get(
                url, headers=HEADERS, timeout=timeouts, stream=True, allow_redirects=False
            )
        except requests.RequestException:
            raise  # look_up() says what went wrong
        except ValueError:  # requests parses Location even when it does not follow it
            raise Failed("error", 502, BAD_REDIRECT) from None
        if not response.is_redirect:
            return response
        response.close()
        try:
            url = urljoin(url, response.headers["Location"])
        except ValueError:  # not a URL at all
            url = ""
        if origin(url) != ORIGIN:
            raise Failed("error", 502, f"GitHub redirected away from {ORIGIN}: not followed")
    raise Failed("error", 502, f"GitHub redirected more than {MAX_REDIRECTS} times")


def check_status(response, owner, repo):
    if response.status_code == 404:
        raise Failed("not_found", 404, f"GitHub has no repository {owner}/{repo}")
    # A 403 alone can mean other things, such as a blocked repository.
    used_up = response.headers.get("x-ratelimit-remaining") == "0"
    if response.status_code in (403, 429) and used_up:
        raise Failed("rate_limited", 503, RATE_LIMITED)
    if response.status_code != 200:
        raise Failed("error", 502, f"GitHub answered HTTP {response.status_code}")


def read_body(response, deadline):
    """The body, read a piece at a time; Failed past MAX_BODY_BYTES (the rest is never
    read) or past the deadline."""
    body = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise Failed("error", 502, "GitHub's answer is over 1 MB: not one repository")
        if time.monotonic() > deadline:
            raise Failed("timeout", 504, TIMED_OUT)
    return bytes(body)
