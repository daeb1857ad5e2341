"""A webhook receiver for Alertmanager: it prints every notification it gets, so
that you see an alert reach someone (you).

    python scripts/alert_receiver.py              # http://127.0.0.1:9095/alerts
    python scripts/alert_receiver.py --port 9096  # if 9095 is taken

scripts/prometheus.py starts it beside Alertmanager, which posts to it (the
webhook_configs of prometheus/alertmanager.yml): in production, a chat channel,
a pager or a ticket queue would be there. One block per notification:

    12:04:31  FIRING  GitHubLookupsFailing (job=workshop), to team
      GitHubLookupsFailing  firing for 12s, since 12:04:19
        Many GitHub lookups are failing
        22.22% of GitHub lookups (job workshop) ended in error, timeout or ...
        labels: alertname=GitHubLookupsFailing job=workshop severity=warning

GET /alerts answers the last notifications (KEEP of them, kept in memory) as
JSON. It listens on 127.0.0.1 only. A body that is not a notification, or is
over 1 MB, gets a 4xx answer and one line on stderr. Standard library only.
"""

import argparse
import json
import re
import signal
import sys
import threading
from collections import deque
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workshop.prometheus_setup import port_number

HOST = "127.0.0.1"  # this computer only: not "localhost", which on macOS can be another service
DEFAULT_PORT = 9095
PATH = "/alerts"
KEEP = 50  # notifications kept for GET /alerts
MAX_BODY_BYTES = 1_000_000  # a notification of a few alerts is a few KB
IDLE_SECONDS = 10  # a connection that sends nothing for this long is closed
MAX_FIELD = 500  # characters of a label or annotation printed
STATUSES = ("firing", "resolved")
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time: Alertmanager's "not set"
RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)")


class NotANotification(ValueError):
    """The body is JSON, but not what Alertmanager sends; the message says why."""


def parse_time(text, unset_allowed=False):
    """RFC 3339 as Alertmanager writes it (nanoseconds, Z) -> an aware datetime; None
    for Go's zero time ("0001-01-01T00:00:00Z": not set) where `unset_allowed`."""
    if unset_allowed and text == ZERO_TIME:
        return None
    match = RFC3339.fullmatch(text) if isinstance(text, str) else None
    try:
        base, fraction, zone = match.groups()
        moment = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    except (AttributeError, ValueError):  # no match; a 13th month, a 25th hour
        moment = None
    if moment is None or not 1970 <= moment.year <= 9000:  # and printable in local time
        raise NotANotification(f"not a time: {shorter(repr(text))}")
    return moment.replace(microsecond=int(float(fraction or 0) * 1_000_000))


def string_map(value, what):
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise NotANotification(f"{what} must map names to strings")
    return value


def checked(notification):
    """The notification, when it has what a block prints; NotANotification if not."""
    if not isinstance(notification, dict):
        raise NotANotification("the body must be a JSON object")
    alerts = notification.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise NotANotification('no "alerts" list')
    if notification.get("status") not in STATUSES:
        raise NotANotification('"status" must be "firing" or "resolved"')
    string_map(notification.get("groupLabels", {}), '"groupLabels"')
    if not isinstance(notification.get("receiver", ""), str):
        raise NotANotification('"receiver" must be a string')
    for alert in alerts:
        if not isinstance(alert, dict) or alert.get("status") not in STATUSES:
            raise NotANotification('each alert needs a "status": "firing" or "resolved"')
        string_map(alert.get("labels"), 'an alert\'s "labels"')
        string_map(alert.get("annotations", {}), 'an alert\'s "annotations"')
        parse_time(alert.get("startsAt"))
        parse_time(alert.get("endsAt", ZERO_TIME), unset_allowed=True)
    return notification


def shorter(text):
    """Printable and at most MAX_FIELD characters: a body can hold anything."""
    text = "".join(char if char.isprintable() else "?" for char in str(text))
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 3] + "..."


def clock(moment):
    return moment.astimezone().strftime("%H:%M:%S")  # the reader's local time


def duration(seconds):
    """2h 5m, 3m 12s, 40s."""
    seconds = max(0, round(seconds))
    hours, minutes, seconds = seconds // 3600, seconds // 60 % 60, seconds % 60
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {seconds}s" if minutes else f"{seconds}s"


def labels_text(labels):
    return " ".join(f"{name}={shorter(value)}" for name, value in sorted(labels.items()))


def block(notification, received):
    """What one notification looks like in the terminal."""
    group = dict(notification.get("groupLabels", {}))
    name = group.pop("alertname", None)
    what = " ".join(filter(None, [name and shorter(name), group and f"({labels_text(group)})"]))
    alerts = notification["alerts"]
    count = f" ({len(alerts)} alerts)" if len(alerts) > 1 else ""
    receiver = shorter(notification.get("receiver", "")) or "?"
    lines = [f"{clock(received)}  {notification['status'].upper()}  {what}, to {receiver}{count}"]
    for alert in alerts:
        lines += alert_lines(alert, received)
    return "\n".join(lines) + "\n\n"


def alert_lines(alert, received):
    labels, annotations = alert["labels"], alert.get("annotations", {})
    started = parse_time(alert["startsAt"])
    if alert["status"] == "firing":
        when = (
            f"firing for {duration((received - started).total_seconds())}, since {clock(started)}"
        )
        texts = [annotations.get("summary"), annotations.get("description")]
    else:
        ended = parse_time(alert.get("endsAt", ZERO_TIME), unset_allowed=True) or received
        firing = duration((ended - started).total_seconds())
        when = f"resolved at {clock(ended)}, after firing for {firing}"
        texts = [annotations.get("summary")]  # the description tells of the problem, now over
    name = shorter(labels.get("alertname", "(no alertname)"))
    lines = [f"  {name}  {when}"]
    lines += [f"    {shorter(text)}" for text in texts if text]
    lines.append(f"    labels: {labels_text(labels)}")
    return lines


class Notifications:
    """The last KEEP notifications, and the terminal they are printed to."""

    def __init__(self, keep=KEEP, output=sys.stdout):
        self.kept = deque(maxlen=keep)
        self.output = output
        self.lock = threading.Lock()

    def add(self, notification):
        received = datetime.now(timezone.utc)
        with self.lock:
            self.kept.append({"receivedAt": received.isoformat(), "notification": notification})
            try:
                self.output.write(block(notification, received))
                self.output.flush()
            except OSError:
                pass  # the terminal is gone (closed): keep answering Alertmanager

    def as_json(self):
        with self.lock:
            return json.dumps(list(self.kept), indent=1) + "\n"


class Handler(BaseHTTPRequestHandler):
    """POST /alerts: a notification. GET /alerts: the last ones. Anything else: a 4xx."""

    server_version = "alert_receiver"
    timeout = IDLE_SECONDS
    notifications = None  # set by serve()

    def do_POST(self):
        if self.path.split("?")[0] != PATH:
            return self.refuse(404, f"nothing at {self.path}: Alertmanager posts to {PATH}")
        length = self.headers.get("Content-Length")
        if length is None or "chunked" in self.headers.get("Transfer-Encoding", ""):
            return self.refuse(411, "no Content-Length")
        if not length.isdigit() or not length.isascii():
            return self.refuse(400, f"Content-Length is not a number: {length!r}")
        if int(length) > MAX_BODY_BYTES:
            return self.refuse(413, f"a body of {length} bytes: the limit is {MAX_BODY_BYTES}")
        try:
            body = self.rfile.read(int(length))
        except OSError as error:  # the connection timed out or broke
            return self.refuse(400, f"the body did not arrive: {error.__class__.__name__}")
        if len(body) < int(length):
            return self.refuse(400, f"the body ended after {len(body)} of {length} bytes")
        try:
            notification = checked(json.loads(body))
        except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too deep, not one
            reason = "not JSON" if not isinstance(error, NotANotification) else "not a notification"
            return self.refuse(400, f"{reason}: {shorter(error)}")
        self.notifications.add(notification)
        self.answer(200, "text/plain", "ok\n")

    def do_GET(self):
        if self.path.split("?")[0] != PATH:
            return self.refuse(404, f"nothing at {self.path}: try {PATH}")
        self.answer(200, "application/json", self.notifications.as_json())

    def __getattr__(self, name):
        # http.server answers an unknown method with 501, a server error: it is the
        # client's, so 405. (Called only for attributes the class does not have.)
        if name.startswith("do_"):
            return self.wrong_method
        raise AttributeError(name)

    def wrong_method(self):
        self.refuse(405, f"{shorter(self.command)} is not allowed", {"Allow": "GET, POST"})

    def refuse(self, status, reason, headers=None):
        self.log_message("%s %s from %s: %s", status, self.command, self.client_address[0], reason)
        self.close_connection = True  # an unread body must not be taken for the next request
        self.answer(status, "text/plain", reason + "\n", headers)

    def answer(self, status, content_type, text, headers=None):
        body = text.encode()
        self.send_response(status)
        for name, value in {"Content-Type": content_type, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:  # the client went away before its answer: nothing more to tell it
            self.close_connection = True

    def log_request(self, code="-", size="-"):
        pass  # one line per bad request only (refuse); a notification is its own block

    def log_message(self, format, *args):
        sys.stderr.write("alert_receiver: " + shorter(format % args) + "\n")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Print the notifications Alertmanager sends.")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="default: %(default)s"
    )
    parser.add_argument("--quiet", action="store_true", help="no line at start")
    return parser.parse_args(argv)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a stalled connection never keeps it from stopping

    def handle_error(self, request, client_address):
        # A client that went away before its answer: one line, not the default traceback.
        error = sys.exc_info()[1]
        sys.stderr.write(f"alert_receiver: {client_address[0]} went away ({shorter(error)})\n")


def serve(port, notifications):
    """The server on 127.0.0.1:port (not started yet); OSError when the port is taken."""
    handler = type("BoundHandler", (Handler,), {"notifications": notifications})
    return Server((HOST, port), handler)


def stop_on_sigterm():
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv=None):
    args = parse_args(argv)
    try:
        server = serve(args.port, Notifications())
    except OSError as error:
        sys.exit(
            f"alert_receiver.py: cannot listen on {HOST}:{args.port} ({error.strerror}): "
            f"use --port {args.port + 1}"
        )
    if not args.quiet:
        print(
            f"Printing the notifications posted to http://{HOST}:{args.port}{PATH}; "
            "Ctrl-C to stop.",
            flush=True,
        )
    stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
