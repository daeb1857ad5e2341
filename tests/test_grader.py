"""The grader's comparison rules and verdicts (workshop/grading/, scripts/check.py)."""

import re
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
from workshop.app_output import traceback_summary
from workshop.grading import app_grader
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


def test_a_series_shown_twice_is_named_as_a_scrape_prometheus_refuses():
    expected = 'hits_total{page="home"} 1.0\n'
    [twice] = compare(expected, expected + expected, now=NOW)
    assert twice.actual == 'hits_total{page="home"} 1.0'
    assert "more than once, and Prometheus refuses the whole scrape" in twice.hint


def test_a_gauge_sum_is_not_mistaken_for_a_duration():
    expected = "cart_sum 12.0\n"
    assert compare(expected, "cart_sum 13.0\n", {"cart_sum": "gauge"}, NOW)


def grade(*args, root=lessons.ROOT, env=None):
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "check.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=processes.environment(env),
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
    assert re.search(r"^GET  / +x3  -> 200 ok$", captured, re.MULTILINE), captured
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


# --- what the grader says when the app itself fails (issue 22, item 10) ---------


def learners_file(tmp_path, text):
    path = tmp_path / "exercise.py"
    path.write_text(text, encoding="utf-8")
    return path


class Graded:
    """What check.py 01 --file prints for the file at path, graded in this process."""

    def __init__(self, path):
        lines, _ = app_grader.grade(lessons.lesson_named("01"), path, 60)
        self.stdout = "".join(line + "\n" for line in lines)


def graded(tmp_path, text):
    return Graded(learners_file(tmp_path, text))


def test_a_syntax_error_shows_its_file_line_and_caret(tmp_path):
    result = graded(tmp_path, "import flask\nVISITS = Counter(\n")
    lines = result.stdout.splitlines()
    where = [n for n, line in enumerate(lines) if re.search(r'File ".*exercise.py", line 2$', line)]
    assert where, result.stdout
    code, caret, error = lines[where[0] + 1 : where[0] + 4]
    assert code.strip() == "VISITS = Counter(" and caret.strip() == "^"
    assert code.index("(") == caret.index("^")
    assert error.strip() == "SyntaxError: '(' was never closed"
    assert lines[-1].startswith("01_counters: 0/4 snippets pass"), result.stdout


def test_an_error_at_start_up_shows_the_line_of_the_learners_file_that_raised(tmp_path):
    app = lessons.lesson_named("01").app.read_text(encoding="utf-8")
    broken = app.replace("app = Flask(__name__)\n", 'SETTING = os.environ["NO_SUCH_SETTING"]\n')
    line = broken.splitlines().index('SETTING = os.environ["NO_SUCH_SETTING"]') + 1
    result = graded(tmp_path, broken)
    assert f'exercise.py", line {line}, in <module>' in result.stdout, result.stdout
    assert 'SETTING = os.environ["NO_SUCH_SETTING"]' in result.stdout
    assert "KeyError: 'NO_SUCH_SETTING'" in result.stdout


def test_the_apps_own_exception_comes_with_a_wrong_answer(tmp_path):
    app = lessons.lesson_named("01").app.read_text(encoding="utf-8")
    broken = app.replace(
        '    return jsonify(status="ok")', '    return jsonify(status=STATUS["ok"])'
    )
    result = graded(tmp_path, broken)
    assert re.search(r"^ +GET  /health +x2  -> 500 expected 200!$", result.stdout, re.M), (
        result.stdout
    )
    assert "the app's error:" in result.stdout
    assert "NameError: name 'STATUS' is not defined" in result.stdout


def test_an_app_that_ends_without_serving_says_so(tmp_path):
    app = lessons.lesson_named("01").app.read_text(encoding="utf-8")
    ended = app[: app.index('if __name__ == "__main__":')]
    result = graded(tmp_path, ended)
    assert "exited (code 0) without serving: does it end with app.run(...)?" in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.rstrip().endswith(":")]


def test_an_app_that_never_answers_says_that_it_printed_nothing():
    command = [sys.executable, "-c", "import time; time.sleep(30)"]
    never = processes.running(command, "http://127.0.0.1:9/metrics", bool, wait=False)
    with pytest.raises(processes.ServerFailed) as failed, never as server:
        server.wait_until_serving(timeout=1)
    assert str(failed.value).endswith("within 1 s, and printed nothing: is it listening on PORT?")


def test_a_huge_line_and_colour_codes_from_the_app_are_trimmed_and_removed(tmp_path):
    text = (
        'print("x" * 5_000_000)\n'
        'print("\\x1b[31mred\\x1b[0m")\n'
        'raise RuntimeError("\\x1b[1mboom\\x1b[0m " + "y" * 5_000_000)\n'
    )
    result = graded(tmp_path, text)
    assert len(result.stdout) < 5_000, result.stdout[:5_000]
    assert "\x1b" not in result.stdout and "more characters)" in result.stdout
    assert "RuntimeError: boom yyy" in result.stdout


def test_a_folder_given_as_the_file_is_called_a_folder(tmp_path):
    result = Graded(tmp_path)
    assert f"  FAIL  {tmp_path} is a folder: give the Python file to grade" in result.stdout
    assert "there is no" not in result.stdout


@pytest.mark.parametrize("value", ["inf", "nan", "0"])
def test_a_timeout_that_is_not_a_number_of_seconds_gets_a_clear_answer(value):
    result = grade("01", "--timeout", value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--timeout" in result.stderr.splitlines()[-1], result.stderr


def test_the_traceback_shows_the_learners_frame_rather_than_the_librarys():
    output = (
        "Traceback (most recent call last):\n"
        '  File "/venv/flask/app.py", line 1, in wsgi_app\n'
        "    response = self.full_dispatch_request()\n"
        '  File "/tmp/exercise.py", line 33, in home\n'
        '    PAGE_VISITS = Counter("a", "b")\n'
        "                  ^^^^^^^^^^^^^^^^^\n"
        '  File "/venv/prometheus_client/registry.py", line 44, in register\n'
        "    raise ValueError(\n"
        "ValueError: Duplicated timeseries in CollectorRegistry: {'a_total'}\n"
    )
    assert traceback_summary(output, Path("/tmp/exercise.py")) == [
        'File "/tmp/exercise.py", line 33, in home',
        '    PAGE_VISITS = Counter("a", "b")',
        "                  ^^^^^^^^^^^^^^^^^",
        "ValueError: Duplicated timeseries in CollectorRegistry: {'a_total'}",
    ]


# --- the environment each app gets (issue 22, item 2) --------------------------


def test_a_multiprocess_folder_in_the_shell_reaches_no_lessons_app(tmp_path):
    """A PROMETHEUS_MULTIPROC_DIR in the learner's shell: every lesson still passes,
    and nothing writes into the folder. A folder that does not exist either."""
    folder = tmp_path / "multiproc"
    folder.mkdir()
    result = grade("all", env={"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    for lesson in lessons.app_lessons():
        count = len(lesson.snippet_patterns())
        assert f"{lesson.name}: {count}/{count} snippets pass" in result.stdout, result.stdout
    assert list(folder.iterdir()) == []
    missing = grade("01", env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "nowhere")})
    assert missing.returncode == 0, missing.stdout
