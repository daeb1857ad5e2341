"""Capture a lesson's expected output from a real run (never type it by hand).

    python scripts/capture.py 01       (or "all")

Fresh start of the app, one run of traffic.py, one scrape; then, for every
`curl ... | grep PATTERN` block in the lesson README, it writes
expected/PATTERN.txt and puts the same text in the README's output block.
Review the diff before committing: a changed number is a changed lesson.
"""

import argparse
import sys

import workshop


def capture(lesson):
    """Write every snippet of the lesson, or nothing at all when one cannot be captured."""
    exposition = workshop.run_lesson_once(lesson)
    outputs = {}
    for pattern, _ in lesson.readme_snippets():
        outputs[pattern] = workshop.grep(exposition, pattern)
        if not outputs[pattern]:
            sys.exit(f"capture.py: grep {pattern} finds nothing in {lesson.name}'s /metrics")
    expected_folder = lesson.snippet_file("x").parent
    expected_folder.mkdir(exist_ok=True)
    for stale in expected_folder.glob("*.txt"):  # snippets the README no longer shows
        stale.unlink()
    for pattern, output in outputs.items():
        lesson.snippet_file(pattern).write_text(output, encoding="utf-8", newline="\n")

    def refresh(block):
        return block["command"] + outputs[block["pattern"]] + "```"

    readme = lesson.readme.read_text(encoding="utf-8")
    updated = workshop.SNIPPET_BLOCK.sub(refresh, readme)
    lesson.readme.write_text(updated, encoding="utf-8", newline="\n")
    print(f"{lesson.name}: captured {len(outputs)} snippets")


def main():
    parser = argparse.ArgumentParser(description="Capture expected output from a real run.")
    parser.add_argument("lesson", help='a lesson number such as 01, or "all"')
    name = parser.parse_args().lesson
    try:
        for lesson in workshop.all_lessons() if name == "all" else [workshop.find_lesson(name)]:
            capture(lesson)
    except (LookupError, workshop.ServerFailed) as error:
        sys.exit(f"capture.py: {error}")


if __name__ == "__main__":
    main()
