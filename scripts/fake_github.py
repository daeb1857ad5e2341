"""An offline stand-in for the GitHub REST API, for lessons 03 and 04.

    python scripts/fake_github.py              # http://127.0.0.1:5050
    python scripts/fake_github.py --port 5051  # if 5050 is taken
    python scripts/fake_github.py --quiet      # no line per request

Then, in another terminal, start a lesson against it:

    GITHUB_API_URL=http://127.0.0.1:5050 python 03_histograms/app.py

GET /repos/<owner>/<repo> answers like https://api.github.com does, after a
fixed delay per repository:

    prometheus/prometheus    200  after 0.3 s
    apache/kafka             200  after 0.55 s
    moby/moby                200  after 0.8 s
    any other repository     404  after 0.3 s   {"message": "Not Found", ...}

Reserved names under the owner `fake` fail on purpose, each after 0.3 s unless
said otherwise:

    fake/rate-limited         403  rate limit used up (x-ratelimit-remaining: 0)
    fake/too-many-requests    429  the same, answered with 429
    fake/blocked              403  a 403 that is NOT rate limiting
    fake/server-error         500  after 1.05 s: a struggling upstream, slow, then fails
    fake/captive-portal       200  an HTML page, as Wi-Fi login pages send
    fake/deeply-nested        200  JSON nested 100,000 levels deep: [[[[...]]]]
    fake/huge                 200  100 MB of JSON, more than any repository
    fake/moved                301  to /repos/prometheus/prometheus here, as GitHub
                                   answers for a renamed repository
    fake/moved-elsewhere      302  to another server (--elsewhere, default
                                   https://example.com): an app must not follow it
    fake/moved-malformed      301  to "http://[::1", which is not a URL
    fake/not-a-number         200  JSON with NaN in it, which Python's json writes and
                                   reads but JSON does not allow
    fake/slow                 200  after 10 s, slower than the lessons' 5 s timeout
    fake/drip-headers         200  its last header a byte a second (70 s): each wait for
                                   the next byte is short, the whole answer is not
    fake/drip-body            200  its headers at once, then its body a byte a second

Why these delays: a lookup can only take longer than its delay, never less.
So each delay sits just above a histogram bucket's lower bound, and at least
0.2 s below the next bound, in the client's default buckets and in lesson 03's
own (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5). Even on a busy laptop each lookup
lands in the same bucket, and the expected bucket counts reproduce exactly.

Every answer to /repos carries GitHub-like x-ratelimit-* headers: a limit of 60
an hour without an Authorization header, 5000 with one, counting down. They
never run out by themselves (a new window starts instead); ask for
fake/rate-limited to see a used-up limit.

Two more paths: GET /health answers 200 (the workshop scripts wait for it), and
GET /debug/requests lists the last 100 requests to /repos with the headers an
app should send (Accept, Authorization, User-Agent), each cut to 200 characters,
so tests can check them. It keeps them in memory only; still, there is no
reason to give it a real token.

A connection that sends nothing is closed after 5 s. Standard library only, so
it runs wherever Python does.
"""

import argparse
import errno
import json
import os
import re
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"  # not "localhost": on macOS that can reach other services
DEFAULT_PORT = 5050
DEFAULT_ELSEWHERE = "https://example.com"
DOCS = "https://docs.github.com/rest"
FAST = 0.3  # seconds: just above the 0.25 bound, 0.2 s below the next one (0.5)
IDLE_TIMEOUT_SECONDS = 5  # a connection that sends nothing for this long is closed
LOGGED_HEADERS = ("Accept", "Authorization", "User-Agent")
LOGGED_CHARACTERS = 200  # of the path and of each logged header
HUGE_BYTES = 100_000_000
CHUNK_BYTES = 64 * 1024


def repository(owner, name, repo_id, description, language, stars, forks, created):
    """A repository as GitHub shows it (a subset of the fields; counts are made up)."""
    full_name = f"{owner}/{name}"
    return {
        "id": repo_id,
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": {
            "login": owner,
            "type": "Organization",
            "html_url": f"https://github.com/{owner}",
        },
        "html_url": f"https://github.com/{full_name}",
        "description": description,
        "fork": False,
        "url": f"https://api.github.com/repos/{full_name}",
        "created_at": created,
        "homepage": None,
        "language": language,
        "stargazers_count": stars,
        "watchers_count": stars,
        "forks_count": forks,
        "open_issues_count": 0,
        "license": {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0"},
        "default_branch": "main",
        "visibility": "public",
        "archived": False,
    }


# (owner, repo) -> (seconds to wait, the repository's JSON)
REPOSITORIES = {
    ("prometheus", "prometheus"): (
        FAST,
        repository(
            "prometheus",
            "prometheus",
            6838921,
            "The Prometheus monitoring system and time series database.",
            "Go",
            58000,
            9500,
            "2012-11-24T11:14:12Z",
        ),
    ),
    ("apache", "kafka"): (
        0.55,  # just above the 0.5 bound, 0.2 s below 0.75
        repository(
            "apache",
            "kafka",
            2211243,
            "Mirror of Apache Kafka",
            "Java",
            30000,
            14000,
            "2011-08-15T18:06:16Z",
        ),
    ),
    ("moby", "moby"): (
        0.8,  # just above the 0.75 bound, 0.2 s below 1.0
        repository(
            "moby",
            "moby",
            7691631,
            "The Moby Project - a collaborative project for the container ecosystem",
            "Go",
            70000,
            18800,
            "2013-01-18T18:10:57Z",
        ),
    ),
    ("fake", "slow"): (
        10.0,  # longer than the lessons' default read timeout (5 s)
        repository("fake", "slow", 1, "Answers after 10 s.", None, 0, 0, "2024-01-01T00:00:00Z"),
    ),
}

RATE_LIMITED_MESSAGE = (
    "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
    "requests get a higher rate limit. Check out the documentation for more details.)"
)

# (owner, repo) -> (seconds to wait, status, JSON body, whether the rate limit is used up)
FAILURES = {
    ("fake", "rate-limited"): (
        FAST,
        403,
        {"message": RATE_LIMITED_MESSAGE, "documentation_url": f"{DOCS}/rate-limit"},
        True,
    ),
    ("fake", "too-many-requests"): (
        FAST,
        429,
        {"message": RATE_LIMITED_MESSAGE, "documentation_url": f"{DOCS}/rate-limit"},
        True,
    ),
    ("fake", "blocked"): (
        FAST,
        403,
        {"message": "Repository access blocked", "documentation_url": DOCS},
        False,
    ),
    ("fake", "server-error"): (
        1.05,  # just above the 1.0 bound, the only delay over 1 s
        500,
        {"message": "Server Error"},
        False,
    ),
}

CAPTIVE_PORTAL = ("fake", "captive-portal")
CAPTIVE_PORTAL_PAGE = b"<html><body><h1>Log in to use the Wi-Fi</h1></body></html>\n"
DEEPLY_NESTED = ("fake", "deeply-nested")
DEEPLY_NESTED_BODY = b"[" * 100_000 + b"]" * 100_000
HUGE = ("fake", "huge")
MOVED = ("fake", "moved")
MOVED_ELSEWHERE = ("fake", "moved-elsewhere")
MOVED_TO = "/repos/prometheus/prometheus"
MOVED_MALFORMED = ("fake", "moved-malformed")
MALFORMED_LOCATION = "http://[::1"
NOT_A_NUMBER = ("fake", "not-a-number")
DRIP_HEADERS = ("fake", "drip-headers")
DRIP_BODY = ("fake", "drip-body")
DRIP_SECONDS_PER_BYTE = 1.0
DRIP_HEADER_BYTES = 60  # then the rest of the answer at once: the stand-in's thread ends
# C0 and C1 control characters (ESC starts terminal escape sequences), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text):
    """text with control characters shown as \\xNN, so a log line cannot drive the terminal."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class RateLimit:
    """GitHub-like x-ratelimit-* headers that count down but never run out on their own."""

    def __init__(self):
        self._lock = threading.Lock()
        self._used = {False: 0, True: 0}  # with a token or not -> requests in this window

    def headers(self, authorization, used_up=False):
        limit = 5000 if authorization else 60
        with self._lock:  # one count for all tokens: any number of tokens, bounded memory
            used = self._used[bool(authorization)] + 1
            if used >= limit:  # start a new window rather than refuse
                used = 1
            self._used[bool(authorization)] = used
        if used_up:
            used = limit
        next_hour = int(time.time()) // 3600 * 3600 + 3600
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(limit - used),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(next_hour),
            "x-ratelimit-resource": "core",
        }


class RequestLog:
    """The last requests to /repos, for GET /debug/requests: bounded in number and size."""

    def __init__(self, size=100):
        self._lock = threading.Lock()
        self._entries = deque(maxlen=size)

    def add(self, path, headers):
        kept = {
            name: headers[name][:LOGGED_CHARACTERS] for name in LOGGED_HEADERS if name in headers
        }
        with self._lock:
            self._entries.append({"path": path[:LOGGED_CHARACTERS], "headers": kept})

    def entries(self):
        with self._lock:
            return list(self._entries)


class FakeGitHub(BaseHTTPRequestHandler):
    quiet = False
    elsewhere = DEFAULT_ELSEWHERE
    timeout = IDLE_TIMEOUT_SECONDS  # socket timeout: an idle client is disconnected
    rate_limit = RateLimit()
    request_log = RequestLog()

    def do_GET(self):
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        try:
            status = self.answer(path)
        except (ConnectionError, TimeoutError):  # broken pipe, reset, or a client that stalls
            status = "not all sent: the client hung up or stopped reading (its timeout?)"
        if not self.quiet:
            seconds = time.monotonic() - started
            # One write per line: print() writes the text and the newline apart, so
            # lines from threads answering at the same time could run together.
            sys.stdout.write(f"GET {printable(path)} -> {status} after {seconds:.3f} s\n")
            sys.stdout.flush()

    def answer(self, path):
        """Send the answer for `path`; return its status code."""
        if path == "/health":
            return self.send_json(200, {"status": "ok"})
        if path == "/debug/requests":
            return self.send_json(200, {"requests": self.request_log.entries()})
        parts = path.split("/")  # "/repos/a/b" -> ["", "repos", "a", "b"]
        if len(parts) == 4 and parts[1] == "repos" and parts[2] and parts[3]:
            return self.answer_repository(path, (parts[2], parts[3]))
        return self.send_json(404, {"message": "Not Found", "documentation_url": DOCS})

    def answer_repository(self, path, key):
        self.request_log.add(path, self.headers)
        authorization = self.headers.get("Authorization")
        if key in REPOSITORIES:
            delay, body = REPOSITORIES[key]
            time.sleep(delay)
            return self.send_json(200, body, self.rate_limit.headers(authorization))
        if key in FAILURES:
            delay, status, body, used_up = FAILURES[key]
            time.sleep(delay)
            return self.send_json(status, body, self.rate_limit.headers(authorization, used_up))
        time.sleep(FAST)
        if key == CAPTIVE_PORTAL:  # the login page answers, not GitHub: no x-ratelimit-*
            return self.send(200, CAPTIVE_PORTAL_PAGE, "text/html; charset=utf-8", {})
        headers = self.rate_limit.headers(authorization)
        if key == DEEPLY_NESTED:
            return self.send(200, DEEPLY_NESTED_BODY, "application/json; charset=utf-8", headers)
        if key == HUGE:
            return self.send_huge(headers)
        if key == MOVED_MALFORMED:
            body = {"message": "Moved Permanently", "documentation_url": DOCS}
            return self.send_json(301, body, {**headers, "Location": MALFORMED_LOCATION})
        if key == NOT_A_NUMBER:
            body = {**REPOSITORIES["moby", "moby"][1], "stargazers_count": float("nan")}
            return self.send_json(200, body, headers)  # json.dumps writes NaN as it is
        if key == DRIP_HEADERS:
            return self.send_dripping_headers(headers)
        if key == DRIP_BODY:
            return self.send_dripping_body(headers)
        if key in (MOVED, MOVED_ELSEWHERE):
            status, base = (301, "") if key == MOVED else (302, self.elsewhere)
            body = {
                "message": self.responses[status][0],
                "url": base + MOVED_TO,
                "documentation_url": DOCS,
            }
            return self.send_json(status, body, {**headers, "Location": base + MOVED_TO})
        body = {"message": "Not Found", "documentation_url": f"{DOCS}/repos/repos#get-a-repository"}
        return self.send_json(404, body, headers)

    def send_huge(self, headers):
        """HUGE_BYTES of valid JSON, written a chunk at a time: never all in memory."""
        head, tail = b'{"full_name": "fake/huge", "padding": "', b'"}\n'
        padding = HUGE_BYTES - len(head) - len(tail)
        self.send_head(200, HUGE_BYTES, "application/json; charset=utf-8", headers)
        self.wfile.write(head)
        chunk = b"x" * CHUNK_BYTES
        for _ in range(padding // CHUNK_BYTES):
            self.wfile.write(chunk)
        self.wfile.write(b"x" * (padding % CHUNK_BYTES) + tail)
        return 200

    def send_dripping_headers(self, headers):
        """A 200 whose last header arrives a byte a second, then its body at once."""
        body = json.dumps(REPOSITORIES["moby", "moby"][1]).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.flush_headers()  # all but the last header, at once
        self.drip(b"X-Drip: " + b"." * DRIP_HEADER_BYTES + b"\r\n\r\n")
        self.wfile.write(body)
        return 200

    def send_dripping_body(self, headers):
        """A 200 whose headers arrive at once, then its body a byte a second."""
        body = json.dumps(REPOSITORIES["moby", "moby"][1]).encode() + b"\n"
        self.send_head(200, len(body), "application/json; charset=utf-8", headers)
        self.drip(body)
        return 200

    def drip(self, data):
        for index in range(len(data)):
            self.wfile.write(data[index : index + 1])
            time.sleep(DRIP_SECONDS_PER_BYTE)

    def send_json(self, status, body, headers=None):
        data = json.dumps(body, indent=2).encode() + b"\n"
        return self.send(status, data, "application/json; charset=utf-8", headers or {})

    def send(self, status, data, content_type, headers):
        self.send_head(status, len(data), content_type, headers)
        self.wfile.write(data)
        return status

    def send_head(self, status, length, content_type, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def version_string(self):
        return "fake-github/1.0"  # the Server header

    def log_message(self, format, *args):
        """Silence http.server's own log line: do_GET prints a shorter one."""


class Server(ThreadingHTTPServer):
    # On Windows, SO_REUSEADDR would let a second server take a port in use.
    allow_reuse_address = os.name != "nt"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="An offline stand-in for the GitHub API.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    parser.add_argument(
        "--elsewhere",
        default=DEFAULT_ELSEWHERE,
        metavar="URL",
        help="where fake/moved-elsewhere redirects to (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be a number from 1 to 65535, not {args.port}")
    if not args.elsewhere.startswith(("http://", "https://")):
        parser.error(f"--elsewhere must start with http:// or https://, not {args.elsewhere!r}")
    args.elsewhere = args.elsewhere.rstrip("/")
    return args


def start_server(port):
    try:
        return Server((HOST, port), FakeGitHub)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            sys.exit(f"fake_github.py: cannot listen on {HOST}:{port}: {error.strerror}")
        sys.exit(
            f"fake_github.py: port {port} is already in use (is the stand-in already running?): "
            f"stop the other program or pick another port, e.g. --port {port + 1}, "
            f"and start the app with GITHUB_API_URL=http://{HOST}:{port + 1}"
        )


def main(argv=None):
    args = parse_args(argv)
    FakeGitHub.quiet = args.quiet
    FakeGitHub.elsewhere = args.elsewhere
    server = start_server(args.port)
    url = f"http://{HOST}:{args.port}"
    print(f"fake GitHub API on {url} (Ctrl-C to stop); run a lesson with GITHUB_API_URL={url}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("fake GitHub API stopped")
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
