"""scripts/alert_receiver.py: the block it prints for a notification, the last
ones it keeps, and the bad requests it answers with a 4xx and one line on
stderr, never a crash or a traceback."""

import json
import socket
import struct
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

import alert_receiver
import pytest
import requests
from workshop import lessons, processes

SCRIPT = lessons.ROOT / "scripts" / "alert_receiver.py"
STARTED = "2026-03-01T10:00:00.123456789Z"  # Alertmanager's form: nanoseconds, Z


def alert(name="GitHubLookupsFailing", status="firing", ends="0001-01-01T00:00:00Z", **labels):
    return {
        "status": status,
        "labels": {"alertname": name, "job": "workshop", "severity": "warning", **labels},
        "annotations": {"summary": "Many GitHub lookups are failing", "description": "22.22%"},
        "startsAt": STARTED,
        "endsAt": ends,
        "fingerprint": "abc",
    }


def notification(*alerts, status="firing", receiver="team"):
    alerts = alerts or (alert(),)
    return {
        "version": "4",
        "status": status,
        "receiver": receiver,
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"], "job": "workshop"},
        "alerts": list(alerts),
    }


def local(text):
    """A UTC time of the test as the receiver prints it: the reader's local clock."""
    moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%H:%M:%S")


RECEIVED = datetime(2026, 3, 1, 10, 2, 5, tzinfo=timezone.utc)


# --- the block --------------------------------------------------------------------


def test_a_firing_notification_is_one_block():
    assert alert_receiver.block(notification(), RECEIVED) == (
        f"{local('2026-03-01T10:02:05')}  FIRING  GitHubLookupsFailing (job=workshop), to team\n"
        f"  GitHubLookupsFailing  firing for 2m 5s, since {local('2026-03-01T10:00:00')}\n"
        "    Many GitHub lookups are failing\n"
        "    22.22%\n"
        "    labels: alertname=GitHubLookupsFailing job=workshop severity=warning\n\n"
    )


def test_a_resolved_alert_says_when_and_how_long_it_fired_not_its_description():
    resolved = alert(status="resolved", ends="2026-03-01T11:03:00+01:00")
    block = alert_receiver.block(notification(resolved, status="resolved"), RECEIVED)
    assert block.rstrip().splitlines()[1:] == [
        f"  GitHubLookupsFailing  resolved at {local('2026-03-01T10:03:00')}, "
        "after firing for 3m 0s",
        "    Many GitHub lookups are failing",
        "    labels: alertname=GitHubLookupsFailing job=workshop severity=warning",
    ]


def test_a_group_of_two_says_so_and_shows_both():
    two = notification(alert(instance="a:1"), alert(instance="b:2"))
    lines = alert_receiver.block(two, RECEIVED).splitlines()
    assert lines[0].endswith("to team (2 alerts)")
    assert [line for line in lines if line.startswith("    labels:")] == [
        "    labels: alertname=GitHubLookupsFailing instance=a:1 job=workshop severity=warning",
        "    labels: alertname=GitHubLookupsFailing instance=b:2 job=workshop severity=warning",
    ]


def test_control_characters_and_long_values_are_not_printed_as_they_are():
    hostile = notification(alert(note="\x1b[31mred\x1b[0m\nline " + "x" * 1000))
    [labels] = [
        line for line in alert_receiver.block(hostile, RECEIVED).splitlines() if "note=" in line
    ]
    assert "\x1b" not in labels and "?[31mred" in labels
    assert len(labels) < 600


@pytest.mark.parametrize(
    "seconds, text", [(0, "0s"), (59.6, "1m 0s"), (125, "2m 5s"), (3600 * 2 + 300, "2h 5m")]
)
def test_durations(seconds, text):
    assert alert_receiver.duration(seconds) == text


# --- the running receiver -----------------------------------------------------------


@contextmanager
def receiver_running():
    @contextmanager
    def start(port):
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, SCRIPT, "--port", port]
        with processes.running(command, f"{url}/alerts", lambda answer: answer.ok) as server:
            yield url, server

    with processes.on_free_ports(start) as started:
        yield started


@pytest.fixture(scope="module")
def receiver():
    with receiver_running() as started:
        yield started


def raw(url, request):
    """Send raw bytes; the status code of the answer (None when the server closed first)."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = connection.makefile("rb").readline().decode()
    return int(answer.split()[1]) if answer else None


BAD_REQUESTS = {
    "not JSON": ("POST", "/alerts", b"{nope", 400, "not JSON"),
    "not UTF-8": ("POST", "/alerts", b"\xff\xfe\xfa", 400, "not JSON"),
    "nested too deep": ("POST", "/alerts", b"[" * 100_000, 400, "not JSON"),
    "a JSON list": ("POST", "/alerts", b"[]", 400, "not a notification"),
    "no alerts": ("POST", "/alerts", b'{"status": "firing"}', 400, 'no "alerts" list'),
    "a label not a string": (
        "POST",
        "/alerts",
        json.dumps(notification(alert(count=3))).encode(),
        400,
        "must map names to strings",
    ),
    "a bad time": (
        "POST",
        "/alerts",
        json.dumps(notification({**alert(), "startsAt": "yesterday"})).encode(),
        400,
        "not a time",
    ),
    "a start not set": (
        "POST",
        "/alerts",
        json.dumps(notification({**alert(), "startsAt": "0001-01-01T00:00:00Z"})).encode(),
        400,
        "not a time",
    ),
    "a 13th month": (
        "POST",
        "/alerts",
        json.dumps(notification({**alert(), "endsAt": "2026-13-01T00:00:00Z"})).encode(),
        400,
        "not a time",
    ),
    "the year 9999": (
        "POST",
        "/alerts",
        json.dumps(notification({**alert(), "startsAt": "9999-12-31T23:59:59Z"})).encode(),
        400,
        "not a time",
    ),
    "another path": ("POST", "/hooks", b"{}", 404, "nothing at /hooks"),
    "GET elsewhere": ("GET", "/", b"", 404, "nothing at /"),
    "PUT": ("PUT", "/alerts", b"{}", 405, "PUT is not allowed"),
    "DELETE": ("DELETE", "/alerts", b"", 405, "DELETE is not allowed"),
    "an unknown method": ("BREW", "/alerts", b"", 405, "BREW is not allowed"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=str)
def test_a_bad_request_gets_a_4xx_and_one_line_on_stderr(receiver, case):
    url, server = receiver
    method, path, body, status, reason = BAD_REQUESTS[case]
    before = server.output()
    answer = requests.request(method, url + path, data=body, timeout=10)
    assert (answer.status_code, reason in answer.text) == (status, True), answer.text
    if status == 405:
        assert answer.headers["Allow"] == "GET, POST"
    new = server.output()[len(before) :]
    assert new.count("\n") == 1 and new.startswith(f"alert_receiver: {status} {method} "), new
    assert reason in new
    assert requests.get(url + "/alerts", timeout=10).ok  # still serving


def test_an_oversized_body_is_refused_unread(receiver):
    url, server = receiver
    limit = alert_receiver.MAX_BODY_BYTES
    headers = f"POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: {limit + 1}\r\n\r\n"
    assert raw(url, headers.encode() + b"{") == 413
    assert f"413 POST from 127.0.0.1: a body of {limit + 1} bytes" in server.output()


def test_a_body_without_a_length_is_refused(receiver):
    url, _ = receiver
    chunked = b"POST /alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"2\r\n{}\r\n0\r\n\r\n"
    assert raw(url, chunked) == 411
    assert raw(url, b"POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n") == 400


def test_a_body_that_stops_short_is_refused_and_the_receiver_goes_on(receiver):
    url, server = receiver
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        connection.shutdown(socket.SHUT_WR)  # the client gives up after one byte
        answer = connection.makefile("rb").readline()
    assert answer.split()[1] == b"400"
    assert "the body ended after 1 of 100 bytes" in server.output()
    assert requests.get(url + "/alerts", timeout=10).ok


def test_a_client_that_goes_away_before_its_answer_is_one_line(receiver):
    url, server = receiver
    port = int(url.rsplit(":", 1)[1])
    before = server.output()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.sendall(b"POST /alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    # closed at once, with a reset: the receiver's answer has nowhere to go
    assert requests.get(url + "/alerts", timeout=10).ok
    new = processes.wait_for(lambda: server.output()[len(before) :], 10)
    assert new.splitlines() == [
        "alert_receiver: 400 POST from 127.0.0.1: the body did not arrive: ConnectionResetError"
    ]


def test_a_notification_is_printed_kept_and_answered_200():
    with receiver_running() as (url, server):
        answer = requests.post(url + "/alerts", json=notification(), timeout=10)
        assert (answer.status_code, answer.text) == (200, "ok\n")
        printed = server.output()
        assert "FIRING  GitHubLookupsFailing (job=workshop), to team\n" in printed
        assert (
            "    labels: alertname=GitHubLookupsFailing job=workshop severity=warning\n" in printed
        )
        [kept] = requests.get(url + "/alerts", timeout=10).json()
        assert kept["notification"] == notification()
        assert "Traceback" not in printed


def test_it_keeps_the_last_ones_only():
    with receiver_running() as (url, _):
        for number in range(alert_receiver.KEEP + 3):
            sent = notification(receiver=f"r{number}")
            assert requests.post(url + "/alerts", json=sent, timeout=10).ok
        kept = requests.get(url + "/alerts", timeout=10).json()
    receivers = [entry["notification"]["receiver"] for entry in kept]
    assert receivers == [f"r{number}" for number in range(3, alert_receiver.KEEP + 3)]


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.2 is a loopback address on Linux")
def test_it_listens_on_127_0_0_1_only(receiver):
    """A server on every address (0.0.0.0) would answer 127.0.0.2 too."""
    url, _ = receiver
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        probe.settimeout(5)
        assert probe.connect_ex(("127.0.0.2", port)) != 0


def test_a_taken_port_is_one_line_and_exit_code_1():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = processes_run([sys.executable, str(SCRIPT), "--port", str(port)])
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"alert_receiver.py: cannot listen on 127.0.0.1:{port} (Address already in use): "
        f"use --port {port + 1}"
    ]


@pytest.mark.parametrize("port", ["70000", "0", "x"])
def test_a_port_outside_1_to_65535_is_refused(port):
    result = processes_run([sys.executable, str(SCRIPT), "--port", port])
    assert result.returncode == 2
    assert "is not a port number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr


def processes_run(command):
    return subprocess.run(command, capture_output=True, text=True, timeout=30)
