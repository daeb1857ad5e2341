"""The grader: run a lesson end to end and compare its output with expected/.

    python scripts/check.py 01         one lesson (or a path to a lesson folder)
    python scripts/check.py all        every lesson, then a progress line

It starts the lesson's app on a free port (and the offline GitHub stand-in for
the lessons that need it), runs traffic.py against it, reads /metrics, and
says for each snippet whether it matches. Exit code 0 only when all do.
"""

import argparse
import sys
import time

import snippets
import workshop


def report(pattern, mismatches, line_count):
    if not mismatches:
        print(f"  PASS  {pattern} ({line_count} lines)")
        return
    print(f"  FAIL  {pattern} ({len(mismatches)} differences from the {line_count} lines expected)")
    last_hint = None
    for mismatch in mismatches:
        print(f"        expected: {mismatch.expected or '(nothing)'}")
        print(f"        actual:   {mismatch.actual or '(nothing)'}")
        if mismatch.hint != last_hint:  # a renamed metric misses several lines, for one reason
            print(f"        hint:     {mismatch.hint}")
        last_hint = mismatch.hint


def check_snippet(lesson, pattern, exposition, types):
    """Print the verdict on one snippet; True when it matches."""
    expected_file = lesson.snippet_file(pattern)
    if not expected_file.is_file():
        print(f"  FAIL  {pattern}: no expected/{expected_file.name} (capture.py makes it)")
        return False
    expected = expected_file.read_text(encoding="utf-8")
    mismatches = snippets.compare(expected, workshop.grep(exposition, pattern), types)
    report(pattern, mismatches, len(expected.splitlines()))
    return not mismatches


def check_lesson(lesson):
    """Print a verdict per snippet; True when every snippet matches."""
    started = time.monotonic()
    print(f"{lesson.name}")
    if not lesson.readme.is_file():
        print(f"  FAIL  no README.md in {lesson.folder}: it lists the snippets to check")
        return False
    patterns = [pattern for pattern, _ in lesson.readme_snippets()]
    try:
        exposition = workshop.run_lesson_once(lesson)
    except workshop.ServerFailed as error:
        print(f"  FAIL  {error}")
        return False
    types = snippets.sample_types(exposition)
    passed = sum(check_snippet(lesson, pattern, exposition, types) for pattern in patterns)
    seconds = time.monotonic() - started
    print(f"{lesson.name}: {passed}/{len(patterns)} snippets pass ({seconds:.1f} s)")
    return bool(patterns) and passed == len(patterns)


def main():
    parser = argparse.ArgumentParser(description="Grade a lesson against its expected output.")
    parser.add_argument("lesson", help='a lesson number such as 01, a lesson folder, or "all"')
    name = parser.parse_args().lesson
    try:
        lessons = workshop.all_lessons() if name == "all" else [workshop.find_lesson(name)]
    except LookupError as error:
        sys.exit(f"check.py: {error}")
    results = [check_lesson(lesson) for lesson in lessons]
    if name == "all":
        print(f"{sum(results)}/{len(results)} lessons pass")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
