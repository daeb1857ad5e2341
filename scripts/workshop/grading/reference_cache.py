"""The reference's Run, kept between grades: the lesson's app.py, run through the
same phases as the learner's file (grading.phases), gives the same pages every
time, so the learn loop, which grades on every save, runs it once.

Kept in this process, and in .workshop/grader/ (git-ignored, beside the learner's
progress), under a name made of everything the pages depend on: app.py, traffic.py
and the other files of the lesson folder, the version of Python, where the
lesson's packages are installed and when, and FORMAT. Another app.py is another
name: nothing stale is ever read (and the lesson's older file is removed).

Used by grading.phases.
"""

import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from workshop.lessons import ROOT

FORMAT = 1  # the shape of what is stored: change it when Run or Row change
FOLDER = ROOT / ".workshop" / "grader"
PACKAGES = ("flask", "prometheus_client", "requests", "werkzeug")
KEPT = {}  # {name: Run} of this process


def name(lesson):
    """The name of the lesson's reference Run as its files are now."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    for package in PACKAGES:  # where it is installed, and when: found, not imported
        spec = importlib.util.find_spec(package)
        origin = Path(spec.origin) if spec and spec.origin else None
        stamp = origin.stat().st_mtime_ns if origin and origin.exists() else None
        digest.update(f"{package} {origin} {stamp}".encode())
    for path in sorted(lesson.folder.glob("*.py")):
        if path.name != lesson.exercise.name:  # the learner's file is not the reference
            digest.update(path.name.encode() + path.read_bytes())
    return f"{lesson.name}-{digest.hexdigest()[:32]}.json"


def load(lesson, run_class, row_class):
    """The reference's Run, when one was kept for the lesson as it is now; else None."""
    key = name(lesson)
    if key in KEPT:
        return KEPT[key]
    try:
        data = json.loads((FOLDER / key).read_text(encoding="utf-8"))
        run = run_class(**{**data, "rows": [row_class(**row) for row in data["rows"]]})
    except (OSError, ValueError, TypeError, KeyError):  # none yet, or unreadable: run it
        return None
    KEPT[key] = run
    return run


def save(lesson, run):
    """Keep the reference's Run; a folder that cannot be written only costs time."""
    key = name(lesson)
    KEPT[key] = run
    try:
        FOLDER.mkdir(parents=True, exist_ok=True)
        partial = FOLDER / f"{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(asdict(run)), encoding="utf-8")
        os.replace(partial, FOLDER / key)  # whole or not at all, even with grades in parallel
        for older in FOLDER.glob(f"{lesson.name}-*.json"):
            if older.name != key:
                older.unlink(missing_ok=True)
    except OSError:
        pass
