"""Fixtures shared by every test. The helpers themselves live in scripts/workshop/.

Every process the suite starts inherits WORKSHOP_TEST_RUN; when the run ends,
no process may still carry it (see pytest_sessionfinish): a test that leaves an
app, a stand-in or a Prometheus behind fails the run.
"""

import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from contextlib import suppress
from pathlib import Path

import pytest

try:
    import fcntl  # POSIX only: on Windows, two port-5000 tests could collide
except ImportError:
    fcntl = None

RUN_MARKER = "WORKSHOP_TEST_RUN"


def require_binary(name, package="prometheus"):
    """The binary's path; skip when it is missing, but fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian/Ubuntu: apt-get install {package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must run every test")
    pytest.skip(message)


@pytest.fixture
def promtool():
    return require_binary("promtool")


@pytest.fixture
def port_5000():
    """For tests that run commands exactly as a README writes them, on port 5000.

    One such test at a time, across the parallel workers: they take turns on a lock file.
    """
    with open(Path(tempfile.gettempdir()) / "workshop-port-5000.lock", "w") as lock:
        if fcntl:
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield free_5000()


def free_5000():
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 5000))
            return 5000
        except OSError:
            pass
    if os.environ.get("CI") == "true":
        pytest.fail("port 5000 is taken: the README's commands cannot run as written")
    pytest.skip("port 5000 is taken (a lesson still running?): this test needs it")


# --- no process left behind ---------------------------------------------------


def is_controller(config):
    return not hasattr(config, "workerinput")  # xdist workers have it; the main process not


def pytest_configure(config):
    if is_controller(config):  # set before xdist starts its workers: they inherit it
        os.environ.setdefault(RUN_MARKER, uuid.uuid4().hex)
        keep_bytecode()


# Tests that mostly wait (on Prometheus, Alertmanager, a README walk's apps): run
# first, so that the parallel workers fill those waits with the short tests rather
# than end the run waiting on one of them.
WAIT_LONGEST = (
    "test_alerting_e2e.py::",
    "test_prometheus_e2e.py::",
    "test_lessons.py::test_every_readme_command_runs",
    "test_08_containers.py::",
)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not any(slow in item.nodeid for slow in WAIT_LONGEST))


def keep_bytecode():
    """The suite starts hundreds of Pythons that import scripts/workshop: let them
    keep its compiled modules (outside the tree) even where the shell says not to
    (PYTHONDONTWRITEBYTECODE), rather than compile them again each time."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    folder = Path.home() / ".cache" / "prometheus-python-workshop" / "pycache"
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(folder))


def processes_of_this_run():
    """PIDs of live processes carrying this run's marker, other than this one (Linux only)."""
    return processes_carrying(RUN_MARKER, os.environ[RUN_MARKER])


def processes_carrying(name, value):
    """PIDs of live processes whose environment has name=value, other than this one.

    Linux only (it reads /proc); children inherit the environment, so this finds
    every process a process started, however it was started."""
    marker = f"{name}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":  # a zombie is already dead, waiting to be reaped
                    found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


@pytest.hookimpl(trylast=True)  # after xdist has stopped its workers
def pytest_sessionfinish(session, exitstatus):
    if not is_controller(session.config) or not Path("/proc/self/environ").exists():
        return
    deadline = time.monotonic() + 5  # processes being stopped right now may still exit
    while (left := processes_of_this_run()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not left:
        return
    for pid in left:  # do not leave them running for the next run either
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"FAILED: the tests left processes running: {left}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
