"""What the tests of lessons 03 and 04 share.

Both apps look repositories up on the offline GitHub stand-in with the same
github.py and time the lookups under the same name; only the timer's type
differs (a histogram in 03, a summary in 04). Two mixins hold the shared tests:

- `TimerTests`: what app.py does with a lookup. Each lesson's test class runs
  them, with its own check of the timer's type (`check_the_timer_type`).
- `ClientTests`: what github.py does. Lesson 03's test class only: see why there.
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
from workshop import lesson_run, lessons, metrics_page, ports, processes

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


def lookup_seconds(path):
    """How long the tests' apps take to look path up: its delay, or their read
    timeout when that is shorter (fake/slow)."""
    return min(delay(path), TEST_TIMEOUT_SECONDS)


# (path, our status, outcome, words our error must hold) for the answers of the
# stand-in, one per way github.py can end a lookup.
# One lookup per outcome: app.py does the same with every lookup of an outcome.
KINDS = [
    ("/repos/apache/kafka", 200, "ok", ()),
    ("/repos/prometheus/no-such-repository", 404, "not_found", ("has no repository",)),
    (
        "/repos/fake/rate-limited",
        503,
        "rate_limited",
        ("GITHUB_TOKEN", "python scripts/fake_github.py"),  # how to get more
    ),
    ("/repos/fake/server-error", 502, "error", ("HTTP 500",)),
    ("/repos/fake/slow", 504, "timeout", ("did not answer in time",)),
]
# The other branches of github.py, each ending in one of those outcomes. The
# redirects (fake/moved, fake/moved-elsewhere) have tests of their own.
OTHER_ANSWERS = [
    ("/repos/fake/too-many-requests", 503, "rate_limited", ("GITHUB_TOKEN",)),
    ("/repos/fake/blocked", 502, "error", ("HTTP 403",)),  # a 403 that is not rate limiting
    ("/repos/fake/captive-portal", 502, "error", ("not JSON",)),
    ("/repos/fake/deeply-nested", 502, "error", ("nests too deeply",)),  # not a 500
    ("/repos/fake/huge", 502, "error", ("over 1 MB",)),
    ("/repos/fake/moved-malformed", 502, "error", ("not a URL",)),  # requests: ValueError
    ("/repos/fake/not-a-number", 502, "error", ("NaN",)),  # json.loads takes NaN, JSON not
]
# Answers that arrive a byte a second: each wait for the next byte is short, the
# whole answer is not. The lookup's deadline (GITHUB_TIMEOUT_SECONDS) ends them.
DRIPS = ["/repos/fake/drip-headers", "/repos/fake/drip-body"]

# Raw paths (sent byte for byte, no client normalising "..") that must never
# reach GitHub: one per rule of github.name_problem().
BAD_NAMES = [
    "/repos/prometheus/..",  # repository "..": allowed characters, so only this rule stops it
    "/repos/prometheus/.",  # and ".", the rule's other name
    "/repos/prometheus/" + "a" * 101,  # repository: at most 100
    "/repos/prometheus/a%0A",  # repository: a character outside [A-Za-z0-9._-], last
    #                            (a "$" instead of fullmatch would let a final newline through)
    "/repos/" + "a" * 40 + "/prometheus",  # owner: at most 39
    "/repos/-prometheus/prometheus",  # owner: no hyphen first,
    "/repos/prometheus-/prometheus",  # last,
    "/repos/pro--metheus/prometheus",  # or twice in a row
    "/repos/pro_metheus/prometheus",  # owner: a character repositories allow, owners not
]
# An encoded slash makes one more path segment: no route matches (404), or a bad name (400).
ENCODED_SLASH = "/repos/prometheus/..%2F..%2Fusers"
# Valid at the limits of each rule: these must reach the stand-in (which answers 404).
GOOD_NAMES = [
    "/repos/" + "a" * 39 + "/x",  # owner: 39
    "/repos/A1-b-c/x",  # owner: capitals, digits, single inner hyphens
    "/repos/prometheus/" + "a" * 100,  # repository: 100
    "/repos/prometheus/a.b_c-d",  # repository: every allowed character
    "/repos/prometheus/...",  # repository: dots, but neither "." nor ".."
]


def samples(url):
    """{(sample name, labels): value} for the lesson's samples on the app's /metrics.

    Without the client's process_* and python_* metrics, which change on their own.
    """
    return {
        (name, labels): value
        for (name, labels), value in metrics_page.sample_values(url).items()
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
    return metrics_page.sample_values(url)[("process_resident_memory_bytes", frozenset())]


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
    return lesson_run.lesson_app(lesson, github_url=github_url, app_file=app_file, env=settings)


@contextmanager
def stand_in(*args, elsewhere_host=None):
    """scripts/fake_github.py with extra arguments on a free port: yields (url, processes.Server).

    With elsewhere_host, its fake/moved-elsewhere redirects to itself under that
    host name (--elsewhere http://HOST:its port)."""

    @contextmanager
    def start(port):
        options = list(args)
        if elsewhere_host:
            options += ["--elsewhere", f"http://{elsewhere_host}:{port}"]
        with processes.serving([lesson_run.stand_in_process(port, options, ctrl_c=True)]) as [
            server
        ]:
            yield f"http://127.0.0.1:{port}", server

    with processes.on_free_ports(start) as started:
        yield started


def run_app(lesson, env, timeout=30):
    """Run the lesson's app to its end (it should stop at once): the CompletedProcess."""
    settings = {"PORT": str(ports.free_port()), "GITHUB_TOKEN": None, **env}
    return subprocess.run(
        [sys.executable, str(lesson.app)],
        env=processes.environment({**settings, "PYTHONPATH": str(lesson.folder)}),
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


class LessonApp:
    """The fixtures and checks of both mixins.

    A subclass named Test... sets LESSON ("03" or "04") and defines
    check_the_timer_type(); pytest then runs the mixins' tests for that lesson.
    """

    LESSON = None

    @property
    def lesson(self):
        return lessons.lesson_named(self.LESSON)

    @pytest.fixture(scope="class")
    @classmethod
    def github(cls):
        """The stand-in. Its fake/moved-elsewhere redirects to itself as "localhost":
        another server for the app (another host than 127.0.0.1), which must not
        follow, yet one whose /debug/requests shows it if the app does."""
        with stand_in("--quiet", elsewhere_host="localhost") as (url, _):
            yield url

    @pytest.fixture(scope="class")
    @classmethod
    def started(cls, github):
        """One app for the tests that compare the metrics before and after:
        (its URL, its samples right after it started)."""
        settings = {"GITHUB_TOKEN": TOKEN, "GITHUB_TIMEOUT_SECONDS": str(TEST_TIMEOUT_SECONDS)}
        with lesson_app(lessons.lesson_named(cls.LESSON), github, **settings) as url:
            yield url, samples(url)

    @pytest.fixture(scope="class")
    @classmethod
    def app(cls, started):
        return started[0]

    def check_the_timer_type(self, bucket_changes, seconds):
        """What the timer's type adds to one observation of `seconds`, given the
        _bucket samples that changed: each lesson's test class says."""
        raise NotImplementedError

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
        and nothing else; returns (the bucket changes, if any; the observation).

        Which bucket the observation lands in is checked against the observation
        itself (see check_answer()): on a busy machine a lookup can take more than the
        0.2 s each stand-in delay keeps below the next bound (test_03_histograms.py's
        test_every_delay_sits_just_above_a_bound_and_well_below_the_next checks the
        delays themselves)."""
        assert changed.pop(COUNT) == 1
        observed = changed.pop(SUM)
        assert seconds <= observed < seconds + slack
        assert changed.pop(outcome_key(outcome)) == 1
        buckets = {key: value for key, value in changed.items() if key[0] == TIMER + "_bucket"}
        assert changed.keys() == buckets.keys(), "something else changed"
        return buckets, observed

    def check_answer(self, app, path, status, outcome, words):
        """Look path up: our status and a JSON body (the repository, or one line
        holding `words`), in time; timed once and counted once under `outcome`."""
        seconds = lookup_seconds(path)
        response, took, changed = self.lookup(app, path)
        assert response.status_code == status
        if status == 200:
            assert response.json()["full_name"] == path.removeprefix("/repos/")
            assert response.json()["stargazers_count"] > 0
        else:
            reason = assert_one_line_error(response)
            assert all(word in reason for word in words), reason
        assert took < seconds + 1, "answered late"  # fake/slow: the timeout answers in time
        bucket_changes, observed = self.assert_timed_once_as(changed, outcome, seconds)
        self.check_the_timer_type(bucket_changes, observed)

    def check_refused(self, app, github, path):
        """GET path, a bad name: 400 with one reason, never timed, counted or sent to GitHub."""
        before, asked_before = samples(app), seen_by_github(github)
        status, body = get_raw(app, path)
        assert status == 400, body
        assert list(json.loads(body)) == ["error"]
        assert changes(before, samples(app)) == {}, "a refused name was timed or counted"
        assert seen_by_github(github) == asked_before


class TimerTests(LessonApp):
    """What the lesson's app.py does around github.py: run for lessons 03 and 04."""

    def test_every_outcome_and_the_timer_export_zero_at_start(self, started):
        _, values = started
        for outcome in OUTCOMES:
            assert values[outcome_key(outcome)] == 0
        assert values[COUNT] == 0
        outcomes = {dict(key[1])["outcome"] for key in values if key[0] == "github_lookups_total"}
        assert outcomes == set(OUTCOMES)

    @pytest.mark.parametrize("path, status, outcome, words", KINDS)
    def test_each_kind_of_lookup_is_timed_once_and_counted_under_one_outcome(
        self, app, path, status, outcome, words
    ):
        self.check_answer(app, path, status, outcome, words)

    def test_a_bad_name_is_neither_timed_nor_counted(self, app, github):
        """One bad name: app.py checks every one the same way before timing (the
        others: ClientTests)."""
        self.check_refused(app, github, BAD_NAMES[0])


class ClientTests(LessonApp):
    """What github.py does, the GitHub client: run for lesson 03 only.

    Lesson 04's github.py is byte for byte lesson 03's
    (test_04_summaries.py::test_both_lessons_have_the_same_github_client), and its
    app.py differs from 03's only in the timer's type
    (test_04_summaries.py::test_both_apps_differ_only_in_the_timers_type): these
    tests would run the same code again for 04. What app.py itself does with each
    lookup is in TimerTests, which lesson 04 runs too.
    """

    # --- start-up ------------------------------------------------------------

    @pytest.mark.parametrize(
        "name, value",
        [
            ("GITHUB_TIMEOUT_SECONDS", "five"),  # not a number
            ("GITHUB_TIMEOUT_SECONDS", "0"),  # not over 0 (as "-1")
            ("GITHUB_TIMEOUT_SECONDS", "61"),  # over 60
            ("GITHUB_TIMEOUT_SECONDS", "nan"),  # a number no comparison holds for
            ("GITHUB_API_URL", "127.0.0.1:5050"),  # neither http:// nor https://
            ("GITHUB_API_URL", "http://"),  # no host
            ("GITHUB_API_URL", "http://127.0.0.1:99999"),  # a port out of range
            ("GITHUB_API_URL", "http://127.0.0.1:5050?x=1"),  # a query: "/repos/..." lands in it
            ("GITHUB_API_URL", "http://127.0.0.1:5050/?"),  # an empty one
            ("GITHUB_API_URL", "http://127.0.0.1:5050/#top"),  # a fragment
        ],
    )
    def test_a_bad_setting_stops_the_app_with_one_line(self, name, value):
        result = run_app(self.lesson, {name: value})
        assert result.returncode != 0
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"{name} must ") and repr(value) in line

    def test_credentials_in_the_api_url_stop_the_app_without_showing_them(self):
        result = run_app(
            self.lesson, {"GITHUB_API_URL": "http://workshop:s3cr3t-pw@127.0.0.1:5050"}, timeout=15
        )
        assert result.returncode != 0
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("GITHUB_API_URL must ") and "GITHUB_TOKEN" in line
        assert "s3cr3t" not in result.stdout + result.stderr

    # --- answers -------------------------------------------------------------

    @pytest.mark.parametrize("path, status, outcome, words", OTHER_ANSWERS)
    def test_every_other_answer_ends_in_one_outcome_with_one_line(
        self, app, path, status, outcome, words
    ):
        """The answers TimerTests does not look up (KINDS: the first of each outcome)."""
        self.check_answer(app, path, status, outcome, words)

    def test_without_settings_no_token_is_sent_and_a_lookup_takes_at_most_5_seconds(self, github):
        path = "/repos/prometheus/no-token-check"
        with lesson_app(self.lesson, github) as url:
            assert requests.get(url + path, timeout=REQUEST_TIMEOUT).status_code == 404
            started = time.monotonic()
            response = requests.get(f"{url}/repos/fake/slow", timeout=REQUEST_TIMEOUT)
            seconds = time.monotonic() - started
        [request] = [seen for seen in seen_by_github(github) if seen["path"] == path]
        assert "Authorization" not in request["headers"]
        assert response.status_code == 504
        assert DEFAULT_TIMEOUT_SECONDS <= seconds < DEFAULT_TIMEOUT_SECONDS + 1

    def test_upstream_down_is_a_502_error_showing_only_the_api_urls_origin(self):
        closed_port = ports.free_port()  # nothing listens there
        api_url = f"http://127.0.0.1:{closed_port}/private-prefix/v3"
        with lesson_app(self.lesson, api_url) as url:
            response, seconds, changed = self.lookup(url, "/repos/prometheus/prometheus")
        assert response.status_code == 502
        reason = assert_one_line_error(response)
        assert f"cannot reach GitHub at http://127.0.0.1:{closed_port} " in reason
        assert "private-prefix" not in reason
        # Refused at once on Linux and macOS; Windows retries for about 2 s first.
        assert seconds < CONNECT_TIMEOUT_SECONDS
        self.assert_timed_once_as(changed, "error", 0, slack=CONNECT_TIMEOUT_SECONDS)

    # --- faults ----------------------------------------------------------------

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

    def test_a_redirect_to_another_server_is_refused_and_never_reaches_it(self, app, github):
        """The stand-in redirects to itself as another server (see the github fixture)."""
        path = "/repos/fake/moved-elsewhere"
        response, _, changed = self.lookup(app, path)
        assert response.status_code == 502
        assert "not followed" in assert_one_line_error(response)
        self.assert_timed_once_as(changed, "error", delay(path))
        # Followed, the redirect would be the last request the stand-in saw.
        assert seen_by_github(github)[-1]["path"] == path

    @pytest.mark.parametrize("path", DRIPS)
    def test_an_answer_dripping_a_byte_a_second_ends_at_the_deadline(self, app, path):
        """Still open at 40 s before the deadline (requests' read timeout is per read)."""
        response, took, changed = self.lookup(app, path)
        assert response.status_code == 504
        assert "did not answer in time" in assert_one_line_error(response)
        assert TEST_TIMEOUT_SECONDS <= took < TEST_TIMEOUT_SECONDS + 1
        bucket_changes, observed = self.assert_timed_once_as(
            changed, "timeout", TEST_TIMEOUT_SECONDS
        )
        self.check_the_timer_type(bucket_changes, observed)

    def test_every_fault_mode_at_once_ends_in_exactly_one_outcome_each(self, app):
        """Every way a lookup can end, at the same time: the timer's count and the sum
        of the outcomes both go up by the number of lookups, and each answer is ours
        (never a 500): no lookup lost, none counted twice."""
        faults = [*KINDS, *OTHER_ANSWERS]
        faults += [(path, 504, "timeout", ()) for path in DRIPS]
        faults += [
            ("/repos/fake/moved", 200, "ok", ()),
            ("/repos/fake/moved-elsewhere", 502, "error", ()),
        ]
        before = samples(app)
        with ThreadPoolExecutor(max_workers=len(faults)) as pool:
            answers = list(pool.map(lambda fault: requests.get(app + fault[0], timeout=15), faults))
        after = samples(app)
        # On a busy machine any lookup may reach the deadline first: then it is a
        # timeout (504), counted as one, and nothing else.
        statuses = [answer.status_code for answer in answers]
        expected = [fault[1] for fault in faults]
        assert all(got in (wanted, 504) for got, wanted in zip(statuses, expected, strict=True)), (
            statuses
        )
        outcome_of = {status: outcome for _, status, outcome, _ in KINDS}
        changed = changes(before, after)
        assert changed[COUNT] == len(faults)
        for outcome in OUTCOMES:
            ended_so = sum(1 for status in statuses if outcome_of[status] == outcome)
            assert changed.get(outcome_key(outcome), 0) == ended_so, (outcome, statuses)
        assert_every_lookup_counted_once(after)
        for answer in answers:
            if answer.status_code != 200:
                assert_one_line_error(answer)

    @pytest.mark.parametrize(
        "body", [b'{"a": NaN}', b'{"a": Infinity}', b"[-Infinity]", b'{"a": 1e999}', b"[-1e999]"]
    )
    def test_json_with_nan_or_an_infinite_number_is_a_bad_answer(self, body, monkeypatch):
        """Python's json module reads them; our answer would not be JSON any more."""
        for name in ("GITHUB_API_URL", "GITHUB_TIMEOUT_SECONDS", "GITHUB_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        github = lesson_run.load_module(self.lesson.folder / "github.py")
        assert github.parse(b'{"a": 1.5, "b": -2e3}') == {"a": 1.5, "b": -2000.0}
        with pytest.raises(github.Failed) as failed:
            github.parse(body)
        assert (failed.value.outcome, failed.value.status) == ("error", 502)
        assert "NaN" in failed.value.reason

    # --- names ---------------------------------------------------------------

    @pytest.mark.parametrize("path", BAD_NAMES[1:])  # BAD_NAMES[0]: TimerTests
    def test_a_bad_name_gets_400_and_never_reaches_github(self, app, github, path):
        self.check_refused(app, github, path)

    def test_an_encoded_slash_never_reaches_github(self, app, github):
        before, asked_before = samples(app), seen_by_github(github)
        status, body = get_raw(app, ENCODED_SLASH)
        assert status in (400, 404), body
        assert changes(before, samples(app)) == {}
        assert seen_by_github(github) == asked_before

    @pytest.mark.parametrize("path", GOOD_NAMES)
    def test_a_valid_name_at_the_limits_reaches_github(self, app, github, path):
        status, body = get_raw(app, path)
        assert status == 404, body  # the stand-in knows none of them
        assert seen_by_github(github)[-1]["path"] == path

    def test_random_valid_names_at_once_reach_github_and_add_no_series(self, app, github):
        """Random names, looked up at the same time: each is sent on as it is,
        counted once, and none adds a series."""
        paths = random_repository_paths(10)
        before = samples(app)

        def look_up(path):
            return requests.get(app + path, timeout=REQUEST_TIMEOUT).status_code

        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            statuses = list(pool.map(look_up, paths))
        after = samples(app)
        assert statuses == [404] * len(paths)
        assert after.keys() == before.keys(), "new series appeared"
        changed = changes(before, after)
        assert changed[COUNT] == len(paths)
        assert changed[outcome_key("not_found")] == len(paths)
        assert_every_lookup_counted_once(after)
        seen = [seen["path"] for seen in seen_by_github(github)[-len(paths) :]]
        assert sorted(seen) == sorted(paths)

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
