"""Send lesson 05's traffic to the running app: the same requests every time, in order.

Run:  python 05_info_enum/traffic.py [--url http://127.0.0.1:5000]
"""

import argparse
import sys

import requests

LESSON = "05_info_enum"
# (method, path, how many times, the status the app should answer). In this order: the
# state the app ends in is the last one set.
TRAFFIC = [
    ("POST", "/state/missing", 1, 200),
    ("POST", "/state/paused", 1, 400),  # not one of the states
    ("GET", "/state/running", 1, 405),  # a GET must change nothing
    ("POST", "/state/stopped", 1, 200),
]
START = f"python {LESSON}/app.py"
DEFAULT = "http://127.0.0.1:5000"


def check_the_app_answers(url):
    """Stop with one line, before sending anything, when no lesson app answers at url."""
    try:
        response = requests.get(f"{url}/metrics", timeout=5)
    except requests.ConnectionError:
        sys.exit(f"traffic.py: nothing answers at {url}: start the app first: {START}")
    except requests.RequestException as error:
        sys.exit(f"traffic.py: cannot ask {url} ({error.__class__.__name__}): try --url {DEFAULT}")
    if not response.headers.get("Content-Type", "").startswith("text/plain"):
        server = response.headers.get("Server", "unknown")
        sys.exit(
            f"traffic.py: {url}/metrics is not a lesson's metrics (HTTP {response.status_code}, "
            f"Server: {server}): another program has the port (on macOS, often the AirPlay "
            "Receiver). Start the app with PORT=5001 and use --url http://127.0.0.1:5001"
        )


def send(url, method, path, times, expected_status):
    """Send one row of TRAFFIC; return the line to print and whether every answer was right."""
    statuses = [requests.request(method, url + path, timeout=10).status_code for _ in range(times)]
    right = all(status == expected_status for status in statuses)
    verdict = "ok" if right else f"expected {expected_status}!"
    width = max(len(path) for _, path, _, _ in TRAFFIC)
    return f"{method:<4} {path:<{width}}  x{times}  -> {statuses[-1]} {verdict}", right


def run(url, after_each_row=None):
    """Send TRAFFIC to the app at url: (line to print, whether right) for each row.

    Stops with one line (SystemExit) when no lesson app answers. The grader calls
    this too, in its own process, with after_each_row: it reads /metrics there.
    """
    check_the_app_answers(url)
    results = []
    try:
        for row in TRAFFIC:
            results.append(send(url, *row))
            if after_each_row:
                after_each_row(row)
    except requests.RequestException as error:
        sys.exit(f"traffic.py: the app stopped answering ({error.__class__.__name__}): restart it")
    return results


def main():
    parser = argparse.ArgumentParser(description=f"Send lesson {LESSON}'s traffic.")
    parser.add_argument("--url", default=DEFAULT, help="where the app runs (default: %(default)s)")
    results = run(parser.parse_args().url.rstrip("/"))
    for line, _ in results:
        print(line)
    if not all(right for _, right in results):
        sys.exit(f"traffic.py: some answers were not the expected ones: is {LESSON} running?")


if __name__ == "__main__":
    main()
