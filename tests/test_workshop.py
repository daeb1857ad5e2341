"""The helpers every test and script stands on (scripts/workshop/)."""

import os
import shutil
import subprocess
import sys

import pytest
from workshop import lesson_run, lessons, ports, processes
from workshop.learn import hints
from workshop.learn.exercise_check import Grade

HAND_OUT = """
import sys
sys.path.insert(0, sys.argv[1])
from workshop.ports import free_port
print(" ".join(str(free_port()) for _ in range(25)))
"""


@pytest.mark.skipif(ports.fcntl is None, reason="ports are handed out in turn on POSIX only")
def test_processes_asking_for_ports_at_the_same_time_never_get_the_same_one():
    """Tests run in parallel: two servers given one port would answer for each other."""
    scripts = str(lessons.ROOT / "scripts")
    askers = [
        subprocess.Popen(
            [sys.executable, "-c", HAND_OUT, scripts], stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    given = [int(port) for asker in askers for port in asker.communicate(timeout=60)[0].split()]
    assert len(given) == 6 * 25
    assert len(set(given)) == len(given)
    assert all(port in ports.WORKSHOP_PORTS for port in given)


def test_a_port_in_use_is_never_handed_out():
    with lesson_run.lesson_app(lessons.lesson_named("01")) as url:
        taken = int(url.rsplit(":", 1)[1])
        assert all(ports.free_port() != taken for _ in range(50))


@pytest.mark.parametrize("lesson", lessons.all_lessons(), ids=lambda lesson: lesson.name)
def test_a_passing_exercise_needs_no_hint_in_the_words_of_its_kind(lesson):
    """The rules, the tests and the scrape config have no snippets: the line names the file."""
    passed = Grade(passed=True, output="", score=None, verdicts={}, finished=True)
    assert hints.next_hint(lesson, passed, progress=None) == [
        f"{lessons.display(lesson.exercise)} passes every check: no hint needed."
    ]


@pytest.mark.skipif(os.name == "nt", reason="POSIX: process trees")
def test_children_are_found_whatever_their_names_hold(tmp_path):
    """/proc's stat puts the name in parentheses, and a name may hold ") " itself."""
    odd = tmp_path / "a ) b"
    shutil.copy(shutil.which("sleep"), odd)
    with subprocess.Popen([odd, "30"]) as first, subprocess.Popen(["sleep", "30"]) as second:
        try:
            assert sorted(processes.children_of(os.getpid())) == sorted([first.pid, second.pid])
            assert processes.children_of(first.pid) == []
        finally:
            first.kill()
            second.kill()
