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

import os
import shutil
import sys
import tempfile
from pathlib import Path


def number(name, default, lowest, highest):
    value = os.environ.get(name, default)
    if not (value.isascii() and value.isdigit()) or not lowest <= int(value) <= highest:
        sys.exit(f"{name} must be a number from {lowest} to {highest}, not {value!r}")
    return int(value)


workers = number("WORKERS", "2", 1, 32)
port = number("PORT", "5000", 1, 65535)
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{port}"
max_requests = number("MAX_REQUESTS", "0", 0, 1_000_000)
worker_class = "sync"  # one request at a time per worker: more workers, more requests at once
control_socket_disable = True  # its socket file is one per user, not one per app

MULTIPROC = os.environ.get("MULTIPROC", "on")
if MULTIPROC not in ("on", "off"):
    sys.exit(f"MULTIPROC must be on or off, not {MULTIPROC!r}")
# Where the workers write their metrics: one folder per port, so that two apps on two
# ports never share one. A PROMETHEUS_MULTIPROC_DIR set in the shell is not used.
FOLDER = Path(tempfile.gettempdir()) / f"prometheus-multiproc-{port}"
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def when_ready(server):
    """The port is ours and no worker has started yet: start the metrics from zero.

    Not earlier (on_starting): a second copy started by mistake on the same port would
    empty the folder of the running one before failing to bind. Never in a worker hook:
    a worker that starts later would delete the files of the others, and their counts.
    """
    if MULTIPROC == "on":
        shutil.rmtree(FOLDER, ignore_errors=True)  # left by a master that was killed
        FOLDER.mkdir()
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
    """gunicorn stops (Ctrl-C, kill): remove the folder, nothing reads it any more."""
    if MULTIPROC == "on":
        shutil.rmtree(FOLDER, ignore_errors=True)
