"""One command for each everyday job; each sets up .venv first if needed.

    python3 scripts/dev.py learn [NN]     the exercise loop (default: where you left off)
    python3 scripts/dev.py hint [NN]      grade once, then show your next hint
    python3 scripts/dev.py reset NN       put lesson NN's exercise back as it came
    python3 scripts/dev.py start [NN]     install, then run lesson NN's app (default 01)
    python3 scripts/dev.py test [ARGS]    install the test tools, then run pytest ARGS

`learn`, `hint` and `reset` are explained in scripts/workshop/learn/.

Standard library only, here and in the modules it imports: this is what runs
before anything is installed.
"""

import os
import subprocess
import sys

from workshop.learn.commands import hint, learn
from workshop.learn.reset import reset
from workshop.lessons import ROOT, UsageError, display, find_lesson
from workshop.venv_install import install, venv_python

OFFLINE_HINT = (
    "This lesson calls the real GitHub API. Offline, start the stand-in first "
    "(python3 scripts/fake_github.py) and then: "
    "GITHUB_API_URL=http://127.0.0.1:5050 python3 scripts/dev.py start {lesson}"
)
USAGE = (
    "usage: python3 scripts/dev.py learn [NN] | hint [NN] | reset NN | start [NN]"
    " | test [pytest arguments]"
)


def start(lesson="01"):
    chosen = find_lesson(lesson)  # before installing: a typo needs no network
    install("requirements.txt")
    print(f"Starting {display(chosen.app)}; in another terminal, activate .venv first.", flush=True)
    if chosen.uses_github and "GITHUB_API_URL" not in os.environ:
        print(OFFLINE_HINT.format(lesson=lesson), flush=True)
    return hand_over([str(venv_python()), str(chosen.app)])


def test(*pytest_args):
    install("requirements-dev.txt")
    return hand_over([str(venv_python()), "-m", "pytest", *pytest_args])


def hand_over(command):
    """Become `command`, so that Ctrl-C and kill reach it directly."""
    os.chdir(ROOT)
    if os.name != "nt":
        os.execv(command[0], command)
    try:  # Windows has no real exec: wait for it instead
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 0


COMMANDS = {  # name: (function, most arguments; None: any)
    "learn": (learn, 1),
    "hint": (hint, 1),
    "reset": (reset, 1),
    "start": (start, 1),
    "test": (test, None),
}


def main(args):
    if sys.version_info < (3, 10):  # noqa: UP036 (this runs before anything checks it)
        sys.exit("dev.py: the workshop needs Python 3.10 or newer")
    try:
        if not args or args[0] not in COMMANDS:
            raise UsageError(USAGE)
        command, most = COMMANDS[args[0]]
        if most is not None and len(args) - 1 > most:
            raise UsageError(USAGE)
        code = command(*args[1:])
    except UsageError as error:
        message = str(error)
        print(message if message.startswith("usage:") else f"dev.py: {message}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:  # Ctrl-C while installing: no traceback
        print("\ndev.py: stopped", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # the output went to a program that stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
