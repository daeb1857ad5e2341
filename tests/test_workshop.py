"""The helpers every test and script stands on (scripts/workshop.py)."""

import subprocess
import sys

import pytest
import workshop

HAND_OUT = """
import sys
sys.path.insert(0, sys.argv[1])
import workshop
print(" ".join(str(workshop.free_port()) for _ in range(25)))
"""


@pytest.mark.skipif(workshop.fcntl is None, reason="ports are handed out in turn on POSIX only")
def test_processes_asking_for_ports_at_the_same_time_never_get_the_same_one():
    """Tests run in parallel: two servers given one port would answer for each other."""
    scripts = str(workshop.ROOT / "scripts")
    askers = [
        subprocess.Popen(
            [sys.executable, "-c", HAND_OUT, scripts], stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    ports = [int(port) for asker in askers for port in asker.communicate(timeout=60)[0].split()]
    assert len(ports) == 6 * 25
    assert len(set(ports)) == len(ports)
    assert all(port in workshop.WORKSHOP_PORTS for port in ports)


def test_a_port_in_use_is_never_handed_out():
    with workshop.lesson_app(workshop.find_lesson("01")) as url:
        taken = int(url.rsplit(":", 1)[1])
        assert all(workshop.free_port() != taken for _ in range(50))
