"""The offline GitHub stand-in, scripts/fake_github.py, as a real server."""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import fake_github
import pytest
import requests
import workshop

SCRIPT = workshop.ROOT / "scripts" / "fake_github.py"
TIMEOUT = 15
KNOWN = [
    ("prometheus", "prometheus", 0.375),
    ("apache", "kafka", 0.625),
    ("moby", "moby", 0.875),
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


@pytest.fixture(scope="module")
def github():
    with workshop.fake_github() as url:
        yield url


def timed_get(url, **kwargs):
    started = time.monotonic()
    response = requests.get(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    return response, time.monotonic() - started


def wait_for_health(url, process, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the stand-in exited"
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail(f"the stand-in did not answer at {url}/health within {timeout} s")


@contextmanager
def stand_in(*args):
    """Run the script on a free port with its output in a pipe; yields (url, process)."""
    port = workshop.free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_health(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=10)


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
    assert seconds <= took < seconds + 0.1


def test_an_unknown_repository_is_a_github_style_404(github):
    response, took = timed_get(f"{github}/repos/nobody/nothing")
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"
    assert response.json()["documentation_url"].startswith("https://docs.github.com/")
    assert fake_github.FAST <= took < fake_github.FAST + 0.1


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
    assert fake_github.FAST <= took < fake_github.FAST + 0.1


def test_blocked_is_a_403_with_requests_left(github):
    response = requests.get(f"{github}/repos/fake/blocked", timeout=TIMEOUT)
    assert response.status_code == 403
    assert int(response.headers["x-ratelimit-remaining"]) > 0


def test_server_error_is_a_slow_500(github):
    response, took = timed_get(f"{github}/repos/fake/server-error")
    assert response.status_code == 500
    assert 1.25 <= took < 1.35


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


# --- the script --------------------------------------------------------------


def test_it_prints_one_line_on_start_and_one_per_request():
    with stand_in() as (url, process):
        requests.get(f"{url}/repos/nobody/logged", timeout=TIMEOUT)
        process.terminate()
        output, errors = process.communicate(timeout=10)
    lines = output.splitlines()
    assert lines[0].startswith(f"fake GitHub API on {url} ")
    assert f"GITHUB_API_URL={url}" in lines[0]
    assert "GET /repos/nobody/logged -> 404 after 0.3" in output
    assert errors == ""


def test_quiet_prints_only_the_start_line():
    with stand_in("--quiet") as (url, process):
        requests.get(f"{url}/repos/nobody/quiet", timeout=TIMEOUT)
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert output.splitlines() == [output.splitlines()[0]]


@pytest.mark.skipif(os.name == "nt", reason="Ctrl-C is a console event on Windows")
def test_ctrl_c_stops_it_quietly():
    with stand_in() as (_, process):
        process.send_signal(signal.SIGINT)
        output, errors = process.communicate(timeout=10)
    assert process.returncode == 0
    assert output.splitlines()[-1] == "fake GitHub API stopped"
    assert errors == ""


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


@pytest.mark.parametrize("port", ["0", "65536"])
def test_a_port_out_of_range_is_refused(port):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--port", port], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "--port must be a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr
