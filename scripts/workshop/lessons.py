"""The lessons: the NN_topic/ folders, in order, and the files the tools look for
in each (app.py, exercise.py, its starter, expected/, hints.md, README.md);
finding one by the name a command line gives.

Used by every command and by most of the package. Standard library only:
scripts/dev.py imports it before anything is installed.
"""

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSON_FOLDER = re.compile(r"\d\d_\w+")
# Lessons without a number, and the numbered lesson each one follows in the course.
UNNUMBERED = {"prometheus": "06"}
# How a lesson's exercise is graded: by grading/<kind>_grader.py. A lesson not named
# here is an app lesson: its exercise.py is an app, graded by what its /metrics shows.
GRADED_BY = {"prometheus": "rules", "07_testing": "tests", "08_containers": "scrape"}
EXERCISE_FILE = {
    "app": "exercise.py",
    "rules": "exercise.yml",
    "tests": "exercise.py",
    "scrape": "exercise.yml",
}
# What `check.py NN` grades when no --file is given: the lesson's reference solution.
REFERENCE_FILE = {
    "app": "app.py",
    "rules": "solution.yml",
    "tests": "test_app.py",
    "scrape": "kubernetes/prometheus.yml",
}
AT_START = "at_start"  # expected/at_start/: snippets of a fresh app, before any traffic


def grep_pattern(snippet):
    """The word a snippet greps for: "at_start/application_state" -> "application_state"."""
    return snippet.rsplit("/", 1)[-1]


def at_start(snippet):
    return snippet.startswith(f"{AT_START}/")


class UsageError(Exception):
    """A wrong command line: one line on stderr, exit code 2."""


@dataclass(frozen=True)
class Lesson:
    """A lesson folder, NN_topic/ (or prometheus/), and the files the tools look for in it."""

    folder: Path

    @property
    def name(self):
        return self.folder.name

    @property
    def number(self):
        """What the commands call it: "01" for 01_counters, "prometheus" for prometheus."""
        return self.name[:2] if LESSON_FOLDER.fullmatch(self.name) else self.name

    @property
    def kind(self):
        """How its exercise is graded: "app", "rules", "tests" or "scrape" (see GRADED_BY)."""
        return GRADED_BY.get(self.name, "app")

    @property
    def readme(self):
        return self.folder / "README.md"

    @property
    def app(self):
        return self.folder / "app.py"

    @property
    def exercise(self):
        return self.folder / EXERCISE_FILE[self.kind]

    @property
    def reference(self):
        """The lesson's own solution: what `check.py NN` grades without --file."""
        return self.folder / REFERENCE_FILE[self.kind]

    @property
    def starter(self):
        """The pristine exercise that `dev.py reset` restores, kept beside the scripts."""
        return self.folder.parent / "scripts" / "starters" / f"{self.name}{self.exercise.suffix}"

    @property
    def ready(self):
        """Whether the lesson has its exercise yet."""
        return self.exercise.is_file() or self.starter.is_file()

    @property
    def uses_github(self):
        """Whether the app calls the GitHub API: it then runs against the offline stand-in."""
        return (self.folder / "github.py").is_file()

    def snippet_file(self, snippet):
        return self.folder / "expected" / f"{snippet}.txt"

    def snippet_patterns(self):
        """The snippets the grader checks, one per file in expected/: "PATTERN" is what
        `grep PATTERN` prints after the traffic, "at_start/PATTERN" right after a start."""
        expected = self.folder / "expected"
        return sorted(
            path.relative_to(expected).with_suffix("").as_posix()
            for path in [*expected.glob("*.txt"), *expected.glob(f"{AT_START}/*.txt")]
        )


def all_lessons(root=ROOT):
    """The lessons of the repository at `root` (a test's copy, say), in course order:
    the numbered ones, each unnumbered one right after the lesson it follows."""
    folders = sorted(root.glob("[0-9][0-9]_*"))
    course = [
        Lesson(path) for path in folders if path.is_dir() and LESSON_FOLDER.fullmatch(path.name)
    ]
    for name, follows in UNNUMBERED.items():
        after = [index for index, lesson in enumerate(course) if lesson.number == follows]
        if after and (root / name).is_dir():
            course.insert(after[0] + 1, Lesson(root / name))
    return course


def app_lessons(root=ROOT):
    """The lessons whose exercise is an app graded by its /metrics (01-06)."""
    return [lesson for lesson in all_lessons(root) if lesson.kind == "app"]


def lesson_numbers(root=ROOT):
    return ", ".join(lesson.number for lesson in all_lessons(root))


def find_lesson(argument):
    """The lesson a dev.py argument names: a number such as 1 or 01, or the name of an
    unnumbered lesson ("prometheus"); UsageError, exit code 2, for anything else."""
    if not re.fullmatch(r"\d{1,2}", argument) and argument not in UNNUMBERED:
        raise UsageError(f"{argument!r} is not a lesson number: try one of {lesson_numbers()}")
    for lesson in all_lessons():
        if lesson.number == (argument.zfill(2) if argument.isdigit() else argument):
            return lesson
    raise UsageError(f"no lesson {argument}: try one of {lesson_numbers()}")


def lesson_named(name, root=ROOT):
    """A lesson by number ("1", "01"), folder name, or path to a lesson folder (check.py,
    capture.py); LookupError when there is none."""
    for lesson in all_lessons(root):  # first: "prometheus" is a folder in the current one too
        if name in (lesson.name, lesson.number, lesson.number.lstrip("0")):
            return lesson
    path = Path(name)
    if path.is_dir() and is_lesson_folder(path.resolve()):
        return Lesson(path.resolve())
    raise LookupError(f"no lesson {name!r}: try one of {lesson_numbers(root)}")


def is_lesson_folder(path):
    return LESSON_FOLDER.fullmatch(path.name) is not None or path.name in UNNUMBERED


def next_lesson(lesson):
    """The lesson after this one in the course, or None after the last."""
    course = all_lessons(lesson.folder.parent)
    later = course[course.index(lesson) + 1 :] if lesson in course else []
    return later[0] if later else None


def display(path):
    """A path as the learner types it: from the repository root, with forward slashes
    (a file outside the repository, such as one given to --file, as it is)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def copy_starter_if_missing(lesson):
    """Give the lesson its exercise file, a copy of the starter, if it has none."""
    if lesson.exercise.is_file() or not lesson.starter.is_file():
        return
    if os.path.lexists(lesson.exercise):  # a folder, a broken link: never replaced
        raise SystemExit(
            f"{display(lesson.exercise)} is there but is not a file: "
            "move it aside, then run this again (the starter is copied in its place)."
        )
    shutil.copyfile(lesson.starter, lesson.exercise)
    print(f"Copied {display(lesson.starter)} to {display(lesson.exercise)}.")
