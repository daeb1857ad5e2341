"""Start a local Prometheus that scrapes the workshop lessons.

    python scripts/prometheus.py              # UI on http://127.0.0.1:9090
    python scripts/prometheus.py --port 9091  # if 9090 is taken

Its data goes to a temporary folder that is deleted when you press Ctrl-C,
so every run starts empty. Prometheus stops with this script however it ends:
Ctrl-C, kill, closing the terminal, or even kill -9 (a watchdog process sees it
go). Standard library only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "prometheus" / "prometheus.yml"
HOST = "127.0.0.1"  # not "localhost": on macOS that can reach the AirPlay Receiver
DEFAULT_PORT = 9090
DATA_PREFIX = "workshop-prometheus-"  # its data folder's name: tempfile adds the rest
WATCH = "--watch"  # how this script starts itself as the watchdog (see watch())
STOPPED = b"stopped"  # what the script tells its watchdog when it has stopped Prometheus

INSTALL_HINTS = """\
prometheus is not installed (no `prometheus` command on your PATH). Install it:
  Debian/Ubuntu: sudo apt install prometheus
  macOS:         brew install prometheus
  Windows:       download the release archive from https://prometheus.io/download/,
                 unpack it and add the folder with prometheus.exe to your PATH
Or run it in Docker instead: docker compose -f prometheus/compose.yaml up"""


def port_number(text):
    """argparse type= for --port: a TCP port a server can listen on, 1 to 65535."""
    # Digits 0-9 only: int() would also take " 80", "+80" and other scripts' digits.
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Start a local Prometheus for the workshop.")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="default: %(default)s"
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="default: %(default)s")
    return parser.parse_args(argv)


def port_is_free(port):
    with socket.socket() as probe:
        if os.name != "nt":  # ignore connections of a just-stopped Prometheus (TIME_WAIT)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def build_command(config, data_dir, port, binary="prometheus"):
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={data_dir}",
        f"--web.listen-address={HOST}:{port}",
        "--log.level=error",  # only errors: the startup chatter would hide the address below
    ]


def print_welcome(port):
    url = f"http://{HOST}:{port}"
    print(f"Prometheus UI: {url}  (what to run beside it: prometheus/README.md)")
    print(f"  Is {HOST}:5000 UP? {url}/classic/targets (Debian/Ubuntu), /targets elsewhere")
    print("  Then query page_visits_total (lesson 01) or github_lookups_total (lesson 03)")
    print("Press Ctrl-C to stop; the data is thrown away.")


def port_taken(port):
    """What to say when the port is taken: by a Prometheus this script started and lost
    (its data folder is one of ours), or by another program."""
    data_path = data_path_of_prometheus_on(port)
    if data_path is None or not Path(data_path).name.startswith(DATA_PREFIX):
        return (
            f"port {port} is already in use: stop the other program or use "
            f"--port {port + 1} (the Debian/Ubuntu package runs its own Prometheus: "
            "sudo systemctl stop prometheus)"
        )
    pid = pid_of_prometheus_with(data_path)
    stop = f"stop it (kill {pid})" if pid else "stop it"
    return (
        f"port {port} is taken by a Prometheus left running (pid {pid or 'unknown'}): "
        f"{stop}, delete its data folder {data_path}, then start this again"
    )


def data_path_of_prometheus_on(port):
    """The data folder of the Prometheus answering on port, or None if none answers there."""
    url = f"http://{HOST}:{port}/api/v1/status/flags"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.load(answer)["data"]["storage.tsdb.path"]
    except (OSError, ValueError, KeyError, TypeError):  # not Prometheus, or not answering
        return None


def pid_of_prometheus_with(data_path):
    """The pid of the process started with --storage.tsdb.path=data_path, or None (no ps)."""
    try:
        listing = subprocess.run(
            ["ps", "-A", "-ww", "-o", "pid=,args="], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):  # Windows has no ps
        return None
    for line in listing.splitlines():
        pid, _, args = line.strip().partition(" ")
        if f"--storage.tsdb.path={data_path}" in args.split():
            return int(pid)
    return None


def stop_on_signals():
    """Turn `kill` and a closed terminal (SIGHUP) into the same clean stop as Ctrl-C,
    so Prometheus is not left behind. (Prometheus itself takes SIGHUP as "reload".)"""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, interrupt)


def run(command, data_dir):
    """Run Prometheus until it exits, Ctrl-C or kill; return the exit code."""
    process = subprocess.Popen(command)
    watchdog = start_watchdog(process.pid, data_dir)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        # The terminal sends Ctrl-C to Prometheus too; terminate() covers the other cases.
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        watchdog.communicate(STOPPED)  # nothing left for it to do: it exits


def start_watchdog(pid, data_dir):
    """This script again, as watch(): it stops Prometheus if this process dies first."""
    command = [sys.executable, str(Path(__file__).resolve()), WATCH, str(pid), data_dir]
    return subprocess.Popen(command, stdin=subprocess.PIPE)


def watch(pid, data_dir):
    """The watchdog: wait until prometheus.py ends; unless it said it stopped
    Prometheus (kill -9 gives it no chance), stop Prometheus and delete its data.

    Its stdin is a pipe from prometheus.py, which the system closes when that
    process ends, however it ends. It ignores Ctrl-C and a closed terminal, which
    reach it too: prometheus.py handles those itself.
    """
    for name in ("SIGINT", "SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if sys.stdin.buffer.read() == STOPPED:
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):  # up to 10 s for it to write its data and exit
            time.sleep(0.1)
            os.kill(pid, 0)  # ProcessLookupError once it is gone
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows: SIGTERM kills
    except OSError:  # gone (ProcessLookupError on Linux and macOS)
        pass
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def main(argv=None):
    args = parse_args(argv)
    binary = shutil.which("prometheus")
    if binary is None:
        print(INSTALL_HINTS, file=sys.stderr)
        return 1
    if not args.config.is_file():
        print(f"no config file at {args.config}", file=sys.stderr)
        return 1
    if not port_is_free(args.port):
        print(port_taken(args.port), file=sys.stderr)
        return 1
    stop_on_signals()
    data_dir = tempfile.mkdtemp(prefix=DATA_PREFIX)
    try:
        print_welcome(args.port)
        return run(build_command(args.config, data_dir, args.port, binary), data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == [WATCH]:
        sys.exit(watch(int(sys.argv[2]), sys.argv[3]))
    sys.exit(main())
