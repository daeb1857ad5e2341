"""Lesson 04 against the offline GitHub stand-in, over HTTP: every failure path
of the lookup (shared with lesson 03, see github_lessons.py), what the Python
summary exports, and two instances adding up."""

import requests
import workshop
from github_lessons import (
    COUNT,
    REQUEST_TIMEOUT,
    SUM,
    TIMER,
    LookupTests,
    delay,
    lesson_app,
    samples,
)
from prometheus_client.parser import text_string_to_metric_families

LESSON = workshop.find_lesson("04")


class TestLesson04(LookupTests):
    LESSON = "04"

    def test_the_summary_exports_a_count_and_a_sum_and_no_quantiles(self, app):
        requests.get(f"{app}/repos/apache/kafka", timeout=REQUEST_TIMEOUT)
        families = text_string_to_metric_families(workshop.scrape(app))
        [summary] = [family for family in families if family.name == TIMER]
        assert summary.type == "summary"
        assert sorted(sample.name for sample in summary.samples) == [
            TIMER + "_count",
            TIMER + "_sum",
        ]
        assert all("quantile" not in sample.labels for sample in summary.samples)

    def test_two_instances_add_up_sum_first_then_divide(self, github):
        """The README's two instances: 2 fast lookups on one, 1 slow lookup on the other."""
        fast, slow = "/repos/prometheus/prometheus", "/repos/moby/moby"
        with lesson_app(LESSON, github) as first, lesson_app(LESSON, github) as second:
            for url, path in [(first, fast), (first, fast), (second, slow)]:
                assert requests.get(url + path, timeout=REQUEST_TIMEOUT).status_code == 200
            scraped = [samples(first), samples(second)]
        sums = [values[SUM] for values in scraped]
        counts = [values[COUNT] for values in scraped]
        assert counts == [2, 1]
        average = sum(sums) / sum(counts)  # sum first, then divide: the true average
        average_of_averages = (sums[0] / counts[0] + sums[1] / counts[1]) / 2
        assert average >= (2 * delay(fast) + delay(slow)) / 3
        # Wrong by (2 * slow - fast) / 12 of the lookups' durations, whatever the machine.
        assert average_of_averages > average


def test_both_lessons_have_the_same_github_client():
    lesson_03 = workshop.find_lesson("03").folder / "github.py"
    assert (LESSON.folder / "github.py").read_bytes() == lesson_03.read_bytes()


def test_the_traffic_is_counted_once_per_lookup():
    with workshop.lesson_running(LESSON) as url:
        output = workshop.send_traffic(LESSON, url, timeout=REQUEST_TIMEOUT * 2)
        values = samples(url)
    assert [line.split()[-1] for line in output.splitlines()] == ["ok"] * 7
    outcomes = {
        dict(labels)["outcome"]: value
        for (name, labels), value in values.items()
        if name == "github_lookups_total"
    }
    assert outcomes == {"ok": 6, "not_found": 1, "rate_limited": 1, "error": 1, "timeout": 0}
    assert values[COUNT] == 9
