"""The grader: run a lesson end to end and compare its output with expected/.

    python scripts/check.py 01                      lesson 01's app.py
    python scripts/check.py 01 --file my_app.py     your own file, graded as lesson 01
    python scripts/check.py all                     every lesson, then a summary line

It starts the app on a free port (with the offline GitHub stand-in beside it
for the lessons that need one), runs the lesson's traffic.py against it, reads
/metrics, and says for each snippet in expected/ whether it matches, with a
hint when it does not. Exit code 0 only when every snippet matches.
"""

import argparse
import functools
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import snippets
import workshop
from lessons import grep_pattern

DEFAULT_TRAFFIC_TIMEOUT = 60


def verdict(pattern, expected, mismatches):
    """The lines that report one snippet."""
    count = len(expected.splitlines())
    if not mismatches:
        return [f"  PASS  {pattern} ({count} lines)"]
    differences = f"{len(mismatches)} difference{'s' if len(mismatches) > 1 else ''}"
    lines = [f"  FAIL  {pattern} ({differences} from the {count} lines expected)"]
    last_hint = None
    for mismatch in mismatches:
        lines.append(f"        expected: {mismatch.expected or '(nothing)'}")
        lines.append(f"        actual:   {mismatch.actual or '(nothing)'}")
        if mismatch.hint != last_hint:  # a renamed metric misses several lines, for one reason
            lines.append(f"        hint:     {mismatch.hint}")
        last_hint = mismatch.hint
    return lines


def names(snippet_text):
    """The sample names a snippet shows."""
    return snippets.sample_types(snippet_text).keys()


def read_expected(lesson):
    """{pattern: expected text}, or a one-line reason why the snippets cannot be read."""
    patterns = lesson.snippet_patterns()
    if not patterns:
        return f"no snippets in {lesson.name}/expected/: python scripts/capture.py {lesson.number}"
    try:
        return {pattern: lesson.snippet_file(pattern).read_text("utf-8") for pattern in patterns}
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read {lesson.name}/expected/: {error}"


def grade(lesson, app_file, traffic_timeout):
    """(lines to print, whether every snippet matches) for one lesson."""
    started = time.monotonic()
    lines = [f"{lesson.name}: grading {workshop.display(app_file)}"]
    if not app_file.is_file():
        return [*lines, f"  FAIL  there is no {workshop.display(app_file)}"], False
    expected = read_expected(lesson)
    if isinstance(expected, str):
        return [*lines, f"  FAIL  {expected}"], False
    try:
        scrapes = workshop.run_lesson_once(lesson, app_file, traffic_timeout)
    except (workshop.ServerFailed, workshop.TrafficFailed) as error:
        return [*lines, f"  FAIL  {error}"], False
    passed = 0
    snippet_names = {snippet: set(names(text)) for snippet, text in expected.items()}
    page_types = functools.cache(snippets.sample_types)  # each page parsed once
    for snippet, text in expected.items():
        exposition = scrapes.of(snippet)
        others = set().union(*(n for other, n in snippet_names.items() if other != snippet))
        shown = workshop.grep(exposition, grep_pattern(snippet))
        mismatches = snippets.compare(text, shown, page_types(exposition), None, others)
        lines += verdict(snippet, text, mismatches)
        passed += not mismatches
    seconds = time.monotonic() - started
    lines.append(f"{lesson.name}: {passed}/{len(expected)} snippets pass ({seconds:.1f} s)")
    return lines, passed == len(expected)


def grade_safely(lesson, app_file, traffic_timeout):
    """grade(), but a bug of the grader's own is one FAIL line too, never a traceback."""
    try:
        return grade(lesson, app_file, traffic_timeout)
    except Exception as error:  # the summary line of `all` must still be printed
        reason = f"{error.__class__.__name__}: {error}"
        return [lesson.name, f"  FAIL  the grader could not finish: {reason}"], False


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Grade a lesson against its expected output.")
    parser.add_argument("lesson", help='a lesson number such as 01, a lesson folder, or "all"')
    parser.add_argument("--file", type=Path, help="grade this file instead of the lesson's app.py")
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
            lessons = workshop.all_lessons()
        else:
            lessons = [workshop.find_lesson(args.lesson)]
    except LookupError as error:
        sys.exit(f"check.py: {error}")
    # The lessons run at the same time (they mostly wait), and print in order.
    with ThreadPoolExecutor(max_workers=len(lessons) or 1) as pool:
        results = pool.map(
            lambda lesson: grade_safely(lesson, args.file or lesson.app, args.timeout), lessons
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
