"""Lesson 08's exercise, judged: the pods of a small cluster, the target each one
should become (or not) under the prometheus.io/ annotations, and the four checks
of what a real Prometheus made of them, each with a hint that names the likely
mistake.

Used by grading.scrape_grader. Standard library only.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from workshop.grading.pod_discovery import Pod

SCRAPE, PORT, PATH = "prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"
WORKSHOP_APP = {SCRAPE: "true", PORT: "5000", PATH: "/metrics"}


def cluster_pod(app, suffix, namespace, number, annotations, *ports):
    """A pod of the app `app`, at 127.0.0.<number>: Prometheus will try to scrape these
    addresses, and on this computer nothing answers there."""
    labels = {"app.kubernetes.io/name": app}
    return Pod(namespace, f"{app}-{suffix}", f"127.0.0.{number}", annotations, labels, ports)


OWN_PORT = {SCRAPE: "true", PORT: "8000"}  # metrics on a port of their own (start_http_server)
OWN_PATH = {SCRAPE: "true", PATH: "/admin/metrics"}
SAYS_NO = {SCRAPE: "false", PORT: "8080"}
CLUSTER = (
    cluster_pod("workshop-app", "7c9d5b6f4-k2x8p", "workshop", 11, WORKSHOP_APP, ("http", 5000)),
    cluster_pod("workshop-app", "7c9d5b6f4-q7m4t", "workshop", 12, WORKSHOP_APP, ("http", 5000)),
    cluster_pod("billing", "7d4f9c8b5-h3j2k", "shop", 13, OWN_PORT, ("http", 8001)),
    cluster_pod("search", "5d7f8c6b4-w9v2n", "shop", 14, OWN_PATH, ("http", 9200)),
    # Declares no port: Kubernetes discovery gives its IP alone.
    cluster_pod("exporter", "6c5b4d7f8-p4r6s", "shop", 15, {SCRAPE: "true", PORT: "9100"}),
    cluster_pod("redis", "0", "shop", 16, {}, ("redis", 6379)),
    cluster_pod("report", "29405-x8k2p", "shop", 17, SAYS_NO, ("http", 8080)),
)


@dataclass
class Target:
    """One active target Prometheus made of a pod: where it scrapes, and its labels."""

    address: str  # host:port
    path: str
    labels: dict


def target(api_target):
    """A Target from one entry of /api/v1/targets' activeTargets."""
    url = urlsplit(api_target["scrapeUrl"])
    return Target(url.netloc, url.path, api_target["labels"])


def should_be_scraped(pod):
    return pod.annotation(SCRAPE) == "true"


def expected_address(pod):
    declared = pod.ports[0][1] if pod.ports else None
    return f"{pod.ip}:{pod.annotation(PORT) or declared}"


def expected_path(pod):
    return pod.annotation(PATH) or "/metrics"


def described(pod, *names):
    """'billing-... (prometheus.io/port: "8000")': the pod with the annotations named."""
    shown = [f'{name}: "{pod.annotation(name)}"' for name in names if pod.annotation(name)]
    missing = [f"no {name}" for name in names if pod.annotation(name) is None]
    return f"{pod.name} ({', '.join(shown + missing)})"


def check_scrape(targets):
    """Every pod annotated prometheus.io/scrape: "true" is a target, and no other."""
    wrong, kept, dropped = [], [], []
    for pod in CLUSTER:
        if should_be_scraped(pod) and pod.name not in targets:
            dropped.append(pod)
            wrong.append(f"{described(pod, SCRAPE)}: not a target, and should be")
        elif not should_be_scraped(pod) and pod.name in targets:
            kept.append(pod)
            wrong.append(f"{described(pod, SCRAPE)}: a target, and should not be")
    wanted = sum(map(should_be_scraped, CLUSTER))
    summary = f'{wanted} pods annotated "true" are targets, {len(CLUSTER) - wanted} others are not'
    return summary, wrong, scrape_hint(kept, dropped)


def scrape_hint(kept, dropped):
    wanted = sum(map(should_be_scraped, CLUSTER))
    if len(dropped) == wanted and len(kept) == len(CLUSTER) - wanted:
        return 'the pods annotated "true" are dropped, and the others kept: action: keep, not drop'
    if len(dropped) == wanted:
        return (
            'every pod annotated "true" was dropped: the annotation is the label '
            "__meta_kubernetes_pod_annotation_prometheus_io_scrape (each character that is "
            'not a letter, digit or _ becomes _), and its value is the string "true"'
        )
    if dropped:
        return 'a pod annotated "true" is dropped: does a rule after the keep drop it?'
    if any(pod.annotation(SCRAPE) is None for pod in kept):
        return (
            "keep only the pods that ask for it: action: keep, source_labels: "
            '[__meta_kubernetes_pod_annotation_prometheus_io_scrape], regex: "true"'
        )
    return (
        'a pod annotated "false" asks not to be scraped: keep the value "true" (regex: "true"), '
        "not any value or the annotation's presence"
    )


def check_port(targets):
    """Each pod to scrape is scraped on its prometheus.io/port, or its declared port."""
    wrong, hints = [], []
    for pod in scraped(targets):
        address = targets[pod.name][0].address
        if address != expected_address(pod):
            should = expected_address(pod)
            wrong.append(f"{described(pod, PORT)}: scraped at {address}, should be at {should}")
            hints.append(port_hint(pod, address))
    return "the annotated port, else the declared one", wrong, hints[0] if hints else None


def port_hint(pod, address):
    if pod.annotation(PORT) is None:
        return (
            "a pod without prometheus.io/port keeps the port it declares: the rule must not "
            "match when the annotation is missing (digits after the ';': (\\d+))"
        )
    if not pod.ports and address.endswith(":80"):
        return (
            "a pod that declares no port is discovered at its IP alone: make the port of "
            "__address__ optional in the regex, ([^:]+)(?::\\d+)?;(\\d+)"
        )
    if address.count(":") > 1:
        return (
            "the address kept its own port: match it in the regex and leave it out of the "
            "replacement, ([^:]+)(?::\\d+)?;(\\d+) -> $1:$2"
        )
    if not address.startswith(f"{pod.ip}:"):
        return "the replacement lost the pod's IP: write both parts, $1:$2"
    return (
        "set __address__ to the pod's IP and the port of "
        "__meta_kubernetes_pod_annotation_prometheus_io_port"
    )


def check_path(targets):
    """Each pod to scrape is scraped on its prometheus.io/path, or /metrics."""
    wrong, hints = [], []
    for pod in scraped(targets):
        path = targets[pod.name][0].path
        if path != expected_path(pod):
            shown, should = path or "(no path)", expected_path(pod)
            wrong.append(f"{described(pod, PATH)}: scraped at {shown}, should be at {should}")
            hints.append(path_hint(pod))
    return "the annotated path, else /metrics", wrong, hints[0] if hints else None


def path_hint(pod):
    if pod.annotation(PATH) is None:
        return (
            "a pod without prometheus.io/path keeps /metrics: add regex: (.+) so that the "
            "rule does nothing when the annotation is missing"
        )
    return (
        "set __metrics_path__ (two underscores each side) from "
        "__meta_kubernetes_pod_annotation_prometheus_io_path"
    )


def check_labels(targets):
    """Each target is labelled with its pod's namespace and name."""
    wrong, hints = [], []
    for pod in scraped(targets):
        labels = targets[pod.name][0].labels
        wanted = {"namespace": pod.namespace, "pod": pod.name}
        differs = [label for label, value in wanted.items() if labels.get(label) != value]
        if differs:
            shown = ", ".join(shown_label(label, labels) for label in differs)
            should = ", ".join(f'{label}="{wanted[label]}"' for label in differs)
            wrong.append(f"{pod.name}: {shown}, should be {should}")
            hints.append(labels_hint(differs, labels))
    return "namespace and pod on every target", wrong, hints[0] if hints else None


def shown_label(label, labels):
    return f'{label}="{labels[label]}"' if label in labels else f"no {label} label"


SOURCES = {"namespace": "__meta_kubernetes_namespace", "pod": "__meta_kubernetes_pod_name"}


def labels_hint(differs, labels):
    missing = [label for label in differs if label not in labels]
    if missing and any(name.startswith("kubernetes_") for name in labels):
        return (
            "name the labels namespace and pod: kubernetes_namespace and kubernetes_pod_name "
            "are an older convention, and the lesson's queries use namespace and pod"
        )
    if len(missing) == 1:
        [label] = missing
        source = SOURCES[label]
        return f"copy {source} to {label}: source_labels: [{source}], target_label: {label}"
    if missing:
        return (
            "copy __meta_kubernetes_namespace to namespace and __meta_kubernetes_pod_name to "
            "pod: a rule each, with source_labels: [...] and target_label: ..."
        )
    label = differs[0]
    return f"take {label} from {SOURCES[label]}, not from another label or a fixed replacement"


def scraped(targets):
    """The pods to scrape that are targets (the others are check_scrape's business)."""
    return [pod for pod in CLUSTER if should_be_scraped(pod) and pod.name in targets]


CHECKS = {SCRAPE: check_scrape, PORT: check_port, PATH: check_path, "labels": check_labels}
