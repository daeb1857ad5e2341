"""Grading a lesson's exercise.py with scripts/check.py, run in the .venv's Python,
and reading its verdicts: which snippets pass, and whether it finished.

Used by learn.loop and learn.commands (`hint`). Standard library only.
"""

import os
import re
import signal
import subprocess
from contextlib import suppress
from dataclasses import dataclass

from workshop.lessons import ROOT
from workshop.venv_install import venv_python

CHECK = ROOT / "scripts" / "check.py"
# How long an interrupted grader may take to stop its apps before it is killed: it
# stops them all at once, in well under a second.
STOP_SECONDS = 1.5
LOOK_SECONDS = 0.1  # how often a grade in progress asks whether the learner wants to stop
# The lines of check.py's output that the loop reads (see workshop/grading/__init__.py):
# "01_counters: 1/4 snippets pass", "07_testing: 3/12 mutants caught", and one per item
# graded, "  PASS  health_check_calls_total (1 lines)".
SUMMARY = re.compile(r"^\w+: (\d+/\d+ [\w ]+? (?:pass|caught))\b", re.MULTILINE)
VERDICT = re.compile(r"^  (PASS|FAIL)  (\S+)(?: \(|$)", re.MULTILINE)


@dataclass
class Grade:
    passed: bool
    output: str
    score: str  # "1/4 snippets pass" from the summary line; None without one
    verdicts: dict  # {pattern: True when it passes} for every snippet the grader compared
    finished: bool  # False: the grader itself did not end normally (see its output)


def grade_exercise(lesson, stop_when=None):
    """Grade the lesson's exercise.py with check.py, in the .venv's Python.

    stop_when(), asked every LOOK_SECONDS while it grades: when true (the learner
    pressed q), the grader is stopped, with its apps, and the result is None.
    """
    command = [str(venv_python()), str(CHECK), lesson.number, "--file", str(lesson.exercise)]
    # Its own process group: a Ctrl-C at the terminal reaches dev.py only, which then
    # asks the grader to stop, so that it stops the app it started.
    options = {"start_new_session": True}
    if os.name == "nt":
        options = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        **options,
    )
    try:
        output = wait_for_grade(process, stop_when)
    except BaseException:  # Ctrl-C or kill while grading
        stop_grader(process)
        raise
    if output is None:
        return None
    return read_grade(output.decode("utf-8", errors="replace"), process.returncode)


def wait_for_grade(process, stop_when):
    """The grader's whole output; None when stop_when() asked to stop it first."""
    while True:
        try:
            output, _ = process.communicate(timeout=LOOK_SECONDS)  # no output is lost
            return output
        except subprocess.TimeoutExpired:
            if stop_when and stop_when():
                stop_grader(process)
                return None


def read_grade(text, returncode):
    summary = SUMMARY.search(text)
    return Grade(
        passed=returncode == 0,
        output=text,
        score=summary[1] if summary else None,
        verdicts={match[2]: match[1] == "PASS" for match in VERDICT.finditer(text)},
        finished=returncode in (0, 1) and summary is not None,
    )


def stop_grader(process):
    """Interrupt the grader as Ctrl-C would: it then stops its app before it exits."""
    if process.poll() is None:
        if os.name == "nt":
            process.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait()


def kill_group(process):
    """The grader did not stop in time: kill it, and whatever else runs in its group."""
    if os.name == "nt":
        process.kill()
        return
    with suppress(ProcessLookupError, PermissionError):  # gone meanwhile
        os.killpg(process.pid, signal.SIGKILL)
