"""`dev.py learn` driven from outside, as a learner at a terminal would: in a copy
of the repository (the learner's own exercise and progress are never touched)
whose .venv links to this one's, so that nothing is installed.

Used by tests/test_dev.py, tests/test_quickstart.py and scripts/bench/bench_learn.py.
"""

import re
import shutil
import subprocess
import sys
import time

from workshop import lesson_run, lessons, processes

ROOT = lessons.ROOT
# One grade as the grader prints it, from "NN_topic: grading FILE" to "NN_topic: K/N snippets pass"
# (or "K/N answers pass", "K/N mutants caught": see workshop/grading/__init__.py)
GRADE = re.compile(
    r"^(?P<lesson>\w+): grading .*?"
    r"^(?P=lesson): (?P<passing>\d+)/\d+ [\w ]+? (?:pass|caught)\b.*?$",
    re.MULTILINE | re.DOTALL,
)


def copy_repository(destination, root=ROOT):
    """Copy the repository's files (tracked, or new and not ignored) into `destination`,
    each exercise as its pristine starter, as in a fresh clone (the learner's own may be
    solved by now); without git (a zip download), everything but the virtual
    environment and caches."""
    copy_files(destination, root)
    for lesson in lessons.all_lessons(destination):
        if lesson.starter.is_file():
            shutil.copyfile(lesson.starter, lesson.exercise)
    return destination


def copy_files(destination, root):
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        ignore = shutil.ignore_patterns(".git", ".venv", ".workshop", "__pycache__", ".*_cache")
        shutil.copytree(root, destination, ignore=ignore, dirs_exist_ok=True)
        return destination
    for name in listing.stdout.decode().split("\0"):
        source = root / name
        if name and source.is_file():  # a tracked file may be deleted in the work tree
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def venv_install_of(copy):
    """The copy's workshop/venv_install.py as a module: the .venv it looks after is the copy's."""
    return lesson_run.load_module(copy / "scripts" / "workshop" / "venv_install.py")


def share_venv(copy, root=ROOT):
    """Give the copy a .venv made of links to this one's, plus its own install stamp.

    The stamp lives in the copy's own .venv folder, so dev.py's install() finds the
    requirements installed without ever running pip or writing into this .venv.
    """
    venv = copy / ".venv"
    venv.mkdir()
    for entry in (root / ".venv").iterdir():
        if not entry.name.startswith("installed-"):
            (venv / entry.name).symlink_to(entry, entry.is_dir())
    setup = venv_install_of(copy)
    setup.stamp("requirements.txt").write_text(setup.requirements_hash())
    assert setup.is_installed("requirements.txt")
    return copy


def learning_copy(destination):
    """A copy of the repository where `dev.py learn` runs without installing anything."""
    return share_venv(copy_repository(destination))


class LearnLoop:
    """`python3 scripts/dev.py learn LESSON` running in `copy`, its keys sent through a pipe."""

    def __init__(self, copy, lesson="01", stdin=subprocess.PIPE, command=None, env=None):
        self.copy = copy
        self.log = copy / "learn-output.log"
        command = command or [sys.executable, copy / "scripts" / "dev.py", "learn", lesson]
        with open(self.log, "wb") as output:
            # ctrl_c: SIGINT's default even when the suite was started with it ignored.
            self.process = processes.start_process(
                command, output, env=env, cwd=copy, ctrl_c=True, stdin=stdin
            )

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def mark(self):
        """Where the output is now: verdict_after() looks only at what comes after."""
        return len(self.output())

    def wait_for(self, condition, timeout, what):
        """Wait until condition(output) is true; AssertionError with the output if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if condition(text):
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.01)
        raise AssertionError(f"{what}: not within {timeout} s. Output:\n{self.output()}")

    def output_after(self, mark, words, timeout=10):
        """The output after `mark`, once `words` are in it."""
        return self.wait_for(lambda text: words in text[mark:], timeout, repr(words))[mark:]

    def verdict_after(self, mark, passing=None, timeout=30):
        """The first grade printed after `mark`, from the grader's first line to its
        summary line; with `passing`, the first one where that many snippets pass."""

        def found(text):
            for grade in GRADE.finditer(text, mark):
                if passing is None or grade["passing"] == str(passing):
                    return grade[0]
            return None

        wanted = "a grade" if passing is None else f"a grade where {passing} snippets pass"
        return found(self.wait_for(found, timeout, wanted))

    def press(self, key):
        self.process.stdin.write(f"{key}\n".encode())
        self.process.stdin.flush()

    def stop(self):
        processes.stop_process(self.process)
        if self.process.stdin:
            self.process.stdin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
