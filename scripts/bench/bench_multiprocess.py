"""Lesson 06's numbers: gunicorn workers with prometheus_client's multiprocess mode.

    python scripts/bench/bench_multiprocess.py

Starts 06_multiprocess/app.py (the real app, served by gunicorn, on free ports)
and prints:
  - start -> serving: from starting app.py to the first answer from /metrics;
  - 800 concurrent GET / with 2 workers, then 6 scrapes in a row: each must show
    the counter up by exactly 800, whichever worker answers;
  - the in-progress gauge after that load: exactly 0;
  - the time one scrape takes with 2 live workers;
  - throughput on GET /work?ms=50 with 8 concurrent clients, 1 worker and 2: one
    worker cannot answer more than its 4 threads allow (80 a second); two can,
    up to what the CPUs allow;
  - the time one scrape takes against the files of 1, 100 and 1,000 dead workers
    (copies of a live worker's files, which is what a worker that exited leaves).
Takes about half a minute. Timings vary from run to run and machine to machine.
"""

import ast
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/: the workshop package

from workshop.lesson_run import app_process, lesson_app
from workshop.lessons import lesson_named
from workshop.metrics_page import sample_values
from workshop.ports import free_port

LESSON = lesson_named("06")
HOME = ("http_requests_total", frozenset({("route", "/"), ("status", "200")}))
INPROGRESS = ("http_inprogress_requests", frozenset())
LOAD, LOAD_CLIENTS, SCRAPES = 800, 40, 6
WORK_CLIENTS, WORK_REQUESTS_EACH = 8, 20  # GET /work?ms=50


@contextmanager
def app(workers, tmp):
    """app.py with `workers` workers on a free port: (its URL, its multiprocess folder).

    TMPDIR=tmp: gunicorn_conf.py puts the folder in the temporary directory."""
    env = {"WORKERS": str(workers), "TMPDIR": str(tmp)}
    with lesson_app(LESSON, env=env) as url:
        port = url.rsplit(":", 1)[1]
        yield url, Path(tmp) / f"prometheus-multiproc-{port}"


def start_to_serving(tmp):
    """Seconds from starting app.py to its first answer from /metrics."""
    port = free_port()
    _, process = app_process(LESSON, port, env={"TMPDIR": str(tmp)})
    started = time.perf_counter()
    with process as server:
        server.wait_until_serving()
        return time.perf_counter() - started


def get_all(url, path, count, clients):
    def get(_):
        return requests.get(url + path, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(get, range(count)))
    if statuses != [200] * count:
        sys.exit(f"bench_multiprocess.py: GET {path} did not always answer 200: {set(statuses)}")


def scrape_milliseconds(url, times):
    """The median time of `times` scrapes, in milliseconds."""
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        requests.get(f"{url}/metrics", timeout=60).raise_for_status()
        seconds.append(time.perf_counter() - started)
    return 1000 * statistics.median(seconds)


def exact_counts(tmp):
    with app(2, tmp) as (url, _):
        before = sample_values(url)[HOME]
        get_all(url, "/", LOAD, LOAD_CLIENTS)
        scrapes = [sample_values(url) for _ in range(SCRAPES)]
        increases = [values[HOME] - before for values in scrapes]
        in_progress = scrapes[-1][INPROGRESS]
        live_scrape = scrape_milliseconds(url, 50)
    return increases, in_progress, live_scrape


def throughput(workers, tmp):
    """Requests per second on GET /work?ms=50, WORK_CLIENTS clients at once."""
    count = WORK_CLIENTS * WORK_REQUESTS_EACH
    with app(workers, tmp) as (url, _):
        started = time.perf_counter()
        get_all(url, "/work?ms=50", count, WORK_CLIENTS)
        return count / (time.perf_counter() - started)


def dead_worker_files(tmp):
    """[(dead workers, files in the folder, scrape milliseconds)] for 1, 100, 1,000."""
    rows = []
    with app(2, tmp) as (url, folder):
        get_all(url, "/", 100, 8)
        # A worker that exited leaves its counter and histogram files (child_exit
        # removes only its live gauge's): copy those of one live worker.
        pid = next(folder.glob("counter_*.db")).stem.split("_")[1]
        originals = [folder / f"{kind}_{pid}.db" for kind in ("counter", "histogram")]
        made = 0
        for dead in (1, 100, 1000):
            for fake_pid in range(10_000_000 + made, 10_000_000 + dead):
                for original in originals:
                    kind = original.stem.split("_")[0]
                    shutil.copyfile(original, folder / f"{kind}_{fake_pid}.db")
            made = dead
            files = len(list(folder.glob("*.db")))
            rows.append((dead, files, scrape_milliseconds(url, 20)))
    return rows


def threads_per_worker():
    """`threads = N` as gunicorn_conf.py sets it (read, not imported: importing it
    would check and make the lesson's multiprocess folder)."""
    config = ast.parse((LESSON.folder / "gunicorn_conf.py").read_text(encoding="utf-8"))
    for node in config.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if [target.id for target in targets if isinstance(target, ast.Name)] == ["threads"]:
            return ast.literal_eval(node.value)
    raise LookupError("gunicorn_conf.py sets no threads")


def show(label, value):
    print(f"{label + ':':<44}{value}", flush=True)


def main():
    if os.name == "nt":
        sys.exit("bench_multiprocess.py: gunicorn does not run on Windows: use WSL")
    print(
        f"Lesson 06 benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn {version('gunicorn')}, prometheus_client {version('prometheus_client')}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        starts = [start_to_serving(tmp) for _ in range(3)]
        median, slowest = statistics.median(starts), max(starts)
        show(
            "start -> serving, 3 starts",
            f"median {median:.2f} s, max {slowest:.2f} s (goal <= 2 s)",
        )
        increases, in_progress, live_scrape = exact_counts(tmp)
        exact = "exact" if increases == [LOAD] * SCRAPES else "NOT EXACT"
        shown = " ".join(f"+{increase:g}" for increase in increases)
        show(f"{LOAD} concurrent GET /, then {SCRAPES} scrapes", f"{shown} ({exact})")
        show("http_inprogress_requests after the load", f"{in_progress:g} (goal: exactly 0)")
        show("one scrape, 2 live workers (median of 50)", f"{live_scrape:.1f} ms (goal <= 10 ms)")
        one, two = throughput(1, tmp), throughput(2, tmp)
        print(f"GET /work?ms=50, {WORK_CLIENTS} clients x {WORK_REQUESTS_EACH} requests each:")
        threads = threads_per_worker()
        ceiling = threads * 1000 / 50  # each thread answers one request per 50 ms at best
        show("  1 worker", f"{one:.1f} requests/s (its ceiling: {threads} threads, {ceiling:g}/s)")
        show(
            "  2 workers",
            f"{two:.1f} requests/s = {two / one:.2f} x (goal: over 1 worker's ceiling)",
        )
        print()
        print("One scrape against the files of dead workers (2 files each, never merged):")
        print()
        print("| dead workers | files in the folder | one scrape (median of 20) |")
        print("|---:|---:|---:|")
        for dead, files, milliseconds in dead_worker_files(tmp):
            print(f"| {dead:,} | {files:,} | {milliseconds:.1f} ms |")


if __name__ == "__main__":
    main()
