"""What the tests of lessons 03 and 04 share.

Both apps look repositories up on the offline GitHub stand-in with the same
github.py and time the lookups under the same name; only the timer's type
differs (a histogram in 03, a summary in 04). `LookupTests` holds the shared
tests: each lesson's test file subclasses it with its lesson, and adds its own.
"""

import http.client
import json
import random
import string
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlsplit

import fake_github
import pytest
import requests
import workshop

TIMER = "github_lookup_duration_seconds"
OUTCOMES = ("ok", "not_found", "rate_limited", "error", "timeout")
TOKEN = "workshop-test-token"
# GITHUB_TIMEOUT_SECONDS for the tests: short, and at least 0.5 s from every
# stand-in delay and every bucket bound (a test below keeps it so).
TEST_TIMEOUT_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 5.0  # the apps' read timeout when GITHUB_TIMEOUT_SECONDS is unset
CONNECT_TIMEOUT_SECONDS = 3.05  # the apps' connect timeout
# How much longer than the stand-in's delay a lookup may take: the app's own
# work, on a busy machine. Where a lookup lands among the buckets is checked
# separately: each delay keeps 0.2 s to the next bound (see fake_github.py).
OVERHEAD_SECONDS = 0.5
REQUEST_TIMEOUT = 15  # for the tests' own requests: never wait forever
MB = 1024 * 1024

COUNT = (TIMER + "_count", frozenset())
SUM = (TIMER + "_sum", frozenset())


def delay(path):
    """The stand-in's delay for /repos/owner/repo (see scripts/fake_github.py),
    a followed redirect included."""
    owner, repo = path.split("/")[2:]
    if (owner, repo) in fake_github.REPOSITORIES:
        return fake_github.REPOSITORIES[owner, repo][0]
    if (owner, repo) in fake_github.FAILURES:
        return fake_github.FAILURES[owner, repo][0]
    if (owner, repo) == fake_github.MOVED:  # followed: a second lookup
        return fake_github.FAST + delay(fake_github.MOVED_TO)
    return fake_github.FAST


# (path, our status, outcome) for every answer of the stand-in but the slow one.
LOOKUPS = [
    ("/repos/prometheus/prometheus", 200, "ok"),
    ("/repos/apache/kafka", 200, "ok"),
    ("/repos/moby/moby", 200, "ok"),
    ("/repos/fake/moved", 200, "ok"),
    ("/repos/prometheus/no-such-repository", 404, "not_found"),
    ("/repos/fake/rate-limited", 503, "rate_limited"),
    ("/repos/fake/too-many-requests", 503, "rate_limited"),
    ("/repos/fake/blocked", 502, "error"),
    ("/repos/fake/server-error", 502, "error"),
    ("/repos/fake/captive-portal", 502, "error"),
    ("/repos/fake/deeply-nested", 502, "error"),
    ("/repos/fake/huge", 502, "error"),
    ("/repos/fake/moved-elsewhere", 502, "error"),
]
FAILURES = [lookup for lookup in LOOKUPS if lookup[1] != 200]

# Raw paths (sent byte for byte, no client normalising "..") that must never reach GitHub.
BAD_NAMES = [
    "/repos/prometheus/..",
    "/repos/prometheus/.",
    "/repos/../prometheus",
    "/repos/prometheus/%2e%2e",
    "/repos/%2E%2E/%2e%2e",
    "/repos/prometheus/" + "a" * 101,
    "/repos/" + "a" * 40 + "/prometheus",
    "/repos/-prometheus/prometheus",
    "/repos/prometheus-/prometheus",
    "/repos/pro--metheus/prometheus",
    "/repos/pro_metheus/prometheus",
    "/repos/pro.metheus/prometheus",
    "/repos/prometheus/bad%20name",
    "/repos/prometheus/a;b",
    "/repos/prometheus/a%00b",
    "/repos/prometheus/a%0A",
    "/repos/prom%C3%A9theus/prometheus",
]
# An encoded slash makes one more path segment: no route matches (404), or a bad name (400).
ENCODED_SLASHES = [
    "/repos/prometheus%2Fprometheus/x",
    "/repos/prometheus/..%2F..%2Fusers",
    "/repos/prometheus/%2e%2e%2f%2e%2e",
]
# Valid at the limits: these must reach the stand-in (which answers 404).
GOOD_NAMES = [
    "/repos/" + "a" * 39 + "/x",
    "/repos/a-b-c/x",
    "/repos/A1/x",
    "/repos/prometheus/" + "a" * 100,
    "/repos/prometheus/a.b_c-d",
    "/repos/prometheus/...",
    "/repos/prometheus/.github",
]


def samples(url):
    """{(sample name, labels): value} for the lesson's samples on the app's /metrics.

    Without the client's process_* and python_* metrics, which change on their own.
    """
    return {
        (name, labels): value
        for (name, labels), value in workshop.sample_values(url).items()
        if not name.startswith(("process_", "python_"))
    }


def changes(before, after):
    """What changed between two scrapes, without the _created timestamps."""
    keys = before.keys() | after.keys()
    return {
        key: after.get(key, 0) - before.get(key, 0)
        for key in keys
        if not key[0].endswith("_created") and after.get(key) != before.get(key)
    }


def outcome_key(outcome):
    return ("github_lookups_total", frozenset({"outcome": outcome}.items()))


def assert_every_lookup_counted_once(values):
    """The timer's count equals the sum of the outcomes: no lookup lost or counted twice."""
    assert values[COUNT] == sum(values[outcome_key(outcome)] for outcome in OUTCOMES)


def resident_bytes(url):
    """The app's resident memory, as its own /metrics reports it (Linux only)."""
    return workshop.sample_values(url)[("process_resident_memory_bytes", frozenset())]


def get_raw(url, path):
    """GET `path` exactly as written: requests and curl would turn "a/.." into ""."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def seen_by_github(github_url):
    """The requests the stand-in was asked for, oldest first (its last 100)."""
    answer = requests.get(f"{github_url}/debug/requests", timeout=REQUEST_TIMEOUT)
    return answer.json()["requests"]


def random_name(rng, alphabet, longest):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest)))


def random_repository_paths(count, seed=2024):
    rng = random.Random(seed)
    letters_and_digits = string.ascii_letters + string.digits
    paths = []
    while len(paths) < count:
        owner = random_name(rng, letters_and_digits, 39)
        repo = random_name(rng, letters_and_digits + "._-", 100)
        if repo not in (".", ".."):
            paths.append(f"/repos/{owner}/{repo}")
    return paths


def lesson_app(lesson, github_url, app_file=None, **env):
    """The lesson's app on a free port, with exactly the GitHub settings in `env`:
    GITHUB_TOKEN and GITHUB_TIMEOUT_SECONDS are unset unless given, whatever the
    shell running the tests has."""
    settings = {"GITHUB_TOKEN": None, "GITHUB_TIMEOUT_SECONDS": None, **env}
    return workshop.lesson_app(lesson, github_url=github_url, app_file=app_file, env=settings)


@contextmanager
def stand_in(*args):
    """scripts/fake_github.py with extra arguments on a free port: yields (url, workshop.Server)."""

    @contextmanager
    def start(port):
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, workshop.FAKE_GITHUB, "--port", port, *args]
        ready = workshop.running(command, f"{url}/health", lambda r: r.ok, ctrl_c=True)
        with ready as server:
            yield url, server

    with workshop.on_free_ports(start) as started:
        yield started


def run_app(lesson, env, timeout=30):
    """Run the lesson's app to its end (it should stop at once): the CompletedProcess."""
    settings = {"PORT": str(workshop.free_port()), "GITHUB_TOKEN": None, **env}
    return subprocess.run(
        [sys.executable, str(lesson.app)],
        env=workshop.environment({**settings, "PYTHONPATH": str(lesson.folder)}),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_error(response):
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    assert "\n" not in body["error"] and "Traceback" not in body["error"]
    return body["error"]


class LookupTests:
    """GET /repos/<owner>/<repo>, the same in lessons 03 and 04.

    A subclass named Test... sets LESSON ("03" or "04"); pytest then runs
    these tests for that lesson.
    """

    LESSON = None

    @property
    def lesson(self):
        return workshop.find_lesson(self.LESSON)

    @pytest.fixture(scope="class")
    @classmethod
    def github(cls):
        with workshop.fake_github() as url:
            yield url

    @pytest.fixture(scope="class")
    @classmethod
    def app(cls, github):
        """One app for the tests that compare the metrics before and after."""
        settings = {"GITHUB_TOKEN": TOKEN, "GITHUB_TIMEOUT_SECONDS": str(TEST_TIMEOUT_SECONDS)}
        with lesson_app(workshop.find_lesson(cls.LESSON), github, **settings) as url:
            yield url

    def lookup(self, app, path):
        """GET path on the app: (response, seconds it took, what changed on /metrics)."""
        before = samples(app)
        started = time.monotonic()
        response = requests.get(app + path, timeout=REQUEST_TIMEOUT)
        seconds = time.monotonic() - started
        after = samples(app)
        assert_every_lookup_counted_once(after)
        return response, seconds, changes(before, after)

    def assert_timed_once_as(self, changed, outcome, seconds, slack=OVERHEAD_SECONDS):
        """One observation of `seconds` (plus less than `slack`), counted under `outcome`,
        and nothing else; returns the bucket changes, if any."""
        assert changed.pop(COUNT) == 1
        assert seconds <= changed.pop(SUM) < seconds + slack
        assert changed.pop(outcome_key(outcome)) == 1
        buckets = {key: value for key, value in changed.items() if key[0] == TIMER + "_bucket"}
        assert changed.keys() == buckets.keys(), "something else changed"
        return buckets

    # --- start-up ------------------------------------------------------------

    def test_every_outcome_and_the_timer_export_zero_at_start(self, github):
        with lesson_app(self.lesson, github) as url:
            values = samples(url)
        for outcome in OUTCOMES:
            assert values[outcome_key(outcome)] == 0
        assert values[COUNT] == 0
        outcomes = {dict(key[1])["outcome"] for key in values if key[0] == "github_lookups_total"}
        assert outcomes == set(OUTCOMES)

    @pytest.mark.parametrize(
        "name, value",
        [
            ("GITHUB_TIMEOUT_SECONDS", "0"),
            ("GITHUB_TIMEOUT_SECONDS", "-1"),
            ("GITHUB_TIMEOUT_SECONDS", "five"),
            ("GITHUB_TIMEOUT_SECONDS", "nan"),
            ("GITHUB_TIMEOUT_SECONDS", "61"),
            ("GITHUB_API_URL", "127.0.0.1:5050"),
            ("GITHUB_API_URL", "http://"),
            ("GITHUB_API_URL", "http://127.0.0.1:99999"),
        ],
    )
    def test_a_bad_setting_stops_the_app_with_one_line(self, name, value):
        result = run_app(self.lesson, {name: value})
        assert result.returncode != 0
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"{name} must ") and repr(value) in line

    @pytest.mark.parametrize(
        "url", ["http://workshop:s3cr3t-pw@127.0.0.1:5050", "https://s3cr3t-pw@api.github.com"]
    )
    def test_credentials_in_the_api_url_stop_the_app_without_showing_them(self, url):
        result = run_app(self.lesson, {"GITHUB_API_URL": url}, timeout=15)
        assert result.returncode != 0
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("GITHUB_API_URL must ") and "GITHUB_TOKEN" in line
        assert "s3cr3t" not in result.stdout + result.stderr

    # --- answers -------------------------------------------------------------

    def test_a_known_repository_answers_its_json_and_is_timed_once(self, app):
        path = "/repos/prometheus/prometheus"
        response, _, changed = self.lookup(app, path)
        assert response.status_code == 200
        assert response.json()["full_name"] == "prometheus/prometheus"
        assert response.json()["stargazers_count"] > 0
        self.assert_timed_once_as(changed, "ok", delay(path))

    @pytest.mark.parametrize("path, status, outcome", FAILURES)
    def test_a_failed_lookup_answers_one_line_and_is_timed_and_counted_once(
        self, app, path, status, outcome
    ):
        response, _, changed = self.lookup(app, path)
        assert response.status_code == status
        assert_one_line_error(response)
        self.assert_timed_once_as(changed, outcome, delay(path))

    def test_rate_limited_says_how_to_get_more(self, app):
        response = requests.get(f"{app}/repos/fake/rate-limited", timeout=REQUEST_TIMEOUT)
        reason = assert_one_line_error(response)
        assert "GITHUB_TOKEN" in reason and "python scripts/fake_github.py" in reason

    def test_upstream_slower_than_the_timeout_answers_504_in_time(self, app):
        response, seconds, changed = self.lookup(app, "/repos/fake/slow")
        assert response.status_code == 504
        assert_one_line_error(response)
        assert TEST_TIMEOUT_SECONDS <= seconds < TEST_TIMEOUT_SECONDS + 1
        self.assert_timed_once_as(changed, "timeout", TEST_TIMEOUT_SECONDS)

    def test_the_default_read_timeout_is_5_seconds(self, github):
        with lesson_app(self.lesson, github) as url:
            started = time.monotonic()
            response = requests.get(f"{url}/repos/fake/slow", timeout=REQUEST_TIMEOUT)
            seconds = time.monotonic() - started
        assert response.status_code == 504
        assert DEFAULT_TIMEOUT_SECONDS <= seconds < DEFAULT_TIMEOUT_SECONDS + 1

    def test_upstream_down_answers_502_and_counts_an_error(self):
        closed_port = workshop.free_port()  # nothing listens there
        with lesson_app(self.lesson, f"http://127.0.0.1:{closed_port}") as url:
            response, seconds, changed = self.lookup(url, "/repos/prometheus/prometheus")
        assert response.status_code == 502
        assert "cannot reach GitHub" in assert_one_line_error(response)
        # Refused at once on Linux and macOS; Windows retries for about 2 s first.
        assert seconds < CONNECT_TIMEOUT_SECONDS
        self.assert_timed_once_as(changed, "error", 0, slack=CONNECT_TIMEOUT_SECONDS)

    def test_an_error_shows_only_the_scheme_host_and_port_of_the_api_url(self):
        closed_port = workshop.free_port()
        api_url = f"http://127.0.0.1:{closed_port}/private-prefix/v3"
        with lesson_app(self.lesson, api_url) as url:
            response = requests.get(f"{url}/repos/prometheus/x", timeout=REQUEST_TIMEOUT)
        reason = assert_one_line_error(response)
        assert f"http://127.0.0.1:{closed_port} " in reason and "private-prefix" not in reason

    # --- faults ----------------------------------------------------------------

    def test_a_deeply_nested_answer_is_a_502_not_a_500(self, app):
        response, _, changed = self.lookup(app, "/repos/fake/deeply-nested")
        assert response.status_code == 502
        assert "nests too deeply" in assert_one_line_error(response)
        self.assert_timed_once_as(changed, "error", delay("/repos/fake/deeply-nested"))

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS from /proc: Linux")
    def test_a_huge_answer_is_refused_without_reading_it_into_memory(self, app):
        """The stand-in sends 100 MB: the app reads 1 MB and hangs up."""
        before = resident_bytes(app)
        highest, done = [before], threading.Event()

        def watch():  # the memory in use during the lookup, not only after it
            while not done.wait(0.05):
                highest.append(resident_bytes(app))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            response = requests.get(f"{app}/repos/fake/huge", timeout=REQUEST_TIMEOUT)
        finally:
            done.set()
            watcher.join()
        highest.append(resident_bytes(app))
        assert response.status_code == 502
        assert "over 1 MB" in assert_one_line_error(response)
        assert max(highest) - before < 20 * MB, f"{(max(highest) - before) / MB:.0f} MB more"

    def test_a_redirect_to_the_same_server_is_followed(self, app, github):
        response, _, changed = self.lookup(app, "/repos/fake/moved")
        assert response.status_code == 200
        assert response.json()["full_name"] == "prometheus/prometheus"
        self.assert_timed_once_as(changed, "ok", delay("/repos/fake/moved"))
        paths = [seen["path"] for seen in seen_by_github(github)[-2:]]
        assert paths == ["/repos/fake/moved", "/repos/prometheus/prometheus"]

    def test_a_redirect_to_another_server_is_refused_and_never_reaches_it(self):
        with (
            stand_in("--quiet") as (other, _),
            stand_in("--quiet", "--elsewhere", other) as (github, _),
            lesson_app(self.lesson, github, GITHUB_TOKEN=TOKEN) as url,
        ):
            response, _, changed = self.lookup(url, "/repos/fake/moved-elsewhere")
            assert seen_by_github(other) == []
        assert response.status_code == 502
        assert "not followed" in assert_one_line_error(response)
        self.assert_timed_once_as(changed, "error", delay("/repos/fake/moved-elsewhere"))

    # --- names ---------------------------------------------------------------

    @pytest.mark.parametrize("path", BAD_NAMES)
    def test_a_bad_name_gets_400_and_never_reaches_github(self, app, github, path):
        before, asked_before = samples(app), seen_by_github(github)
        status, body = get_raw(app, path)
        assert status == 400, body
        assert list(json.loads(body)) == ["error"]
        assert changes(before, samples(app)) == {}, "a rejected name was timed or counted"
        assert seen_by_github(github) == asked_before

    @pytest.mark.parametrize("path", ENCODED_SLASHES)
    def test_an_encoded_slash_never_reaches_github(self, app, github, path):
        before, asked_before = samples(app), seen_by_github(github)
        status, body = get_raw(app, path)
        assert status in (400, 404), body
        assert changes(before, samples(app)) == {}
        assert seen_by_github(github) == asked_before

    @pytest.mark.parametrize("path", GOOD_NAMES)
    def test_a_valid_name_at_the_limits_reaches_github(self, app, github, path):
        status, body = get_raw(app, path)
        assert status == 404, body  # the stand-in knows none of them
        assert seen_by_github(github)[-1]["path"] == path

    def test_a_flood_of_random_names_adds_no_series(self, app):
        paths = random_repository_paths(100)
        before = samples(app)

        def look_up(path):
            return requests.get(app + path, timeout=REQUEST_TIMEOUT).status_code

        with ThreadPoolExecutor(max_workers=25) as pool:
            statuses = list(pool.map(look_up, paths))
        after = samples(app)
        assert statuses == [404] * len(paths)
        assert after.keys() == before.keys(), "new series appeared"
        changed = changes(before, after)
        assert changed[COUNT] == len(paths)
        assert changed[outcome_key("not_found")] == len(paths)

    # --- what is sent to GitHub ----------------------------------------------

    def test_the_token_is_sent_as_a_bearer_token(self, app, github):
        path = "/repos/prometheus/token-check"
        assert requests.get(app + path, timeout=REQUEST_TIMEOUT).status_code == 404
        [request] = [seen for seen in seen_by_github(github) if seen["path"] == path]
        assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"

    def test_github_gets_a_user_agent_and_its_accept_header(self, app, github):
        path = "/repos/prometheus/headers-check"
        assert requests.get(app + path, timeout=REQUEST_TIMEOUT).status_code == 404
        [request] = [seen for seen in seen_by_github(github) if seen["path"] == path]
        assert request["headers"]["Accept"] == "application/vnd.github+json"
        assert request["headers"]["User-Agent"] == "prometheus-python-workshop"

    def test_without_a_token_no_authorization_is_sent(self, github):
        with lesson_app(self.lesson, github) as url:
            path = "/repos/prometheus/no-token-check"
            assert requests.get(url + path, timeout=REQUEST_TIMEOUT).status_code == 404
        [request] = [seen for seen in seen_by_github(github) if seen["path"] == path]
        assert "Authorization" not in request["headers"]
