"""Lesson 08's Deployment, run with `podman kube play` (kube_pods), scraped by a
real Prometheus (the stand-in image) through kubernetes/prometheus.yml's own
relabel rules: what cannot run here is Kubernetes discovery itself (no API
server, and Debian's Prometheus is built without it), so a file lists the two
pods with the labels Kubernetes would give them (pod_discovery).
"""

import json
import subprocess
import sys

import pytest
import requests
import yaml
from container_fixtures import app_image, stand_in_images  # noqa: F401 (fixtures)
from harness import podman
from kube_pods import as_discovered, deployment, pods_of
from lesson_walk import prometheus_query, promql_blocks
from stand_ins import PROMETHEUS
from workshop import ports, processes
from workshop.grading import pod_discovery
from workshop.lessons import ROOT

pytestmark = pytest.mark.containers
CONFIG = ROOT / "08_containers" / "kubernetes" / "prometheus.yml"
NETWORK = "workshop-kube-test"
PROMETHEUS_CONTAINER = "workshop-kube-test-prometheus"
SCRAPE_SECONDS = 40  # discovery and the scrape manager each wait ~5 s, then 2 s scrapes
EXTRA_GETS = 3  # sent to the second pod, on top of traffic.py's 10 requests to the first


@pytest.fixture
def pods_playing(app_image, tmp_path):  # noqa: F811
    """The Deployment's pods, running, on a network of their own: [(pod manifest, URL)]."""
    host_ports = [ports.free_port() for _ in range(deployment()["spec"]["replicas"])]
    pods = pods_of(deployment(), host_ports)
    played = tmp_path / "pods.yaml"
    played.write_text(yaml.safe_dump_all(pods))
    podman("network", "create", NETWORK)
    try:
        podman("kube", "play", "--network", NETWORK, played)
        urls = [f"http://127.0.0.1:{port}" for port in host_ports]
        for url in urls:
            assert processes.wait_for(lambda url=url: answers(f"{url}/metrics"), 60, interval=0.2)
        yield list(zip(pods, urls, strict=True))
    finally:
        podman("rm", "--force", PROMETHEUS_CONTAINER, check=False)
        podman("kube", "down", played, check=False)
        podman("volume", "prune", "--force", check=False)
        podman("network", "rm", "--force", NETWORK, check=False)


def answers(url):
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def test_prometheus_scrapes_each_pod_of_the_deployment_as_the_annotations_say(
    pods_playing, tmp_path
):
    """podman kube play runs the Deployment's pods (kube_pods); Prometheus finds them
    through a file that lists them as Kubernetes discovery would, and scrapes them as
    kubernetes/prometheus.yml's relabel rules say."""
    (first, first_url), (second, second_url) = pods_playing
    for pod, _ in pods_playing:
        played_as_the_template_says(pod)
    traffic = [sys.executable, ROOT / "06_multiprocess" / "traffic.py", "--url", first_url]
    subprocess.run(traffic, check=True, capture_output=True, timeout=60)
    for _ in range(EXTRA_GETS):
        requests.get(second_url, timeout=5).raise_for_status()
    url = prometheus_with_the_lessons_config(
        [as_discovered(pod, NETWORK) for pod, _ in pods_playing], tmp_path
    )
    names = [first["metadata"]["name"], second["metadata"]["name"]]
    up = processes.wait_for(lambda: pods_up(url, len(names)), SCRAPE_SECONDS, interval=0.5)
    assert up == {(name, "workshop", "kubernetes-pods") for name in names}
    counts = prometheus_query(url, "sum by (pod, route, status) (http_requests_total)")
    assert {
        (one["metric"]["pod"], one["metric"]["route"], one["metric"]["status"]): one["value"][1]
        for one in counts
        if one["value"][1] != "0"
    } == {
        (names[0], "/", "200"): "6",
        (names[0], "/work", "200"): "3",
        (names[0], "/work", "400"): "1",
        (names[0], "unmatched", "404"): "1",
        (names[1], "/", "200"): str(EXTRA_GETS),
    }
    for promql in promql_blocks():
        assert processes.wait_for(lambda q=promql: prometheus_query(url, q), SCRAPE_SECONDS), promql


def prometheus_with_the_lessons_config(pods, folder):
    """The stand-in Prometheus on the pods' network, with kubernetes/prometheus.yml: its
    discovery reads a file listing the pods, and it scrapes every 2 s instead of 15."""
    config_folder = folder / "prometheus"
    config_folder.mkdir(mode=0o755)
    pod_discovery.write_targets(pods, config_folder / "pods.json")
    text = CONFIG.read_text(encoding="utf-8")
    assert text.count("scrape_interval: 15s") == 1, "prometheus.yml changed"
    text = text.replace("scrape_interval: 15s", "scrape_interval: 2s")
    text, roles = pod_discovery.with_file_discovery(text, "/etc/prometheus/pods.json")
    assert roles == ["pod"]
    (config_folder / "prometheus.yml").write_text(text)
    for path in config_folder.iterdir():
        path.chmod(0o644)  # Prometheus runs as nobody
    port = ports.free_port()
    podman(
        "run",
        "--detach",
        "--name",
        PROMETHEUS_CONTAINER,
        "--network",
        NETWORK,
        "--publish",
        f"127.0.0.1:{port}:9090",
        "--volume",
        f"{config_folder}:/etc/prometheus:ro",
        PROMETHEUS,
    )
    url = f"http://127.0.0.1:{port}"
    ready = processes.wait_for(lambda: answers(f"{url}/-/ready"), 30, interval=0.2)
    logs = podman("logs", PROMETHEUS_CONTAINER, check=False)
    assert ready, f"Prometheus did not start: {logs.stdout}{logs.stderr}"
    return url


def pods_up(url, count):
    """{(pod, namespace, job)} of the pod targets that are up, once there are `count`."""
    series = prometheus_query(url, 'up{job="kubernetes-pods"} == 1')
    found = {(s["metric"]["pod"], s["metric"]["namespace"], s["metric"]["job"]) for s in series}
    return found if len(found) == count else None


def played_as_the_template_says(pod):
    """What podman kube play ran is the Deployment's template, but for the two changes
    Podman 4.3 needs (kube_pods): same image, annotations, security settings."""
    template = deployment()["spec"]["template"]
    assert pod["metadata"]["annotations"] == template["metadata"]["annotations"]
    inspect = json.loads(podman("inspect", f"{pod['metadata']['name']}-app").stdout)[0]
    assert inspect["Config"]["User"] == "10001"
    assert inspect["HostConfig"]["ReadonlyRootfs"] is True
    assert "no-new-privileges" in inspect["HostConfig"]["SecurityOpt"]
    assert any(mount["Destination"] == "/tmp" for mount in inspect["Mounts"])
