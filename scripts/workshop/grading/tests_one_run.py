"""One run of a test file: pytest in this process, and how each test ended,
recorded by a plugin and written to a file as JSON (the RESULT of tests_runner).

Used by grading.tests_runner, in each process it forks; where there is no fork
(Windows), each run is this module in a new Python:

    python -m workshop.grading.tests_one_run FOLDER TEST_FILE RESULT_FILE [OPTION ...]
"""

import json
import os
import re
import sys
from pathlib import Path

# Where a collection error points: 'File "/tmp/.../exercise.py", line 3' (a syntax
# error) or "exercise.py:3: in <module>" (an exception while importing it).
ERROR_PLACE = re.compile(r'([\w.-]+\.py)", line (\d+)|^([\w.-]+\.py):(\d+): in ', re.MULTILINE)
# pytest's own options for every run. Off: the plugins that only report, which
# cost more than the tests themselves (the terminal's report, read by no one here,
# and the options of pytest.ini that shape it; a garbage collection at the end of
# each run), and the cache.
PYTEST_OPTIONS = ["-p", "no:terminal", "-o", "addopts=", "-p", "no:cacheprovider"]
PYTEST_OPTIONS += ["-p", "no:unraisableexception", "-p", "no:threadexception"]
PYTEST_OPTIONS += ["-p", "no:faulthandler"]


class Recorder:
    """A pytest plugin: each test's outcome, and why the file could not be collected."""

    def __init__(self):
        self.tests = {}
        self.errors = []

    def pytest_collectreport(self, report):
        if report.failed:
            text = report.longreprtext
            places = [
                f"{match[1] or match[3]}:{match[2] or match[4]}"
                for match in ERROR_PLACE.finditer(text)
            ]
            why = last_line(text).removeprefix("E").strip()
            self.errors.append({"why": why, "where": places[-1] if places else ""})

    def pytest_runtest_logreport(self, report):
        name = report.nodeid.split("::", 1)[-1]
        test = self.tests.setdefault(name, {"outcome": "skipped", "why": "", "where": ""})
        if hasattr(report, "wasxfail") or test["outcome"] == "failed":
            return  # an expected failure proves nothing either way; a failure stays one
        if report.failed:
            test.update(outcome="failed", **why_it_failed(report))
        elif report.passed and report.when == "call":
            test["outcome"] = "passed"


def why_it_failed(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is None:
        return {"why": last_line(str(report.longrepr)), "where": ""}
    where = f"{Path(crash.path).name}:{crash.lineno}"
    return {"why": crash.message.strip().splitlines()[0], "where": where}


def last_line(text):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no reason given)"


def run_tests(folder, test_file, result_file, options=()):
    """Run pytest on test_file inside folder (pytest.ini there makes it the rootdir),
    and write what the Recorder saw to result_file."""
    os.chdir(folder)
    with open(os.devnull, "w") as nowhere:  # pytest's report is not read: the Recorder is
        os.dup2(nowhere.fileno(), 1)
        os.dup2(nowhere.fileno(), 2)
    import pytest

    recorder = Recorder()
    code = pytest.main([str(test_file), *PYTEST_OPTIONS, *options], plugins=[recorder])
    partial = Path(f"{result_file}.partial")
    partial.write_text(json.dumps({"exit": int(code), **vars(recorder)}), encoding="utf-8")
    partial.replace(result_file)


if __name__ == "__main__":
    run_tests(*sys.argv[1:4], sys.argv[4:])
