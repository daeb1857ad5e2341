"""Lesson 04 against the offline GitHub stand-in, over HTTP: what app.py does with
each lookup (shared with lesson 03, see github_lessons.py), what the Python summary
exports, and two instances adding up. The GitHub client's own tests run once, for
lesson 03: the two tests at the end show they would test the same code here."""

import ast
import inspect

import requests
from github_lessons import (
    COUNT,
    OUTCOMES,
    REQUEST_TIMEOUT,
    SUM,
    TIMER,
    TimerTests,
    assert_every_lookup_counted_once,
    changes,
    delay,
    lesson_app,
    outcome_key,
    samples,
)
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics
from prometheus_client.parser import text_string_to_metric_families
from workshop import lesson_run, lessons, metrics_page

LESSON = lessons.lesson_named("04")


class TestLesson04(TimerTests):
    LESSON = "04"

    def check_the_timer_type(self, bucket_changes, seconds):
        assert bucket_changes == {}  # a summary has no buckets

    def test_the_summary_exports_a_count_and_a_sum_and_no_quantiles(self, app):
        requests.get(f"{app}/repos/apache/kafka", timeout=REQUEST_TIMEOUT)
        families = text_string_to_metric_families(metrics_page.scrape(app))
        [summary] = [family for family in families if family.name == TIMER]
        assert summary.type == "summary"
        assert sorted(sample.name for sample in summary.samples) == [
            TIMER + "_count",
            TIMER + "_sum",
        ]
        assert all("quantile" not in sample.labels for sample in summary.samples)

    def test_two_instances_add_up_sum_first_then_divide(self, app, github):
        """The README's two instances: 2 fast lookups on one, 1 slow lookup on the other.
        The first is the class's app: what its lookups add to its metrics."""
        fast, slow = "/repos/prometheus/prometheus", "/repos/moby/moby"
        with lesson_app(LESSON, github) as second:
            before = [samples(app), samples(second)]
            for url, path in [(app, fast), (app, fast), (second, slow)]:
                assert requests.get(url + path, timeout=REQUEST_TIMEOUT).status_code == 200
            added = [changes(before[0], samples(app)), changes(before[1], samples(second))]
        sums = [values[SUM] for values in added]
        counts = [values[COUNT] for values in added]
        assert counts == [2, 1]
        average = sum(sums) / sum(counts)  # sum first, then divide: the true average
        average_of_averages = (sums[0] / counts[0] + sums[1] / counts[1]) / 2
        assert average >= (2 * delay(fast) + delay(slow)) / 3
        # Wrong by (2 * slow - fast) / 12 of the lookups' durations, whatever the machine.
        assert average_of_averages > average

    def test_the_traffic_is_counted_once_per_lookup(self, app):
        before = samples(app)
        output = lesson_run.send_traffic(LESSON, app, timeout=REQUEST_TIMEOUT * 2)
        after = samples(app)
        assert [line.split()[-1] for line in output.splitlines()] == ["ok"] * 7
        added = {
            outcome: after[outcome_key(outcome)] - before[outcome_key(outcome)]
            for outcome in OUTCOMES
        }
        assert added == {"ok": 6, "not_found": 1, "rate_limited": 1, "error": 1, "timeout": 0}
        assert after[COUNT] - before[COUNT] == 9
        assert_every_lookup_counted_once(after)


def test_both_lessons_have_the_same_github_client():
    lesson_03 = lessons.lesson_named("03").folder / "github.py"
    assert (LESSON.folder / "github.py").read_bytes() == lesson_03.read_bytes()


def code_and_timer(lesson):
    """(app.py's code without its docstring, comments and timer, the timer's constructor call)."""
    tree = ast.parse((lesson.folder / "app.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(tree)
    code, timers = [], []
    for node in tree.body[1:]:  # [0]: the docstring
        names = [ast.unparse(target) for target in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and names == ["LOOKUP_DURATION"]:
            timers.append(node.value)
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "prometheus_client":
            node.names = [name for name in node.names if name.name not in ("Histogram", "Summary")]
        code.append(node)
    [timer] = timers
    return ast.unparse(ast.Module(code, type_ignores=[])), timer


def test_both_apps_differ_only_in_the_timers_type():
    """So the GitHub client's tests, run for lesson 03 only, hold for 04 too."""
    code_03, histogram = code_and_timer(lessons.lesson_named("03"))
    code_04, summary = code_and_timer(LESSON)
    assert code_04 == code_03
    assert ast.unparse(histogram.func) == "Histogram" and ast.unparse(summary.func) == "Summary"
    # The same name and help text:
    assert [ast.dump(arg) for arg in summary.args] == [ast.dump(arg) for arg in histogram.args]
    assert [keyword.arg for keyword in histogram.keywords] == ["buckets"]
    assert summary.keywords == []


def test_the_client_makes_classic_histograms_only():
    """The README's native histograms paragraph: prometheus_client's Histogram has no
    setting for native buckets, and exports only the classic series, in both formats."""
    assert list(inspect.signature(Histogram).parameters)[-1] == "buckets"
    registry = CollectorRegistry()
    Histogram("lookup_seconds", "A timer.", registry=registry).observe(0.3)
    samples = [sample for family in registry.collect() for sample in family.samples]
    assert all(sample.native_histogram is None for sample in samples)
    assert {sample.name for sample in samples} == {
        "lookup_seconds_bucket",
        "lookup_seconds_count",
        "lookup_seconds_sum",
        "lookup_seconds_created",
    }
    assert 'lookup_seconds_bucket{le="0.5"} 1.0' in openmetrics(registry).decode()
