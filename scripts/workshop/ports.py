"""Free ports for the servers the workshop starts, handed out in turn under a lock
that every process on the machine shares, so that two never get the same one.

Used by processes.on_free_ports() (every app, stand-in and Prometheus the
grader, the capture and the tests start) and by the tests directly.
"""

import socket
import tempfile
from pathlib import Path

try:
    import fcntl  # POSIX only
except ImportError:
    fcntl = None

# Below every system's range of ports for outgoing connections (Linux 32768-60999,
# macOS and Windows 49152-65535): a client socket never holds one of these.
WORKSHOP_PORTS = range(20000, 30000)
PORT_TURN_FILE = Path(tempfile.gettempdir()) / "workshop-last-port"


def free_port():
    """A port nothing listens on, that no other process of the workshop was given lately.

    Two bind(0) probes in two processes at once can return the same port: the
    second server then cannot bind, and its readiness check is answered by the
    first one, whose answers it takes for its own (tests run in parallel). So
    ports are handed out in turn from WORKSHOP_PORTS, under a lock that every
    process on the machine shares.
    """
    if fcntl is None:  # Windows: the kernel's pick is good enough for one learner
        return any_free_port()
    with open(PORT_TURN_FILE, "a+") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)  # released when the file is closed
        turn.seek(0)
        last = turn.read().strip()
        port = next_free_port(int(last) if last.isdigit() else WORKSHOP_PORTS.start)
        turn.seek(0)
        turn.truncate()
        turn.write(str(port))
    return port


def next_free_port(last):
    """The first free port of WORKSHOP_PORTS after `last`, going round."""
    first, count = WORKSHOP_PORTS.start, len(WORKSHOP_PORTS)
    offset = last - first if last in WORKSHOP_PORTS else 0
    for step in range(1, count + 1):
        port = first + (offset + step) % count
        if is_free(port):
            return port
    return any_free_port()  # every one of them taken: let the system pick


def any_free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
