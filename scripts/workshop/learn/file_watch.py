"""What the `learn` loop watches: the keys the learner types, and the exercise file."""

import hashlib
import os
import queue
import sys
import threading
import time
from typing import NamedTuple

STDIN_ENDED = object()  # put in the key queue when stdin ends
SETTLE_SECONDS = 0.03  # a save is a truncate, then writes (or a rename): let it finish


# --- keys --------------------------------------------------------------------------


def start_key_reader():
    """A queue of the lines typed, and whether stdin is a terminal."""
    keys = queue.Queue()
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # no stdin at all (pythonw)
        keys.put(STDIN_ENDED)
        return keys, False
    threading.Thread(target=read_keys, args=(keys, fd), daemon=True).start()
    return keys, os.isatty(fd)


def read_keys(keys, fd):
    """Put each line typed on stdin into `keys`, lower-cased; STDIN_ENDED at the end.

    os.read, not sys.stdin: a thread blocked in sys.stdin.readline() holds its lock,
    and can make the interpreter abort at exit.
    """
    pending = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            chunk = b""
        if not chunk:
            keys.put(STDIN_ENDED)
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            keys.put(line.decode(errors="replace").strip().lower())


# --- the exercise file ---------------------------------------------------------------


class Snapshot(NamedTuple):
    signature: tuple  # see signature(): changes on every save, and on a mere touch
    digest: str  # the content's hash: changes only when the content does


def signature(path):
    """What stat says about the file (cheap to ask 10 times a second); None if it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def snapshot(path):
    """The file's Snapshot, or None when there is no such file."""
    try:
        before, content = signature(path), path.read_bytes()
    except OSError:
        return None
    return Snapshot(before, hashlib.sha256(content).hexdigest())


def settled(path):
    """snapshot(path) once its signature stays the same for SETTLE_SECONDS."""
    before = signature(path)
    for _ in range(30):  # an editor that never stops writing gets graded after ~1 s anyway
        time.sleep(SETTLE_SECONDS)
        after = signature(path)
        if after == before:
            break
        before = after
    return snapshot(path)
