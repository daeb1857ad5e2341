"""How long `dev.py learn` takes from a save to its verdict, as a learner sees it.

python scripts/bench_learn.py [01] [--saves 10]

It runs the loop in a copy of the repository in a temporary folder (your own
exercise is never touched), with the copy's .venv pointing at this one, saves
the exercise again and again (the starter and the reference app.py in turn),
and times each save until the loop prints that grade's summary line.
The goal (issue 11): at most 1 s for lesson 01.

tests/test_dev.py drives the loop with the same helpers.
"""

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import workshop

ROOT = workshop.ROOT
# One grade as the grader prints it, from "NN_topic: grading FILE" to "NN_topic: K/N snippets pass"
GRADE = re.compile(
    r"^(?P<lesson>\d\d_\w+): grading .*?^(?P=lesson): (?P<passing>\d+)/\d+ snippets pass.*?$",
    re.MULTILINE | re.DOTALL,
)


def copy_repository(destination, root=ROOT):
    """Copy the repository's files (tracked, or new and not ignored) into `destination`;
    without git (a zip download), everything but the virtual environment and caches."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        ignore = shutil.ignore_patterns(".git", ".venv", ".workshop", "__pycache__", ".*_cache")
        shutil.copytree(root, destination, ignore=ignore)
        return destination
    for name in listing.stdout.decode().split("\0"):
        source = root / name
        if name and source.is_file():  # a tracked file may be deleted in the work tree
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def load_dev(copy):
    """The copy's scripts/dev.py as a module: its ROOT is the copy."""
    spec = importlib.util.spec_from_file_location(f"dev_in_{id(copy)}", copy / "scripts/dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def share_venv(copy, root=ROOT):
    """Give the copy a .venv made of links to this one's, plus its own install stamp.

    The stamp lives in the copy's own .venv folder, so dev.py's install() finds the
    requirements installed without ever running pip or writing into this .venv.
    """
    venv = copy / ".venv"
    venv.mkdir()
    for entry in (root / ".venv").iterdir():
        if not entry.name.startswith("installed-"):
            (venv / entry.name).symlink_to(entry, entry.is_dir())
    dev = load_dev(copy)
    dev.stamp("requirements.txt").write_text(dev.requirements_hash())
    assert dev.is_installed("requirements.txt")
    return copy


def learning_copy(destination):
    """A copy of the repository where `dev.py learn` runs without installing anything."""
    return share_venv(copy_repository(destination))


class LearnLoop:
    """`python3 scripts/dev.py learn LESSON` running in `copy`, its keys sent through a pipe."""

    def __init__(self, copy, lesson="01", stdin=subprocess.PIPE, command=None):
        self.copy = copy
        self.log = copy / "learn-output.log"
        command = command or [sys.executable, copy / "scripts" / "dev.py", "learn", lesson]
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=copy,
                stdin=stdin,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=workshop.environment(),
                **self.own_group(),
            )

    @staticmethod
    def own_group():
        if os.name == "nt":
            return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        # SIGINT's default, even when the suite was started with it ignored: tests send Ctrl-C.
        return {"start_new_session": True, "preexec_fn": workshop.default_sigint}

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def mark(self):
        """Where the output is now: verdict_after() looks only at what comes after."""
        return len(self.output())

    def wait_for(self, condition, timeout, what):
        """Wait until condition(output) is true; AssertionError with the output if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if condition(text):
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError(f"{what}: not within {timeout} s. Output:\n{self.output()}")

    def verdict_after(self, mark, passing=None, timeout=30):
        """The first grade printed after `mark`, from the grader's first line to its
        summary line; with `passing`, the first one where that many snippets pass."""

        def found(text):
            for grade in GRADE.finditer(text, mark):
                if passing is None or grade["passing"] == str(passing):
                    return grade[0]
            return None

        wanted = "a grade" if passing is None else f"a grade where {passing} snippets pass"
        return found(self.wait_for(found, timeout, wanted))

    def press(self, key):
        self.process.stdin.write(f"{key}\n".encode())
        self.process.stdin.flush()

    def stop(self):
        workshop.stop_process(self.process)
        if self.process.stdin:
            self.process.stdin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def time_saves(lesson_number, saves):
    """Seconds from each save to its verdict, in a fresh copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = learning_copy(Path(tmp))
        lesson = workshop.find_lesson(lesson_number, copy)
        versions = [lesson.app.read_bytes(), lesson.exercise.read_bytes()]
        seconds = []
        with LearnLoop(copy, lesson.number) as loop:
            loop.verdict_after(0)
            for save in range(saves):
                mark, started = loop.mark(), time.perf_counter()
                lesson.exercise.write_bytes(versions[save % 2])
                loop.verdict_after(mark)
                seconds.append(time.perf_counter() - started)
                time.sleep(0.3)  # a learner does not save twice within one poll
            loop.press("q")
            loop.process.wait(timeout=10)
        return seconds


def time_grader(lesson_number, runs):
    """Seconds `check.py NN --file exercise.py` takes alone: what the loop cannot go under."""
    lesson = workshop.find_lesson(lesson_number)
    command = [
        sys.executable,
        ROOT / "scripts" / "check.py",
        lesson.number,
        "--file",
        lesson.exercise,
    ]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - started)
    return seconds


def main():
    parser = argparse.ArgumentParser(description="Time dev.py learn from a save to its verdict.")
    parser.add_argument("lesson", nargs="?", default="01", help="a lesson number (default 01)")
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    if args.saves < 1:
        parser.error("--saves must be 1 or more")
    for what, seconds in (
        (f"dev.py learn {args.lesson}: save to verdict", time_saves(args.lesson, args.saves)),
        (f"check.py {args.lesson} --file exercise.py alone", time_grader(args.lesson, args.saves)),
    ):
        median, most = statistics.median(seconds), max(seconds)
        print(f"{what}: median {median:.2f} s, max {most:.2f} s over {len(seconds)} runs")


if __name__ == "__main__":
    main()
