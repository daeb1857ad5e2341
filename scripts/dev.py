"""One command for each everyday job; each sets up .venv first if needed.

    python3 scripts/dev.py start [NN]     install, then run lesson NN's app (default 01)
    python3 scripts/dev.py test [ARGS]    install the test tools, then run pytest ARGS

Standard library only: this is what runs before anything is installed.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
OFFLINE_HINT = (
    "This lesson calls the real GitHub API. Offline, start the stand-in first "
    "(python3 scripts/fake_github.py) and then: "
    "GITHUB_API_URL=http://127.0.0.1:5050 python3 scripts/dev.py start {lesson}"
)
USAGE = "usage: python3 scripts/dev.py start [NN] | test [pytest arguments]"


def venv_python():
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def install(requirements):
    """Create .venv and install `requirements` into it, unless already done."""
    if not venv_python().exists():
        print(f"Creating {VENV.name} ...", flush=True)
        venv.create(VENV, with_pip=True)
    # requirements-dev.txt includes requirements.txt: a change to either counts.
    files = sorted(ROOT.glob("requirements*.txt"))
    wanted = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()
    stamp = VENV / f"installed-{requirements}.sha256"
    if stamp.exists() and stamp.read_text() == wanted:
        return  # nothing changed: no network needed (workshop Wi-Fi is slow)
    print(f"Installing {requirements} ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run([*pip, "-r", str(ROOT / requirements)]).returncode != 0:
        sys.exit(f"dev.py: installing {requirements} failed (see above): check the network")
    stamp.write_text(wanted)


def hand_over(command):
    """Become `command`, so that Ctrl-C and kill reach it directly."""
    os.chdir(ROOT)
    if os.name != "nt":
        os.execv(command[0], command)
    try:  # Windows has no real exec: wait for it instead
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 0


def start(lesson="01"):
    install("requirements.txt")
    apps = sorted(ROOT.glob(f"{lesson.zfill(2)}_*/app.py"))
    if not apps:
        sys.exit(f"dev.py: no lesson {lesson}")
    print(
        f"Starting {apps[0].relative_to(ROOT)}; in another terminal, activate .venv first.",
        flush=True,
    )
    calls_github = "GITHUB_API_URL" in apps[0].read_text(encoding="utf-8")
    if calls_github and "GITHUB_API_URL" not in os.environ:
        print(OFFLINE_HINT.format(lesson=lesson), flush=True)
    return hand_over([str(venv_python()), str(apps[0])])


def test(*pytest_args):
    install("requirements-dev.txt")
    return hand_over([str(venv_python()), "-m", "pytest", *pytest_args])


def main(args):
    if sys.version_info < (3, 10):  # noqa: UP036 (this runs before anything checks it)
        sys.exit("dev.py: the workshop needs Python 3.10 or newer")
    if not args or args[0] not in {"start", "test"} or (args[0] == "start" and len(args) > 2):
        sys.exit(USAGE)
    command = start if args[0] == "start" else test
    sys.exit(command(*args[1:]))


if __name__ == "__main__":
    main(sys.argv[1:])
