"""The layout of scripts/: the commands up front, the machinery in the workshop package."""

import ast
import subprocess
import sys

import pytest
from workshop import lessons

SCRIPTS = lessons.ROOT / "scripts"
PACKAGE = SCRIPTS / "workshop"
COMMANDS = {
    "dev.py",
    "check.py",
    "capture.py",
    "prometheus.py",
    "fake_github.py",
    "alert_receiver.py",
}
# What scripts/dev.py imports before .venv exists, and all they import in turn.
STANDARD_LIBRARY_ONLY = ["workshop.lessons", "workshop.venv_install", "workshop.learn"]
LONGEST_MODULE = 250  # lines: a module longer than this holds more than one job
ONLY_STANDARD_LIBRARY = """
import sys
sys.path.insert(0, sys.argv[1])
import dev
import pkgutil, importlib, workshop.learn
for module in pkgutil.iter_modules(workshop.learn.__path__, "workshop.learn."):
    importlib.import_module(module.name)
outside = sorted(
    name for name in sys.modules
    if name.split(".")[0] not in sys.stdlib_module_names
    and name.split(".")[0] not in ("dev", "workshop", "__main__")
)
ours = sorted(name for name in sys.modules if name.startswith("workshop."))
print(" ".join(outside))
print(" ".join(ours))
"""


def package_modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_the_top_of_scripts_holds_only_what_a_person_runs():
    entries = {path.name for path in SCRIPTS.iterdir() if path.name != "__pycache__"}
    assert entries == COMMANDS | {"starters", "bench", "workshop"}


def test_dev_py_and_the_learn_loop_import_only_the_standard_library():
    """-S: without site-packages, where requests and the rest are installed."""
    result = subprocess.run(
        [sys.executable, "-S", "-c", ONLY_STANDARD_LIBRARY, str(SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outside, ours = result.stdout.splitlines()
    assert outside == ""
    assert all(name.startswith(tuple(STANDARD_LIBRARY_ONLY)) for name in ours.split()), ours


@pytest.mark.parametrize("path", package_modules(), ids=lambda path: path.stem)
def test_every_module_says_what_it_holds_and_who_uses_it(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path.relative_to(SCRIPTS)} has no docstring"
    if path.name != "__init__.py":
        assert "Used by" in docstring, f"{path.relative_to(SCRIPTS)}: say what uses it"


@pytest.mark.parametrize("path", package_modules(), ids=lambda path: path.stem)
def test_no_module_holds_more_than_one_job(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST_MODULE, f"{path.relative_to(SCRIPTS)}: {lines} lines: split it by job"


def test_every_module_of_the_package_is_on_the_readme_map():
    readme = (lessons.ROOT / "README.md").read_text(encoding="utf-8")
    rooms = {path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}
    rooms |= {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert [room for room in sorted(rooms) if f"`{room}`" not in readme] == []
