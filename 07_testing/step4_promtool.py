"""Lesson 07, step 4: /metrics passes promtool's checks.

`promtool check metrics`, which comes with Prometheus, reads a page of metrics
and says what breaks the naming rules: a unit that is not a base unit, a
counter without `_total` (or `_total` on anything else), a missing help text.
No output means none. Where promtool is not installed, the test says so and is
skipped.

Run:  python -m pytest 07_testing/step4_promtool.py
"""

import shutil
import subprocess

import pytest


def test_metrics_passes_promtool_check_metrics(client):
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed (it comes with Prometheus)")
    page = client.get("/metrics").text
    result = subprocess.run(
        ["promtool", "check", "metrics"], input=page, capture_output=True, text=True
    )
    assert result.stdout + result.stderr == ""
