"""How long `dev.py learn` takes from a save to its verdict, as a learner sees it.

python scripts/bench/bench_learn.py [01 | prometheus] [--saves 10]

It runs the loop in a copy of the repository in a temporary folder (your own
exercise is never touched), with the copy's .venv pointing at this one, saves
the exercise again and again (the starter and the reference solution in turn),
and times each save until the loop prints that grade's summary line.
The goal: at most 1 s (issue 11 for lesson 01, issue 18 for the prometheus lesson).

tests/learn_driver.py drives the loop, here and in tests/test_dev.py.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/: the workshop package
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the learn driver

from learn_driver import LearnLoop, learning_copy
from workshop.lessons import ROOT, lesson_named


def time_saves(lesson_number, saves):
    """Seconds from each save to its verdict, in a fresh copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = learning_copy(Path(tmp))
        lesson = lesson_named(lesson_number, copy)
        versions = [lesson.reference.read_bytes(), lesson.exercise.read_bytes()]
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
    lesson = lesson_named(lesson_number)
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
    parser.add_argument(
        "lesson", nargs="?", default="01", help="a lesson number, or prometheus (default 01)"
    )
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    if args.saves < 1:
        parser.error("--saves must be 1 or more")
    for what, seconds in (
        (f"dev.py learn {args.lesson}: save to verdict", time_saves(args.lesson, args.saves)),
        (
            f"check.py {args.lesson} --file {lesson_named(args.lesson).exercise.name} alone",
            time_grader(args.lesson, args.saves),
        ),
    ):
        median, most = statistics.median(seconds), max(seconds)
        print(f"{what}: median {median:.2f} s, max {most:.2f} s over {len(seconds)} runs")


if __name__ == "__main__":
    main()
