"""A lesson's mutants: the bugs its mutants.py describes, each planted in a copy of
the lesson's app.py, and the TODO of its hints.md whose tests should catch it.

Used by grading.tests_grader, and by the tests of lesson 07.
"""

from dataclasses import dataclass

from workshop.learn.hints import read_hints
from workshop.lesson_run import load_module


@dataclass(frozen=True)
class Mutant:
    name: str  # as hints.md lists it after "## TODO k:"
    what: str  # what the bug does, in one line
    edits: dict  # {text of app.py: what replaces it}
    todo: int | None  # the TODO whose tests should catch it; None: hints.md does not say


class BrokenMutant(Exception):
    """A mutant that cannot be planted: the app changed under it, or it breaks Python."""


def read_mutants(lesson):
    """The lesson's mutants, in the order of its mutants.py."""
    module = load_module(lesson.folder / "mutants.py")
    todos = {pattern: todo.number for todo in read_hints(lesson) for pattern in todo.patterns}
    return [
        Mutant(name, what, edits, todos.get(name)) for name, (what, edits) in module.MUTANTS.items()
    ]


def planted(source, mutant):
    """The app's source with the mutant's edits made; BrokenMutant when one of them
    does not match exactly one place, or the result is the app itself or no Python."""
    mutated = source
    for old, new in mutant.edits.items():
        count = mutated.count(old)
        if count != 1:
            raise BrokenMutant(
                f"mutant {mutant.name}: app.py holds {old.strip()!r} {count} times, not once"
            )
        mutated = mutated.replace(old, new)
    if mutated == source:
        raise BrokenMutant(f"mutant {mutant.name} changes nothing in app.py")
    try:
        compile(mutated, "app.py", "exec")
    except SyntaxError as error:
        raise BrokenMutant(f"mutant {mutant.name} is not Python: {error}") from None
    return mutated
