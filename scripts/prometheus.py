"""Start a local Prometheus that scrapes the workshop lessons.

    python scripts/prometheus.py              # UI on http://127.0.0.1:9090
    python scripts/prometheus.py --port 9091  # if 9090 is taken

Its data goes to a temporary folder that is deleted when you press Ctrl-C,
so every run starts empty. Standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "prometheus" / "prometheus.yml"
HOST = "127.0.0.1"  # not "localhost": on macOS that can reach the AirPlay Receiver
DEFAULT_PORT = 9090

INSTALL_HINTS = """\
prometheus is not installed (no `prometheus` command on your PATH). Install it:
  Debian/Ubuntu: sudo apt install prometheus
  macOS:         brew install prometheus
  Windows:       download the release archive from https://prometheus.io/download/,
                 unpack it and add the folder with prometheus.exe to your PATH
Lesson 08 runs it in Docker, beside lesson 06's app: see 08_containers/README.md"""


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


def stop_on_sigterm():
    """Turn `kill` into the same clean stop as Ctrl-C, so Prometheus is not left behind."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def run(command):
    """Run Prometheus until it exits, Ctrl-C or kill; return the exit code."""
    process = subprocess.Popen(command)
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
        print(
            f"port {args.port} is already in use: stop the other program or use "
            f"--port {args.port + 1} (the Debian/Ubuntu package runs its own Prometheus: "
            "sudo systemctl stop prometheus)",
            file=sys.stderr,
        )
        return 1
    stop_on_sigterm()
    data_dir = tempfile.mkdtemp(prefix="workshop-prometheus-")
    try:
        print_welcome(args.port)
        return run(build_command(args.config, data_dir, args.port, binary))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
