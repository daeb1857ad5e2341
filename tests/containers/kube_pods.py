"""Lesson 08's Deployment as pods that `podman kube play` (Podman 4.3) runs as
Kubernetes would, and those pods as Kubernetes discovery shows them to Prometheus.

Kubernetes' Deployment controller makes `replicas` pods from the Deployment's
template; so does pods_of(), with two changes that Podman 4.3 needs, and only in
what it plays:
- each container port gets a hostPort of its own on 127.0.0.1 (Podman 4.3
  publishes every containerPort on every interface, at the same number: the
  second pod could not start);
- each pod's volumes get names of their own (Podman 4.3 makes an emptyDir a
  named volume, which two pods would share).
"""

import copy
import json

import yaml
from harness import podman
from workshop.grading.pod_discovery import Pod
from workshop.lessons import ROOT

APP_MANIFEST = ROOT / "08_containers" / "kubernetes" / "app.yaml"


def deployment():
    [found] = [
        doc for doc in yaml.safe_load_all(APP_MANIFEST.read_text()) if doc["kind"] == "Deployment"
    ]
    return found


def pods_of(manifest, host_ports):
    """The pods the Deployment would have, named <deployment>-<n>, for podman kube play."""
    pods = []
    for number in range(manifest["spec"]["replicas"]):
        template = copy.deepcopy(manifest["spec"]["template"])
        name = f"{manifest['metadata']['name']}-{number}"
        spec = template["spec"]
        for container in spec["containers"]:
            for port in container.get("ports", []):
                port.update(hostIP="127.0.0.1", hostPort=host_ports[number])
        for volume in spec.get("volumes", []):
            own = f"{name}-{volume['name']}"
            for container in spec["containers"]:
                for mount in container.get("volumeMounts", []):
                    if mount["name"] == volume["name"]:
                        mount["name"] = own
            volume["name"] = own
        metadata = {
            **template["metadata"],
            "name": name,
            "namespace": manifest["metadata"]["namespace"],
        }
        pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
    return pods


def as_discovered(pod, network):
    """The pod as Kubernetes discovery would show it: with the IP Podman gave it."""
    infra = podman("pod", "inspect", "--format", "{{.InfraContainerID}}", pod["metadata"]["name"])
    networks = podman(
        "inspect", "--format", "{{json .NetworkSettings.Networks}}", infra.stdout.strip()
    )
    [container] = pod["spec"]["containers"]
    return Pod(
        namespace=pod["metadata"]["namespace"],
        name=pod["metadata"]["name"],
        ip=json.loads(networks.stdout)[network]["IPAddress"],
        annotations=pod["metadata"].get("annotations", {}),
        labels=pod["metadata"].get("labels", {}),
        ports=tuple(
            (port.get("name"), port["containerPort"]) for port in container.get("ports", [])
        ),
        container=container["name"],
    )
