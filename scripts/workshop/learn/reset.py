"""`dev.py reset NN`: put lesson NN's exercise back as it came, from scripts/starters/,
with or without git; the learner's version is kept in .workshop/backup/ first.

Used by scripts/dev.py. Standard library only.
"""

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
    exercise, starter = display(lesson.exercise), display(lesson.starter)
    Progress.load().forget_hints(lesson)  # a fresh start: the hints start over too
    if lesson.exercise.is_file():
        if lesson.exercise.read_bytes() == lesson.starter.read_bytes():
            print(f"{exercise} is already the starter: nothing to do.")
            return 0
        backup = backup_path(lesson)
        shutil.copy2(lesson.exercise, backup)
        print(f"Kept your version in {display(backup)}")
    shutil.copyfile(lesson.starter, lesson.exercise)
    print(f"Restored {exercise} from {starter}.", flush=True)
    return 0


def backup_path(lesson):
    """A new file in BACKUP_DIR, named after the lesson and the time."""
    BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{lesson.name}-exercise-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, number = BACKUP_DIR / f"{stem}{lesson.exercise.suffix}", 1
    while candidate.exists():
        number += 1
        candidate = BACKUP_DIR / f"{stem}-{number}{lesson.exercise.suffix}"
    return candidate
