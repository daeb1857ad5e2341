"""The lessons as the learner's commands name them: by number, 01, 02, ...

Standard library only, for scripts/dev.py: that is why this is not the Lesson
of scripts/workshop.py, which needs requests.
"""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTERS = ROOT / "scripts" / "starters"
LESSON_FOLDER = re.compile(r"\d\d_\w+")


class UsageError(Exception):
    """A wrong command line: one line on stderr, exit code 2."""


@dataclass(frozen=True)
class Lesson:
    folder: Path

    @property
    def name(self):
        return self.folder.name

    @property
    def number(self):
        return self.name[:2]

    @property
    def exercise(self):
        return self.folder / "exercise.py"

    @property
    def starter(self):
        return STARTERS / f"{self.name}.py"

    @property
    def ready(self):
        """Whether the lesson has its exercise yet (they arrive one lesson at a time)."""
        return self.exercise.is_file() or self.starter.is_file()


def all_lessons():
    folders = sorted(ROOT.glob("[0-9][0-9]_*"))
    return [
        Lesson(path) for path in folders if path.is_dir() and LESSON_FOLDER.fullmatch(path.name)
    ]


def lesson_numbers():
    return ", ".join(lesson.number for lesson in all_lessons())


def find_lesson(argument):
    """The lesson a command-line argument names: a number such as 1 or 01, nothing else."""
    if not re.fullmatch(r"\d{1,2}", argument):
        raise UsageError(f"{argument!r} is not a lesson number: try one of {lesson_numbers()}")
    for lesson in all_lessons():
        if lesson.number == argument.zfill(2):
            return lesson
    raise UsageError(f"no lesson {argument}: try one of {lesson_numbers()}")


def next_lesson(lesson):
    later = [other for other in all_lessons() if other.number > lesson.number]
    return later[0] if later else None


def display(path):
    """A path as the learner types it: from the repository root, with forward slashes."""
    return path.relative_to(ROOT).as_posix()


def copy_starter_if_missing(lesson):
    """Give the lesson its exercise file, a copy of the starter, if it has none."""
    if not lesson.exercise.is_file() and lesson.starter.is_file():
        shutil.copyfile(lesson.starter, lesson.exercise)
        print(f"Copied {display(lesson.starter)} to {display(lesson.exercise)}.")
