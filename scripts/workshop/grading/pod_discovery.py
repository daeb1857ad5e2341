"""Kubernetes pod discovery without a cluster: the target groups Prometheus'
`kubernetes_sd_configs` (role: pod) would make of some pods, written for a
`file_sd_configs` file, and a Prometheus config whose `kubernetes_sd_configs`
read that file instead. A real Prometheus then applies the config's own
`relabel_configs` to the very labels Kubernetes would give it.

Two reasons: no cluster is needed, and Debian's Prometheus is built without
Kubernetes discovery (its promtool rejects `kubernetes_sd_configs`).

Used by grading.scrape_grader (lesson 08's exercise) and the container tests
(the pods that podman kube play runs). Standard library only.
"""

import json
import re
from dataclasses import dataclass, field

META = "__meta_kubernetes_pod_"
# A `kubernetes_sd_configs:` key, alone on its line or first in a list item ("- ").
SD_KEY = re.compile(r"^(?P<prefix>[ ]*(?:-[ ]+)?)kubernetes_sd_configs:(?P<rest>.*)$")
ROLE = re.compile(r"""\brole:\s*["']?(\w+)""")


@dataclass(frozen=True)
class Pod:
    """A running pod, as the Kubernetes API shows it to Prometheus."""

    namespace: str
    name: str
    ip: str
    annotations: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    ports: tuple = ()  # ((name, number), ...) of the container; none: it declares none
    container: str = "app"

    def annotation(self, name):
        return self.annotations.get(name)


def label_name(name):
    """The label Kubernetes discovery makes of an annotation or label name:
    "prometheus.io/scrape" -> "prometheus_io_scrape"."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


def meta_labels(pod):
    """The __meta_kubernetes_* labels every target of the pod carries."""
    labels = {
        "__meta_kubernetes_namespace": pod.namespace,
        f"{META}name": pod.name,
        f"{META}ip": pod.ip,
        f"{META}ready": "true",
        f"{META}phase": "Running",
        f"{META}container_name": pod.container,
        f"{META}container_init": "false",
    }
    for kind, values in (("label", pod.labels), ("annotation", pod.annotations)):
        for name, value in values.items():
            labels[f"{META}{kind}_{label_name(name)}"] = value
            labels[f"{META}{kind}present_{label_name(name)}"] = "true"
    return labels


def target_groups(pods):
    """The file_sd target groups of the pods: one target per declared container port,
    at the pod's IP and that port; one at the IP alone for a pod that declares none."""
    groups = []
    for pod in pods:
        for port_name, number in pod.ports or [(None, None)]:
            labels = meta_labels(pod)
            address = pod.ip
            if number is not None:
                address = f"{pod.ip}:{number}"
                labels[f"{META}container_port_name"] = port_name
                labels[f"{META}container_port_number"] = str(number)
                labels[f"{META}container_port_protocol"] = "TCP"
            groups.append({"targets": [address], "labels": labels})
    return groups


def write_targets(pods, path):
    path.write_text(json.dumps(target_groups(pods), indent=2) + "\n", encoding="utf-8")


def with_file_discovery(config, targets_file):
    """(the config text with each `kubernetes_sd_configs` replaced by a `file_sd_configs`
    that reads targets_file, the roles the replaced blocks named).

    It works on the text (the grader has no YAML parser), line by line, and keeps the
    number of lines, so that Prometheus' errors point at the learner's own lines. A
    block is the key's line and the lines after it that are blank, comments, indented
    further than the key, or list items ("- ") at the key's own indentation.
    """
    lines = config.splitlines()
    output, roles = [], []
    index = 0
    while index < len(lines):
        key = SD_KEY.match(lines[index])
        if not key:
            output.append(lines[index])
            index += 1
            continue
        end = block_end(lines, index, len(key["prefix"]))
        block = "\n".join([key["rest"], *lines[index + 1 : end]])
        roles += ROLE.findall(block)
        files = json.dumps(str(targets_file))  # a JSON string is a YAML string
        output.append(f"{key['prefix']}file_sd_configs: [{{files: [{files}]}}]")
        output += [""] * (end - index - 1)
        index = end
    return "\n".join(output) + "\n", roles


def block_end(lines, start, column):
    """The index of the first line after the block whose key is at lines[start], `column`."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        indent = len(line) - len(line.lstrip(" "))
        blank_or_comment = not line.strip() or line.lstrip().startswith("#")
        if not (blank_or_comment or indent > column or (indent == column and line[indent] == "-")):
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay where they are
    return end
