"""The prometheus lesson's alerting, all of it running: the GitHub stand-in,
lesson 03, Prometheus with the repository's rules, Alertmanager and the alert
receiver, each on a free port, started with the commands and the wired configs
of scripts/prometheus.py (prometheus_setup). At one of two paces:

- the README's: the shipped configs and rules as they are;
- fast, for the tests: scrapes and evaluations every second, Alertmanager's
  group_wait and group_interval of 1 s, and every `for` of the rules in seconds
  instead of minutes (2m -> 2s), at least 3 s: one scrape slower than its 1 s
  timeout on a busy machine must not fire TargetDown.

Either way TargetDown watches the app's free port instead of 5000, and
Alertmanager logs at debug level: its "flushing" lines tell when it decided a
group's notification.

Used by alert_walk (capture.py) and the tests.
"""

import re
import shutil
import subprocess
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import requests

from workshop import lesson_run, prometheus_setup
from workshop.lessons import lesson_named
from workshop.ports import free_port
from workshop.processes import running, serving, wait_for
from workshop.prometheus_setup import Ports, address, replace_once

LESSON = "03"
RULES = prometheus_setup.PROMETHEUS_CONFIG.parent / "rules"
FAST_PROMETHEUS = {"scrape_interval: 5s": "scrape_interval: 1s"}
FAST_PROMETHEUS["evaluation_interval: 5s"] = "evaluation_interval: 1s"
FAST_ALERTMANAGER = {
    "group_wait: 10s": "group_wait: 1s",
    "group_interval: 30s": "group_interval: 1s",
}
FOR_IN_MINUTES = re.compile(r"^(\s+for: )(\d+)m$", re.MULTILINE)
LESSON_TARGETS = '"127.0.0.1:5000", "127.0.0.1:5001"'
TARGET_DOWN_PORT = 'instance=~".+:5000"'
BINARIES = {"prometheus": ("prometheus",), "amtool": ("amtool",)}
BINARIES["alertmanager"] = ("alertmanager", "prometheus-alertmanager")


class MissingTool(RuntimeError):
    """A binary the stack needs is not installed; the message names it."""


def seconds_for_minutes(found):
    """A FOR_IN_MINUTES match's `for: Nm` as `for: Ns`, N at least 3."""
    return f"{found[1]}{max(int(found[2]), 3)}s"


def binary(name):
    found = next(filter(None, map(shutil.which, BINARIES[name])), None)
    if found is None:
        raise MissingTool(f"{name} is not installed")
    return found


class AlertStack:
    """Everything started on entering, stopped on leaving; the app can be stopped
    and started again on its port (stop_app, start_app)."""

    def __init__(self, folder, fast):
        self.folder, self.fast = Path(folder), fast
        self.lesson = lesson_named(LESSON)
        self.ports = Ports(free_port(), free_port(), free_port())
        self.app_port, self.stand_in_port = free_port(), free_port()
        self.stack = ExitStack()
        self.app = None  # the ExitStack of the running app
        self.servers = {}

    # --- the URLs -------------------------------------------------------------

    def url(self, port):
        return f"http://{address(port)}"

    @property
    def app_url(self):
        return self.url(self.app_port)

    @property
    def prometheus_url(self):
        return self.url(self.ports.prometheus)

    @property
    def alertmanager_url(self):
        return self.url(self.ports.alertmanager)

    def readme_ports(self, text):
        """`text` with the ports of the README (5000 for the app, 9093 for Alertmanager...)."""
        for port, shipped in (
            (self.app_port, 5000),
            (self.ports.prometheus, prometheus_setup.SHIPPED.prometheus),
            (self.ports.alertmanager, prometheus_setup.SHIPPED.alertmanager),
            (self.ports.receiver, prometheus_setup.SHIPPED.receiver),
        ):
            text = text.replace(address(port), address(shipped))
        return text

    def our_ports(self, text):
        """The other way round: a README command with this stack's ports."""
        return text.replace(
            address(prometheus_setup.SHIPPED.alertmanager), address(self.ports.alertmanager)
        )

    # --- starting and stopping ----------------------------------------------------

    def __enter__(self):
        config, alertmanager_config = self.write_configs()
        prometheus = prometheus_setup.prometheus_command(
            config, self.folder / "prometheus", self.ports.prometheus, binary("prometheus")
        )
        alertmanager = prometheus_setup.alertmanager_command(
            alertmanager_config,
            self.folder / "alertmanager",
            self.ports.alertmanager,
            binary("alertmanager"),
            log_level="debug",
        )
        receiver = prometheus_setup.receiver_command(self.ports.receiver)
        started = [
            lesson_run.stand_in_process(self.stand_in_port),
            ("Prometheus", server(prometheus, self.prometheus_url + "/-/ready")),
            ("Alertmanager", server(alertmanager, self.alertmanager_url + "/-/ready")),
            ("the alert receiver", server(receiver, self.url(self.ports.receiver) + "/alerts")),
        ]
        try:
            servers = self.stack.enter_context(serving(started))
            names = ("stand-in", "prometheus", "alertmanager", "receiver")
            self.servers = dict(zip(names, servers, strict=True))
            self.start_app()
        except BaseException:
            self.stack.close()
            raise
        return self

    def __exit__(self, *exc):
        self.stop_app()
        self.stack.close()

    def start_app(self):
        self.app = ExitStack()
        stand_in = self.url(self.stand_in_port)
        process = lesson_run.app_process(self.lesson, self.app_port, github_url=stand_in)
        self.app.enter_context(serving([process]))

    def stop_app(self):
        if self.app:
            self.app.close()
            self.app = None

    def write_configs(self):
        """This run's rules and configs, derived from the shipped ones, in its folder."""
        rules = self.folder / "rules"
        rules.mkdir(parents=True)
        down = 0
        for path in sorted(RULES.glob("*.yml")):
            text = path.read_text(encoding="utf-8")
            if TARGET_DOWN_PORT in text:
                text = text.replace(TARGET_DOWN_PORT, f'instance=~".+:{self.app_port}"')
                down += 1
            if self.fast:
                text = FOR_IN_MINUTES.sub(seconds_for_minutes, text)
            (rules / path.name).write_text(text, encoding="utf-8")
        if down != 1:
            raise prometheus_setup.ConfigChanged(f"{TARGET_DOWN_PORT} in {down} rule files, not 1")
        text = prometheus_setup.PROMETHEUS_CONFIG.read_text(encoding="utf-8")
        text = prometheus_setup.prometheus_config(self.ports, text=text, folder=self.folder)
        changes = {LESSON_TARGETS: f'"{address(self.app_port)}"'}
        changes.update(FAST_PROMETHEUS if self.fast else {})
        alertmanager = prometheus_setup.alertmanager_config(self.ports)
        for old, new in changes.items():
            text = replace_once(text, old, new, "prometheus.yml")
        for old, new in (FAST_ALERTMANAGER if self.fast else {}).items():
            alertmanager = replace_once(alertmanager, old, new, "alertmanager.yml")
        paths = self.folder / "prometheus.yml", self.folder / "alertmanager.yml"
        paths[0].write_text(text, encoding="utf-8")
        paths[1].write_text(alertmanager, encoding="utf-8")
        return paths

    # --- asking them ----------------------------------------------------------------

    def notifications(self):
        """[(received at, a Unix time; the notification)] in the order they came."""
        answer = requests.get(self.url(self.ports.receiver) + "/alerts", timeout=10).json()
        return [(iso_time(kept["receivedAt"]), kept["notification"]) for kept in answer]

    def receiver_blocks(self):
        """What the receiver printed, one block per notification, in the same order."""
        text = self.servers["receiver"].output()
        return [block + "\n" for block in text.split("\n\n") if block.strip()]

    def alertmanager_log(self):
        return self.servers["alertmanager"].output()

    def query(self, promql):
        answer = requests.get(
            self.prometheus_url + "/api/v1/query", params={"query": promql}, timeout=10
        )
        return answer.json()["data"]["result"]

    def wait_for_scrape(self, after, timeout):
        """A successful scrape of the app that started after `after` (a Unix time)."""
        up = f'up{{job="workshop", instance="{address(self.app_port)}"}}'

        promql = f"timestamp({up}) > {after} and {up} == 1"
        wait_until(lambda: self.query(promql), timeout, "a scrape of the app by Prometheus")

    def send_traffic(self, times):
        for _ in range(times):
            lesson_run.send_traffic(self.lesson, self.app_url)

    def shell(self, command):
        """A README command line, with this stack's ports, run by bash as in a learner's shell."""
        result = subprocess.run(
            ["bash", "-c", self.our_ports(command)], capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed: {result.stdout}{result.stderr}")
        return result.stdout


def server(command, ready_url):
    return running(command, ready_url, lambda answer: answer.ok, wait=False)


def iso_time(text):
    return datetime.fromisoformat(text).timestamp()


def wait_until(condition, timeout, what):
    """condition()'s first true value within `timeout` s; TimeoutError naming `what` if none."""
    value = wait_for(condition, timeout, interval=0.2)
    if not value:
        raise TimeoutError(f"{what}: not within {timeout:g} s")
    return value
