"""The Prometheus setup: config, rules and their unit tests, and scripts/prometheus.py."""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_binary
from workshop import lesson_run, ports, processes

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_DIR = ROOT / "prometheus"
CONFIGS = [PROMETHEUS_DIR / "prometheus.yml"]
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
SCRIPT = ROOT / "scripts" / "prometheus.py"


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def names(pattern, paths):
    return {name for path in paths for name in re.findall(pattern, path.read_text())}


def test_files_exist():
    assert RULE_FILES and RULE_TESTS, "prometheus/rules/ and prometheus/tests/ must not be empty"


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.name)
def test_config_is_valid(config):
    result = run([require_binary("promtool"), "check", "config", str(config)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rules", RULE_FILES, ids=lambda path: path.name)
def test_rule_file_is_valid(rules):
    result = run([require_binary("promtool"), "check", "rules", str(rules)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rule_test", RULE_TESTS, ids=lambda path: path.name)
def test_rule_unit_tests_pass(rule_test):
    result = run([require_binary("promtool"), "test", "rules", str(rule_test)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_recording_rule_has_a_unit_test():
    recorded = names(r"- record: (\S+)", RULE_FILES)
    tested = names(r"- expr: (\S+)\n", RULE_TESTS)
    assert recorded, "no recording rules found"
    assert recorded <= tested, f"no promql_expr_test for {sorted(recorded - tested)}"


def test_every_alert_is_tested_firing_and_not_firing():
    alerts = names(r"- alert: (\S+)", RULE_FILES)
    firing = names(r"alertname: (\S+)\n\s+exp_alerts:\n", RULE_TESTS)
    quiet = names(r"alertname: (\S+)\n\s+exp_alerts: \[\]", RULE_TESTS)
    assert alerts, "no alerting rules found"
    assert alerts <= firing, f"never tested firing: {sorted(alerts - firing)}"
    assert alerts <= quiet, f"never tested not firing: {sorted(alerts - quiet)}"


def test_recording_rule_names_follow_level_metric_operations():
    """level:metric:operations, and no _total left on a counter after rate()
    (https://prometheus.io/docs/practices/rules/)."""
    for name in names(r"- record: (\S+)", RULE_FILES):
        level, metric, operations = name.split(":")
        assert level and metric and operations, name
        assert not metric.endswith("_total"), f"{name}: drop _total after rate()"


def test_alerts_use_recorded_series_that_exist():
    """promtool accepts an alert on a recorded name nobody records; a rename would
    silence the alert for good."""
    recorded = names(r"- record: (\S+)", RULE_FILES)
    used = names(r"expr: .*?([a-z_]+:[a-z_0-9]+:[a-z_0-9]+)", RULE_FILES)
    assert used, "no alert on a recorded series"
    assert used <= recorded, f"never recorded: {sorted(used - recorded)}"


def test_every_alert_has_severity_summary_and_description():
    for rules in RULE_FILES:
        for alert in re.split(r"\n\s+- alert: ", rules.read_text())[1:]:
            for field in ("severity:", "summary:", "description:"):
                assert field in alert, f"{rules.name}: alert {alert.split()[0]} lacks {field}"


def test_script_explains_how_to_install_prometheus(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no prometheus on PATH
    result = run([sys.executable, str(SCRIPT)], env=env)
    assert result.returncode == 1
    for hint in (
        "sudo apt install prometheus",
        "brew install prometheus",
        "https://prometheus.io/download",
        "08_containers/README.md",
    ):
        assert hint in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_script_says_when_the_port_is_taken():
    require_binary("prometheus")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run([sys.executable, str(SCRIPT), "--port", str(port)])
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"port {port} is already in use: stop the other program or use --port {port + 1} "
        "(the Debian/Ubuntu package runs its own Prometheus: sudo systemctl stop prometheus)"
    ]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.skipif(os.name == "nt", reason="sends POSIX signals")
@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"], ids=["ctrl-c", "kill"])
def test_script_starts_prometheus_and_cleans_up_when_stopped(tmp_path, stop):
    require_binary("prometheus")
    port = ports.free_port()
    data = tmp_path / "tmp"  # where mkdtemp puts the data folder
    data.mkdir()
    log = tmp_path / "prometheus.log"
    command = [sys.executable, SCRIPT, "--port", port]
    with open(log, "wb") as output:
        # ctrl_c: SIGINT's default even when the suite runs from a shell that ignores it
        process = processes.start_process(command, output, {"TMPDIR": str(data)}, ctrl_c=True)
    try:
        ready = f"http://127.0.0.1:{port}/-/ready"
        processes.wait_until_serving(process, ready, log, lambda answer: answer.ok, timeout=30)
        assert list(data.glob("workshop-prometheus-*")), "no data folder in TMPDIR"
        process.send_signal(getattr(signal, stop))
        assert process.wait(timeout=20) == 0, log.read_text()
        # The stopped Prometheus may take a moment to exit.
        gone = processes.wait_for(lambda: processes.group_is_gone(process.pid), 10, interval=0.1)
        assert gone, "Prometheus was left running"
    finally:
        processes.stop_process(process)  # anything left if the script failed
    printed = log.read_text()
    assert f"http://127.0.0.1:{port}" in printed
    assert "Traceback" not in printed
    assert list(data.iterdir()) == [], "the data folder was not removed"


# --- --port: 1 to 65535 only, with argparse's usual message (issue 9) ----------


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "0", "abc", "1.5", " 80", "+80"])
def test_script_refuses_a_port_outside_1_to_65535(tmp_path, port):
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # a data folder, if one were made, goes here
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", port],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so that a Prometheus started by mistake is stopped too
    )
    try:
        stdout, stderr = process.communicate(timeout=20)
    finally:
        processes.stop_process(process)
    assert (process.returncode, stdout) == (2, ""), stdout + stderr
    assert stderr.splitlines() == [
        "usage: prometheus.py [-h] [--port PORT] [--config CONFIG]",
        f"prometheus.py: error: argument --port: {port!r} is not a port number from 1 to 65535",
    ]


def test_script_accepts_ports_1_to_65535():
    script = lesson_run.load_module(SCRIPT)
    for port in (1, 9090, 65535):
        assert script.parse_args(["--port", str(port)]).port == port
    assert script.parse_args([]).port == 9090
