"""The code a learner reads is ruff clean, formatted and lint-free."""

import subprocess
import sys

from workshop import lessons


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=lessons.ROOT, capture_output=True, text=True
    )


def test_ruff_finds_nothing():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_changes_nothing():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout
