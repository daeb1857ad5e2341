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

    python scripts/capture.py 08

runs lesson 08's README with Podman, as its container test does
(tests/containers/test_container_readme.py, with WORKSHOP_CAPTURE=1): about
2 minutes once the images are built.
"""

import argparse
import os
import subprocess
import sys

from workshop import alert_walk, readme_commands, readme_walk
from workshop.lessons import ROOT, all_lessons, lesson_named
from workshop.processes import ServerFailed


def app_snippets(lesson, results):
    """{snippet: output} of the grep commands run on app.py as the grader runs it."""
    actual = {id(result.command): result.actual for result in results if result.command}
    commands = [result.command for result in results if result.command]
    return {
        snippet: actual[id(command)]
        for snippet, command in readme_commands.grader_snippets(lesson, commands).items()
    }


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
    printed = [(result.command, result.actual) for result in results]
    text = readme_commands.with_outputs(text, printed)
    lesson.readme.write_text(text, encoding="utf-8", newline="\n")
    print(f"{lesson.name}: captured {len(outputs)} snippets and the README's outputs")


CONTAINER_WALK = "tests/containers/test_container_readme.py"


def capture_with_podman(lesson):
    """Lesson 08 runs containers: its README walk is a container test, run to write."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", CONTAINER_WALK]
    walked = subprocess.run(command, cwd=ROOT, env={**os.environ, "WORKSHOP_CAPTURE": "1"})
    if walked.returncode != 0:
        sys.exit(f"capture.py: {lesson.name}: the Podman walk failed (above)")
    print(f"{lesson.name}: captured the README's outputs")


def main():
    parser = argparse.ArgumentParser(description="Capture a lesson's outputs from a real run.")
    parser.add_argument("lesson", help='a lesson number such as 01, or "all"')
    name = parser.parse_args().lesson
    try:
        for lesson in all_lessons() if name == "all" else [lesson_named(name)]:
            if lesson.name == alert_walk.LESSON:  # its README runs Prometheus, not an app
                alert_walk.capture()
            elif lesson.kind == "scrape":  # lesson 08: containers
                capture_with_podman(lesson)
            else:
                capture(lesson)
    except (LookupError, ServerFailed, RuntimeError, TimeoutError) as error:
        sys.exit(f"capture.py: {error}")


if __name__ == "__main__":
    main()
