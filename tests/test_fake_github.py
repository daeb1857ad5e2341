"""The offline GitHub stand-in, scripts/fake_github.py, as a real server."""

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import fake_github
import pytest
import requests
from github_lessons import stand_in
from workshop import lesson_run, processes

SCRIPT = lesson_run.FAKE_GITHUB
TIMEOUT = 15
SLACK = 0.5  # how much longer than its delay an answer may take on a busy machine
MB = 1024 * 1024
# The delays the lessons' expected output depends on (see DESIGN: each sits just
# above a bucket bound, with 0.2 s of room below the next).
KNOWN = [
    ("prometheus", "prometheus", 0.3),
    ("apache", "kafka", 0.55),
    ("moby", "moby", 0.8),
]
GITHUB_FIELDS = {
    "id": int,
    "name": str,
    "full_name": str,
    "owner": dict,
    "html_url": str,
    "description": str,
    "stargazers_count": int,
    "forks_count": int,
}
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads memory use from /proc (Linux only)"
)


@pytest.fixture(scope="module")
def github():
    with lesson_run.fake_github() as url:
        yield url


def timed_get(url, **kwargs):
    started = time.monotonic()
    response = requests.get(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    return response, time.monotonic() - started


def wait_for_output(server, text, timeout=10):
    """The stand-in's output once it holds `text` (it prints after answering)."""
    found = processes.wait_for(lambda: text in server.output(), timeout)
    assert found, f"{text!r} not in the output: {server.output()!r}"
    return server.output()


def memory_mb(process, field="VmRSS"):
    """The process's resident memory (VmRSS) or its highest so far (VmHWM), in MB."""
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def send_raw(url, request_bytes):
    """Send bytes as they are (no client checks them) and read the answer to its end."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as connection:
        connection.sendall(request_bytes)
        answer = b""
        while chunk := connection.recv(64 * 1024):
            answer += chunk
    return answer


# --- answers -----------------------------------------------------------------


def test_health_answers_200(github):
    assert requests.get(f"{github}/health", timeout=TIMEOUT).json() == {"status": "ok"}


@pytest.mark.parametrize("owner, repo, seconds", KNOWN)
def test_a_known_repository_answers_github_json_after_its_delay(github, owner, repo, seconds):
    response, took = timed_get(f"{github}/repos/{owner}/{repo}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    for field, kind in GITHUB_FIELDS.items():
        assert isinstance(body[field], kind), field
    assert body["full_name"] == f"{owner}/{repo}"
    assert body["owner"]["login"] == owner
    assert seconds <= took < seconds + SLACK


def test_an_unknown_repository_is_a_github_style_404(github):
    response, took = timed_get(f"{github}/repos/nobody/nothing")
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"
    assert response.json()["documentation_url"].startswith("https://docs.github.com/")
    assert 0.3 <= took < 0.3 + SLACK


def test_an_unknown_path_is_a_404(github):
    assert requests.get(f"{github}/users/octocat", timeout=TIMEOUT).status_code == 404


def test_rate_limit_headers_count_down_from_60_without_a_token(github):
    first = requests.get(f"{github}/repos/nobody/a", timeout=TIMEOUT).headers
    second = requests.get(f"{github}/repos/nobody/b", timeout=TIMEOUT).headers
    assert first["x-ratelimit-limit"] == "60"
    assert int(second["x-ratelimit-remaining"]) == int(first["x-ratelimit-remaining"]) - 1
    assert int(first["x-ratelimit-reset"]) > time.time()


def test_a_token_gets_a_limit_of_5000(github):
    headers = {"Authorization": "Bearer example"}
    answer = requests.get(f"{github}/repos/nobody/c", headers=headers, timeout=TIMEOUT)
    assert answer.headers["x-ratelimit-limit"] == "5000"


def test_the_limit_never_runs_out_on_its_own():
    limit = fake_github.RateLimit()
    remaining = [int(limit.headers(None)["x-ratelimit-remaining"]) for _ in range(200)]
    assert min(remaining) > 0
    assert remaining[:2] == [59, 58]


@pytest.mark.parametrize("repo, status", [("rate-limited", 403), ("too-many-requests", 429)])
def test_a_rate_limited_name_answers_like_github_out_of_requests(github, repo, status):
    response, took = timed_get(f"{github}/repos/fake/{repo}")
    assert response.status_code == status
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-used"] == response.headers["x-ratelimit-limit"]
    assert "rate limit exceeded" in response.json()["message"]
    assert 0.3 <= took < 0.3 + SLACK


def test_blocked_is_a_403_with_requests_left(github):
    response = requests.get(f"{github}/repos/fake/blocked", timeout=TIMEOUT)
    assert response.status_code == 403
    assert int(response.headers["x-ratelimit-remaining"]) > 0


def test_server_error_is_a_slow_500(github):
    response, took = timed_get(f"{github}/repos/fake/server-error")
    assert response.status_code == 500
    assert 1.05 <= took < 1.05 + SLACK


def test_captive_portal_answers_html_with_200(github):
    response = requests.get(f"{github}/repos/fake/captive-portal", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_slow_is_slower_than_the_lessons_timeout_and_blocks_nobody_else(github):
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{github}/repos/fake/slow", timeout=(1, 1))
    assert requests.get(f"{github}/health", timeout=1).ok  # one thread per request
    assert time.monotonic() - started < 2


def test_deeply_nested_is_json_nested_100000_levels(github):
    response = requests.get(f"{github}/repos/fake/deeply-nested", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content == b"[" * 100_000 + b"]" * 100_000


def test_moved_is_a_relative_301_to_prometheus_on_the_same_server(github):
    response = requests.get(f"{github}/repos/fake/moved", allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 301
    assert response.headers["Location"] == "/repos/prometheus/prometheus"
    followed = requests.get(f"{github}/repos/fake/moved", timeout=TIMEOUT)
    assert followed.json()["full_name"] == "prometheus/prometheus"


def test_moved_elsewhere_is_a_302_to_example_com_by_default(github):
    url = f"{github}/repos/fake/moved-elsewhere"
    response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com/repos/prometheus/prometheus"


def test_elsewhere_sets_where_moved_elsewhere_points():
    with stand_in("--quiet", "--elsewhere", "http://127.0.0.1:9/") as (url, _):
        url = f"{url}/repos/fake/moved-elsewhere"
        response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert response.headers["Location"] == "http://127.0.0.1:9/repos/prometheus/prometheus"


# --- fake/huge ---------------------------------------------------------------


@linux_only
def test_moved_malformed_is_a_301_to_something_that_is_not_a_url(github):
    answer = send_raw(github, b"GET /repos/fake/moved-malformed HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 301 ")
    assert b"\r\nLocation: http://[::1\r\n" in answer


def test_not_a_number_is_json_python_reads_with_nan_in_it(github):
    response = requests.get(f"{github}/repos/fake/not-a-number", timeout=TIMEOUT)
    assert response.status_code == 200
    assert b": NaN" in response.content
    assert response.json()["stargazers_count"] != response.json()["stargazers_count"]  # NaN


def read_with_arrival_times(github, path, stop_after):
    """[(seconds since the request, bytes)] as they arrive, for `stop_after` seconds."""
    host, port = github.removeprefix("http://").split(":")
    arrivals = []
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        started = time.monotonic()
        while time.monotonic() - started < stop_after:
            data = connection.recv(64 * 1024)
            arrivals.append((time.monotonic() - started, data))
    return arrivals


@pytest.mark.parametrize("part", ["headers", "body"])
def test_drip_sends_its_headers_or_its_body_a_byte_a_second(github, part):
    arrivals = read_with_arrival_times(github, f"/repos/fake/drip-{part}", stop_after=3.5)
    answer = b"".join(data for _, data in arrivals)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ")
    if part == "headers":
        assert b"\r\nX-D" in head and not body, "the headers are not over yet"
    else:
        assert b"\r\nContent-Length: " in head and 1 < len(body) < 6
    # After what is sent at once, one byte at a time, about a second apart: about four
    # by 3.5 s (the last read waits for the next one), never two at once.
    dripped = arrivals[1:]
    assert 3 <= len(dripped) <= 5 and all(len(data) == 1 for _, data in dripped), arrivals
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(dripped)]
    assert all(gap > 0.5 for gap in gaps), gaps


def test_huge_streams_100_mb_of_json_without_holding_it_in_memory():
    with stand_in("--quiet") as (url, server):
        before = memory_mb(server.process)
        with requests.get(f"{url}/repos/fake/huge", stream=True, timeout=TIMEOUT) as response:
            assert response.status_code == 200
            assert response.headers["Content-Length"] == str(fake_github.HUGE_BYTES)
            sizes, first, last = 0, b"", b""
            for chunk in response.iter_content(MB):
                first, last, sizes = first or chunk, chunk, sizes + len(chunk)
        highest = memory_mb(server.process, "VmHWM")
    assert sizes == fake_github.HUGE_BYTES
    assert first.startswith(b'{"full_name": "fake/huge"') and last.endswith(b'"}\n')
    assert highest - before < 20, f"the stand-in grew {highest - before:.0f} MB"


def test_a_client_hanging_up_during_huge_is_one_quiet_line():
    with stand_in() as (url, server):
        with requests.get(f"{url}/repos/fake/huge", stream=True, timeout=TIMEOUT) as response:
            next(response.iter_content(MB))  # then hang up
        output = wait_for_output(server, "GET /repos/fake/huge -> ")
    assert "the client hung up" in output
    assert "Traceback" not in output and "Error" not in output


# --- the request log ---------------------------------------------------------


def test_debug_requests_shows_the_headers_an_app_sent(github):
    headers = {"Authorization": "Bearer seen", "User-Agent": "a-test"}
    requests.get(f"{github}/repos/nobody/debug-check", headers=headers, timeout=TIMEOUT)
    [seen] = [
        entry
        for entry in requests.get(f"{github}/debug/requests", timeout=TIMEOUT).json()["requests"]
        if entry["path"] == "/repos/nobody/debug-check"
    ]
    assert seen["headers"]["Authorization"] == "Bearer seen"
    assert seen["headers"]["User-Agent"] == "a-test"


def test_debug_requests_keeps_three_headers_each_cut_short(github):
    headers = {"Authorization": "Bearer " + "t" * 60_000, "X-Other": "o" * 60_000}
    path = "/repos/nobody/" + "p" * 300
    requests.get(github + path, headers=headers, timeout=TIMEOUT)
    [seen] = [
        entry
        for entry in requests.get(f"{github}/debug/requests", timeout=TIMEOUT).json()["requests"]
        if entry["path"].startswith("/repos/nobody/ppp")
    ]
    assert set(seen["headers"]) == {"Accept", "Authorization", "User-Agent"}
    assert seen["headers"]["Authorization"] == ("Bearer " + "t" * 60_000)[:200]
    assert seen["path"] == path[:200]


@linux_only
def test_100_requests_with_60_kb_headers_do_not_grow_its_memory():
    """Each request: 20 headers of 60 KB. The first 100 go to /health (not logged),
    to let the memory grow to what parsing such requests needs at all."""

    def send(path, number):
        lines = [f"GET {path} HTTP/1.0", f"Authorization: Bearer {number}" + "t" * 60_000]
        lines += [f"X-Big-{k}: " + chr(97 + (number + k) % 26) * 60_000 for k in range(19)]
        return send_raw(url, ("\r\n".join(lines) + "\r\n\r\n").encode()).split(b" ", 2)[1]

    with stand_in("--quiet") as (url, server), ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(send, ["/health"] * 100, range(100))) == {b"200"}
        before = memory_mb(server.process)
        paths = [f"/repos/nobody/big-{number}" for number in range(100)]
        assert set(pool.map(send, paths, range(100))) == {b"404"}
        after = memory_mb(server.process)
        log_size = len(requests.get(f"{url}/debug/requests", timeout=TIMEOUT).content)
    # Keeping every header would take 100 x 20 x 60 KB = 120 MB.
    assert after - before < 60, f"the stand-in grew {after - before:.0f} MB"
    assert log_size < MB


# --- connections -------------------------------------------------------------


def test_an_idle_connection_is_closed(monkeypatch):
    """The stand-in's own handler, in this process, with a 1 s timeout instead of 5 s."""
    assert fake_github.FakeGitHub.timeout == fake_github.IDLE_TIMEOUT_SECONDS <= 10
    monkeypatch.setattr(fake_github.FakeGitHub, "timeout", 1)
    server = fake_github.Server(("127.0.0.1", 0), fake_github.FakeGitHub)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    try:
        with socket.create_connection(server.server_address, timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # closed by the server, not timed out here
            assert time.monotonic() - started < 1 + 5
    finally:
        server.shutdown()
        server.server_close()
        serving.join()


# --- the script --------------------------------------------------------------


def test_it_prints_one_line_on_start_and_one_per_request():
    with stand_in() as (url, server):
        requests.get(f"{url}/repos/nobody/logged", timeout=TIMEOUT)
        output = wait_for_output(server, "GET /repos/nobody/logged")
    lines = output.splitlines()
    assert lines[0].startswith(f"fake GitHub API on {url} ")
    assert f"GITHUB_API_URL={url}" in lines[0]
    assert lines[-1].startswith("GET /repos/nobody/logged -> 404 after 0.3")
    assert all(line.startswith("GET /") for line in lines[1:])  # /health, then the lookup


def test_control_characters_in_a_request_are_escaped_in_its_log():
    with stand_in() as (url, server):
        answer = send_raw(url, b"GET /repos/a/\x1b[2J\x1b]0;pwned\x07\x9b HTTP/1.0\r\n\r\n")
        output = wait_for_output(server, "GET /repos/a/")
    assert answer.startswith(b"HTTP/1.0 404 ")
    assert "GET /repos/a/\\x1b[2J\\x1b]0;pwned\\x07\\x9b -> 404" in output
    assert not any(character in output for character in "\x1b\x07\x9b")


def test_quiet_prints_only_the_start_line():
    with stand_in("--quiet") as (url, server):
        requests.get(f"{url}/repos/nobody/quiet", timeout=TIMEOUT)
        # The line would come right after the answer: give it ample time to show up.
        time.sleep(0.5)
        output = server.output()
    assert len(output.splitlines()) == 1 and output.startswith("fake GitHub API on ")


@pytest.mark.skipif(os.name == "nt", reason="Ctrl-C is a console event on Windows")
def test_ctrl_c_stops_it_quietly():
    with stand_in() as (_, server):
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=10) == 0
        output = server.output()
    # The last line, unless the /health check's own line was still being printed then.
    assert "fake GitHub API stopped" in output.splitlines()
    assert "Traceback" not in output


def test_a_taken_port_gives_one_line_naming_the_port_and_the_fix():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert f"port {port} is already in use" in line
    assert f"--port {port + 1}" in line and f"GITHUB_API_URL=http://127.0.0.1:{port + 1}" in line


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "0"], "--port must be a number from 1 to 65535"),
        (["--port", "65536"], "--port must be a number from 1 to 65535"),
        (["--port", "five"], "argument --port: invalid int value: 'five'"),
        (["--elsewhere", "example.com"], "--elsewhere must start with http:// or https://"),
    ],
)
def test_a_bad_option_is_refused_in_argparse_style(args, message):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.startswith("usage: fake_github.py")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
