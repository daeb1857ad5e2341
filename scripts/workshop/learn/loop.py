"""The `learn` loop on one lesson at a time: grade the exercise, watch the file,
answer the keys; `n` moves it on to the next lesson.

Used by learn.commands. Standard library only.
"""

import collections
import queue
import time

from workshop.learn.exercise_check import grade_exercise
from workshop.learn.file_watch import settled, signature, snapshot
from workshop.learn.hints import failing_todos, next_hint, read_hints
from workshop.learn.keys import STDIN_ENDED, start_key_reader
from workshop.learn.lesson_done import pass_message
from workshop.learn.progress import print_progress
from workshop.lessons import copy_starter_if_missing, display, next_lesson

POLL_SECONDS = 0.1  # how often the loop looks at the exercise (a stat): grading 01 takes ~0.6 s
KEYS_HELP = "Keys, then Enter: h = hint, Enter alone = grade again, n = next lesson, q = quit."
QUIT_KEYS = ("q", "quit", "exit")


class QuitRequested(Exception):
    """The learner asked to stop while a grade ran: it has been stopped."""


class Learner:
    """The loop on one lesson at a time; `n` moves it on to the next."""

    def __init__(self, lesson, progress):
        self.progress = progress
        self.keys, self.at_terminal = start_key_reader()
        self.later = collections.deque()  # keys typed while a grade ran, for after it
        self.enter(lesson)

    def enter(self, lesson):
        self.lesson = lesson
        self.progress.set_current(lesson)
        print_progress(self.progress, lesson)
        path = display(lesson.exercise)
        print(f"Lesson {lesson.number}: write the TODOs in {path} (the README explains them).")
        print(f"Grading it now, and again each time you save it. {KEYS_HELP}", flush=True)
        self.seen = None  # the exercise's Snapshot when last looked at; None while it is missing
        self.grade = None
        self.regrade()

    def run(self):
        """Until q: 0. A q while a grade runs stops it (QuitRequested), as Ctrl-C does."""
        while True:
            if self.later:
                key = self.later.popleft()
            else:
                try:
                    key = self.keys.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    key = None
            if key is not None and self.press(key) == "quit":
                return 0
            self.look()

    def quit_pressed(self):
        """Whether q (or Ctrl-D at a terminal) was typed since; other keys wait for later."""
        while True:
            try:
                key = self.keys.get_nowait()
            except queue.Empty:
                return False
            if key in QUIT_KEYS or (key is STDIN_ENDED and self.at_terminal):
                return True
            self.later.append(key)

    def look(self):
        """Grade again when the exercise's content changed: stat first, which is cheap;
        the hash then tells a save from a mere touch."""
        last_seen = self.seen.signature if self.seen else None
        if signature(self.lesson.exercise) == last_seen:
            return  # the usual case, 10 times a second; or still missing, and said so
        current = settled(self.lesson.exercise)
        if current is None:
            if self.seen is not None:
                self.seen = None
                self.say_missing()
        elif self.seen is not None and current.digest == self.seen.digest:
            self.seen = current  # touched, not changed: nothing to grade
        else:
            reason = "saved: grading again" if self.seen else "it is back: grading again"
            self.regrade(reason, current)

    def regrade(self, reason="", current=None):
        """Grade the exercise now; `current` is its Snapshot when look() has one already."""
        self.seen = current or snapshot(self.lesson.exercise)
        if self.seen is None:
            self.say_missing()
            return
        print(f"\n--- {time.strftime('%H:%M:%S')} {reason}".rstrip(), flush=True)
        grade = grade_exercise(self.lesson, stop_when=self.quit_pressed)
        if grade is None:
            raise QuitRequested
        self.grade = grade
        print(self.grade.output.rstrip("\n"), flush=True)
        self.say_what_next()

    def say_what_next(self):
        """After the grader's own output: done and where to go on, or which TODO is next."""
        if not self.grade.finished:
            print("(the grader did not finish: its output is above)", flush=True)
        elif self.grade.passed:
            first_time = not self.progress.is_done(self.lesson)
            self.progress.mark_done(self.lesson)
            print("\n".join(pass_message(self.lesson, first_time, self.progress)), flush=True)
        else:
            failing = failing_todos(read_hints(self.lesson), self.grade)
            work_on = f" Work on {failing[0].title} next." if failing else ""
            print(f"Not yet.{work_on} {KEYS_HELP}", flush=True)

    def say_missing(self):
        print(
            f"\n{display(self.lesson.exercise)} is missing: "
            f"python3 scripts/dev.py reset {self.lesson.number} restores the starter.",
            flush=True,
        )

    def press(self, key):
        """Do what the key asks; "quit" when it asks to stop."""
        if key is STDIN_ENDED:
            if self.at_terminal:
                return "quit"  # Ctrl-D at a terminal: the usual way to say "I am done"
            print("\n(stdin ended: the keys are off; still watching. Ctrl-C quits.)", flush=True)
        elif key in QUIT_KEYS:
            return "quit"
        elif key == "":
            self.regrade("grading again")
        elif key in ("h", "hint"):
            self.show_hint()
        elif key in ("n", "next"):
            self.go_on()
        else:
            print(f"Unknown key {key!r}. {KEYS_HELP}", flush=True)
        return None

    def show_hint(self):
        if self.grade is None:
            print("Grade your file first: save it, or press Enter.", flush=True)
        else:
            print("\n" + "\n".join(next_hint(self.lesson, self.grade, self.progress)))
            print(flush=True)

    def go_on(self):
        following = next_lesson(self.lesson)
        if following is None:
            print("This is the last lesson: there is no next one.", flush=True)
        elif not following.ready:
            print(
                f"{following.name} has no exercise yet: read {following.name}/README.md "
                "meanwhile. Still watching this one.",
                flush=True,
            )
        else:
            copy_starter_if_missing(following)
            print(flush=True)
            self.enter(following)
