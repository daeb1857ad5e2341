"""The README's quick start, run exactly as written (on port 5000, as a learner would)."""

import os
import re
import signal
import subprocess
import sys

import pytest
import workshop
from conftest import require_binary

README = (workshop.ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README[README.index("## Quick start") : README.index("### Windows")]
START_COMMAND, LEARNER_COMMANDS, TEST_COMMAND = re.findall(r"```sh\n(.*?)```", QUICK_START, re.S)


@pytest.fixture
def started_as_in_the_readme(tmp_path, port_5000):
    log = tmp_path / "start.log"
    app = subprocess.Popen(
        ["bash", "-c", f"exec {START_COMMAND.strip()}"],
        cwd=workshop.ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the whole group can be stopped below
    )
    try:
        url = "http://127.0.0.1:5000/metrics"
        workshop.wait_until_serving(app, url, log, workshop.is_prometheus_text, timeout=300)
        yield
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=10)


@pytest.mark.skipif(sys.platform == "win32", reason="the quick start's commands are POSIX shell")
def test_quick_start_commands_work_as_written(started_as_in_the_readme):
    require_binary("curl", package="curl")
    result = subprocess.run(
        ["bash", "-ec", LEARNER_COMMANDS],
        cwd=workshop.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "home_page_visits_total 3.0" in result.stdout
    assert re.search(r"^01_counters: (\d+)/\1 snippets pass", result.stdout, re.M)


def test_the_test_command_is_the_one_ci_runs():
    ci_script = (workshop.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND.strip() in ci_script.splitlines()
