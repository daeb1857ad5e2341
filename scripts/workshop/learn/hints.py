"""The hints of NN_topic/hints.md, shown one at a time for the first TODO that fails:

    ## TODO 1: page_visits_total
    - a nudge
    - the API
    - closer, but never the whole answer

The words after "TODO k:" are the snippets (expected/PATTERN.txt) that TODO turns green.

Used by learn.loop and learn.commands (`hint`). Standard library only.
"""

import re
from dataclasses import dataclass

from workshop.lessons import display

HEADING = re.compile(r"## TODO (\d+): (.+)")


@dataclass
class Todo:
    number: int
    patterns: list
    hints: list  # each hint a list of lines

    @property
    def title(self):
        return f"TODO {self.number} ({', '.join(self.patterns)})"


def read_hints(lesson):
    """The lesson's TODOs, lowest number first; none when hints.md cannot be read."""
    try:
        text = (lesson.folder / "hints.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    todos = []
    for line in text.splitlines():
        heading = HEADING.fullmatch(line.strip())
        if heading:
            patterns = [pattern.strip() for pattern in heading[2].split(",") if pattern.strip()]
            todos.append(Todo(int(heading[1]), patterns, []))
        elif line.startswith("#"):
            continue
        elif todos and line.startswith("- "):
            todos[-1].hints.append([line[2:].strip()])
        elif todos and todos[-1].hints and line.strip():
            todos[-1].hints[-1].append(line.strip())  # a bullet written over several lines
    return sorted(todos, key=lambda todo: todo.number)


def failing_todos(todos, grade):
    """The TODOs with a snippet that does not pass yet."""
    return [
        todo for todo in todos if not all(grade.verdicts.get(pattern) for pattern in todo.patterns)
    ]


def next_hint(lesson, grade, progress):
    """The lines that show the next unseen hint of the first TODO that still fails.

    Counts it as shown in `progress`: the next call shows the one after.
    """
    todos = read_hints(lesson)
    if not todos:
        return [f"There are no hints for {lesson.name} ({lesson.name}/hints.md)."]
    if grade.passed:
        return [f"{display(lesson.exercise)} passes every check: no hint needed."]
    todo = (failing_todos(todos, grade) or todos)[0]
    shown = progress.hints_shown(lesson, todo.number)
    if shown >= len(todo.hints):
        return all_hints(lesson, todo)
    progress.count_hint(lesson, todo.number)
    hint = todo.hints[shown]
    return [
        f"Hint {shown + 1} of {len(todo.hints)} for {todo.title}:",
        *(f"  {line}" for line in hint),
    ]


def all_hints(lesson, todo):
    """Every hint of `todo` again, numbered, once the learner has seen them all."""
    lines = [f"No hints left for {todo.title}: here are the {len(todo.hints)} again."]
    for number, hint in enumerate(todo.hints, start=1):
        lines += [f"  {number}. {hint[0]}", *(f"     {line}" for line in hint[1:])]
    return [*lines, f"The lesson explains every step: {lesson.name}/README.md"]
