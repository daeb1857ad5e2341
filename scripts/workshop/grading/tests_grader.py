"""Grading a test file (lesson 07) by the bugs it catches: the learner's tests run
against the lesson's correct app, where they must all pass, then against each
mutant of it (the bugs of its mutants.py, one at a time), each of which one of
them must fail. Every run is a fresh process (tests_runner), at most RUN_SECONDS.

Used by scripts/check.py (for lessons of kind "tests"); the tests call grade() directly.
"""

import ast
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workshop.grading import tests_mutants, tests_verdicts
from workshop.lessons import ROOT, display
from workshop.processes import start_process, stop_process

CORRECT = "the correct app"  # the name of the run on the lesson's own app.py
RUN_SECONDS = 10  # how long the tests may take on one app, at most
SUPPORT_SUFFIXES = (".py", ".ini")  # the lesson's files each run gets a copy of
RUNNER = "workshop.grading.tests_runner"


def grade(lesson, test_file, timeout):
    """(lines to print, whether every mutant is caught by tests that pass on the app)."""
    lines, passed, _ = grade_in_full(lesson, test_file, timeout)
    return lines, passed


def grade_in_full(lesson, test_file, timeout):
    """grade(), and the runner's RESULT of each run, {app name: RESULT} ({} when
    nothing ran): how every test ended on the correct app and on each mutant."""
    started = time.monotonic()
    lines = [f"{lesson.name}: grading {display(test_file)}"]
    if not test_file.is_file():
        return [*lines, f"  FAIL  there is no {display(test_file)}"], False, {}
    try:
        mutants = tests_mutants.read_mutants(lesson)
        source = lesson.app.read_text(encoding="utf-8")
        apps = {CORRECT: source}
        apps.update((mutant.name, tests_mutants.planted(source, mutant)) for mutant in mutants)
    except tests_mutants.BrokenMutant as error:
        return [*lines, f"  FAIL  the grader cannot plant its bugs: {error}"], False, {}
    seconds = min(timeout, RUN_SECONDS)
    with tempfile.TemporaryDirectory(prefix="workshop-mutants-") as folder:
        results = run_everywhere(lesson, test_file, apps, Path(folder), seconds)
    source = test_file.read_text(encoding="utf-8", errors="replace")
    verdicts = tests_verdicts.verdicts(
        results[CORRECT], results, mutants, display(test_file), seconds, source
    )
    took = time.monotonic() - started
    summary = f"{lesson.name}: {verdicts.caught}/{len(mutants)} mutants caught ({took:.1f} s)"
    passed = verdicts.caught == len(mutants) and not verdicts.trouble
    return [*lines, *verdicts.lines, summary], passed, results


def run_everywhere(lesson, test_file, apps, folder, seconds):
    """{app name: the runner's RESULT} of test_file on each of `apps` {name: source}."""
    runs, name = write_runs(lesson, test_file, apps, folder)
    results = run_job(folder, runs, seconds, preloads(lesson))
    for result in results.values():
        for failure in [*result["tests"].values(), *result["errors"]]:
            if failure["where"].startswith(f"{name}:"):  # a line of the learner's own file
                failure["where"] = display(test_file) + failure["where"][len(name) :]
    return results


def write_runs(lesson, test_file, apps, folder):
    """A folder for each app, with the lesson's support files and a copy of test_file:
    ({app name: the run, as tests_runner takes it}, the name of that copy)."""
    support = support_files(lesson)
    name = test_file.name
    if name in {path.name for path in support}:  # it would hide the lesson's own module
        name = "test_yours.py"
    runs = {}
    for number, (app_name, source) in enumerate(apps.items()):
        run_folder = folder / str(number)
        run_folder.mkdir()
        for path in support:
            shutil.copyfile(path, run_folder / path.name)
        (run_folder / lesson.app.name).write_text(source, encoding="utf-8")
        shutil.copyfile(test_file, run_folder / name)
        # Only the correct app's failures are shown: plain asserts are enough elsewhere.
        options = [] if app_name == CORRECT else ["--assert=plain"]
        runs[app_name] = {"folder": str(run_folder), "test_file": name, "options": options}
    return runs, name


def support_files(lesson):
    """The lesson's files each run needs: app.py, the modules and fixtures of its
    tests, pytest.ini; not its own tests (the reference, the exercise, the steps)."""
    lesson_tests = {lesson.exercise, lesson.reference}
    return [
        path
        for path in sorted(lesson.folder.iterdir())
        if path.is_file()
        and path.suffix in SUPPORT_SUFFIXES
        and path not in lesson_tests
        and not path.name.startswith("step")
    ]


def preloads(lesson):
    """The modules that the app, the fixtures and the lesson's own tests import from
    elsewhere (flask, ...): the runner imports them once, before it forks."""
    local = {path.stem for path in support_files(lesson)}
    found = set()
    for path in (lesson.app, lesson.folder / "conftest.py", lesson.reference):
        if path.is_file():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module)
    return sorted(module for module in found if module.split(".")[0] not in local)


def parallel_runs():
    """How many runs go at once: one per core, at least two."""
    return max(os.cpu_count() or 1, 2)


def run_job(folder, runs, seconds, preload):
    """Run the runs with tests_runner in a process group of its own, stopped with
    every process it started however this ends (Ctrl-C included)."""
    workers = parallel_runs()
    job = {"runs": runs, "gate": CORRECT, "seconds": seconds, "workers": workers}
    job["preload"] = preload
    job["results"] = str(folder / "results.json")
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    # The runs end on their own, each within `seconds`: this is only a backstop.
    backstop = seconds * (math.ceil(len(runs) / workers) + 1) + 30
    with open(folder / "runner.log", "wb") as log:
        command = [sys.executable, "-m", RUNNER, folder / "job.json"]
        # The grader chooses pytest's options: none from the environment.
        runner = start_process(command, log, {"PYTEST_ADDOPTS": None}, cwd=ROOT / "scripts")
        try:
            runner.wait(timeout=backstop)
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop_process(runner)
    try:
        return json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        output = (folder / "runner.log").read_text(errors="replace").strip()
        raise RuntimeError(f"the test runner failed: {output[-300:] or 'no output'}") from None
