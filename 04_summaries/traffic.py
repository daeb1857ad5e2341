"""Send lesson 04's traffic to the running app, the same every time.

Run:  python 04_summaries/traffic.py [--url http://127.0.0.1:5000]

The app must be looking repositories up on the offline stand-in
(python scripts/fake_github.py), which answers each one after a fixed delay:
the expected counts depend on those answers, and real GitHub answers
the reserved names fake/... with a plain 404.
"""

import argparse
import sys

import requests

LESSON = "04_summaries"
# A metric only this lesson exports: proves the app on the port is this lesson.
SIGNATURE_METRIC = "request_processing_seconds"

# (method, path, how many times, the status the app should answer)
# The stand-in's delays: prometheus 0.375 s, kafka 0.625 s, moby 0.875 s,
# an unknown repository 0.375 s, rate limited 0.375 s, server error 1.25 s.
TRAFFIC = [
    ("GET", "/repos/prometheus/prometheus", 3, 200),
    ("GET", "/repos/apache/kafka", 2, 200),
    ("GET", "/repos/moby/moby", 1, 200),
    ("GET", "/repos/prometheus/no-such-repository", 1, 404),
    ("GET", "/repos/fake/rate-limited", 1, 503),
    ("GET", "/repos/fake/server-error", 1, 502),
    ("GET", "/repos/prometheus/bad%20name", 1, 400),
]


# The code below is the same in every lesson's traffic.py (self-contained on purpose).


def fail(message):
    sys.exit(f"traffic.py: {message}")


def check_it_is_the_lesson(session, url, force):
    """Stop early, with the likely cause, when the lesson is not what answers."""
    try:
        response = session.get(f"{url}/metrics", timeout=5)
    except requests.ConnectionError:
        fail(f"nothing answers at {url}: start the app first: python {LESSON}/app.py")
    except requests.Timeout:
        fail(f"{url} did not answer within 5 s: is the app stuck? restart it")
    if not response.headers.get("Content-Type", "").startswith("text/plain; version="):
        server = response.headers.get("Server", "unknown")
        fail(
            f"{url} is not lesson {LESSON}: no Prometheus metrics at /metrics "
            f"(HTTP {response.status_code}, Server: {server}). On macOS, port 5000 is often the "
            "AirPlay Receiver: run the app with PORT=5001 and use --url http://127.0.0.1:5001"
        )
    if SIGNATURE_METRIC not in response.text and not force:
        fail(
            f"{url} is not lesson {LESSON}: its /metrics has no {SIGNATURE_METRIC}. Is another "
            f"lesson running there? Start python {LESSON}/app.py (or, if you renamed that "
            "metric on purpose, add --force)"
        )


def send(session, url, method, path, times, expected_status):
    statuses = [session.request(method, url + path, timeout=10).status_code for _ in range(times)]
    unexpected = [status for status in statuses if status != expected_status]
    note = f"expected {expected_status}!" if unexpected else "ok"
    width = max(len(path) for _, path, _, _ in TRAFFIC)
    print(f"{method} {path:<{width}}  x{times}  -> {statuses[-1]} {note}")
    return not unexpected


def main():
    parser = argparse.ArgumentParser(description=f"Send lesson {LESSON}'s traffic.")
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="where the app runs")
    parser.add_argument("--force", action="store_true", help="skip the is-it-this-lesson check")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        fail(f"--url must start with http:// or https://, e.g. http://127.0.0.1:5000, not {url!r}")
    with requests.Session() as session:
        check_it_is_the_lesson(session, url, args.force)
        try:
            results = [send(session, url, *request) for request in TRAFFIC]
        except requests.RequestException as error:
            fail(f"the app stopped answering ({error.__class__.__name__}): is it still running?")
    if not all(results):
        fail("some answers were not the expected ones (see above)")


if __name__ == "__main__":
    main()
