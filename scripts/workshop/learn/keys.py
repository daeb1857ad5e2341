"""The keys the learner types in the `learn` loop: each line typed on stdin, read
by a thread into a queue, and STDIN_ENDED when stdin ends.

Used by learn.loop. Standard library only.
"""

import os
import queue
import sys
import threading

STDIN_ENDED = object()  # put in the key queue when stdin ends


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
