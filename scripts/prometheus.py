"""Start a local Prometheus that scrapes the workshop lessons, and, when it is
installed, Alertmanager and a receiver that prints the alerts it sends.

    python scripts/prometheus.py              # UI on http://127.0.0.1:9090
    python scripts/prometheus.py --port 9091  # if 9090 is taken

They run with prometheus/prometheus.yml and prometheus/alertmanager.yml, wired to
the ports given here. Their data goes to a temporary folder that is deleted when
you press Ctrl-C, so every run starts empty. Ctrl-C, kill, closing the terminal,
even kill -9: none of them leaves a server running. Standard library only.
"""

import argparse
import os
import shutil
import signal
import socket
import sys

from workshop import left_running, prometheus_setup
from workshop.prometheus_setup import (
    HOST,
    Ports,
    alertmanager_command,
    port_number,
    prometheus_command,
    receiver_command,
)
from workshop.supervision import Supervisor, stop_signals

ALERTMANAGER_BINARIES = ("alertmanager", "prometheus-alertmanager")  # the second: Debian's name

INSTALL_HINTS = """\
prometheus is not installed (no `prometheus` command on your PATH). Install it:
  Debian/Ubuntu: sudo apt install prometheus
  macOS:         brew install prometheus
  Windows:       download the release archive from https://prometheus.io/download/,
                 unpack it and add the folder with prometheus.exe to your PATH
Lesson 08 runs it in Docker, beside lesson 06's app: see 08_containers/README.md"""
NO_ALERTMANAGER = (
    "Alertmanager is not installed, so alerts stop at Prometheus' alerts page. To have them "
    "sent on: sudo apt install prometheus-alertmanager (Debian/Ubuntu), brew install "
    "alertmanager (macOS), or the archive from https://prometheus.io/download/ (Windows)"
)
# Who else may hold a port: the Debian/Ubuntu packages start services of their own.
PACKAGE = " (the Debian/Ubuntu package runs its own {}: sudo systemctl stop {})"
SERVICES = {
    "--port": PACKAGE.format("Prometheus", "prometheus"),
    "--alertmanager-port": PACKAGE.format("Alertmanager", "prometheus-alertmanager"),
    "--receiver-port": "",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Start a local Prometheus for the workshop.")
    for flag, default in (
        ("--port", prometheus_setup.SHIPPED.prometheus),
        ("--alertmanager-port", prometheus_setup.SHIPPED.alertmanager),
        ("--receiver-port", prometheus_setup.SHIPPED.receiver),
    ):
        parser.add_argument(flag, type=port_number, default=default, help="default: %(default)s")
    args = parser.parse_args(argv)
    if len({args.port, args.alertmanager_port, args.receiver_port}) < 3:
        parser.error("--port, --alertmanager-port and --receiver-port must be different ports")
    return args


def port_is_free(port):
    with socket.socket() as probe:
        if os.name != "nt":  # ignore connections of a just-stopped server (TIME_WAIT)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def another(port, flag):
    """The port to try instead: the next one (9091), but 100 further for Alertmanager
    and the receiver, whose next ones are taken too (9094: Debian's Alertmanager
    cluster; 9095: the receiver)."""
    return port + (1 if flag == "--port" else 100)


def port_taken(port, flag):
    """The one line that says who holds the port, and what to do."""
    found = left_running.holder(port)
    if found is None:
        return (
            f"port {port} is already in use: stop the other program or use {flag} "
            f"{another(port, flag)}{SERVICES[flag]}"
        )
    what, pid, script = found
    if script:
        return (
            f"port {port} is taken by {what} of another scripts/prometheus.py (pid {script}): "
            f"stop that one with Ctrl-C in its terminal, or use {flag} {another(port, flag)}"
        )
    return (
        f"port {port} is taken by {what} left running (pid {pid}): stop it with "
        f"`kill {pid}`, or use {flag} {another(port, flag)}"
    )


def find_alertmanager():
    return next(filter(None, map(shutil.which, ALERTMANAGER_BINARIES)), None)


def print_welcome(ports, with_alertmanager):
    url = f"http://{HOST}:{ports.prometheus}"
    print(f"Prometheus UI: {url}  (what to run beside it: prometheus/README.md)")
    print(f"  Is {HOST}:5000 UP? {url}/classic/targets (Debian/Ubuntu), /targets elsewhere")
    print("  Then query page_visits_total (lesson 01) or github_lookups_total (lesson 03)")
    if with_alertmanager:
        print(
            f"Alertmanager: http://{HOST}:{ports.alertmanager}; its notifications are printed here"
        )
    them = "them all" if with_alertmanager else "it"
    print(f"Press Ctrl-C to stop {them}; the data is thrown away.", flush=True)


def stop_on_signals():
    """Turn kill and a closed terminal (SIGHUP) into the same clean stop as Ctrl-C."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in stop_signals():
        if signum != signal.SIGINT:
            signal.signal(signum, interrupt)


def run(prometheus, alertmanager, ports):
    """Run the servers until one exits, Ctrl-C, kill or SIGHUP; return the exit code."""
    with_alertmanager = alertmanager is not None
    supervisor = Supervisor(left_running.RUN_FOLDER_PREFIX)
    try:
        folder = supervisor.folder
        config, alertmanager_config = prometheus_setup.write_configs(
            folder, ports, with_alertmanager
        )
        supervisor.start(
            "Prometheus",
            prometheus_command(config, folder / "prometheus", ports.prometheus, prometheus),
        )
        if with_alertmanager:
            data = folder / "alertmanager"
            command = alertmanager_command(
                alertmanager_config, data, ports.alertmanager, alertmanager
            )
            supervisor.start("Alertmanager", command)
            supervisor.start("The alert receiver", receiver_command(ports.receiver))
        print_welcome(ports, with_alertmanager)
        name, code = supervisor.wait()
        print(f"prometheus.py: {name} exited with code {code}; stopped the others", file=sys.stderr)
        return code or 1
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()


def main(argv=None):
    args = parse_args(argv)
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        print(INSTALL_HINTS, file=sys.stderr)
        return 1
    alertmanager = find_alertmanager()
    ports = Ports(args.port, args.alertmanager_port, args.receiver_port)
    needed = [(ports.prometheus, "--port")]
    if alertmanager:
        needed += [(ports.alertmanager, "--alertmanager-port"), (ports.receiver, "--receiver-port")]
    for port, flag in needed:
        if not port_is_free(port):
            print(port_taken(port, flag), file=sys.stderr)
            return 1
    if alertmanager is None:
        print(NO_ALERTMANAGER, file=sys.stderr)
    stop_on_signals()
    try:
        return run(prometheus, alertmanager, ports)
    except KeyboardInterrupt:  # before run() could take it: the watchdog cleans up
        return 0


if __name__ == "__main__":
    sys.exit(main())
