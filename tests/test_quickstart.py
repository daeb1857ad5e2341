"""The README's quick start, run exactly as written, as a learner would."""

import re
import subprocess
import sys

import pytest
from conftest import require_binary
from learn_driver import LearnLoop, learning_copy
from workshop import lessons, metrics_page, processes

README = (lessons.ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README[README.index("## Quick start") : README.index("### Windows")]
LEARN_COMMAND, START_COMMAND, LEARNER_COMMANDS, TEST_COMMAND = re.findall(
    r"```sh\n(.*?)```", QUICK_START, re.S
)
POSIX_SHELL = pytest.mark.skipif(sys.platform == "win32", reason="the commands are POSIX shell")


@POSIX_SHELL
def test_the_learn_command_grades_lesson_01_and_offers_hints(tmp_path):
    """The loop a learner lives in, run as written, in a copy of the repository
    (it writes the learner's progress, and the copy's exercise is the one graded)."""
    copy = learning_copy(tmp_path)
    assert LEARN_COMMAND.strip() == "python3 scripts/dev.py learn"
    with LearnLoop(copy, command=["bash", "-c", f"exec {LEARN_COMMAND.strip()}"]) as loop:
        first = loop.verdict_after(0)
        assert first.startswith("01_counters: grading 01_counters/exercise.py")
        assert "  FAIL  page_visits_total" in first and "hint:" in first
        mark = loop.mark()
        loop.press("h")
        loop.wait_for(lambda text: "TODO 1" in text[mark:], 10, "the first hint")
        loop.press("q")
        assert loop.process.wait(timeout=10) == 0
    assert "Traceback" not in loop.output()


@pytest.fixture
def started_as_in_the_readme(port_5000):
    """`python3 scripts/dev.py start 01`, as written, until the test ends."""
    command = ["bash", "-c", f"exec {START_COMMAND.strip()}"]
    url = f"http://127.0.0.1:{port_5000}/metrics"
    with processes.running(command, url, metrics_page.is_prometheus_text) as app:
        app.wait_until_serving(timeout=300)  # a fresh machine installs the packages first
        yield


@POSIX_SHELL
def test_the_start_and_learner_commands_work_as_written(started_as_in_the_readme):
    require_binary("curl", package="curl")
    result = subprocess.run(
        ["bash", "-ec", LEARNER_COMMANDS],
        cwd=lessons.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'page_visits_total{page="home"} 3.0' in result.stdout
    assert re.search(r"^01_counters: (\d+)/\1 snippets pass", result.stdout, re.M)


def test_the_start_command_starts_lesson_01():
    assert START_COMMAND.strip() == "python3 scripts/dev.py start 01"


def test_the_test_command_is_the_one_ci_runs():
    ci_script = (lessons.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND.strip() in ci_script.splitlines()
