"""Who holds a port that scripts/prometheus.py needs, when it is one of its own
servers: the Prometheus, Alertmanager or alert receiver of another run, still
running in another terminal, or left running with nothing to stop it (versions
before the watchdog of supervision.py left them on SIGHUP and SIGKILL).

They are known by their command lines, which prometheus_setup writes: the run
folder's name and the listen address, or the receiver's script and port.

Used by scripts/prometheus.py. Standard library only.
"""

import subprocess
from pathlib import Path

from workshop.prometheus_setup import RECEIVER, address

RUN_FOLDER_PREFIX = "workshop-prometheus-"  # the run folders, in the system's temporary folder
SCRIPT = "prometheus.py"


def holder(port):
    """(what, pid, parent pid or None) of our server listening on `port`, or None. The
    parent pid is given when it is a live scripts/prometheus.py."""
    seen = processes()
    for pid, (parent, command) in seen.items():
        what = server_on(port, command)
        if what:
            parent_command = seen.get(parent, (None, ""))[1]
            return what, pid, parent if SCRIPT in parent_command else None
    return None


def server_on(port, command):
    """What the command line is, when it is one of ours listening on `port`."""
    if RUN_FOLDER_PREFIX in command and f"--web.listen-address={address(port)}" in command:
        return "a Prometheus" if "--storage.tsdb.path=" in command else "an Alertmanager"
    if RECEIVER.name in command and f"--port {port} " in f"{command} ":
        return "an alert receiver"
    return None


def processes():
    """{pid: (parent pid, command line)} of every process this user can see: /proc on
    Linux, ps elsewhere (macOS); {} on Windows."""
    proc = Path("/proc")
    if proc.is_dir():
        return dict(filter(None, map(from_proc, proc.iterdir())))
    try:
        listing = subprocess.run(
            ["ps", "-A", "-ww", "-o", "pid=", "-o", "ppid=", "-o", "command="],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):  # Windows, or no ps
        return {}
    found = {}
    for line in listing.splitlines():
        pid, parent, command = (line.split(None, 2) + ["", ""])[:3]
        if pid.isdigit() and parent.isdigit():
            found[int(pid)] = (int(parent), command)
    return found


def from_proc(entry):
    if not entry.name.isdigit():
        return None
    try:
        argv = (entry / "cmdline").read_bytes().split(b"\0")
        parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):  # gone meanwhile, or not ours to read
        return None
    return int(entry.name), (parent, b" ".join(argv).decode(errors="replace").strip())
