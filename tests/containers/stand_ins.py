"""Local stand-ins for the base images the lesson's files name, built offline
(no registry can be reached here) and tagged with those very names, so that the
Dockerfile, compose.yaml and the manifests run as a learner runs them:

- docker.io/library/python:3.11-slim: Debian 12's Python 3.11 (`python3`,
  `python`, venv and pip), and a folder of the wheels of requirements.txt, which
  pip is told to use instead of PyPI (/etc/pip.conf);
- docker.io/prom/prometheus:v2.42.0: Debian 12's Prometheus 2.42, with the
  official image's entrypoint, arguments, paths, user (nobody) and volume.
  Debian builds it without Kubernetes discovery (see pod_discovery).

mmdebstrap makes one root file system holding both, and `podman import` makes it
each image, with that image's settings: half the work of two, and the two
images share their one layer. They are built again only when this recipe
changes: its hash is a label of both. The first test to need them builds them;
the others wait.
"""

import hashlib
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import CACHE, image_label, podman, remove_everything
from workshop.lessons import ROOT

PYTHON = "docker.io/library/python:3.11-slim"
PROMETHEUS = "docker.io/prom/prometheus:v2.42.0"
LABEL = "workshop.stand-in.recipe"
PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates,prometheus"
SMALLER = [  # nothing a container needs: documentation, and time zones for the UI's charts
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-exclude=/usr/share/javascript/moment-timezone/data/*",
]
PIP_CONF = "[global]\nno-index = true\nfind-links = /opt/workshop-wheels\n"
HOOKS = [
    # Python: the wheels, and pip told to use them.
    'mkdir -p "$1/opt/workshop-wheels"',
    "copy-in {wheels}/. /opt/workshop-wheels",
    "upload {pip_conf} /etc/pip.conf",
    # Prometheus: the official image's paths, owned by its user.
    'mkdir -p "$1/prometheus" "$1/usr/share/prometheus"',
    'cp -a "$1/etc/prometheus/console_libraries" "$1/etc/prometheus/consoles" '
    '"$1/usr/share/prometheus/"',
    'chroot "$1" chown -R nobody:nogroup /etc/prometheus /prometheus',
]
SETTINGS = {
    PYTHON: ["ENV LANG=C.UTF-8", 'CMD ["python3"]'],
    PROMETHEUS: [
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
}
BUILD_SECONDS = 900


def recipe_hash():
    recipe = {
        "packages": PACKAGES,
        "smaller": SMALLER,
        "hooks": HOOKS,
        "settings": SETTINGS,
        "pip.conf": PIP_CONF,
        "requirements": (ROOT / "requirements.txt").read_text(encoding="utf-8"),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def ensure_stand_ins(run_id):
    """Both stand-ins, built unless the store has them from an earlier run. The first
    caller of a test run also removes what a killed earlier run left in the store."""
    import fcntl  # POSIX only: here, after container_fixtures' skip on other systems

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
        if any(image_label(image, LABEL) != recipe_hash() for image in SETTINGS):
            build()


def build():
    with tempfile.TemporaryDirectory(prefix="workshop-stand-in-") as folder:
        folder = Path(folder)
        rootfs = folder / "rootfs.tar"
        wheels, pip_conf = folder / "wheels", folder / "pip.conf"
        download_wheels(wheels)
        pip_conf.write_text(PIP_CONF)
        values = {"wheels": wheels, "pip_conf": pip_conf}
        hooks = [f"--customize-hook={hook.format(**values)}" for hook in HOOKS]
        command = [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            f"--include={PACKAGES}",
            *SMALLER,
            *hooks,
            "bookworm",
            str(rootfs),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_SECONDS)
        if result.returncode != 0:
            raise AssertionError(f"mmdebstrap failed:\n{result.stderr[-3000:]}")
        for image, settings in SETTINGS.items():
            changes = [f"--change={change}" for change in settings]
            changes.append(f"--change=LABEL {LABEL}={recipe_hash()}")
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
