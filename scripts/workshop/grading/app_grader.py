"""Grading a lesson's app (01-06): run it in phases as the learner would
(grading.phases), compare each snippet of expected/ with its /metrics
(snippets), its behaviour row by row with the lesson's own app.py (behaviour),
and check what the lesson adds (lesson_checks: held requests, a killed worker,
durations, the code). Each difference goes under the snippet of its metric, so
that a FAIL names the TODO that is not done yet.

Used by scripts/check.py (for lessons of kind "app"); the tests call grade() directly.
"""

import time

from workshop.app_output import what_it_printed
from workshop.grading import code_checks, lesson_checks, phases, verdicts
from workshop.lesson_run import TrafficFailed
from workshop.lessons import display
from workshop.processes import ServerFailed

OUTPUT_OF_NOTHING = ["(it printed nothing)"]


def read_expected(lesson):
    """{pattern: expected text}, or a one-line reason why the snippets cannot be read."""
    patterns = lesson.snippet_patterns()
    if not patterns:
        return f"no snippets in {lesson.name}/expected/: python scripts/capture.py {lesson.number}"
    try:
        return {pattern: lesson.snippet_file(pattern).read_text("utf-8") for pattern in patterns}
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read {lesson.name}/expected/: {error}"


def file_problem(app_file):
    if app_file.is_dir():
        return (
            f"{display(app_file)} is a folder: give the Python file to grade, "
            "such as NN_topic/exercise.py"
        )
    if not app_file.is_file():
        return f"there is no {display(app_file)}"
    return None


def same_file(one, other):
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def grade(lesson, app_file, traffic_timeout):
    """(lines to print, whether everything passes) for one lesson."""
    started = time.monotonic()
    lines = [f"{lesson.name}: grading {display(app_file)}"]
    expected = read_expected(lesson)
    total = 0 if isinstance(expected, str) else len(expected)
    problem = file_problem(app_file) or (expected if isinstance(expected, str) else None)
    if problem:
        return [*lines, f"  FAIL  {problem}", summary(lesson, 0, total, started)], False
    checks = lesson_checks.checks_for(lesson, app_file)
    compare = not same_file(app_file, lesson.app)  # app.py itself: nothing to compare with
    try:
        run, reference = phases.grade_run(
            lesson, app_file, traffic_timeout, checks.phases, checks.variants, compare
        )
    except (ServerFailed, TrafficFailed) as error:
        lines += stopped_lines(error, app_file, checks)
        return [*lines, summary(lesson, 0, total, started)], False
    # Imported only now: the apps started first, and came up meanwhile.
    from workshop.grading.differences import collect

    by_snippet, general = collect(lesson, app_file, expected, run, reference, checks)
    answered = all(row.right for row in run.rows)
    error = [] if answered else what_it_printed(run.app_output, app_file)
    lines += verdicts.answers_lines(run.rows, [] if error == OUTPUT_OF_NOTHING else error, app_file)
    if general:
        lines += ["  FAIL  code: what it shows", *verdicts.hint_lines(m.hint for m in general)]
    for pattern, text in expected.items():
        lines += verdicts.snippet_lines(pattern, text, by_snippet[pattern])
    passed = sum(not by_snippet[pattern] for pattern in expected)
    everything = passed == total and answered and not general
    lines.append(summary(lesson, passed, total, started, passed == total and not everything))
    return lines, everything


def stopped_lines(error, app_file, checks):
    """Why the grade stopped (the app did not start, traffic.py failed), the app's own
    error, and what its code shows: the likely cause, when the code says it."""
    details = getattr(error, "details", [])
    lines = verdicts.failure_lines(getattr(error, "message", str(error)), details, app_file)
    code = code_checks.findings(app_file, checks.code)
    return lines + verdicts.hint_lines(mismatch.hint for _, mismatch in code)


def summary(lesson, passed, total, started, others_fail=False):
    seconds = time.monotonic() - started
    return verdicts.summary_line(lesson, passed, total, seconds, others_fail)
