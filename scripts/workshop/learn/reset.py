"""`dev.py reset NN`: put lesson NN's exercise back as it came, from scripts/starters/,
with or without git; the learner's version is kept in .workshop/backup/ first
(whatever it is: a file, a folder or a link made in its place).

Used by scripts/dev.py. Standard library only.
"""

import os
import shutil
import sys
import time

from workshop.learn.progress import Progress
from workshop.lessons import ROOT, UsageError, display, find_lesson

BACKUP_DIR = ROOT / ".workshop" / "backup"


def reset(number=None):
    if number is None:
        raise UsageError("reset needs a lesson number: python3 scripts/dev.py reset 01")
    lesson = find_lesson(number)
    if not lesson.starter.is_file():
        missing = "no exercise yet (not ready)"
        if lesson.exercise.is_file():
            missing = f"no starter to restore from ({display(lesson.starter)})"
        print(f"dev.py: lesson {lesson.number} has {missing}.", file=sys.stderr)
        return 1
    exercise, starter = shown(lesson.exercise), display(lesson.starter)
    Progress.load().forget_hints(lesson)  # a fresh start: the hints start over too
    is_a_file = lesson.exercise.is_file() and not lesson.exercise.is_symlink()
    if is_a_file and lesson.exercise.read_bytes() == lesson.starter.read_bytes():
        print(f"{exercise} is already the starter: nothing to do.")
        return 0
    try:
        if is_a_file:
            backup = backup_path(lesson, lesson.exercise.suffix)
            shutil.copy2(lesson.exercise, backup)
            print(f"Kept your version in {shown(backup)}")
        elif os.path.lexists(lesson.exercise):  # a folder or a link: moved, not followed
            backup = backup_path(lesson, suffix="")
            os.replace(lesson.exercise, backup)
            print(f"Kept what was at {exercise} ({kind(backup)}) in {shown(backup)}")
        shutil.copyfile(lesson.starter, lesson.exercise)
    except OSError as error:
        where = f" ({display(error.filename)})" if error.filename else ""
        print(f"dev.py: cannot reset {exercise}: {error.strerror}{where}", file=sys.stderr)
        return 1
    print(f"Restored {exercise} from {starter}.", flush=True)
    return 0


def shown(path):
    """The path as display() shows it, but a link as itself, not where it points."""
    return f"{display(path.parent)}/{path.name}"


def kind(path):
    return "a link" if path.is_symlink() else "a folder" if path.is_dir() else "not a file"


def backup_path(lesson, suffix=".py"):
    """A new name in BACKUP_DIR, after the lesson and the time; OSError if BACKUP_DIR
    cannot be a folder (a file in its way, say)."""
    if BACKUP_DIR.exists() and not BACKUP_DIR.is_dir():
        message = "a file is in the way of the backup folder: rename or remove it"
        raise FileExistsError(0, message, str(BACKUP_DIR))
    BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{lesson.name}-exercise-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, number = BACKUP_DIR / f"{stem}{suffix}", 1
    while os.path.lexists(candidate):
        number += 1
        candidate = BACKUP_DIR / f"{stem}-{number}{suffix}"
    return candidate
