"""Local stand-ins for the base images the lesson's files name, built offline
(no registry can be reached here) and tagged with those very names, so that the
Dockerfile, compose.yaml and the manifests run as a learner runs them:

- docker.io/library/python:3.11-slim: Debian 12's Python 3.11 (`python3`,
  `python`, venv and pip), and a folder of the wheels of requirements.txt, which
  pip is told to use instead of PyPI (/etc/pip.conf);
- docker.io/prom/prometheus:v2.42.0: Debian 12's Prometheus 2.42, with the
  official image's entrypoint, arguments, paths, user (nobody) and volume.
  Debian builds it without Kubernetes discovery (see pod_discovery).

mmdebstrap makes each root file system, `podman import` makes it an image. An
image is built again only when its recipe changes: the recipe's hash is a label
of the image. The first test to need them builds both at once; the others wait.
"""

import fcntl
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import CACHE, image_label, podman, remove_everything
from workshop.lessons import ROOT

PYTHON = "docker.io/library/python:3.11-slim"
PROMETHEUS = "docker.io/prom/prometheus:v2.42.0"
LABEL = "workshop.stand-in.recipe"
SMALLER = [  # nothing a container needs: documentation, and time zones for the UI's charts
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-exclude=/usr/share/javascript/moment-timezone/data/*",
]
PIP_CONF = "[global]\nno-index = true\nfind-links = /opt/workshop-wheels\n"
RECIPES = {
    PYTHON: {
        "packages": "python3,python3-venv,python-is-python3,ca-certificates",
        "hooks": [
            'mkdir -p "$1/opt/workshop-wheels"',
            "copy-in {wheels}/. /opt/workshop-wheels",
            "upload {pip_conf} /etc/pip.conf",
        ],
        "changes": ["ENV LANG=C.UTF-8", 'CMD ["python3"]'],
    },
    PROMETHEUS: {
        "packages": "prometheus",
        "hooks": [
            'mkdir -p "$1/prometheus" "$1/usr/share/prometheus"',
            'cp -a "$1/etc/prometheus/console_libraries" "$1/etc/prometheus/consoles" '
            '"$1/usr/share/prometheus/"',
            'chroot "$1" chown -R nobody:nogroup /etc/prometheus /prometheus',
        ],
        "changes": [
            'ENTRYPOINT ["/bin/prometheus"]',
            'CMD ["--config.file=/etc/prometheus/prometheus.yml", '
            '"--storage.tsdb.path=/prometheus", '
            '"--web.console.libraries=/usr/share/prometheus/console_libraries", '
            '"--web.console.templates=/usr/share/prometheus/consoles"]',
            "USER nobody",
            "WORKDIR /prometheus",
            "EXPOSE 9090",
            'VOLUME ["/prometheus"]',
        ],
    },
}
BUILD_SECONDS = 600


def recipe_hash(image):
    recipe = {**RECIPES[image], "smaller": SMALLER}
    if image == PYTHON:
        recipe["requirements"] = (ROOT / "requirements.txt").read_text(encoding="utf-8")
        recipe["pip.conf"] = PIP_CONF
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def ensure_stand_ins(run_id):
    """Both stand-ins, built unless the store has them from an earlier run. The first
    caller of a test run also removes what a killed earlier run left in the store."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "stand-ins.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        if lock.read().strip() != run_id:
            remove_everything()
            lock.seek(0)
            lock.truncate()
            lock.write(run_id)
            lock.flush()
        stale = [image for image in RECIPES if image_label(image, LABEL) != recipe_hash(image)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(build, stale))


def build(image):
    with tempfile.TemporaryDirectory(prefix="workshop-stand-in-") as folder:
        folder = Path(folder)
        rootfs = folder / "rootfs.tar"
        values = {"wheels": folder / "wheels", "pip_conf": folder / "pip.conf"}
        if image == PYTHON:
            download_wheels(values["wheels"])
            values["pip_conf"].write_text(PIP_CONF)
        recipe = RECIPES[image]
        hooks = [f"--customize-hook={hook.format(**values)}" for hook in recipe["hooks"]]
        command = [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            f"--include={recipe['packages']}",
            *SMALLER,
            *hooks,
            "bookworm",
            str(rootfs),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_SECONDS)
        if result.returncode != 0:
            raise AssertionError(f"mmdebstrap failed for {image}:\n{result.stderr[-3000:]}")
        changes = [f"--change={change}" for change in recipe["changes"]]
        changes.append(f"--change=LABEL {LABEL}={recipe_hash(image)}")
        podman("import", "--quiet", *changes, rootfs, image, timeout=BUILD_SECONDS)


def download_wheels(folder):
    """The wheels of requirements.txt for the image's Python: CPython 3.11 on Linux,
    whichever Python runs the tests."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--implementation=cp",
        "--python-version=3.11",
        "--abi=cp311",
        f"--platform=manylinux2014_{platform.machine()}",
        "--dest",
        str(folder),
        "-r",
        str(ROOT / "requirements.txt"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_SECONDS)
    if result.returncode != 0:
        raise AssertionError(f"pip download failed:\n{result.stderr[-3000:]}")


def remove_stand_ins():
    """For a cold run: the next test run builds both stand-ins again."""
    for image in RECIPES:
        podman("rmi", "--force", image, check=False)
    shutil.rmtree(CACHE / "storage", ignore_errors=True)
