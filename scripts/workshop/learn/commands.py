"""`dev.py learn [NN]` and `dev.py hint [NN]`: the exercise loop, and one hint.

`learn` shows your progress across the lessons (done / current / to do / not
ready), grades NN_topic/exercise.py with `scripts/check.py NN --file`, then
watches the file and grades it again on every save. Type a key, then Enter:

    h   the next hint for the first TODO that still fails (one at a time)
        Enter alone: grade again now
    n   go on to the next lesson's exercise
    q   quit (Ctrl-C quits too)

When every snippet passes, the lesson is marked done and the loop says where
the reference solution is and how to start the next lesson, then it keeps
watching: you may tidy your code (a later failing save shows its FAILs again,
the lesson stays done), or press n to go on. If stdin is not a terminal and
ends (`< /dev/null`, an IDE without a console), the keys are off and the loop
keeps watching until Ctrl-C; at a terminal, Ctrl-D quits like q.

Progress and hints shown are kept in .workshop/progress.json (git-ignored).

Used by scripts/dev.py. Standard library only, like every module of learn/.
"""

import signal
import sys

from workshop.learn.exercise_check import grade_exercise
from workshop.learn.hints import next_hint
from workshop.learn.loop import Learner, QuitRequested
from workshop.learn.progress import Progress, choose_lesson, print_progress
from workshop.lessons import all_lessons, copy_starter_if_missing, display, find_lesson
from workshop.venv_install import install


def learn(number=None):
    """`learn [NN]`: the loop on lesson NN, or where the learner left off."""
    chosen = find_lesson(number) if number is not None else None
    progress = Progress.load()
    chosen = chosen or choose_lesson(progress)
    if chosen is None:
        say_all_done(progress)
        return 0
    if not chosen.ready:
        print_progress(progress, None)
        print(f"dev.py: lesson {chosen.number} has no exercise yet (not ready).", file=sys.stderr)
        return 1
    install("requirements.txt")  # only now: a typo or a finished workshop needs no network
    interrupt_on_sigterm()
    try:
        copy_starter_if_missing(chosen)
        return Learner(chosen, progress).run()
    except QuitRequested:  # q while a grade ran: the grade and its apps are stopped
        return 0
    except KeyboardInterrupt:
        print("\nStopped. Run python3 scripts/dev.py learn to carry on.", flush=True)
        return 0


def say_all_done(progress):
    print_progress(progress, None)
    if all(lesson.ready for lesson in all_lessons()):
        print("Every exercise passes: you have done the whole workshop.")
    else:
        print("You have done every exercise there is so far; more arrive soon.")
    print("To do one again: python3 scripts/dev.py learn NN")


def hint(number=None):
    """`hint [NN]`: grade the exercise once, then show the next hint, as h in `learn` does."""
    chosen = find_lesson(number) if number is not None else None
    progress = Progress.load()
    chosen = chosen or choose_lesson(progress)
    if chosen is None or not chosen.ready:
        print(
            "dev.py: no exercise to give a hint for: python3 scripts/dev.py learn NN",
            file=sys.stderr,
        )
        return 1
    install("requirements.txt")
    copy_starter_if_missing(chosen)
    grade = grade_exercise(chosen)
    if grade.score:
        print(f"{display(chosen.exercise)}: {grade.score}.")
    else:  # it could not be graded at all: say why first
        print(grade.output.rstrip("\n"))
    print("\n".join(next_hint(chosen, grade, progress)), flush=True)
    return 0


def interrupt_on_sigterm():
    """Turn `kill` into the same clean stop as Ctrl-C: the grader then stops its app."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
