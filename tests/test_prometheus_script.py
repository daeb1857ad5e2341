"""scripts/prometheus.py, as a learner runs it: Prometheus, Alertmanager and the
alert receiver started together, and none of them left running however the
script ends (Ctrl-C, kill, a closed terminal, kill -9: issue 22 item 7); a
port someone holds, said in one line that names who; Alertmanager missing.

The processes of one run are found by a marker in their environment, which
every child inherits (Linux: /proc), wherever their process group is.
"""

import dataclasses
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests

if os.name != "nt":
    import fcntl
    import pty
    import termios
from conftest import processes_carrying, require_binary
from workshop import lesson_run, ports, processes, prometheus_setup
from workshop.prometheus_setup import Ports

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "prometheus.py"
MARKER = "WORKSHOP_PROMETHEUS_SCRIPT_TEST"
GONE_SECONDS = 20  # for every process of a run to exit: SIGTERM, and up to 10 s for SIGKILL
LINUX = Path("/proc/self/environ").exists()
linux_only = pytest.mark.skipif(not LINUX, reason="finds the run's processes in /proc")


def run(command, **kwargs):
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=60, **kwargs
    )


def free_ports():
    return Ports(ports.free_port(), ports.free_port(), ports.free_port())


def port_flags(run_ports):
    return [
        "--port",
        run_ports.prometheus,
        "--alertmanager-port",
        run_ports.alertmanager,
        "--receiver-port",
        run_ports.receiver,
    ]


def require_alertmanager():
    if not any(map(shutil.which, ("alertmanager", "prometheus-alertmanager"))):
        require_binary("prometheus-alertmanager", package="prometheus-alertmanager")


class Run:
    """One run of the script in a session of its own, its output in a log."""

    def __init__(self, tmp_path, run_ports, env=None, terminal=False):
        self.ports, self.marker = run_ports, uuid.uuid4().hex
        self.temporary = tmp_path / "tmp"  # where mkdtemp puts the run folder
        self.temporary.mkdir(exist_ok=True)
        self.log = tmp_path / "output.log"
        env = {"TMPDIR": str(self.temporary), MARKER: self.marker, **(env or {})}
        command = [sys.executable, SCRIPT, *port_flags(run_ports)]
        self.terminal = Terminal(command, env, self.log) if terminal else None
        if terminal:
            self.process = self.terminal.process
        else:
            with open(self.log, "wb") as output:
                # ctrl_c: SIGINT's default even when the suite runs from a shell that ignores it
                self.process = processes.start_process(command, output, env, ctrl_c=True)

    def wait_until_serving(self, with_alertmanager=True):
        urls = [f"http://127.0.0.1:{self.ports.prometheus}/-/ready"]
        if with_alertmanager:
            urls.append(f"http://127.0.0.1:{self.ports.alertmanager}/-/ready")
            urls.append(f"http://127.0.0.1:{self.ports.receiver}/alerts")
        for url in urls:
            processes.wait_until_serving(self.process, url, self.log, lambda a: a.ok, timeout=30)

    def alive(self):
        return processes_carrying(MARKER, self.marker)

    def output(self):
        return self.log.read_text(errors="replace")

    def clean_up(self):
        """Whatever a failed test left: every process of the run, killed."""
        if self.terminal:
            self.terminal.close()
        for pid in self.alive():
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


class Terminal:
    """A pseudo-terminal the script runs in, as in a terminal window: the script
    leads its session, and the terminal is its controlling terminal. close() is
    closing the window: the kernel hangs the terminal up (SIGHUP)."""

    def __init__(self, command, env, log):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [str(part) for part in command],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=processes.environment(env),
            preexec_fn=become_terminal_session,
        )
        os.close(slave)
        self.log, self.reading = log, True
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        with open(self.log, "ab") as output:
            while self.reading:
                if select.select([self.master], [], [], 0.1)[0]:
                    try:
                        chunk = os.read(self.master, 4096)
                    except OSError:  # the terminal is gone: the script and all have exited
                        return
                    if not chunk:
                        return
                    output.write(chunk)
                    output.flush()

    def close(self):
        if self.reading:
            self.reading = False
            self.reader.join(timeout=5)
            os.close(self.master)


def become_terminal_session():
    """In the child: a session of its own, with the terminal as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --- stopping ------------------------------------------------------------------------

STOPS = {
    "ctrl-c": lambda run: os.killpg(run.process.pid, signal.SIGINT),  # the terminal's group
    "kill": lambda run: run.process.send_signal(signal.SIGTERM),
    "hangup": lambda run: os.killpg(run.process.pid, signal.SIGHUP),
    "terminal closed": lambda run: run.terminal.close(),
    "kill -9": lambda run: run.process.kill(),
}


@linux_only
@pytest.mark.parametrize("stop", STOPS)
def test_no_server_outlives_the_script_however_it_ends(tmp_path, stop):
    require_binary("prometheus")
    require_alertmanager()
    run = Run(tmp_path, free_ports(), terminal=stop == "terminal closed")
    try:
        run.wait_until_serving()
        assert list(run.temporary.glob("workshop-prometheus-*")), "no run folder in TMPDIR"
        before = run.alive()
        assert len(before) == 5, f"the script, its watchdog and 3 servers, not {before}"
        STOPS[stop](run)
        code = run.process.wait(timeout=GONE_SECONDS)
        left = processes.wait_for(lambda: not run.alive(), GONE_SECONDS, interval=0.1)
        assert left, f"left running: {run.alive()}"
    finally:
        run.clean_up()
    assert code == (-signal.SIGKILL if stop == "kill -9" else 0), run.output()
    assert [port for port in dataclasses.astuple(run.ports) if not port_is_free(port)] == []
    assert list(run.temporary.iterdir()) == [], "the run folder was not removed"
    printed = run.output()
    assert f"Alertmanager: http://127.0.0.1:{run.ports.alertmanager}" in printed
    assert "Traceback" not in printed


@linux_only
def test_when_a_server_exits_the_others_are_stopped_and_the_script_says_which(tmp_path):
    binaries = tmp_path / "bin"
    binaries.mkdir()
    (binaries / "prometheus").symlink_to(require_binary("prometheus"))
    broken = binaries / "alertmanager"
    broken.write_text("#!/bin/sh\necho 'alertmanager: cannot start' >&2\nexit 3\n")
    broken.chmod(0o755)
    run = Run(tmp_path, free_ports(), env={"PATH": str(binaries)})
    try:
        code = run.process.wait(timeout=GONE_SECONDS)
        assert processes.wait_for(lambda: not run.alive(), GONE_SECONDS, interval=0.1)
    finally:
        run.clean_up()
    assert code == 3
    assert "prometheus.py: Alertmanager exited with code 3; stopped the others" in run.output()
    assert list(run.temporary.iterdir()) == []


@linux_only
def test_without_alertmanager_it_says_how_to_install_it_and_runs_prometheus_alone(tmp_path):
    binaries = tmp_path / "bin"
    binaries.mkdir()
    (binaries / "prometheus").symlink_to(require_binary("prometheus"))
    run = Run(tmp_path, free_ports(), env={"PATH": str(binaries)})
    try:
        run.wait_until_serving(with_alertmanager=False)
        config = requests.get(
            f"http://127.0.0.1:{run.ports.prometheus}/api/v1/status/config", timeout=10
        ).json()["data"]["yaml"]
        assert len(run.alive()) == 3, "the script, its watchdog and Prometheus"
        os.killpg(run.process.pid, signal.SIGINT)
        assert run.process.wait(timeout=GONE_SECONDS) == 0
    finally:
        run.clean_up()
    assert "static_configs" in config and f"127.0.0.1:{run.ports.alertmanager}" not in config
    printed = run.output()
    [line] = [line for line in printed.splitlines() if "Alertmanager" in line]
    assert line.startswith("Alertmanager is not installed, so alerts stop at Prometheus'")
    assert (
        "sudo apt install prometheus-alertmanager" in line and "brew install alertmanager" in line
    )
    assert "Press Ctrl-C to stop it;" in printed


def test_without_prometheus_it_says_how_to_install_it(tmp_path):
    result = run([sys.executable, SCRIPT], env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 1
    for hint in (
        "sudo apt install prometheus",
        "brew install prometheus",
        "https://prometheus.io/download",
        "08_containers/README.md",
    ):
        assert hint in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# --- a port someone holds ---------------------------------------------------------


@contextmanager
def port_held():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize(
    "server, flag, step, package",
    [
        ("prometheus", "--port", 1, "Prometheus: sudo systemctl stop prometheus"),
        (
            "alertmanager",
            "--alertmanager-port",
            100,  # 9094 is the Debian service's cluster port
            "Alertmanager: sudo systemctl stop prometheus-alertmanager",
        ),
    ],
)
def test_a_port_in_use_is_one_line_naming_the_debian_service(server, flag, step, package):
    require_binary("prometheus")
    require_alertmanager()
    with port_held() as port:
        run_ports = dataclasses.replace(free_ports(), **{server: port})
        result = run([sys.executable, SCRIPT, *port_flags(run_ports)])
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"port {port} is already in use: stop the other program or use {flag} {port + step} "
        f"(the Debian/Ubuntu package runs its own {package})"
    ]


@linux_only
def test_a_prometheus_left_running_is_named_with_its_pid(tmp_path):
    """As an earlier version left it on SIGHUP or SIGKILL: its parent is not the script."""
    binary = require_binary("prometheus")
    run_ports = free_ports()
    folder = tmp_path / "workshop-prometheus-left"
    folder.mkdir()
    config, _ = prometheus_setup.write_configs(folder, run_ports, with_alertmanager=False)
    command = prometheus_setup.prometheus_command(
        config, folder / "prometheus", run_ports.prometheus, binary
    )
    ready = f"http://127.0.0.1:{run_ports.prometheus}/-/ready"
    with processes.running(command, ready, lambda answer: answer.ok) as left:
        result = run([sys.executable, SCRIPT, *port_flags(run_ports)])
        pid, port = left.process.pid, run_ports.prometheus
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"port {port} is taken by a Prometheus left running (pid {pid}): "
        f"stop it with `kill {pid}`, or use --port {port + 1}"
    ]


@linux_only
def test_a_port_of_another_run_of_the_script_names_that_run(tmp_path):
    require_binary("prometheus")
    require_alertmanager()
    first = Run(tmp_path, free_ports())
    try:
        first.wait_until_serving()
        for server, flag in (("prometheus", "--port"), ("receiver", "--receiver-port")):
            taken = getattr(first.ports, server)
            second = dataclasses.replace(free_ports(), **{server: taken})
            result = run([sys.executable, SCRIPT, *port_flags(second)])
            what = "a Prometheus" if server == "prometheus" else "an alert receiver"
            assert result.returncode == 1
            assert result.stderr.splitlines() == [
                f"port {taken} is taken by {what} of another scripts/prometheus.py "
                f"(pid {first.process.pid}): stop that one with Ctrl-C in its terminal, "
                f"or use {flag} {taken + (1 if flag == '--port' else 100)}"
            ]
        os.killpg(first.process.pid, signal.SIGINT)
        first.process.wait(timeout=GONE_SECONDS)
    finally:
        first.clean_up()


# --- the command line --------------------------------------------------------------


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "0", "abc", "1.5", " 80", "+80"])
def test_a_port_outside_1_to_65535_is_refused(tmp_path, port):
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # a run folder, if one were made, goes here
    result = run([sys.executable, SCRIPT, "--port", port], env=env)
    assert (result.returncode, result.stdout) == (2, ""), result.stdout + result.stderr
    assert result.stderr.startswith("usage: prometheus.py [-h] [--port PORT]")
    assert result.stderr.splitlines()[-1] == (
        f"prometheus.py: error: argument --port: {port!r} is not a port number from 1 to 65535"
    )
    assert list(tmp_path.iterdir()) == []


def test_three_different_ports_are_needed():
    result = run([sys.executable, SCRIPT, "--port", "9095"])
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "prometheus.py: error: --port, --alertmanager-port and --receiver-port must be "
        "different ports"
    )


def test_ports_1_to_65535_are_accepted():
    script = lesson_run.load_module(SCRIPT)
    for port in (1, 9090, 65535):
        assert script.parse_args(["--port", str(port)]).port == port
    defaults = script.parse_args([])
    assert (defaults.port, defaults.alertmanager_port, defaults.receiver_port) == (9090, 9093, 9095)


@pytest.mark.parametrize("script", [SCRIPT, SCRIPT.with_name("alert_receiver.py")], ids=str)
def test_it_imports_only_the_standard_library(script):
    """Learners run it on its own, before or without the workshop's .venv: -S leaves
    site-packages (requests and the rest) out."""
    result = run([sys.executable, "-S", script, "--help"])
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout
