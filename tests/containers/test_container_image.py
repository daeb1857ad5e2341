"""Lesson 08's image, beyond what the README runs: what it is made of, how it
stops, and what the README's common mistakes say about its multiprocess folder
and its address.
"""

import json
import time
from contextlib import contextmanager

import pytest
import requests
from container_fixtures import app_image, stand_in_images  # noqa: F401 (fixtures)
from harness import podman
from workshop import ports, processes

pytestmark = pytest.mark.containers
GRACE_SECONDS = 10  # what docker stop waits for before it kills
STOP_SECONDS = 9  # gunicorn stops in 1 to 2 s: well under the grace, whatever the load


@contextmanager
def container(image, name, *options):
    """A container of the image, in the background, published on a free port: its URL."""
    port = ports.free_port()
    podman(
        "run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:5000", *options, image
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "--force", "--volumes", name, check=False)
        podman("volume", "rm", "--force", f"{name}-volume", check=False)


def serving(url, timeout=60):
    def answers():
        try:
            return requests.get(f"{url}/metrics", timeout=2).ok
        except requests.RequestException:
            return False

    return processes.wait_for(answers, timeout, interval=0.2)


def home_page_visits(url):
    for line in requests.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line.startswith('http_requests_total{route="/",status="200"}'):
            return float(line.split()[-1])
    raise AssertionError("no http_requests_total for / on /metrics")


def test_the_image_runs_as_user_10001_with_its_healthcheck_and_gunicorn_as_process_1(app_image):  # noqa: F811
    [config] = json.loads(podman("image", "inspect", app_image).stdout)
    assert config["Config"]["User"] == "10001"
    assert "HOST=0.0.0.0" in config["Config"]["Env"]
    assert config["Config"]["Cmd"] == ["python", "app.py"]
    assert "docker" in config["ManifestType"]  # BUILDAH_FORMAT=docker: the HEALTHCHECK is kept
    assert "/metrics" in " ".join(config["Healthcheck"]["Test"])


def test_docker_stop_stops_gunicorn_at_once_not_after_the_10_s_grace(app_image):  # noqa: F811
    with container(app_image, "workshop-app-stop", "--read-only", "--tmpfs", "/tmp") as url:
        assert serving(url)
        started = time.monotonic()
        podman("stop", "--time", str(GRACE_SECONDS), "workshop-app-stop")
        assert time.monotonic() - started < STOP_SECONDS
        state = json.loads(podman("inspect", "workshop-app-stop").stdout)[0]["State"]
        assert state["ExitCode"] == 0  # gunicorn's own exit, not a SIGKILL's 137


def test_a_volume_that_outlives_a_killed_container_is_emptied_at_its_next_start(app_image):  # noqa: F811
    """A Kubernetes emptyDir outlives a container killed in its pod (out of memory, say),
    and so do the files of its workers: gunicorn had no time for its on_exit hook. The
    when_ready hook, which empties the folder at every start, starts the counts from 0."""
    name = "workshop-app-killed"
    with container(app_image, name, "--volume", f"{name}-volume:/tmp") as url:
        assert serving(url)
        for _ in range(3):
            requests.get(url, timeout=5).raise_for_status()
        assert home_page_visits(url) == 3
        podman("kill", "--signal", "KILL", name)
        podman("start", name)
        assert serving(url)
        assert home_page_visits(url) == 0


def test_a_volume_on_the_multiprocess_folder_itself_stops_gunicorn(app_image):  # noqa: F811
    """Common mistakes: when_ready cannot delete a mount point to start it afresh."""
    name = "workshop-app-mount-point"
    mount = f"{name}-volume:/tmp/prometheus-multiproc-5000"
    with container(app_image, name, "--volume", mount) as url:
        exited = processes.wait_for(lambda: not running(name), 30, interval=0.2)
        assert exited and not serving(url, timeout=1)
        assert "cannot make /tmp/prometheus-multiproc-5000 afresh" in podman("logs", name).stderr


def test_host_127_0_0_1_inside_the_container_answers_nothing_on_the_published_port(app_image):  # noqa: F811
    """Common mistakes: gunicorn then listens on the container's own loopback only."""
    name = "workshop-app-loopback"
    with container(app_image, name, "--env", "HOST=127.0.0.1", "--tmpfs", "/tmp") as url:
        listening = lambda: "Listening at: http://127.0.0.1:5000" in podman("logs", name).stderr  # noqa: E731
        assert processes.wait_for(listening, 30, interval=0.2)
        assert running(name) and not serving(url, timeout=2)


def running(name):
    return podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip() == "true"
