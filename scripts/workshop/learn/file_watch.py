"""Watching the exercise file in the `learn` loop: a cheap stat to see that it may
have changed, a hash to tell a save from a mere touch, and a short wait for a
save to settle.

Used by learn.loop. Standard library only.
"""

import hashlib
import time
from typing import NamedTuple

SETTLE_SECONDS = 0.03  # a save is a truncate, then writes (or a rename): let it finish


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
