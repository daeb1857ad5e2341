"""Podman, as the container tests run it: a store, settings and networks of their
own, so that nothing here touches the images and containers of the person who
runs the tests (the stand-in base images carry official names).

The settings live here, never in the lesson's files:
- runc, and cgroupfs without ulimits: crun fails on setrlimit and on hybrid
  cgroups on the Debian 12 machines CI runs on;
- netavark and aardvark-dns: compose's service names resolve on its networks;
- BUILDAH_FORMAT=docker: the image keeps its HEALTHCHECK (the README says so).

The store lives in the user's cache folder and survives the runs: the stand-in
base images are built once (stand_ins.py). Its running state lives in the
temporary folder.
"""

import getpass
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from workshop.lessons import ROOT

CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "prometheus-python-workshop"
    / "containers"
)
RUN_STATE = Path(tempfile.gettempdir()) / f"workshop-containers-{getpass.getuser()}"
TOOLS = ["podman", "runc", "mmdebstrap", "catatonit"]
HELPERS = ["/usr/lib/podman", "/usr/libexec/podman", "/usr/local/libexec/podman"]
CONTAINERS_CONF = f"""\
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
tmp_dir = "{RUN_STATE}/libpod"
lock_type = "file"

[network]
network_backend = "netavark"
network_config_dir = "{CACHE}/networks"
"""
STORAGE_CONF = f"""\
[storage]
driver = "overlay"
graphroot = "{CACHE}/storage"
runroot = "{RUN_STATE}/storage"
"""


class PodmanFailed(AssertionError):
    """A podman command failed; the message has its output."""


def environment(extra=None):
    """The environment of every podman (and podman-compose) the tests run."""
    CACHE.mkdir(parents=True, exist_ok=True)
    RUN_STATE.mkdir(parents=True, exist_ok=True)
    (CACHE / "networks").mkdir(exist_ok=True)
    settings = {"containers.conf": CONTAINERS_CONF, "storage.conf": STORAGE_CONF}
    for name, text in settings.items():
        path = CACHE / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return {
        **os.environ,
        "CONTAINERS_CONF": str(CACHE / "containers.conf"),
        "CONTAINERS_STORAGE_CONF": str(CACHE / "storage.conf"),
        "BUILDAH_FORMAT": "docker",
        **(extra or {}),
    }


def cannot_run():
    """Why the container tests cannot run here, or None when they can."""
    if sys.platform != "linux":
        return "the container tests run podman on Linux only (runc, mmdebstrap)"
    missing = [name for name in TOOLS if not shutil.which(name)]
    for helper in ("netavark", "aardvark-dns"):
        if not any(Path(folder, helper).exists() for folder in HELPERS):
            missing.append(helper)
    if missing:
        packages = " ".join([*TOOLS, "netavark", "aardvark-dns"])
        return f"{', '.join(missing)} not installed (Debian/Ubuntu: apt-get install {packages})"
    return None


def podman(*args, timeout=120, check=True, env=None):
    """Run `podman ARGS` with the tests' settings, from the repository root;
    PodmanFailed (with its output) when it fails."""
    return run(["podman", *args], timeout=timeout, check=check, env=env)


def run(command, timeout=120, check=True, env=None, cwd=ROOT):
    result = subprocess.run(
        [str(part) for part in command],
        env=environment(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise PodmanFailed(
            f"{' '.join(map(str, command))} exited with {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return result


def remove_everything():
    """Remove every pod, container, network and volume of the tests' own store: what a
    run that was killed left behind."""
    podman("pod", "rm", "--all", "--force", check=False)
    podman("rm", "--all", "--force", check=False)
    podman("network", "prune", "--force", check=False)
    podman("volume", "prune", "--force", check=False)


def image_label(image, label):
    """The value of a label of a local image, or None when there is no such image."""
    result = podman(
        "image", "inspect", "--format", f'{{{{index .Labels "{label}"}}}}', image, check=False
    )
    value = result.stdout.strip()
    return value if result.returncode == 0 and value not in ("", "<no value>") else None
