"""How long the grader takes on a lesson, end to end, as a learner runs it.

python scripts/bench_grader.py 01 [--runs 10]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHECK = Path(__file__).with_name("check.py")


def time_one_run(lesson):
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(CHECK), lesson], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_grader.py: the grader failed on {lesson}:\n{result.stdout}")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description="Time scripts/check.py on a lesson.")
    parser.add_argument("lesson", help="a lesson number such as 01")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    seconds = [time_one_run(args.lesson) for _ in range(args.runs)]
    print(
        f"check.py {args.lesson}: median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
