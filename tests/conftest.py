"""Fixtures shared by every test. The helpers themselves live in scripts/workshop.py."""

import os
import shutil
import socket

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


@pytest.fixture
def port_5000():
    """For tests that run commands exactly as a README writes them, on port 5000."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 5000))
            return 5000
        except OSError:
            pass
    if os.environ.get("CI") == "true":
        pytest.fail("port 5000 is taken: the README's commands cannot run as written")
    pytest.skip("port 5000 is taken (a lesson still running?): this test needs it")
