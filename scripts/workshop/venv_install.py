"""The .venv every command runs in: created once, installed into again only when
the requirements files change, so that most days need no network (workshop Wi-Fi
is slow).

Used by scripts/dev.py and the learn loop. Standard library only: this is what
runs before anything is installed. It keeps its own ROOT rather than importing
lessons.py: tests/learn_driver.py loads a copy's venv_install.py alone, to look
after that copy's .venv.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"


def venv_python():
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def requirements_hash():
    # requirements-dev.txt includes requirements.txt: a change to either counts.
    files = sorted(ROOT.glob("requirements*.txt"))
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def stamp(requirements):
    """The file that records which requirements_hash() was installed for `requirements`."""
    return VENV / f"installed-{requirements}.sha256"


def is_installed(requirements):
    """Whether `requirements` is installed in .venv as the requirements files are now.

    requirements-dev.txt includes requirements.txt, so its stamp counts for both.
    """
    wanted = requirements_hash()
    covering = [requirements, "requirements-dev.txt"]
    return venv_python().exists() and any(
        stamp(name).is_file() and stamp(name).read_text() == wanted for name in covering
    )


def install(requirements):
    """Create .venv and install `requirements` into it, unless already done."""
    if is_installed(requirements):
        return
    if not venv_python().exists():
        print(f"Creating {VENV.name} ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = requirements_hash()
    print(f"Installing {requirements} ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run([*pip, "-r", str(ROOT / requirements)]).returncode != 0:
        sys.exit(f"dev.py: installing {requirements} failed (see above): check the network")
    stamp(requirements).write_text(wanted)
