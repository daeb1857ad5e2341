"""Ctrl-C and `kill` while a command runs servers: every process started is
registered, and a signal sends each its stop signal at once, before the command
unwinds and waits for each to exit. A signal that arrives while a process is
being started waits until it is registered, so that none is missed; once a
command is stopping, no process starts any more.

Used by processes (start_process registers, stop_process forgets) and by
scripts/check.py (stop_on_signals). Standard library only.
"""

import os
import signal
import threading
from contextlib import suppress

RUNNING = set()  # the processes started and not stopped yet
STOPPING = threading.Event()  # set once Ctrl-C or kill has arrived
STARTING = threading.local()  # .now: this thread is between fork and registration
PENDING = []  # a signal that arrived while the main thread was starting a process


class Starting:
    """The block that starts a process and registers it: a signal waits for its end."""

    def __enter__(self):
        if STOPPING.is_set():
            raise KeyboardInterrupt  # stopping: start nothing new, in any thread
        STARTING.now = True

    def __exit__(self, *exc_info):
        STARTING.now = False
        if PENDING and threading.current_thread() is threading.main_thread():
            PENDING.clear()
            stop_all()
            raise KeyboardInterrupt


def register(process, stop_signal):
    process.stop_signal = stop_signal
    RUNNING.add(process)


def forget(process):
    RUNNING.discard(process)


def stop_all(processes=None):
    """Send each process (every one running, by default) its stop signal, waiting for
    none: so that several stop at once; each is then waited for as its block ends."""
    for process in list(RUNNING if processes is None else processes):
        send_stop(process, process.stop_signal)


def send_stop(process, signum):
    if os.name == "nt":
        process.terminate()
        return
    with suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signum)


def stop_on_signals():
    """Ctrl-C and kill: every process gets its stop signal at once, then
    KeyboardInterrupt unwinds the command, which waits for each. A second signal
    meanwhile changes nothing."""

    def interrupt(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        STOPPING.set()
        if getattr(STARTING, "now", False):  # Starting.__exit__ raises it once registered
            PENDING.append(signum)
            return
        stop_all()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def running_ones():
    """The processes still registered: those a command that stops waits for last."""
    return list(RUNNING)
