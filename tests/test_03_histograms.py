"""Lesson 03 against the offline GitHub stand-in, over HTTP: every failure path
of the lookup (shared with lesson 04, see github_lessons.py), where each lookup
lands among the histogram's buckets, step 1's default buckets, and traffic.py."""

import runpy
import time

import fake_github
import pytest
import workshop
from github_lessons import (
    COUNT,
    LOOKUPS,
    REQUEST_TIMEOUT,
    TEST_TIMEOUT_SECONDS,
    TIMER,
    LookupTests,
    delay,
    samples,
)
from prometheus_client import Histogram

LESSON = workshop.find_lesson("03")
LESSON_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5)
DEFAULT_BUCKETS = Histogram.DEFAULT_BUCKETS[:-1]  # without +Inf
# Every delay of the stand-in but fake/slow's, which the lessons' timeout cuts short.
DELAYS = sorted(
    {fake_github.FAST}
    | {seconds for seconds, _ in fake_github.REPOSITORIES.values() if seconds < 5}
    | {failure[0] for failure in fake_github.FAILURES.values()}
)
# One followed redirect takes two delays: it has no bucket of its own to stay in.
BUCKETED_LOOKUPS = [lookup for lookup in LOOKUPS if lookup[0] != "/repos/fake/moved"]


def bucket_key(le):
    return (TIMER + "_bucket", frozenset({"le": le}.items()))


def buckets(values):
    return {
        dict(labels)["le"]: value
        for (name, labels), value in values.items()
        if name == TIMER + "_bucket"
    }


def expected_buckets(seconds, bounds):
    """{le: how many of `seconds` are at most le}, as the histogram exports them."""
    counts = {str(bound): sum(1 for second in seconds if second <= bound) for bound in bounds}
    return {**counts, "+Inf": len(seconds)}


def traffic_lookups(traffic):
    """The stand-in delay of every lookup a traffic.py table sends (its 400s are never timed)."""
    return [
        delay(path) for _, path, times, status in traffic for _ in range(times) if status != 400
    ]


def load_traffic():
    # Not run as "__main__": traffic.py only defines TRAFFIC and its functions.
    return runpy.run_path(str(LESSON.folder / "traffic.py"), run_name="traffic")["TRAFFIC"]


class TestLesson03(LookupTests):
    LESSON = "03"

    def test_the_app_uses_the_lessons_buckets(self, app):
        assert set(buckets(samples(app))) == {str(bound) for bound in LESSON_BUCKETS} | {"+Inf"}

    @pytest.mark.parametrize("path, status, outcome", BUCKETED_LOOKUPS)
    def test_each_lookup_lands_in_the_bucket_of_its_delay(self, app, path, status, outcome):
        response, _, changed = self.lookup(app, path)
        assert response.status_code == status
        bucket_changes = self.assert_timed_once_as(changed, outcome, delay(path))
        at_or_above = [bound for bound in LESSON_BUCKETS if bound >= delay(path)]
        assert bucket_changes == {bucket_key(le): 1 for le in [*map(str, at_or_above), "+Inf"]}

    def test_a_timed_out_lookup_lands_in_the_bucket_of_the_timeout(self, app):
        response, _, changed = self.lookup(app, "/repos/fake/slow")
        assert response.status_code == 504
        bucket_changes = self.assert_timed_once_as(changed, "timeout", TEST_TIMEOUT_SECONDS)
        assert bucket_changes == {bucket_key(le): 1 for le in ("2.5", "+Inf")}


@pytest.mark.parametrize(
    "app_file, bounds", [("app.py", LESSON_BUCKETS), ("step1_default_buckets.py", DEFAULT_BUCKETS)]
)
def test_the_traffic_lands_in_the_buckets_of_its_delays(app_file, bounds):
    traffic = load_traffic()
    with workshop.lesson_running(LESSON, app_file=LESSON.folder / app_file) as url:
        started = time.monotonic()
        output = workshop.send_traffic(LESSON, url, timeout=REQUEST_TIMEOUT * 2)
        seconds = time.monotonic() - started
        values = samples(url)
    assert [line.split()[-1] for line in output.splitlines()] == ["ok"] * len(traffic)
    lookups = traffic_lookups(traffic)
    assert values[COUNT] == len(lookups)
    assert buckets(values) == expected_buckets(lookups, bounds)
    # The rows go at the same time: far less than the lookups one after another.
    assert seconds < 0.7 * sum(lookups)


@pytest.mark.parametrize("bounds", [LESSON_BUCKETS, DEFAULT_BUCKETS], ids=["lesson", "default"])
@pytest.mark.parametrize("seconds", DELAYS)
def test_every_delay_sits_just_above_a_bound_and_well_below_the_next(seconds, bounds):
    """A lookup takes its delay plus the app's work, never less: 0.2 s of room above it."""
    lower = max((bound for bound in bounds if bound < seconds), default=0)
    upper = min(bound for bound in bounds if bound >= seconds)
    assert round(seconds - lower, 9) >= 0.05, f"{seconds} s is too close to the bound {lower}"
    assert round(upper - seconds, 9) >= 0.2, f"{seconds} s leaves too little room below {upper}"


@pytest.mark.parametrize("timeout", [TEST_TIMEOUT_SECONDS, REQUEST_TIMEOUT])
def test_every_test_timeout_is_at_least_0_5_s_from_every_delay_and_bound(timeout):
    slow = fake_github.REPOSITORIES["fake", "slow"][0]
    for seconds in (*DELAYS, slow, *LESSON_BUCKETS, *DEFAULT_BUCKETS):
        assert abs(timeout - seconds) >= 0.5, f"the timeout {timeout} s is close to {seconds} s"
