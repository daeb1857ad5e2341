"""How long the grader takes, end to end, as a learner runs it.

    python scripts/bench/bench_grader.py            every lesson, 5 runs each
    python scripts/bench/bench_grader.py 03 --runs 10

For each lesson it times `python scripts/check.py NN` (its reference: app.py,
prometheus/solution.yml, 07's test_app.py, ...) and, where the lesson has an
exercise, `check.py NN --file exercise` on a copy of its pristine starter (which
fails everything: the grader still runs it all), as the learn loop grades it.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import resource  # POSIX: the CPU time of the grader and of every process it started
except ImportError:
    resource = None

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/: the workshop package

from workshop.lessons import ROOT, all_lessons, lesson_named

CHECK = ROOT / "scripts" / "check.py"


def children_cpu_seconds():
    if resource is None:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_one_run(arguments, should_pass):
    """(seconds it took, CPU seconds it used: what a machine with no other work would
    spread over its cores)."""
    started, cpu = time.perf_counter(), children_cpu_seconds()
    result = subprocess.run([sys.executable, CHECK, *arguments], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if (result.returncode == 0) != should_pass:
        verdict = "pass" if should_pass else "fail"
        command = " ".join(map(str, arguments))
        sys.exit(f"bench_grader.py: check.py {command} did not {verdict}:\n{result.stdout}")
    return seconds, children_cpu_seconds() - cpu


def bench(label, arguments, should_pass, runs):
    seconds, cpu = zip(*(time_one_run(arguments, should_pass) for _ in range(runs)), strict=True)
    print(
        f"{label:<48} median {statistics.median(seconds):.2f} s   max {max(seconds):.2f} s"
        f"   CPU {statistics.median(cpu):.2f} s   ({runs} runs)",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description="Time scripts/check.py on the lessons.")
    parser.add_argument("lesson", nargs="?", help="a lesson number such as 01 (default: all)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lessons = [lesson_named(args.lesson)] if args.lesson else all_lessons()
    lessons = [lesson for lesson in lessons if lesson.ready]  # one without an exercise yet
    for lesson in lessons:
        bench(f"check.py {lesson.number}", [lesson.number], True, args.runs)
        if lesson.starter.is_file():
            with tempfile.TemporaryDirectory() as tmp:
                exercise = Path(tmp) / lesson.exercise.name
                shutil.copyfile(lesson.starter, exercise)
                bench(
                    f"check.py {lesson.number} --file (its starter)",
                    [lesson.number, "--file", exercise],
                    False,
                    args.runs,
                )


if __name__ == "__main__":
    main()
