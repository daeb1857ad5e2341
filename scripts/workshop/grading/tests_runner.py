"""Running one test file against an app and each of its mutants, every run in a
fresh process of its own (tests_one_run records how each test ended there).

A run is a folder (the app, or a mutant of it, with the lesson's other files)
and the test file to run in it. On POSIX each run is forked from this process,
which has imported pytest and the app's libraries once: a fork takes a few
milliseconds where a new Python takes a third of a second. Without fork
(Windows) each run is a new Python. Either way a run that takes longer than
the limit is killed, and a process of its own means nothing one run does (the
global registry, a monkeypatch left behind, os._exit) reaches another.

Used by grading.tests_grader, which starts it in a process group of its own:

    python -m workshop.grading.tests_runner JOB.json

JOB.json holds {"runs": {NAME: {"folder": ..., "test_file": ..., "options": [...]}},
"gate": NAME, "seconds": LIMIT, "workers": N, "preload": [MODULE, ...], "results":
PATH}; it writes {NAME: RESULT} to PATH as JSON, RESULT being {"status": "ran" |
"timed out" | "stopped" | "not run", "exit": CODE, "errors": [{"why": ..., "where":
FILE:LINE}, ...] (what stopped pytest from collecting the tests), "tests": {TEST:
{"outcome": "passed" | "failed" | "skipped", "why": ..., "where": FILE:LINE}}},
the tests in the order they ran (see run_all() for the gate).
"""

import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from contextlib import suppress
from pathlib import Path

from workshop.grading.tests_one_run import run_tests

POLL_SECONDS = 0.005


class Forked:
    """run_tests() in a child of this process (POSIX)."""

    def __init__(self, folder, test_file, result_file, options):
        sys.stdout.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the parent's loop
            code = 0
            try:
                run_tests(folder, test_file, result_file, options)
            except BaseException:
                code = 70
            os._exit(code)
        self.code = None

    def poll(self):
        if self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
        return self.code

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


class Spawned:
    """run_tests() in a new Python (where there is no fork)."""

    def __init__(self, folder, test_file, result_file, options):
        module = "workshop.grading.tests_one_run"
        command = [sys.executable, "-m", module, folder, test_file, result_file, *options]
        scripts = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            command, cwd=scripts, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def poll(self):
        return self.process.poll()

    def kill(self):
        self.process.kill()
        self.process.wait()


def run_all(runs, seconds, workers, gate=None, fork=None, parent=None):
    """{name: RESULT} for the runs {name: {"folder", "test_file", "options"}} of a job,
    `workers` at a time, each stopped after `seconds`; forked from this process where
    the system can fork, unless fork=False.

    `gate` names the run whose tests must pass for the others to mean anything: when
    it ends without a test that passed, the others are stopped or never started.
    `parent` is the pid of the grader: should it die (kill -9), the runs stop too."""
    start = Forked if (hasattr(os, "fork") if fork is None else fork) else Spawned
    gate_first = sorted(enumerate(runs.items()), key=lambda run: run[1][0] != gate)
    pending, active, results = deque(gate_first), [], {}
    with tempfile.TemporaryDirectory() as results_folder:
        while pending or active:
            # Until the gate has passed, no more runs than the first `workers`: a file
            # that fails on the correct app starts nothing more.
            gate_open = gate is None or gate in results
            while pending and len(active) < workers and (gate_open or not results):
                number, (name, run) = pending.popleft()
                result_file = Path(results_folder) / f"{number}.json"
                handle = start(run["folder"], run["test_file"], str(result_file), run["options"])
                active.append((name, handle, result_file, time.monotonic() + seconds))
            time.sleep(POLL_SECONDS)
            if parent is not None and os.getppid() != parent:
                cancel(active, pending)
                raise SystemExit("tests_runner: the grader is gone: stopped every run")
            for entry in list(active):
                result = ended(entry)
                if result is None:
                    continue
                active.remove(entry)
                results[entry[0]] = result
                if entry[0] == gate and not any_passed(result):
                    results.update(cancel(active, pending))
                    break
    return results


def ended(run):
    """The RESULT of an active run that has ended, stopped if its time is up; None
    while it goes on."""
    _, handle, result_file, deadline = run
    code = handle.poll()
    if code is None and time.monotonic() < deadline:
        return None
    if code is None:
        handle.kill()
    return read_result(result_file, code)


def cancel(active, pending):
    """Stop the runs under way, forget those not started: {name: RESULT "not run"}."""
    for _, handle, *_ in active:
        handle.kill()
    names = [name for name, *_ in active] + [name for _, (name, _) in pending]
    active.clear()
    pending.clear()
    return {name: not_run() for name in names}


def any_passed(result):
    return any(test["outcome"] == "passed" for test in result["tests"].values())


def not_run():
    return {"status": "not run", "exit": None, "errors": [], "tests": {}}


def read_result(result_file, code):
    """A run's RESULT (see the module's docstring); code None: it was killed."""
    if code is None:
        return {"status": "timed out", "exit": None, "errors": [], "tests": {}}
    try:
        return {"status": "ran", **json.loads(result_file.read_text(encoding="utf-8"))}
    except (OSError, ValueError):  # it ended before writing: os._exit(), a crash
        return {"status": "stopped", "exit": code, "errors": [], "tests": {}}


def preload(modules):
    """Import what every run needs, once, before the forks share it: pytest, its
    plugins (its own, and those other packages give it), the app's libraries. A
    module that does not import is left to the runs, which then say why."""
    from importlib.metadata import entry_points

    for module in ["pytest", *pytest_own_plugins(), *modules]:
        with suppress(Exception):  # any failure here is the run's to report
            importlib.import_module(module)
    for plugin in entry_points(group="pytest11"):
        with suppress(Exception):
            plugin.load()
    gc.freeze()  # what is loaded now is never collected: the forks do not walk it


def pytest_own_plugins():
    """The modules of pytest's own plugins, which it imports as each run starts (a
    list of pytest's insides: none, should it move)."""
    try:
        from _pytest.config import default_plugins
    except ImportError:
        return []
    return [f"_pytest.{name}" for name in default_plugins]


def main(arguments):
    job = json.loads(Path(arguments[0]).read_text(encoding="utf-8"))
    if hasattr(os, "fork"):
        preload(job["preload"])
    parent = os.getppid() if hasattr(os, "fork") else None  # Windows: no new parent to see
    results = run_all(job["runs"], job["seconds"], job["workers"], job["gate"], parent=parent)
    Path(job["results"]).write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
