"""The grader: run a lesson end to end and compare its output with expected/.

    python scripts/check.py 01                      lesson 01's app.py
    python scripts/check.py 01 --file my_app.py     your own file, graded as lesson 01
    python scripts/check.py all                     every lesson, then a summary line

For lessons 01-06 it starts the app on a free port (with the offline GitHub
stand-in beside it for the lessons that need one), runs the lesson's traffic.py
against it, reads /metrics before, during and after it, and says for each
snippet in expected/ whether it matches, with a hint when it does not. Each kind
of lesson has its grader in workshop/grading/ (see its __init__.py). Exit code 0
only when everything passes; Ctrl-C (or kill) stops every app it started at once.
"""

import argparse
import importlib
import math
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

# Before anything imports prometheus_client: with this set, the client would write
# its values to files there (the grader reads metrics, it makes none).
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
os.environ.pop("prometheus_multiproc_dir", None)

from workshop.interrupts import running_ones, stop_on_signals  # noqa: E402 (after the above)
from workshop.lessons import all_lessons, lesson_named  # noqa: E402
from workshop.processes import stop_process  # noqa: E402

DEFAULT_TRAFFIC_TIMEOUT = 60
LONGEST_TIMEOUT = 3600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Grade a lesson against its expected output.")
    parser.add_argument("lesson", help='a lesson number such as 01, a lesson folder, or "all"')
    parser.add_argument(
        "--file",
        type=Path,
        help="grade this file instead of the lesson's own solution (app.py, solution.yml, ...)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TRAFFIC_TIMEOUT,
        help="seconds the slowest part may take: traffic.py, promtool, a test run or"
        " Prometheus finding the targets (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.file:
        args.file = args.file.resolve()  # the app runs from the repository root
    if args.file and args.lesson == "all":
        parser.error("--file grades one lesson: give its number, not 'all'")
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= LONGEST_TIMEOUT):
        parser.error(f"--timeout must be a number of seconds above 0, at most {LONGEST_TIMEOUT}")
    return args


def grade_safely(lesson, file, timeout):
    """(lines to print, whether it passes) from the grader of the lesson's kind; a bug
    of the grader's own is one FAIL line too, never a traceback."""
    try:
        grader = importlib.import_module(f"workshop.grading.{lesson.kind}_grader")
        return grader.grade(lesson, file, timeout)
    except Exception as error:  # the summary line of `all` must still be printed
        reason = f"{error.__class__.__name__}: {error}"
        return [lesson.name, f"  FAIL  the grader could not finish: {reason}"], False


def main(argv=None):
    stop_on_signals()
    args = parse_args(argv)
    try:
        if args.lesson == "all":
            lessons = [lesson for lesson in all_lessons() if lesson.ready]
        else:
            lessons = [lesson_named(args.lesson)]
    except LookupError as error:
        sys.exit(f"check.py: {error}")
    if len(lessons) == 1:  # in this thread: Ctrl-C reaches the grade at once
        results = [grade_safely(lessons[0], args.file or lessons[0].reference, args.timeout)]
        verdicts = [print_result(results[0])]
    else:  # the lessons run at the same time (they mostly wait), and print in order
        import_before_the_threads(lessons)
        with ThreadPoolExecutor(max_workers=len(lessons)) as pool:
            results = pool.map(
                lambda lesson: grade_safely(lesson, lesson.reference, args.timeout), lessons
            )
            verdicts = [print_result(result) for result in results]
    if args.lesson == "all":
        print(f"{sum(verdicts)}/{len(verdicts)} lessons pass")
    sys.exit(0 if verdicts and all(verdicts) else 1)


# What the graders import only once their apps are starting (so that they start
# sooner). Imported by several threads at once for the first time, two of them can
# each hold a module the other waits for: Python then hands one of them a module
# half imported ("partially initialized module 'typing'").
IMPORTED_LATE = [
    "requests",
    "prometheus_client.parser",
    "prometheus_client.openmetrics.parser",
    "workshop.metrics_page",
    "workshop.grading.differences",
]


def import_before_the_threads(lessons):
    kinds = {f"workshop.grading.{lesson.kind}_grader" for lesson in lessons}
    for module in [*IMPORTED_LATE, *sorted(kinds)]:
        with suppress(Exception):  # a grader that cannot be imported: grade_safely says why
            importlib.import_module(module)


def print_result(result):
    lines, passed = result
    print("\n".join(lines), flush=True)
    return passed


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        for process in running_ones():  # any the grade had no time to take charge of
            stop_process(process, process.stop_signal)
        sys.exit(130)  # stopped: every app it started has been stopped with it
