"""Capture a lesson's outputs from a real run (never type them by hand).

    python scripts/capture.py 01       (or "all")

Walks the lesson README as a learner would (workshop/readme_walk.py): starts
each app it names, runs the traffic and every command, and writes what each
command printed into the ```text block under it. The `curl ... | grep PATTERN`
outputs taken from the lesson's app.py also go to expected/PATTERN.txt, which
the grader compares with. Review the diff before committing: a changed number
is a changed lesson.

    python scripts/capture.py prometheus

walks prometheus/README.md's "Watch the alert reach you" instead
(workshop/alert_walk.py), at its own pace: about 6 minutes.
"""

import argparse
import sys

from workshop import alert_walk, readme_commands, readme_walk
from workshop.lessons import all_lessons, lesson_named
from workshop.processes import ServerFailed


def app_snippets(lesson, results):
    """{snippet: output} of the grep commands run on app.py as the grader runs it."""
    actual = {id(result.command): result.actual for result in results if result.command}
    commands = [result.command for result in results if result.command]
    return {
        snippet: actual[id(command)]
        for snippet, command in readme_commands.grader_snippets(lesson, commands).items()
    }


def refreshed_readme(text, results):
    """The README with every shown output replaced by what the command printed."""
    for result in sorted(
        (r for r in results if r.command and r.command.shown and r.actual is not None),
        key=lambda r: r.command.shown.start,
        reverse=True,  # from the end, so that earlier positions stay valid
    ):
        shown = result.command.shown
        text = text[: shown.start] + result.actual + text[shown.end :]
    return text


def capture(lesson):
    """Write every output of the lesson, or nothing at all when one cannot be captured."""
    results = readme_walk.walk(lesson)
    failures = [
        problem
        for result in results
        for problem in result.problems
        if result.command is None or result.actual is None
    ]
    if failures:
        sys.exit(f"capture.py: {lesson.name}: " + "\n".join(failures))
    outputs = app_snippets(lesson, results) if lesson.kind == "app" else {}  # 07: no snippets
    empty = [pattern for pattern, output in outputs.items() if not output]
    if empty:
        sys.exit(f"capture.py: grep {empty[0]} finds nothing in {lesson.name}'s /metrics")
    for stale in lesson.snippet_patterns():  # snippets the README no longer shows
        lesson.snippet_file(stale).unlink()
    for snippet, output in outputs.items():
        lesson.snippet_file(snippet).parent.mkdir(parents=True, exist_ok=True)
        lesson.snippet_file(snippet).write_text(output, encoding="utf-8", newline="\n")
    text = lesson.readme.read_text(encoding="utf-8")
    lesson.readme.write_text(refreshed_readme(text, results), encoding="utf-8", newline="\n")
    print(f"{lesson.name}: captured {len(outputs)} snippets and the README's outputs")


def main():
    parser = argparse.ArgumentParser(description="Capture a lesson's outputs from a real run.")
    parser.add_argument("lesson", help='a lesson number such as 01, or "all"')
    name = parser.parse_args().lesson
    try:
        for lesson in all_lessons() if name == "all" else [lesson_named(name)]:
            if lesson.name == alert_walk.LESSON:  # its README runs Prometheus, not an app
                alert_walk.capture()
            else:
                capture(lesson)
    except (LookupError, ServerFailed, RuntimeError, TimeoutError) as error:
        sys.exit(f"capture.py: {error}")


if __name__ == "__main__":
    main()
