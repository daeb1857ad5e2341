"""Real processes: started in a process group of their own, stopped with every
child they started, waited on until they serve; several servers at once on
free ports. Standard library, plus requests once a server is waited on: the
grader can start an app before it imports anything heavy.

Used by lesson_run, readme_walk, and the tests (Prometheus, gunicorn, dev.py).
"""

import os
import signal
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from workshop import interrupts
from workshop.app_output import last_error, what_it_printed
from workshop.interrupts import send_stop
from workshop.lessons import ROOT
from workshop.ports import free_port

STOP_SECONDS = 5  # how long a stopped process may take to exit before it is killed


class ServerFailed(RuntimeError):
    """A server process did not come up: the message says why in one line, and
    `details` holds the lines that show it (the app's error, its last lines)."""

    def __init__(self, message, details=()):
        super().__init__(message)
        self.message, self.details = message, list(details)

    def __str__(self):
        return "".join([self.message, *(f"\n    {line}" for line in self.details)])

    def prefixed(self, words):
        return ServerFailed(f"{words} {self.message}", self.details)


def default_sigint():
    """Run in the child before exec: undo an inherited "ignore Ctrl-C". A shell without
    job control (`cmd &`, many CI runners) starts its children with SIGINT ignored, and a
    test that sends Ctrl-C could then not stop the app (no KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_process(command, output, env=None, cwd=ROOT, ctrl_c=False, stdin=subprocess.DEVNULL):
    """Start `command` in a process group of its own, its output going to the open file `output`.

    Its own group, so that stop_process() reaches its children too (gunicorn
    workers, a shell's commands). ctrl_c=True: the test will send it SIGINT.
    stdin=subprocess.PIPE: the caller types into it (the learn loop's keys).
    """
    options = {}
    if os.name == "nt":
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
        if ctrl_c:
            options["preexec_fn"] = default_sigint
    with interrupts.Starting():  # Ctrl-C now waits until the process is registered
        process = subprocess.Popen(
            [str(part) for part in command],
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=stdin,
            env=environment(env),
            **options,
        )
        interrupts.register(process, signal.SIGTERM)  # running() may give another signal
    return process


def environment(changes=None):
    """os.environ with `changes` applied; a value of None removes the variable."""
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(changes or {})}
    return {name: value for name, value in merged.items() if value is not None}


def stop_process(process, signum=signal.SIGTERM, wait=STOP_SECONDS):
    """Stop the process and everything it started: `signum` (SIGTERM; gunicorn stops
    at once on SIGINT), then SIGKILL after `wait` seconds."""
    interrupts.forget(process)
    send_stop(process, signum)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if os.name != "nt":
        signal_group(process, signal.SIGKILL)  # children that outlived their parent


def children_of(pid):
    """The PIDs of the processes whose parent is `pid` (gunicorn's workers, say). POSIX."""
    if os.name == "nt":
        return []
    if os.path.isdir("/proc/self"):  # Linux: read it, rather than start ps each time
        entries = [one for one in os.listdir("/proc") if one.isdigit()]
        return [int(one) for one in entries if parent_in_proc(one) == str(pid)]
    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True)
    pairs = [line.split() for line in listing.stdout.splitlines()]
    return [int(child) for child, parent in pairs if parent == str(pid)]


def parent_in_proc(entry):
    """The parent PID (text) in /proc/ENTRY/stat, after the name, which may hold ")"."""
    try:
        with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[1]
    except OSError:  # it ended meanwhile
        return None


def signal_group(process, signum):
    with suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signum)


def group_is_gone(pgid):
    """Whether no process of the group is left (POSIX)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):  # PermissionError: a zombie left to reap
        return True
    return False


def wait_for(condition, timeout, interval=0.05):
    """condition()'s first true value, asked every `interval` s (at least once) until
    `timeout` s have passed; None when it never was."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def wait_until_serving(process, url, log, is_ready, timeout=15.0, own_file=None):
    """Poll `url` until is_ready(response) is True; it may raise ServerFailed to give up.
    `own_file`: the learner's file, whose frame a traceback shows first."""
    import requests  # here, not at the top: starting a process needs no requests

    from workshop.metrics_page import local_get

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            said = what_it_printed(output, own_file)
            if process.returncode == 0 and not last_error(output):
                reason = "exited (code 0) without serving: does it end with app.run(...)?"
                raise ServerFailed(reason, said)
            raise ServerFailed(f"exited with code {process.returncode}:", said)
        try:
            if is_ready(local_get(url, timeout=1)):
                return
        except requests.RequestException:
            pass  # not listening yet
        time.sleep(0.02)
    said = what_it_printed(log.read_text(errors="replace"), own_file)
    reason = f"did not answer at {url} within {timeout:.0f} s"
    if said == ["(it printed nothing)"]:
        raise ServerFailed(f"{reason}, and printed nothing: is it listening on PORT?")
    raise ServerFailed(f"{reason}; its last lines:", said)


class Server:
    """A started server process: its log file, and a way to wait until it serves."""

    def __init__(self, process, log, ready_url, is_ready, own_file=None):
        self.process, self.log, self.ready_url, self.is_ready = process, log, ready_url, is_ready
        self.own_file = own_file  # the learner's file, whose frames a traceback shows first

    def wait_until_serving(self, timeout=15.0):
        wait_until_serving(
            self.process, self.ready_url, self.log, self.is_ready, timeout, self.own_file
        )
        return self

    def output(self):
        return self.log.read_text(errors="replace")

    def last_error(self, wait=1.0):
        """The last line of the newest traceback in the output ("TypeError: ..."), or None,
        after up to `wait` s: werkzeug logs a traceback just after it has answered 500."""
        return wait_for(lambda: last_error(self.output()), wait)


@contextmanager
def running(command, ready_url, is_ready, env=None, cwd=ROOT, wait=True, **options):
    """Run a server process until the block ends, then stop it and its children
    with options["stop_signal"] (default SIGTERM), then SIGKILL. Options: also ctrl_c
    (see start_process) and own_file (see Server). Yields a Server; with wait=False
    the caller waits (server.wait_until_serving()): several servers start at once.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "output.log"
        with open(log, "wb") as output:
            process = start_process(command, output, env, cwd, options.get("ctrl_c", False))
        process.stop_signal = options.get("stop_signal", signal.SIGTERM)
        server = Server(process, log, ready_url, is_ready, options.get("own_file"))
        try:
            if wait:
                server.wait_until_serving()
            yield server
        finally:
            stop_process(process, process.stop_signal)


@contextmanager
def serving(named_processes):
    """Start every (name, running()) at once, then wait until each one serves."""
    with ExitStack() as stack:
        servers = [(name, stack.enter_context(process)) for name, process in named_processes]
        for name, server in servers:
            try:
                server.wait_until_serving()
            except ServerFailed as error:
                raise with_its_error(error.prefixed(name), server) from None
        yield [server for _, server in servers]


def with_its_error(error, server):
    """The ServerFailed, with the app's own traceback when it printed one and the
    reason does not show it yet (a /metrics that answered 500, say)."""
    if error.details or not server.last_error(wait=0.5):
        return error
    return ServerFailed(error.message, what_it_printed(server.output(), server.own_file))


@contextmanager
def on_free_ports(start, port=None):
    """Enter start(port), on `port` or on a free port. A free port can be taken by
    another process before the server binds it (tests run in parallel): then
    try again on another one."""
    with ExitStack() as stack:
        for attempt in range(3):
            try:
                value = stack.enter_context(start(port or free_port()))
                break
            except ServerFailed as error:
                if port or "in use" not in str(error) or attempt == 2:
                    raise
        yield value
