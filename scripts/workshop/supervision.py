"""Servers that one command runs side by side, none of them outliving it: the
Prometheus, Alertmanager and alert receiver of scripts/prometheus.py.

They run in a process group of their own, not the terminal's: Ctrl-C and a
closed terminal (SIGHUP) reach only the command, which stops them all (SIGTERM,
then SIGKILL after STOP_SECONDS) and removes its run folder. A command killed
outright (SIGKILL) can do nothing of the kind, so a watchdog does it: a small
process, out of the terminal's reach, that reads a pipe from the command. The
pipe ends when the command does, however it ends; the watchdog then stops the
group and removes the run folder. Run as `python supervision.py`, this module
is that watchdog.

Used by scripts/prometheus.py. Standard library only: learners run it on its own.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

STOP_SECONDS = 10  # how long a server may take to stop before it is killed
POLL_SECONDS = 0.1
POSIX = os.name != "nt"


class Supervisor:
    """A run folder, and the servers started into one process group; stop() ends them
    all and removes the folder. The watchdog does the same if this process dies."""

    def __init__(self, prefix):
        self.servers = {}  # name -> Popen
        self.group = None  # POSIX: the servers' process group, the first server's pid
        self.watchdog = start_watchdog()
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
        self.tell_watchdog("folder", self.folder)

    def start(self, name, command):
        """Start a server; its output goes where this process' output goes."""
        options = {}
        if not POSIX:
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        elif self.group is None:
            options["process_group"] = 0  # a new group, out of the terminal's reach
        else:
            options["process_group"] = self.group
        process = popen([str(part) for part in command], stdin=subprocess.DEVNULL, **options)
        self.servers[name] = process
        if not POSIX:
            self.tell_watchdog("pid", process.pid)
        elif self.group is None:
            self.group = process.pid
            self.tell_watchdog("group", process.pid)
        return process

    def tell_watchdog(self, kind, value):
        self.watchdog.stdin.write(f"{kind} {value}\n")
        self.watchdog.stdin.flush()

    def wait(self):
        """Until one of the servers exits: (its name, its exit code)."""
        while True:
            for name, process in self.servers.items():
                if process.poll() is not None:
                    return name, process.returncode
            time.sleep(POLL_SECONDS)

    def stop(self):
        """Stop every server, remove the run folder, let the watchdog go."""
        for signum in stop_signals():  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signum, signal.SIG_IGN)
        if POSIX and self.group is not None:
            stop_group(self.group, wait=self.reaped)
        else:
            for process in self.servers.values():
                process.terminate()
            self.reaped()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.watchdog.stdin.close()  # the watchdog finds nothing left to do, and exits
        with suppress(subprocess.TimeoutExpired):  # it ends on its own
            self.watchdog.wait(timeout=STOP_SECONDS)

    def reaped(self, timeout=STOP_SECONDS):
        """Whether every server has exited within `timeout` s (waited on, so not a zombie)."""
        deadline = time.monotonic() + timeout
        for process in self.servers.values():
            try:
                process.wait(timeout=max(0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                if not POSIX:
                    process.kill()
                    process.wait()
                return False
        return True


def popen(command, process_group=None, **options):
    """subprocess.Popen with Python 3.11's process_group, in Python 3.10 too."""
    if process_group is not None:
        options["preexec_fn"] = lambda: os.setpgid(0, process_group)
    return subprocess.Popen(command, **options)


def stop_signals():
    return [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if POSIX else [])


def start_watchdog():
    """The watchdog process, in a session of its own: no Ctrl-C or SIGHUP of the
    terminal reaches it. It reads what to clean up from its stdin."""
    options = {"start_new_session": True} if POSIX else {}
    if not POSIX:
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    return subprocess.Popen(
        [sys.executable, "-I", str(Path(__file__).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        **options,
    )


def stop_group(group, wait):
    """SIGTERM to the group, and SIGKILL when wait(STOP_SECONDS) says it is still there."""
    signal_group(group, signal.SIGTERM)
    if not wait(STOP_SECONDS):
        signal_group(group, signal.SIGKILL)
        wait(STOP_SECONDS)


def signal_group(group, signum):
    with suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(group, signum)


def group_is_gone(group, timeout):
    """Whether no process of the group is left within `timeout` s. A zombie counts as
    gone: dead, only waiting for a parent (here: not us) to read its exit code."""
    deadline = time.monotonic() + timeout
    while alive_in_group(group):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def alive_in_group(group):
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path("/proc")
    if not proc.is_dir():  # macOS: orphans are reaped at once, so the group is alive
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(process_group) == group and state != "Z":
            return True
    return False


def watch(lines):
    """The watchdog: note what `lines` name ("group N", "pid N", "folder PATH") until
    they end, then stop those processes and remove those folders."""
    groups, pids, folders = [], [], []
    for line in lines:
        kind, _, value = line.rstrip("\n").partition(" ")
        if kind == "group":
            groups.append(int(value))
        elif kind == "pid":
            pids.append(int(value))
        elif kind == "folder":
            folders.append(value)
    for group in groups:
        stop_group(group, wait=lambda timeout, group=group: group_is_gone(group, timeout))
    for pid in pids:  # Windows: TerminateProcess
        with suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for signum in stop_signals():
        signal.signal(signum, signal.SIG_IGN)
    watch(sys.stdin)
