"""Fixtures shared by every test. The helpers themselves live in scripts/workshop.py."""

import os
import shutil

import pytest


def require_binary(name, package="prometheus"):
    """The binary's path; skip when it is missing, but fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian/Ubuntu: apt-get install {package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must run every test")
    pytest.skip(message)


@pytest.fixture
def promtool():
    return require_binary("promtool")
