"""The learner's progress through the lessons (done, hints shown), kept in
.workshop/progress.json, and where they left off.

Used by learn.commands, learn.loop and learn.reset. Standard library only.
"""

import json
import os

from workshop.lessons import ROOT, all_lessons, display

PROGRESS_FILE = ROOT / ".workshop" / "progress.json"


class Progress:
    """The learner's progress, in .workshop/progress.json (git-ignored):

    {"current": "01", "lessons": {"01": {"done": true, "hints_shown": {"1": 2}}}}
    """

    def __init__(self, path, data):
        self.path = path
        self.data = data

    @classmethod
    def load(cls, path=PROGRESS_FILE):
        """The progress saved in `path`; none yet, or unreadable, is a fresh start."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            print(f"dev.py: cannot read {path.name} ({error}): starting afresh", flush=True)
            data = {}
        if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict):
            data = {"lessons": {}}
        return cls(path, data)

    def save(self):
        self.path.parent.mkdir(exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.data, indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(partial, self.path)  # all or nothing, even when interrupted

    def entry(self, lesson):
        """The lesson's own part of the data, repaired if the file was edited by hand."""
        entry = self.data["lessons"].setdefault(lesson.number, {})
        if not isinstance(entry, dict):
            entry = self.data["lessons"][lesson.number] = {}
        if not isinstance(entry.get("hints_shown"), dict):
            entry["hints_shown"] = {}
        return entry

    def is_done(self, lesson):
        return self.entry(lesson).get("done") is True

    def mark_done(self, lesson):
        self.entry(lesson)["done"] = True
        self.save()

    @property
    def current(self):
        return self.data.get("current")

    def set_current(self, lesson):
        self.data["current"] = lesson.number
        self.save()

    def hints_shown(self, lesson, todo):
        count = self.entry(lesson)["hints_shown"].get(str(todo), 0)
        return count if isinstance(count, int) else 0

    def count_hint(self, lesson, todo):
        self.entry(lesson)["hints_shown"][str(todo)] = self.hints_shown(lesson, todo) + 1
        self.save()

    def forget_hints(self, lesson):
        self.entry(lesson)["hints_shown"] = {}
        self.save()


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
