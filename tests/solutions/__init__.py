"""The exercises solved, TODO by TODO, stored apart from the lessons.

Each NN_topic.py here describes how to fill in that lesson's exercise.py (see
01_counters.py). solve() applies such a description to the starter's text, the
way a learner would edit it: each `# TODO k: ...` comment (and the comment lines
that continue it) replaced by code at the same indentation.

Each also holds the lesson's corpus: WRONG, solutions a learner could write
that a Prometheus reviewer would reject, each with a fragment of the hint the
grader must give; and RIGHT, solutions written differently from app.py that
must pass. Each is {marker or text: code} on top of every TODO solved: a key
that starts with "# TODO" replaces that TODO's code, any other key is text of
the solved file replaced as it stands (it must be there).
"""

import re
from pathlib import Path

from workshop.lesson_run import load_module

HERE = Path(__file__).parent


def load(lesson):
    """The solutions module of a lesson, or None when it has none."""
    path = HERE / f"{lesson.name}.py"
    if not path.is_file():
        return None
    return load_module(path)


def todo_numbers(starter):
    return sorted({int(number) for number in re.findall(r"# TODO (\d+):", starter)})


def replace_marker(text, marker, code):
    """Replace the comment line starting with `marker` (and the `#` lines indented
    further that continue it) with `code`, indented like the marker."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip().startswith(marker):
            indent = line[: len(line) - len(line.lstrip())]
            end = index + 1
            while end < len(lines) and re.match(re.escape(indent) + r"#\s{2,}\S", lines[end]):
                end += 1
            replacement = [
                indent + code_line if code_line else "" for code_line in code.split("\n")
            ]
            return "\n".join(lines[:index] + replacement + lines[end:])
    raise LookupError(f"no line starting with {marker!r} in the starter")


def solve(starter, module, todos, instead=None):
    """The starter with the TODOs numbered in `todos` written; `instead` writes some
    markers differently, and replaces some text (see the module's docstring)."""
    instead = instead or {}
    text = starter
    for old, new in module.IMPORTS.items():
        assert old in text, f"the starter lost its line {old!r}"
        text = text.replace(old, new)
    for number in todos:
        for marker, code in module.TODOS[number].items():
            text = replace_marker(text, marker, instead.get(marker, code))
    for old, new in instead.items():
        if not old.startswith("# TODO"):
            assert old in text, f"no {old!r} in the solved file"
            text = text.replace(old, new)
    return text
