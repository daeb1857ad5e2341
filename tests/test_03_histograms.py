"""Lesson 03 against the offline GitHub stand-in, over HTTP: the GitHub client's
own behaviour (run here only, for lessons 03 and 04: see ClientTests in
github_lessons.py), what app.py does with each lookup (run for 04 too), where
each lookup lands among the histogram's buckets, step 1's default buckets, and
traffic.py."""

import runpy
import time

import fake_github
import pytest
from github_lessons import (
    COUNT,
    REQUEST_TIMEOUT,
    TEST_TIMEOUT_SECONDS,
    TIMER,
    ClientTests,
    TimerTests,
    assert_every_lookup_counted_once,
    delay,
    samples,
)
from prometheus_client import Histogram
from workshop import lesson_run, lessons

LESSON = lessons.lesson_named("03")
LESSON_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5)
DEFAULT_BUCKETS = Histogram.DEFAULT_BUCKETS[:-1]  # without +Inf
# Every delay of the stand-in but fake/slow's, which the lessons' timeout cuts short.
DELAYS = sorted(
    {fake_github.FAST}
    | {seconds for seconds, _ in fake_github.REPOSITORIES.values() if seconds < 5}
    | {failure[0] for failure in fake_github.FAILURES.values()}
)


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


def assert_the_traffic_lands_in_the_buckets_of_its_delays(url, bounds):
    """Send traffic.py's table to the app at url: every row answers as expected,
    and its lookups land in exactly the buckets of their delays."""
    traffic = load_traffic()
    before = samples(url)
    started = time.monotonic()
    output = lesson_run.send_traffic(LESSON, url, timeout=REQUEST_TIMEOUT * 2)
    seconds = time.monotonic() - started
    after = samples(url)
    assert [line.split()[-1] for line in output.splitlines()] == ["ok"] * len(traffic)
    lookups = traffic_lookups(traffic)
    assert after[COUNT] - before.get(COUNT, 0) == len(lookups)
    assert_every_lookup_counted_once(after)
    added = {le: value - buckets(before).get(le, 0) for le, value in buckets(after).items()}
    assert added == expected_buckets(lookups, bounds)
    # The rows go at the same time: far less than the lookups one after another.
    assert seconds < 0.7 * sum(lookups)


class TestLesson03(ClientTests, TimerTests):
    LESSON = "03"

    def check_the_timer_type(self, bucket_changes, seconds):
        """A histogram: the observation is in the bucket of `seconds` and every
        one above it, +Inf included, and in no other."""
        at_or_above = [bound for bound in LESSON_BUCKETS if bound >= seconds]
        assert bucket_changes == {bucket_key(le): 1 for le in [*map(str, at_or_above), "+Inf"]}

    def test_the_app_uses_the_lessons_buckets(self, app):
        assert set(buckets(samples(app))) == {str(bound) for bound in LESSON_BUCKETS} | {"+Inf"}

    def test_the_traffic_lands_in_the_buckets_of_its_delays(self, app):
        assert_the_traffic_lands_in_the_buckets_of_its_delays(app, LESSON_BUCKETS)


def test_step_1s_traffic_lands_in_the_default_buckets():
    step_1 = LESSON.folder / "step1_default_buckets.py"
    with lesson_run.lesson_running(LESSON, app_file=step_1) as url:
        assert_the_traffic_lands_in_the_buckets_of_its_delays(url, DEFAULT_BUCKETS)


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
