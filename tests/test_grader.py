"""The grader's comparison rules and verdicts (workshop/grading/, scripts/check.py)."""

import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import processes_carrying
from workshop import lessons, processes, readme_walk
from workshop.grading.snippets import compare

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
    assert extra.expected is None and "misspelt label value" in extra.hint


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


def grade(*args, root=lessons.ROOT):
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "check.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def workshop_copy(tmp_path, *lesson_numbers):
    """A copy of the workshop's scripts and of some lessons: a root to break things in."""
    shutil.copytree(lessons.ROOT / "scripts", tmp_path / "scripts")
    for number in lesson_numbers:
        lesson = lessons.lesson_named(number)
        shutil.copytree(lesson.folder, tmp_path / lesson.name)
    return tmp_path


def test_an_unknown_lesson_gets_one_line():
    result = grade("99")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no lesson '99'" in result.stderr


def test_broken_lessons_are_fail_lines_and_all_still_ends_with_its_summary(tmp_path):
    """A lesson folder without app.py, and files that are not UTF-8, each give one
    FAIL line with the reason; the other lessons are graded; the summary comes last."""
    root = workshop_copy(tmp_path, "01", "02", "05")
    (root / "01_counters" / "README.md").write_bytes("Le\xe7on 01\n".encode("latin-1"))
    [snippet, *_] = (root / "02_gauges" / "expected").glob("*.txt")
    snippet.write_bytes(b"\xff\xfe not utf-8\n")
    (root / "05_info_enum" / "app.py").unlink()
    result = grade("all", root=root)
    assert "Traceback" not in result.stdout + result.stderr
    assert "01_counters: 4/4 snippets pass" in result.stdout  # the grader needs no README
    assert "  FAIL  cannot read 02_gauges/expected/: " in result.stdout
    assert "  FAIL  there is no 05_info_enum/app.py" in result.stdout
    assert result.stdout.splitlines()[-1] == "1/3 lessons pass"
    assert result.returncode == 1


def test_traffic_that_never_ends_is_a_fail_line_after_the_timeout(tmp_path):
    root = workshop_copy(tmp_path, "01")
    trickle = (
        "import sys, time\nwhile True:\n    print('.', end='', flush=True)\n    time.sleep(2)\n"
    )
    (root / "01_counters" / "traffic.py").write_text(trickle)
    started = time.monotonic()
    result = grade("01", "--timeout", "1", root=root)
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stdout + result.stderr
    assert "  FAIL  01_counters/traffic.py did not finish within 1 s" in result.stdout
    assert result.returncode == 1


def app_with(tmp_path, old, new):
    """Lesson 01's app.py with one change a learner might make."""
    source = lessons.lesson_named("01").app.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "my_app.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


MIDDLEWARE = 'app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})'


def test_a_metrics_route_serving_html_gets_a_hint_about_the_learners_own_metrics(tmp_path):
    html_route = '\n@app.get("/metrics")\ndef metrics():\n    return "<pre>metrics</pre>"\n'
    result = grade("01", "--file", app_with(tmp_path, MIDDLEWARE, html_route))
    [line] = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert "its /metrics answered HTTP 200 (text/html" in line
    assert "serve it with make_wsgi_app()" in line
    assert "something else" not in result.stdout


def test_a_dropped_middleware_gets_a_hint_to_mount_metrics(tmp_path):
    result = grade("01", "--file", app_with(tmp_path, MIDDLEWARE, ""))
    [line] = [line for line in result.stdout.splitlines() if "FAIL" in line]
    assert "its /metrics answered HTTP 404" in line and "make_wsgi_app()" in line


def test_a_file_that_is_not_there_is_a_fail_line(tmp_path):
    result = grade("01", "--file", tmp_path / "nothing.py")
    assert "  FAIL  there is no " in result.stdout
    assert result.returncode == 1


CAPTURED_README = """\
# Lesson 01: a README cut down to what capture.py does

```sh
python 01_counters/app.py
```

```sh
curl -s http://127.0.0.1:5000/metrics | grep page_visits_total
```

```text
```

```sh
python 01_counters/traffic.py
```

```text
stale output
```

```sh
curl -s http://127.0.0.1:5000/metrics | grep page_visits_total
```

```text
```
"""


def test_capture_writes_every_output_and_the_graders_snippets_from_a_real_run(tmp_path):
    root = workshop_copy(tmp_path, "01")
    lesson = lessons.Lesson(root / "01_counters")
    lesson.readme.write_text(CAPTURED_README, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "capture.py"), "01"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # only the snippets this README shows: the three others are stale, and gone
    assert lesson.snippet_patterns() == ["at_start/page_visits_total", "page_visits_total"]
    original = lessons.lesson_named("01").snippet_file("page_visits_total").read_text()
    assert lesson.snippet_file("page_visits_total").read_text() == original
    at_start = lesson.snippet_file("at_start/page_visits_total").read_text()
    assert at_start == original.replace("3.0", "0.0").replace("1.0", "0.0")
    captured = lesson.readme.read_text(encoding="utf-8")
    assert "stale output" not in captured and "```text\n```" not in captured
    assert "GET  /              x3  -> 200 ok\n" in captured
    assert readme_walk.problems(lesson) == []


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_stopping_the_grader_stops_the_apps_it_started(tmp_path, stop):
    marker = uuid.uuid4().hex
    command = [sys.executable, lessons.ROOT / "scripts" / "check.py", "03"]
    log = tmp_path / "check.log"
    with open(log, "wb") as output:
        grader = processes.start_process(command, output, {"STOP_TEST": marker}, ctrl_c=True)
    try:
        started = processes.wait_for(  # the grader, the stand-in and the app
            lambda: len(processes_carrying("STOP_TEST", marker)) >= 3, 30
        )
        assert started, "the grader did not start its apps"
        grader.send_signal(stop)
        grader.wait(timeout=30)
        assert "Traceback" not in log.read_text()
        assert processes_carrying("STOP_TEST", marker) == []
    finally:
        processes.stop_process(grader)
