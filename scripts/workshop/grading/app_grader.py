"""Grading a lesson's app (01-06): run it once as the learner would (lesson_run),
compare each snippet of expected/ with what its /metrics shows (snippets), and
write the lines check.py prints: PASS, or FAIL with the differences and a hint.

Used by scripts/check.py (for lessons of kind "app"); the tests call grade() directly.
"""

import functools
import time

from workshop import lesson_run
from workshop.grading import snippets
from workshop.lessons import display, grep_pattern
from workshop.metrics_page import grep
from workshop.processes import ServerFailed


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
    lines = [f"{lesson.name}: grading {display(app_file)}"]
    if not app_file.is_file():
        return [*lines, f"  FAIL  there is no {display(app_file)}"], False
    expected = read_expected(lesson)
    if isinstance(expected, str):
        return [*lines, f"  FAIL  {expected}"], False
    try:
        scrapes = lesson_run.run_lesson_once(lesson, app_file, traffic_timeout)
    except (ServerFailed, lesson_run.TrafficFailed) as error:
        return [*lines, f"  FAIL  {error}"], False
    passed = 0
    snippet_names = {snippet: set(names(text)) for snippet, text in expected.items()}
    page_types = functools.cache(snippets.sample_types)  # each page parsed once
    for snippet, text in expected.items():
        exposition = scrapes.of(snippet)
        others = set().union(*(n for other, n in snippet_names.items() if other != snippet))
        shown = grep(exposition, grep_pattern(snippet))
        mismatches = snippets.compare(text, shown, page_types(exposition), None, others)
        lines += verdict(snippet, text, mismatches)
        passed += not mismatches
    seconds = time.monotonic() - started
    lines.append(f"{lesson.name}: {passed}/{len(expected)} snippets pass ({seconds:.1f} s)")
    return lines, passed == len(expected)
