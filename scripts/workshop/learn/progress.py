"""The learner's progress through the lessons (done, hints shown), kept in
.workshop/progress.json, and where they left off.

Every change reads the file again first, then saves it whole: `dev.py reset`
run beside a running `dev.py learn` is not undone by the loop's next save. A
file that cannot be read is kept aside as progress.json.broken-<time>, never
overwritten; a file or folder in the way stops the command with one line.

Used by learn.commands, learn.loop and learn.reset. Standard library only.
"""

import json
import os
import tempfile
import time

from workshop.lessons import ROOT, UsageError, all_lessons, display

PROGRESS_FILE = ROOT / ".workshop" / "progress.json"


class ProgressError(UsageError):
    """The progress cannot be read or saved where it lives: one line, and the fix."""


class Progress:
    """The learner's progress, in .workshop/progress.json (git-ignored):

    {"current": "01", "lessons": {"01": {"done": true, "hints_shown": {"1": 2}}}}
    """

    def __init__(self, path, data):
        self.path = path
        self.data = data

    @classmethod
    def load(cls, path=PROGRESS_FILE):
        """The progress saved in `path`; none yet is a fresh start."""
        return cls(path, read(path))

    def change(self, edit):
        """Read the file again, edit(data), save it: changes made meanwhile by another
        command stay."""
        self.data = read(self.path)
        edit(self.data)
        write(self.path, self.data)

    def entry(self, lesson, data=None):
        """The lesson's own part of the data, repaired if the file was edited by hand."""
        lessons = (self.data if data is None else data)["lessons"]
        entry = lessons.get(lesson.number)
        if not isinstance(entry, dict):
            entry = lessons[lesson.number] = {}
        if not isinstance(entry.get("hints_shown"), dict):
            entry["hints_shown"] = {}
        return entry

    def is_done(self, lesson):
        self.data = read(self.path)
        return self.entry(lesson).get("done") is True

    def mark_done(self, lesson):
        self.change(lambda data: self.entry(lesson, data).update(done=True))

    @property
    def current(self):
        return self.data.get("current")

    def set_current(self, lesson):
        self.change(lambda data: data.update(current=lesson.number))

    def hints_shown(self, lesson, todo):
        """How many hints of the TODO the learner has seen: a whole number, 0 or more."""
        self.data = read(self.path)
        return shown_count(self.entry(lesson)["hints_shown"].get(str(todo)))

    def count_hint(self, lesson, todo):
        def add_one(data):
            shown = self.entry(lesson, data)["hints_shown"]
            shown[str(todo)] = shown_count(shown.get(str(todo))) + 1

        self.change(add_one)

    def forget_hints(self, lesson):
        self.change(lambda data: self.entry(lesson, data).update(hints_shown={}))


def shown_count(value):
    """A hint count from the file: a whole number, 0 or more; anything else (-1, "2",
    true, 1.5, edited by hand) counts as none seen."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return 0


def read(path):
    """The data saved in `path`, {"lessons": {}} when there is none yet."""
    check_place(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"lessons": {}}
    except UnicodeDecodeError as error:
        return keep_aside(path, f"not UTF-8 text ({error.reason})")
    except OSError as error:
        raise ProgressError(f"cannot read {display(path)}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        return keep_aside(path, f"not valid JSON: {error}")
    if not isinstance(data, dict) or not isinstance(data.get("lessons", {}), dict):
        return keep_aside(path, 'not {"lessons": {...}}')
    data.setdefault("lessons", {})
    return data


def keep_aside(path, problem):
    """Move an unreadable progress file aside, say so, and start afresh."""
    aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    number = 1
    while aside.exists():
        number += 1
        aside = aside.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}-{number}")
    try:
        os.replace(path, aside)
    except OSError as error:
        raise ProgressError(f"cannot move {display(path)} aside: {error.strerror}") from None
    print(
        f"dev.py: {display(path)} was {problem}; kept it as {display(aside)} "
        "and started your progress afresh.",
        flush=True,
    )
    return {"lessons": {}}


def write(path, data):
    """Save data in path, all or nothing, even when interrupted."""
    check_place(path)
    partial = None
    try:
        path.parent.mkdir(exist_ok=True)
        # A file of its own, then a rename: another command saving at the same time
        # never writes into this one's half-written file.
        handle, partial = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(partial, path)
    except OSError as error:
        if partial and os.path.exists(partial):
            os.unlink(partial)
        message = f"cannot save your progress in {display(path)}: {error.strerror}"
        raise ProgressError(message) from None


def check_place(path):
    """ProgressError, with the fix, when a file or folder is in the progress file's way."""
    if path.parent.exists() and not path.parent.is_dir():
        raise ProgressError(
            f"{display(path.parent)} is a file, but the workshop keeps your progress in a "
            "folder of that name: rename or remove the file, then run this again"
        )
    if path.is_dir():
        raise ProgressError(
            f"{display(path)} is a folder, but your progress is saved in a file of that "
            "name: rename or remove the folder, then run this again"
        )


def choose_lesson(progress):
    """Where the learner left off: the current lesson, else the first one not done."""
    lessons = {lesson.number: lesson for lesson in all_lessons()}
    current = lessons.get(progress.current)
    if current and current.ready and not progress.is_done(current):
        return current
    for lesson in lessons.values():
        if lesson.ready and not progress.is_done(lesson):
            return lesson
    return None


def status(progress, lesson, current):
    if not lesson.ready:
        return "not ready"
    if lesson == current:
        return "current"
    return "done" if progress.is_done(lesson) else "to do"


def print_progress(progress, current):
    """One line per lesson: done, current, to do or not ready."""
    print(f"Your progress ({display(progress.path)}):")
    for lesson in all_lessons():
        state = status(progress, lesson, current)
        note = " (done before)" if state == "current" and progress.is_done(lesson) else ""
        note = " (no exercise yet)" if state == "not ready" else note
        print(f"  {state:<10} {lesson.name}{note}")
    print(flush=True)
