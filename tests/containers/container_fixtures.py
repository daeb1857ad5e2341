"""Fixtures of the container tests (imported by each of their modules, which are
marked `containers`): the stand-in base images, and lesson 08's image built from
its Dockerfile.

Without podman and its helpers (or on another system than Linux) the tests are
skipped, and fail under CI=true.
"""

import os

import harness
import pytest
import stand_ins
from conftest import RUN_MARKER

APP_IMAGE = "workshop-app:1"
BUILD = ["build", "-f", "08_containers/Dockerfile", "-t", APP_IMAGE, "."]


@pytest.fixture(scope="session")
def stand_in_images():
    message = harness.cannot_run()
    if message:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run every test")
        pytest.skip(message)
    stand_ins.ensure_stand_ins(os.environ[RUN_MARKER])


@pytest.fixture(scope="session")
def app_image(stand_in_images):
    """workshop-app:1, built as step 1 of the README builds it (once per worker; the
    layers are cached, so every build after the first takes seconds)."""
    import fcntl  # POSIX only: here, after the skip on other systems

    with open(harness.CACHE / "app-image.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        harness.podman(*BUILD, timeout=600)
    return APP_IMAGE
