"""gunicorn's settings and hooks for lesson 06: gunicorn reads this file (see app.py).

Settings, from the environment:

    WORKERS       how many worker processes serve the app (default 2)
    PORT          the port (default 5000)
    HOST          the address (default 127.0.0.1: only this computer can reach the
                  app; in a container, set HOST=0.0.0.0)
    MAX_REQUESTS  restart each worker after this many requests (default 0: never)
    MULTIPROC     "on" (default) or "off": off leaves prometheus_client in its
                  single-process mode, the bug that step 1 of the lesson shows

The hooks below run in gunicorn's master process, never in a worker.
"""

import functools
import os
import selectors
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

from gunicorn.workers import gthread


def number(name, default, lowest, highest):
    value = os.environ.get(name, default)
    if not (value.isascii() and value.isdigit()) or not lowest <= int(value) <= highest:
        sys.exit(f"{name} must be a number from {lowest} to {highest}, not {value!r}")
    return int(value)


workers = number("WORKERS", "2", 1, 32)
port = number("PORT", "5000", 1, 65535)
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{port}"
max_requests = number("MAX_REQUESTS", "0", 0, 1_000_000)


class PollingThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker, with two fixes for gunicorn 26.2.

    A new connection waits for its first bytes in the worker's poller, where it costs
    nothing, not in one of its threads, where gunicorn waits up to 5 s: a few
    connections that send nothing (a browser's preconnect, a port scan) would hold
    every thread, and the scrapes would queue behind them. This waits as gunicorn 21
    to 23 did, and as https://github.com/benoitc/gunicorn/pull/3635 proposes; as
    gunicorn does after its 5 s, the connection is closed if it has still sent
    nothing 5 s after it opened.

    And Ctrl-C stops it: see handle_quit().
    """

    quitting = False

    def enqueue_req(self, conn):
        if conn.initialized or conn.data_ready:  # it has sent something: a thread reads it
            super().enqueue_req(conn)
            return
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + gthread.DEFAULT_WORKER_DATA_TIMEOUT
        self.pending_conns.append(conn)
        readable = functools.partial(self.on_pending_socket_readable, conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, readable)

    def handle_quit(self, sig, frame):
        """Ctrl-C reaches a worker twice: the terminal's SIGINT to the whole group, then
        the master's SIGQUIT. gunicorn's handler is not reentrant: run again in the
        middle of the first, it waits forever for a lock the first holds (the thread
        pool's), until the master kills the worker 30 s later. Once is enough."""
        if not self.quitting:
            self.quitting = True
            super().handle_quit(sig, frame)


# Each worker answers up to `threads` requests at once, one per thread; a connection
# that has sent nothing yet holds no thread: idle connections cannot stop the scrapes.
worker_class = PollingThreadWorker
threads = 4  # more workers, more requests at once
# Close each connection after its answer, as sync workers do: every scrape then
# reaches whichever worker takes it, and step 1's bug shows, however often Prometheus
# scrapes. (Kept alive, its connection would stay with one worker.)
keepalive = 0
control_socket_disable = True  # its socket file is one per user, not one per app

MULTIPROC = os.environ.get("MULTIPROC", "on")
if MULTIPROC not in ("on", "off"):
    sys.exit(f"MULTIPROC must be on or off, not {MULTIPROC!r}")
# Where the workers write their metrics: one folder per port, so that two apps on two
# ports never share one. A PROMETHEUS_MULTIPROC_DIR set in the shell is not used (nor
# the old lower-case name, which the client still reads).
FOLDER = Path(tempfile.gettempdir()) / f"prometheus-multiproc-{port}"
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
os.environ.pop("prometheus_multiproc_dir", None)


def not_private(folder):
    """Why `folder` must not hold the metrics, or None: it is missing, or a folder of
    this user's that no one else can write to.

    Its name is easy to guess, in a folder everyone can write to (/tmp): someone else
    could put a link or a folder of theirs there, and feed the scrapes their files.
    """
    try:
        found = os.lstat(folder)  # lstat: a symbolic link is looked at, never followed
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(found.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(found.st_mode):
        return "is not a folder"
    if found.st_uid != os.getuid():
        return "belongs to another user"
    if found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "can be written by other users"
    return None


def refuse_unless_private(folder):
    problem = not_private(folder)
    if problem:
        sys.exit(f"{folder} {problem}: remove it, or set TMPDIR to a folder of your own")


def make_empty_private_folder(folder):
    """Make `folder` anew, empty, that only this user can read or write; or stop, in one line."""
    refuse_unless_private(folder)  # again: something may have appeared there since
    try:
        if os.path.lexists(folder):
            shutil.rmtree(folder)  # a real folder of ours: refuse_unless_private() said so
        os.mkdir(folder, 0o700)  # fails if anything is there again: it never follows a link
    except OSError as error:
        sys.exit(f"cannot make {folder} afresh: {error.strerror}")


if MULTIPROC == "on":
    refuse_unless_private(FOLDER)  # now, in one line, before gunicorn starts


def when_ready(server):
    """The port is ours and no worker has started yet: start the metrics from zero.

    Not earlier (on_starting): a second copy started by mistake on the same port would
    empty the folder of the running one before failing to bind. Never in a worker hook:
    a worker that starts later would delete the files of the others, and their counts.
    Nor in a master that `kill -USR2` started beside the running one (its master_pid
    is the old master's): the old master's workers still count in the folder.
    """
    if MULTIPROC == "on":
        if not server.master_pid:
            make_empty_private_folder(FOLDER)  # a master that was killed left its files there
        # The workers inherit it when they fork, before they import the app: and
        # prometheus_client chooses multiprocess mode when it is first imported.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(FOLDER)
        read_files_being_created_as_empty()
        server.log.info("Multiprocess mode: the workers write their metrics to %s", FOLDER)
    else:
        server.log.info("MULTIPROC=off: each worker keeps its own metrics")


def read_files_being_created_as_empty():
    """Work around https://github.com/prometheus/client_python/issues/1199 (0.26.0).

    A worker creates each of its files empty, then gives it its size: a scrape that
    reads the file in between fails with a 500. Read such a file as holding nothing
    yet, as the proposed fix does. The workers inherit this when they fork.
    """
    # Imported here, once PROMETHEUS_MULTIPROC_DIR is set, not at the top of the file:
    # the client chooses memory or files when it is first imported.
    from prometheus_client.mmap_dict import MmapedDict

    read = MmapedDict.read_all_values_from_file

    def read_unless_empty(filename):
        if os.path.getsize(filename) == 0:  # not sized yet: nothing in it
            return []
        return read(filename)

    MmapedDict.read_all_values_from_file = staticmethod(read_unless_empty)


def child_exit(server, worker):
    """A worker has exited: the "live" gauge modes (livesum, liveall, ...) forget it.

    Its counters and histograms stay in the folder: they keep counting in the totals.
    """
    if MULTIPROC == "on":
        # Imported here, once PROMETHEUS_MULTIPROC_DIR is set, not at the top of the file.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """gunicorn stops (Ctrl-C, kill): remove the folder, nothing reads it any more.

    Unless the other master of a `kill -USR2` upgrade still runs and uses it: the new
    one (this master's reexec_pid), or the old one (this master's master_pid).
    """
    if MULTIPROC == "on" and not server.reexec_pid and not server.master_pid:
        shutil.rmtree(FOLDER, ignore_errors=True)
