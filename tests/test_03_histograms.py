"""Lesson 03 against the offline GitHub stand-in, over HTTP: every failure path
of the lookup (shared with lesson 04, see github_lessons.py), and where each
lookup lands among the histogram's buckets."""

import importlib.util

import pytest
import workshop
from github_lessons import LOOKUPS, TEST_TIMEOUT_SECONDS, LookupTests, delay, samples
from prometheus_client import Histogram

TIMER = "request_duration_seconds"
# The lesson's buckets, to prove the delays avoid these bounds as well as the defaults'.
LESSON_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5)
DEFAULT_BUCKETS = Histogram.DEFAULT_BUCKETS[:-1]  # without +Inf


def bucket_key(le):
    return (TIMER + "_bucket", frozenset({"method": "GET", "endpoint": "/repos", "le": le}.items()))


class TestLesson03(LookupTests):
    LESSON = "03"
    TIMER = TIMER

    def test_the_app_uses_the_lessons_buckets(self, app):
        bounds = {dict(labels)["le"] for name, labels in samples(app) if name == TIMER + "_bucket"}
        assert bounds == {str(bound) for bound in LESSON_BUCKETS} | {"+Inf"}

    @pytest.mark.parametrize("path, status, outcome", LOOKUPS)
    def test_each_lookup_lands_in_the_bucket_of_its_delay(self, app, path, status, outcome):
        response, _, changed = self.lookup(app, path)
        assert response.status_code == status
        buckets = self.assert_timed_once_as(changed, outcome, delay(path))
        at_or_above = [bound for bound in LESSON_BUCKETS if bound >= delay(path)]
        assert buckets == {bucket_key(le): 1 for le in [*map(str, at_or_above), "+Inf"]}

    def test_a_timed_out_lookup_lands_in_the_bucket_of_the_timeout(self, app):
        response, _, changed = self.lookup(app, "/repos/fake/slow")
        assert response.status_code == 504
        buckets = self.assert_timed_once_as(changed, "timeout", TEST_TIMEOUT_SECONDS)
        assert buckets == {bucket_key(le): 1 for le in ("1.5", "2.5", "+Inf")}


def traffic_paths(lesson_number):
    """The paths a lesson's traffic.py looks up (its 400s never reach the timer)."""
    path = workshop.find_lesson(lesson_number).folder / "traffic.py"
    spec = importlib.util.spec_from_file_location(f"traffic_{lesson_number}", path)
    traffic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(traffic)  # defines TRAFFIC; main() only runs as a script
    return [path for _, path, _, status in traffic.TRAFFIC if status != 400]


TIMED_PATHS = sorted({path for path, *_ in LOOKUPS} | {*traffic_paths("03"), *traffic_paths("04")})


@pytest.mark.parametrize("path", TIMED_PATHS)
def test_every_delay_is_at_least_0_1_s_from_every_bucket_bound(path):
    for bound in (*DEFAULT_BUCKETS, *LESSON_BUCKETS):
        assert abs(delay(path) - bound) >= 0.1, f"{path} is too close to the bound {bound}"


def test_the_test_timeout_is_at_least_0_1_s_from_every_bucket_bound():
    for bound in (*DEFAULT_BUCKETS, *LESSON_BUCKETS):
        assert abs(TEST_TIMEOUT_SECONDS - bound) >= 0.1
