"""Grading a Prometheus scrape config (lesson 08): a real Prometheus runs the
learner's file, with its `kubernetes_sd_configs` reading the pods of a small
cluster from a file instead (pod_discovery), and its own `relabel_configs`;
then /api/v1/targets says which pods became targets, scraped where, with which
labels, and each of scrape_checks.CHECKS says whether that is right.

Used by scripts/check.py (for lessons of kind "scrape"); the tests call grade() directly.
"""

import json
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from workshop import processes
from workshop.grading import pod_discovery, scrape_checks
from workshop.lessons import display

INSTALL = "install it as prometheus/README.md says (Debian/Ubuntu: sudo apt install prometheus)"
LOG_ERROR = re.compile(r'\berr="((?:[^"\\]|\\.)*)"')


class ConfigRefused(Exception):
    """Prometheus would not run the config; the message is its own error."""


def grade(lesson, config_file, timeout):
    """(lines to print, whether every check passes) for one Prometheus config."""
    started = time.monotonic()
    lines = [f"{lesson.name}: grading {display(config_file)}"]
    binary = shutil.which("prometheus")
    if binary is None:
        return [*lines, f"  FAIL  prometheus is not installed: {INSTALL}"], False
    try:
        config = config_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [*lines, f"  FAIL  cannot read {display(config_file)}: {error}"], False
    try:
        targets = targets_made(binary, config, config_file, timeout)
    except (ConfigRefused, processes.ServerFailed) as error:
        return [*lines, f"  FAIL  {error}"], False
    passed = 0
    for name, check in scrape_checks.CHECKS.items():
        if name != scrape_checks.SCRAPE and not scrape_checks.scraped(targets):
            lines += [f"  FAIL  {name} (no target to check: see {scrape_checks.SCRAPE} first)"]
            continue
        summary, wrong, hint = check(targets)
        lines += verdict(name, summary, wrong, hint)
        passed += not wrong
    seconds = time.monotonic() - started
    checks = len(scrape_checks.CHECKS)
    lines.append(f"{lesson.name}: {passed}/{checks} checks pass ({seconds:.1f} s)")
    return lines, passed == checks


def verdict(name, summary, wrong, hint):
    if not wrong:
        return [f"  PASS  {name} ({summary})"]
    lines = [f"  FAIL  {name} ({len(wrong)} wrong)"]
    lines += [f"        {line}" for line in wrong]
    return [*lines, f"        hint:     {hint}"]


def targets_made(binary, config, config_file, timeout):
    """{pod name: [Target, ...]} for the pods the config turns into targets."""
    with tempfile.TemporaryDirectory(prefix="workshop-scrape-") as folder:
        folder = Path(folder)
        pods_file = folder / "pods.json"
        pod_discovery.write_targets(scrape_checks.CLUSTER, pods_file)
        text, roles = pod_discovery.with_file_discovery(config, pods_file)
        if not roles:
            raise ConfigRefused(
                "no job discovers the pods: write one with kubernetes_sd_configs, role: pod"
            )
        if set(roles) != {"pod"}:
            raise ConfigRefused(
                f"kubernetes_sd_configs with role: {', '.join(sorted(set(roles)))}: the "
                "prometheus.io/ annotations are on the pods, so discover them with role: pod"
            )
        graded = folder / "prometheus.yml"
        graded.write_text(text, encoding="utf-8")
        with prometheus_running(binary, graded, config_file) as url:
            api = processes.wait_for(lambda: every_pod_seen(url), timeout, interval=0.2)
        if api is None:
            raise ConfigRefused(f"Prometheus showed no targets within {timeout:.0f} s")
    targets = {}
    for entry in api["activeTargets"]:
        pod = entry["discoveredLabels"].get("__meta_kubernetes_pod_name")
        if pod:
            targets.setdefault(pod, []).append(scrape_checks.target(entry))
    return targets


def every_pod_seen(url):
    """The targets API's data once every pod is there, active or dropped; else None."""
    try:
        data = requests.get(f"{url}/api/v1/targets", timeout=5).json()["data"]
    except requests.RequestException:
        return None  # asked again in a moment
    seen = {
        entry["discoveredLabels"].get("__meta_kubernetes_pod_name")
        for entry in data["activeTargets"] + data["droppedTargets"]
    }
    return data if {pod.name for pod in scrape_checks.CLUSTER} <= seen else None


@contextmanager
def prometheus_running(binary, config, learner_file):
    """Prometheus with `config`, on a free port; ConfigRefused with its error when it
    will not start (the error names the learner's file, not the copy)."""

    @contextmanager
    def start(port):
        url = f"http://127.0.0.1:{port}"
        command = [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={config.parent / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=error",
        ]
        with processes.running(
            command, f"{url}/-/ready", lambda answer: answer.ok, wait=False
        ) as server:
            try:
                server.wait_until_serving()
            except processes.ServerFailed:
                refused = config_error(server.output(), config, learner_file)
                if refused:
                    raise ConfigRefused(refused) from None
                raise
            yield url

    with processes.on_free_ports(start) as url:
        yield url


def config_error(log, config, learner_file):
    """Prometheus' own words for a config it refused, or None for another failure."""
    for line in log.splitlines():
        match = LOG_ERROR.search(line)
        if match and "config" in line:
            error = json.loads(f'"{match[1]}"')  # logfmt quotes as Go does: JSON reads it
            error = error.replace(str(config), display(learner_file))
            return "Prometheus refuses the config: " + " ".join(error.split())
    return None
