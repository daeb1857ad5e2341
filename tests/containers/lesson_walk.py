"""Lesson 08's README, run as a learner with Podman runs it: every ```sh block in
order (but those marked `<!-- not run: ... -->`), each compared with the
```text block under it.

Each command is changed only as the README's "With Podman" says (`podman` for
`docker`, `podman-compose` for `docker compose`, `podman healthcheck run` before
asking for the health status, `down` without a Ctrl-C first) and as every README
walk does: ports 5000 and 9090 stand for free ones, and `python` is the tests'
own. A command that serves until Ctrl-C (`docker run`, `docker compose up`) runs
in the background, like a first terminal, while the next ones run in a second.
"""

import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import harness
import requests
from workshop import processes, readme_commands
from workshop.grading import snippets
from workshop.lessons import ROOT

README = ROOT / "08_containers" / "README.md"
APP, PROMETHEUS = "127.0.0.1:5000", "127.0.0.1:9090"
COMPOSE = "docker compose "
HEALTH = "docker inspect --format '{{.State.Health.Status}}' "
STOP_SECONDS = 60  # to stop: a second or two; podman-compose down, up to 12 s on a loaded machine


def readme_commands_to_run():
    """The README's commands the walk runs, each with the ```text block shown under it."""
    text = README.read_text(encoding="utf-8")
    return [command for command in readme_commands.commands(text) if not command.skipped]


@dataclass
class Walk:
    """What the learner's terminals hold: the ports, and the command now serving."""

    app_port: int
    prometheus_port: int
    log_folder: Path  # the output of each command that serves
    serving: list = field(default_factory=list)  # [(the README line, its process, its log)]

    @property
    def app_url(self):
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def prometheus_url(self):
        return f"http://127.0.0.1:{self.prometheus_port}"

    def ports(self, line):
        line = line.replace(APP, f"127.0.0.1:{self.app_port}")
        return line.replace(PROMETHEUS, f"127.0.0.1:{self.prometheus_port}")

    def run(self, line):
        """Run one README command; what it printed (nothing for one that serves)."""
        if serves(line):
            return self.serve(line)
        if line.startswith(COMPOSE):  # down: With Podman, without a Ctrl-C first
            printed = self.check(self.command(line)).stdout
            self.wait_until_up_exits()
            return printed
        if line.startswith(HEALTH):  # With Podman: run a check, as systemd's timer would
            harness.podman("healthcheck", "run", line.removeprefix(HEALTH))
        return self.check(self.command(line)).stdout

    def command(self, line):
        """The command the README's line stands for, in this walk's terminals."""
        if line.startswith("python "):
            return [sys.executable, *shlex.split(line)[1:], "--url", self.app_url]
        if line.startswith("curl "):
            return ["bash", "-c", self.ports(line)]
        words = shlex.split(self.ports(line))
        if line.startswith(COMPOSE):
            return [sys.executable, "-m", "podman_compose", *words[2:]]
        assert words[0] == "docker", line
        return ["podman", *words[1:]]

    def check(self, command):
        env = harness.environment(self.compose_ports())
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{command} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result

    def compose_ports(self):
        return {"APP_PORT": str(self.app_port), "PROMETHEUS_PORT": str(self.prometheus_port)}

    def serve(self, line):
        """Start a command that serves until Ctrl-C, and wait until it does."""
        self.stop_serving()
        log = self.log_folder / f"{len(self.serving)}.log"
        with open(log, "wb") as output:
            env = harness.environment(self.compose_ports())
            process = processes.start_process(self.command(line), output, env=env, ctrl_c=True)
        self.serving.append((line, process, log))
        urls = [f"{self.app_url}/metrics"]
        if line.startswith(COMPOSE):
            urls.append(f"{self.prometheus_url}/-/ready")
        for url in urls:  # the first start builds the image: minutes, when cold
            processes.wait_until_serving(process, url, log, lambda answer: answer.ok, timeout=300)
        return ""

    def wait_until_up_exits(self):
        """`compose up` ends by itself once `down` has removed its containers."""
        while self.serving:
            line, process, log = self.serving.pop()
            try:
                code = process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                processes.stop_process(process)
                output = log.read_text()[-2000:]
                raise AssertionError(f"{line!r} went on after down: {output}") from None
            assert code == 0, f"{line!r} exited with {code}: {log.read_text()[-2000:]}"

    def stop_serving(self):
        """Ctrl-C in the terminal of the command that serves, if one does."""
        while self.serving:
            line, process, log = self.serving.pop()
            processes.signal_group(process, signal.SIGINT)
            try:
                code = process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                processes.stop_process(process)
                raise AssertionError(
                    f"Ctrl-C did not stop {line!r}: {log.read_text()[-2000:]}"
                ) from None
            assert code in (0, 130), f"{line!r} exited with {code}: {log.read_text()[-2000:]}"


def serves(line):
    """Whether the command serves until Ctrl-C: `docker run` without -d, `compose up`."""
    words = shlex.split(line)
    if line.startswith(COMPOSE):
        return "up" in words and "-d" not in words
    return words[:2] == ["docker", "run"] and "-d" not in words


def same_output(command, shown, printed):
    if command.kind == "grep":
        return snippets.compare(shown, printed) == []
    return shown == printed


def prometheus_query(url, promql):
    answer = requests.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def promql_blocks():
    return re.findall(r"```promql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
