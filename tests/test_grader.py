"""The grader's comparison rules and verdicts (scripts/snippets.py, scripts/check.py)."""

import shutil
import subprocess
import sys
import time

import workshop
from snippets import compare

NOW = 1_800_000_000.0
COUNTER = """\
# HELP jobs_total Jobs done.
# TYPE jobs_total counter
jobs_total 3.0
# HELP jobs_created Jobs done.
# TYPE jobs_created gauge
jobs_created 1.7999999e+09
"""
HISTOGRAM_TYPES = {
    "wait_seconds_bucket": "histogram",
    "wait_seconds_sum": "histogram",
    "wait_seconds_count": "histogram",
}


def test_identical_snippets_match():
    assert compare(COUNTER, COUNTER, now=NOW) == []


def test_line_endings_and_trailing_white_space_do_not_matter():
    windows = COUNTER.replace("\n", "  \r\n")
    assert compare(COUNTER, windows, now=NOW) == []


def test_created_timestamps_only_need_to_be_near_now():
    later_start = COUNTER.replace("1.7999999e+09", f"{NOW - 5}")
    assert compare(COUNTER, later_start, now=NOW) == []
    long_ago = COUNTER.replace("1.7999999e+09", "1.0e+09")
    [mismatch] = compare(COUNTER, long_ago, now=NOW)
    assert "Unix time" in mismatch.hint


def test_a_lower_counter_hints_at_a_missing_inc():
    [mismatch] = compare(COUNTER, COUNTER.replace("jobs_total 3.0", "jobs_total 2.0"), now=NOW)
    assert (mismatch.expected, mismatch.actual) == ("jobs_total 3.0", "jobs_total 2.0")
    assert "is it incremented on every such request" in mismatch.hint


def test_a_higher_counter_hints_at_a_double_inc():
    [mismatch] = compare(COUNTER, COUNTER.replace("jobs_total 3.0", "jobs_total 6.0"), now=NOW)
    assert ".inc() called twice" in mismatch.hint


def test_a_renamed_metric_is_named_in_the_hint():
    mismatches = compare(COUNTER, "", {"job_total": "counter"}, now=NOW)
    assert "job_total is there: was the metric renamed?" in mismatches[2].hint


def test_different_labels_are_shown():
    expected = 'hits_total{page="home"} 1.0\n'
    [missing, extra] = compare(expected, 'hits_total{page="Home"} 1.0\n', now=NOW)
    assert "the labels differ" in missing.hint and "'Home'" in missing.hint
    assert extra.expected is None and "extra line" in extra.hint


def test_help_and_type_changes_are_reported():
    changed = COUNTER.replace("Jobs done.", "Jobs.", 1).replace("counter", "gauge")
    hints = [mismatch.hint for mismatch in compare(COUNTER, changed, now=NOW)]
    assert hints == ["the help text differs: copy it from the lesson", hints[1]]
    assert "metric type differs" in hints[1]


def test_buckets_match_exactly_but_a_duration_sum_only_needs_to_be_positive():
    expected = 'wait_seconds_bucket{le="0.5"} 2.0\nwait_seconds_sum 0.75\n'
    assert compare(expected, expected.replace("0.75", "0.81"), HISTOGRAM_TYPES, NOW) == []
    [negative] = compare(expected, expected.replace("0.75", "-1.0"), HISTOGRAM_TYPES, NOW)
    assert "cannot be negative" in negative.hint
    [bucket] = compare(expected, expected.replace("} 2.0", "} 1.0"), HISTOGRAM_TYPES, NOW)
    assert "bucket counts differ" in bucket.hint


def test_changed_buckets_are_named_in_the_hint():
    expected = 'wait_seconds_bucket{le="0.5"} 2.0\nwait_seconds_bucket{le="+Inf"} 2.0\n'
    changed = expected.replace('le="0.5"', 'le="0.4"')
    missing, extra = compare(expected, changed, HISTOGRAM_TYPES, NOW)
    assert missing.hint.startswith("no bucket le=0.5, the app's are le=0.4, +Inf:")
    assert extra.hint == "an extra bucket le=0.4: are the buckets the lesson's?"


def test_a_gauge_sum_is_not_mistaken_for_a_duration():
    expected = "cart_sum 12.0\n"
    assert compare(expected, "cart_sum 13.0\n", {"cart_sum": "gauge"}, NOW)


def grade(*args):
    return subprocess.run(
        [sys.executable, str(workshop.ROOT / "scripts" / "check.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_all_ends_with_a_progress_line():
    result = grade("all")
    count = len(workshop.all_lessons())
    last_line = result.stdout.splitlines()[-1]
    passed = int(last_line.split("/")[0])
    assert last_line == f"{passed}/{count} lessons pass"
    assert result.returncode == (0 if passed == count else 1)


def test_an_unknown_lesson_gets_one_line():
    result = grade("99")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no lesson '99'" in result.stderr


def test_grading_lesson_01_takes_well_under_two_seconds():
    started = time.monotonic()
    assert grade("01").returncode == 0
    assert time.monotonic() - started < 2.0


def test_capture_rebuilds_expected_output_and_readme_blocks_from_a_real_run(tmp_path):
    lesson = workshop.find_lesson("01")
    copy = tmp_path / lesson.name
    shutil.copytree(lesson.folder, copy)
    shutil.rmtree(copy / "expected")
    readme = copy / "README.md"
    emptied = workshop.SNIPPET_BLOCK.sub(
        lambda block: block[0].replace(block["output"], ""), readme.read_text()
    )
    readme.write_text(emptied)
    capture = workshop.ROOT / "scripts" / "capture.py"
    result = subprocess.run([sys.executable, str(capture), str(copy)], capture_output=True)
    assert result.returncode == 0, result.stderr
    captured = workshop.Lesson(copy)
    for pattern, shown in captured.readme_snippets():
        original = lesson.snippet_file(pattern).read_text()
        assert shown == captured.snippet_file(pattern).read_text()
        assert compare(original, shown) == [], pattern
