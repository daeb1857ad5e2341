"""Lesson 08's exercise, solved one TODO at a time (for tests/test_08_containers.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:` line
of 08_containers/exercise.yml to the relabel rules that replace it (YAML, at the
comment's indentation). CLOSE_BUT_WRONG are answers a learner could write that
look right but are not: (what is wrong, {marker: rules} on top of every TODO
solved, a fragment of the hint the grader must print, or of Prometheus' own
error). RIGHT_BUT_DIFFERENT are correct answers written another way: (what
differs, {marker: rules}); OTHER_STYLE is one whole config in other YAML styles.
"""

IMPORTS = {}  # nothing to import in a Prometheus config
KEEP = (
    "- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]\n"
    "  regex: {regex}\n"
    "  action: keep"
)
PORT = (
    "- source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]\n"
    "  regex: {regex}\n"
    "  replacement: {replacement}\n"
    "  target_label: __address__"
)
PATH = (
    "- source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]\n"
    "{regex}"
    "  target_label: {target}"
)
LABELS = (
    "- source_labels: [__meta_kubernetes_namespace]\n"
    "  target_label: {namespace}\n"
    "- source_labels: [__meta_kubernetes_pod_name]\n"
    "  target_label: {pod}"
)
ADDRESS = r"([^:]+)(?::\d+)?;(\d+)"
TODOS = {
    1: {"# TODO 1:": KEEP.format(regex='"true"')},
    2: {"# TODO 2:": PORT.format(regex=ADDRESS, replacement="$1:$2")},
    3: {"# TODO 3:": PATH.format(regex="  regex: (.+)\n", target="__metrics_path__")},
    4: {"# TODO 4:": LABELS.format(namespace="namespace", pod="pod")},
}
CLOSE_BUT_WRONG = [
    (
        "keep on any value: a pod annotated false is scraped",
        {"# TODO 1:": KEEP.format(regex=".+")},
        'a pod annotated "false" asks not to be scraped',
    ),
    (
        "keep on the annotation's presence",
        {
            "# TODO 1:": (
                "- source_labels: "
                "[__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape]\n"
                '  regex: "true"\n'
                "  action: keep"
            )
        },
        'a pod annotated "false" asks not to be scraped',
    ),
    (
        "the annotation's name as written on the pod, dots and slash kept",
        {"# TODO 1:": KEEP.format(regex='"true"').replace("_prometheus_io_", "_prometheus.io/")},
        'annotation_prometheus.io/scrape" is not a valid label name',
    ),
    (
        "annotations for annotation: a label no pod has",
        {"# TODO 1:": KEEP.format(regex='"true"').replace("_annotation_", "_annotations_")},
        'every pod annotated "true" was dropped',
    ),
    (
        "drop instead of keep",
        {"# TODO 1:": KEEP.format(regex='"true"').replace("keep", "drop")},
        "action: keep, not drop",
    ),
    (
        "the address regex without its port: two ports in the address",
        {"# TODO 2:": PORT.format(regex=r"(.+);(\d+)", replacement="$1:$2")},
        "the address kept its own port",
    ),
    (
        "the address regex needs a port: a pod that declares none is scraped on :80",
        {"# TODO 2:": PORT.format(regex=r"([^:]+):\d+;(\d+)", replacement="$1:$2")},
        "a pod that declares no port",
    ),
    (
        "the address regex matches without the annotation: the port is lost",
        {"# TODO 2:": PORT.format(regex=r"([^:]+)(?::\d+)?;(\d*)", replacement="$1:$2")},
        "a pod without prometheus.io/port keeps the port it declares",
    ),
    (
        "the replacement keeps only the port",
        {"# TODO 2:": PORT.format(regex=ADDRESS, replacement="$2")},
        "the replacement lost the pod's IP",
    ),
    (
        "the path rule without regex (.+): no path for a pod without the annotation",
        {"# TODO 3:": PATH.format(regex="", target="__metrics_path__")},
        "a pod without prometheus.io/path keeps /metrics",
    ),
    (
        "one underscore too few in __metrics_path__",
        {"# TODO 3:": PATH.format(regex="  regex: (.+)\n", target="__metrics_path")},
        "set __metrics_path__ (two underscores each side)",
    ),
    (
        "the older label names",
        {"# TODO 4:": LABELS.format(namespace="kubernetes_namespace", pod="kubernetes_pod_name")},
        "kubernetes_namespace and kubernetes_pod_name are an older convention",
    ),
    (
        "the namespace written by hand",
        {
            "# TODO 4:": (
                "- target_label: namespace\n"
                "  replacement: workshop\n"
                "- source_labels: [__meta_kubernetes_pod_name]\n"
                "  target_label: pod"
            )
        },
        "take namespace from __meta_kubernetes_namespace",
    ),
    (
        "the pod label forgotten",
        {"# TODO 4:": "- source_labels: [__meta_kubernetes_namespace]\n  target_label: namespace"},
        "copy __meta_kubernetes_pod_name to pod: source_labels",
    ),
    (
        "the pod's name mapped with labelmap: a label name, not pod",
        {
            "# TODO 4:": (
                "- source_labels: [__meta_kubernetes_namespace]\n"
                "  target_label: namespace\n"
                "- action: labelmap\n"
                "  regex: __meta_kubernetes_pod_(name)"
            )
        },
        "copy __meta_kubernetes_pod_name to pod",
    ),
    (
        "the namespace from __meta_kubernetes_pod_namespace, a label no pod has",
        {
            "# TODO 4:": LABELS.format(namespace="namespace", pod="pod").replace(
                "__meta_kubernetes_namespace", "__meta_kubernetes_pod_namespace"
            )
        },
        "copy __meta_kubernetes_namespace to namespace",
    ),
    (
        "the path set to /metrics whatever the annotation says",
        {"# TODO 3:": "- target_label: __metrics_path__\n  replacement: /metrics"},
        "set __metrics_path__ (two underscores each side) from",
    ),
]
RIGHT_BUT_DIFFERENT = [
    (
        "the address from the pod's IP label instead of __address__",
        {
            "# TODO 2:": (
                "- source_labels: [__meta_kubernetes_pod_ip, "
                "__meta_kubernetes_pod_annotation_prometheus_io_port]\n"
                r"  regex: (.+);(\d+)" + "\n"
                "  replacement: $1:$2\n"
                "  target_label: __address__"
            )
        },
    ),
    (
        "explicit action: replace, single quotes, and every pod label kept too",
        {
            "# TODO 1:": KEEP.format(regex="'true'"),
            "# TODO 3:": PATH.format(
                regex="  regex: (.+)\n  action: replace\n  replacement: $1\n",
                target="__metrics_path__",
            ),
            "# TODO 4:": LABELS.format(namespace="namespace", pod="pod")
            + "\n- action: labelmap\n  regex: __meta_kubernetes_pod_label_(.+)",
        },
    ),
    (
        "the rules in another order: labels first, keep last",
        {
            "# TODO 1:": LABELS.format(namespace="namespace", pod="pod"),
            "# TODO 4:": KEEP.format(regex='"true"'),
        },
    ),
    ("keep on a case-insensitive true", {"# TODO 1:": KEEP.format(regex='"(?i)true"')}),
    ("keep on true unquoted", {"# TODO 1:": KEEP.format(regex="true")}),
    (
        "the port joined with ${1}:${2}",
        {"# TODO 2:": PORT.format(regex=ADDRESS, replacement="${1}:${2}")},
    ),
]
# A whole config in other YAML styles: flow sequences, a list at the key's own
# indentation, kubernetes_sd_configs after relabel_configs, comments in between.
OTHER_STYLE = r"""
scrape_configs:
- job_name: pods
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: "true"}
  - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
    regex: '([^:]+)(?::\d+)?;(\d+)'
    replacement: '$1:$2'
    target_label: __address__
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], regex: (.+), target_label: __metrics_path__}
  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
  # the pods, from the cluster's API
  kubernetes_sd_configs:
  - role: pod

  # other settings
  scrape_interval: 30s
"""  # noqa: E501
