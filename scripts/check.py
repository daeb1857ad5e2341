"""The grader: run a lesson end to end and compare its output with expected/.

    python scripts/check.py 01                      lesson 01's app.py
    python scripts/check.py 01 --file my_app.py     your own file, graded as lesson 01
    python scripts/check.py all                     every lesson, then a summary line

For lessons 01-06 it starts the app on a free port (with the offline GitHub
stand-in beside it for the lessons that need one), runs the lesson's traffic.py
against it, reads /metrics, and says for each snippet in expected/ whether it
matches, with a hint when it does not. Each kind of lesson has its grader in
workshop/grading/ (see its __init__.py). Exit code 0 only when everything passes.
"""

import argparse
import importlib
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workshop.lessons import all_lessons, lesson_named

DEFAULT_TRAFFIC_TIMEOUT = 60


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Grade a lesson against its expected output.")
    parser.add_argument("lesson", help='a lesson number such as 01, a lesson folder, or "all"')
    parser.add_argument(
        "--file", type=Path, help="grade this file instead of the lesson's own solution (app.py)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TRAFFIC_TIMEOUT,
        help="seconds traffic.py may take (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.file:
        args.file = args.file.resolve()  # the app runs from the repository root
    if args.file and args.lesson == "all":
        parser.error("--file grades one lesson: give its number, not 'all'")
    if not args.timeout > 0:
        parser.error("--timeout must be a number of seconds above 0")
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


def stop_on_sigterm():
    """Turn `kill` into the same clean stop as Ctrl-C: the apps started are stopped too."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv=None):
    stop_on_sigterm()
    args = parse_args(argv)
    try:
        if args.lesson == "all":
            lessons = [lesson for lesson in all_lessons() if lesson.ready]
        else:
            lessons = [lesson_named(args.lesson)]
    except LookupError as error:
        sys.exit(f"check.py: {error}")
    # The lessons run at the same time (they mostly wait), and print in order.
    with ThreadPoolExecutor(max_workers=len(lessons) or 1) as pool:
        results = pool.map(
            lambda lesson: grade_safely(lesson, args.file or lesson.reference, args.timeout),
            lessons,
        )
        verdicts = []
        for lines, passed in results:
            print("\n".join(lines), flush=True)
            verdicts.append(passed)
    if args.lesson == "all":
        print(f"{sum(verdicts)}/{len(verdicts)} lessons pass")
    sys.exit(0 if verdicts and all(verdicts) else 1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)  # stopped: every app it started has been stopped with it
