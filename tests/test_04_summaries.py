"""Lesson 04 against the offline GitHub stand-in, over HTTP: every failure path
of the lookup (shared with lesson 03, see github_lessons.py), what the Python
summary exports, and two instances adding up."""

import pytest
import requests
import workshop
from github_lessons import REQUEST_TIMEOUT, ROUTE, LookupTests, delay, lesson_app, samples
from prometheus_client.parser import text_string_to_metric_families

TIMER = "request_processing_seconds"


class TestLesson04(LookupTests):
    LESSON = "04"
    TIMER = TIMER

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
        with lesson_app(self.lesson, github) as first, lesson_app(self.lesson, github) as second:
            for url, path in [(first, fast), (first, fast), (second, slow)]:
                assert requests.get(url + path, timeout=REQUEST_TIMEOUT).status_code == 200
            scraped = [samples(first), samples(second)]
        sums = [values[(TIMER + "_sum", ROUTE)] for values in scraped]
        counts = [values[(TIMER + "_count", ROUTE)] for values in scraped]
        assert counts == [2, 1]
        true_average = (2 * delay(fast) + delay(slow)) / 3
        average_of_averages = (delay(fast) + delay(slow)) / 2
        assert sum(sums) / sum(counts) == pytest.approx(true_average, abs=0.05)
        assert abs(average_of_averages - true_average) > 0.05  # why you sum before dividing
