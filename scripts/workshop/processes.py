"""Real processes: started in a process group of their own, stopped with every
child they started, waited on until they serve; several servers at once on
free ports.

Used by lesson_run (the lessons' apps and the stand-in), readme_walk, and the
tests (Prometheus, gunicorn, the learn loop, dev.py). Standard library plus
requests.
"""

import os
import re
import signal
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import requests

from workshop.lessons import ROOT
from workshop.ports import free_port

STOP_SECONDS = 5  # how long a stopped process may take to exit before it is killed
# The last line of a Python traceback: "TypeError: 'int' object is not callable".
TRACEBACK_END = re.compile(r"^(?:\w+\.)*\w*(?:Error|Exception)\b.*$", re.MULTILINE)


class ServerFailed(RuntimeError):
    """A server process did not come up; the message says why, in one line."""


def default_sigint():
    """Run in the child before exec: undo an inherited "ignore Ctrl-C".

    A shell without job control (`cmd &` in a script, many CI runners) starts
    its children with SIGINT ignored, and Python then never raises
    KeyboardInterrupt: a test that sends Ctrl-C could not stop the app.
    """
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
    return subprocess.Popen(
        [str(part) for part in command],
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=stdin,
        env=environment(env),
        **options,
    )


def environment(changes=None):
    """os.environ with `changes` applied; a value of None removes the variable."""
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(changes or {})}
    return {name: value for name, value in merged.items() if value is not None}


def stop_process(process):
    """Stop the process and everything it started: SIGTERM, then SIGKILL after a while."""
    if os.name == "nt":
        process.terminate()
    else:
        signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if os.name != "nt":
        signal_group(process, signal.SIGKILL)  # children that outlived their parent


def signal_group(process, signum):
    with suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signum)


def group_is_gone(pgid):
    """Whether no process of the group is left (POSIX)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a zombie left to reap: not running any more
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


def last_lines(log, count=3):
    return " | ".join(log.read_text(errors="replace").strip().splitlines()[-count:])


def wait_until_serving(process, url, log, is_ready, timeout=15.0):
    """Poll `url` until is_ready(response) is True; it may raise ServerFailed to give up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"exited with code {process.returncode}: {last_lines(log)}")
        try:
            if is_ready(requests.get(url, timeout=1)):
                return
        except requests.RequestException:
            pass  # not listening yet
        time.sleep(0.02)
    raise ServerFailed(f"did not answer at {url} within {timeout:.0f} s: {last_lines(log)}")


class Server:
    """A started server process: its log file, and a way to wait until it serves."""

    def __init__(self, process, log, ready_url, is_ready):
        self.process, self.log = process, log
        self.ready_url, self.is_ready = ready_url, is_ready

    def wait_until_serving(self, timeout=15.0):
        wait_until_serving(self.process, self.ready_url, self.log, self.is_ready, timeout)
        return self

    def output(self):
        return self.log.read_text(errors="replace")

    def last_error(self, wait=1.0):
        """The last line of the newest traceback in the output ("TypeError: ..."), or None.

        Waits up to `wait` s for one: werkzeug logs a traceback just after it has
        answered 500, so it can arrive a moment after the answer.
        """
        errors = wait_for(lambda: TRACEBACK_END.findall(self.output()), wait)
        return errors[-1] if errors else None


@contextmanager
def running(command, ready_url, is_ready, env=None, cwd=ROOT, wait=True, ctrl_c=False):
    """Run a server process until the block ends, then stop it and its children.

    Yields a Server; with wait=False the caller calls server.wait_until_serving(),
    which lets several servers start at the same time.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "output.log"
        with open(log, "wb") as output:
            process = start_process(command, output, env, cwd, ctrl_c)
        server = Server(process, log, ready_url, is_ready)
        try:
            if wait:
                server.wait_until_serving()
            yield server
        finally:
            stop_process(process)


@contextmanager
def serving(named_processes):
    """Start every (name, running()) at once, then wait until each one serves."""
    with ExitStack() as stack:
        servers = [(name, stack.enter_context(process)) for name, process in named_processes]
        for name, server in servers:
            try:
                server.wait_until_serving()
            except ServerFailed as error:
                raise ServerFailed(f"{name} {error}{its_error(server)}") from None
        yield [server for _, server in servers]


def its_error(server):
    """ " (the app's error: ...)" when its output ends in a traceback, else ""."""
    error = server.last_error(wait=0.5)
    return f" (the app's error: {error})" if error else ""


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
