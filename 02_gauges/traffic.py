"""Send lesson 02's traffic to the running app, the same every time.

Run:  python 02_gauges/traffic.py [--url http://127.0.0.1:5000]
"""

import argparse
import sys

import requests

LESSON = "02_gauges"
# A metric only this lesson exports: proves the app on the port is this lesson.
SIGNATURE_METRIC = "list_size"

# (method, path, how many times, the status the app should answer)
TRAFFIC = [
    ("GET", "/add/5", 1, 200),
    ("GET", "/add/10", 1, 200),
    ("GET", "/add/21", 1, 200),
    ("GET", "/add/87", 1, 200),
    ("GET", "/remove/5", 1, 200),
    ("GET", "/remove/5", 1, 404),
    ("GET", "/add/-3", 1, 400),
    ("GET", "/add/abc", 1, 400),
    ("GET", "/work?ms=50", 3, 200),
    ("GET", "/work?ms=9999", 1, 400),
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
