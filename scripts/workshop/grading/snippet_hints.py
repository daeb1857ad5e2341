"""The hint for each difference between a snippet and the app's output: a value
off (in milliseconds? a counter incremented twice?), a line missing (renamed?
other buckets?), an extra line (a misspelt label value?), two series swapped,
or a page answered by one worker's registry.

Used by grading.snippets.
"""

import difflib

from workshop.grading.snippet_lines import Mismatch, depends_on_clock, in_milliseconds, metric_name


def value_hint(expected, actual, types):
    name = expected.name
    kind = depends_on_clock(name, types)
    if kind == "timestamp":
        return "expected a Unix time in seconds close to now: set it with set_to_current_time()"
    if kind == "duration" and in_milliseconds(actual.value, expected.value):
        return (
            f"the total duration is {actual.value:g}, the lesson's about {expected.value:.3g}: "
            "in milliseconds? Prometheus durations are in seconds, as .time() observes them"
        )
    if kind == "duration":
        return "a total duration cannot be negative: time with .time(), in seconds"
    if name.endswith("_bucket"):
        return "bucket counts differ: are the buckets the lesson's? is each request observed once?"
    if name.endswith("_count") and actual.value > expected.value:
        return (
            "the number of observations differs: more observations than the lesson's app "
            "makes: is something timed that it does not time (a request answered 4xx before "
            "the work), or one thing timed twice?"
        )
    if name.endswith("_count"):
        return "the number of observations differs: is every request timed, exactly once?"
    if name.endswith("_info") and expected.value == 1:
        return "an info metric is always 1: is .set(1) called on its series, once, at start-up?"
    if name.endswith("_total"):
        if actual.value < expected.value:
            return "the counter is lower than expected: is it incremented on every such request?"
        return "the counter is higher than expected: .inc() called twice? other traffic?"
    if ("inprogress" in name or "in_progress" in name) and actual.value > expected.value:
        return (
            f"{actual.value:g} requests still in progress once the traffic is over: they "
            "are counted in, and not all counted out: dec() on every way out of a request "
            "(a teardown_request function, or track_inprogress())"
        )
    return "the value differs: is the metric updated on every change the traffic makes?"


def comment_hint(expected):
    if expected.key[1] == "TYPE":
        return "the metric type differs: is it the Counter/Gauge/... the lesson uses?"
    return "the help text differs: copy it from the lesson"


# A hint that names the cause itself: shown before the others (see Mismatch.rank).
SPECIFIC = ("a label value taken from the request's path", "in milliseconds?", "one series per")


def rank(hint):
    return 2 if any(words in hint for words in SPECIFIC) else 5


def from_the_path(labels):
    """The label values that look like a request's path: "/", "/no-such-page"."""
    return [value for value in labels.values() if value.startswith("/")]


def path_label_hint(line):
    return (
        f"{series(line)}: a label value taken from the request's path. Each URL a client "
        "sends (a scanner sends thousands) becomes a series of its own: use a value from a "
        "small set your code chooses"
    )


def without_le(line):
    return {name: value for name, value in line.labels.items() if name != "le"}


def bucket_bounds(line, lines):
    """The `le` of every bucket in `lines` that belongs to the same series as `line`."""
    return [
        other.labels["le"]
        for other in lines
        if other.name == line.name and without_le(other) == without_le(line)
    ]


def bounds_in_milliseconds(expected, bounds):
    """Whether the app's bucket bounds hold the lesson's bound times 1000: milliseconds."""
    try:
        wanted = float(expected.labels["le"]) * 1000
        return any(abs(float(bound) - wanted) < 1e-6 * wanted for bound in bounds)
    except ValueError:
        return False


def missing_hint(expected, actual_lines, candidates, expected_types, lesson_paths=False):
    """Why an expected line is missing. `candidates`: {sample name: type} of the
    app's samples that could be this metric renamed; lesson_paths: whether the
    snippet's own label values look like paths (06's routes)."""
    name = expected.key[2] if expected.name == "#" else expected.name
    same_name = [a for a in actual_lines if a.name == name]
    bounds = bucket_bounds(expected, actual_lines) if name.endswith("_bucket") else []
    if bounds:
        return f"no bucket le={expected.labels['le']}, the app's are le={', '.join(bounds)}: " + (
            "in milliseconds? Prometheus durations, and their buckets, are in seconds"
            if bounds_in_milliseconds(expected, bounds)
            else "are the buckets the lesson's?"
        )
    if same_name and expected.value == 0 and expected.name.endswith("_total"):
        return (
            f"{series(expected)} is missing: a series no request has touched shows only "
            "when it is exported at 0: export each of its series at start-up, with "
            ".labels(...) once at the top of the file"
        )
    if same_name:
        labels = same_name[0].labels
        if from_the_path(labels) and not lesson_paths:
            return path_label_hint(same_name[0])
        if "pid" in labels and "pid" not in expected.labels:
            return (
                "one series per worker process, labelled pid: that is a gauge's default "
                'multiprocess_mode, "all"; the lesson\'s mode adds them up into one'
            )
        # Sorted: the labels come from a set, whose order changes from run to run.
        expected_labels, labels = (
            dict(sorted(expected.labels.items())),
            dict(sorted(labels.items())),
        )
        return f"the labels differ: expected {expected_labels}, the app has {labels}"
    kind = expected_types.get(name)
    same_kind = [known for known, known_kind in candidates.items() if kind in (None, known_kind)]
    close = difflib.get_close_matches(name, same_kind, n=1, cutoff=0.6)
    if not close:  # the whole metric is missing: one hint for all its lines
        return f"no metric named {metric_name(name)}: is it created, with exactly this name?"
    if close and close[0] == f"{name}_info":
        return (
            f"{name} is missing but {close[0]} is there: an Info adds _info to the name "
            "you give it: leave _info out of the name"
        )
    return f"{name} is missing but {close[0]} is there: was the metric renamed?"


ONE_PROCESS_ONLY = (
    "/metrics shows _created lines, which multiprocess mode never exports: it was answered "
    "from the registry of one worker. Serve a new CollectorRegistry with a "
    "MultiProcessCollector in it, made for each scrape"
)


def one_process_only(expected_lines, extra_lines):
    """The app shows _created series the lesson's multiprocess snippet cannot have."""
    expects_created = any(line.name.endswith("_created") for line in expected_lines)
    shows_created = any(line.name.endswith("_created") for line in extra_lines)
    return shows_created and not expects_created and multiprocess_snippet(expected_lines)


def multiprocess_snippet(expected_lines):
    """A snippet of counters or histograms without _created: multiprocess mode's output."""
    return any(line.name.endswith(("_total", "_bucket")) for line in expected_lines)


def series(line):
    labels = ",".join(f'{name}="{value}"' for name, value in sorted(line.labels.items()))
    return f"{line.name}{{{labels}}}" if labels else line.name


def name_swapped_series(mismatches, wrong_values, types):
    """One series too high and another of the same metric too low by as much: say so."""
    for high_expected, high in wrong_values:
        for low_expected, low in wrong_values:
            extra = high.value - high_expected.value
            if (
                high_expected.name == low_expected.name
                and extra > 0
                and low_expected.value - low.value == extra
            ):
                counter = types.get(high.name) == "counter"
                update = ".inc() in the right view" if counter else "it updated in the right place"
                hint = (
                    f"{series(high)} is {extra:g} higher and {series(low)} {extra:g} lower "
                    f"than expected: is {update}, on the right label?"
                )
                texts = {high.text, low.text}
                mismatches = [
                    Mismatch(m.expected, m.actual, hint) if m.actual in texts else m
                    for m in mismatches
                ]
    return mismatches


def extra_hint(extra, expected_lines):
    lesson_paths = any(from_the_path(line.labels) for line in expected_lines if line.name != "#")
    if extra.name != "#" and from_the_path(extra.labels) and not lesson_paths:
        return path_label_hint(extra)
    if extra.name.endswith("_bucket"):
        return f"an extra bucket le={extra.labels['le']}: are the buckets the lesson's?"
    candidates = []  # (similarity, label name, the lesson's value) for series one label away
    for expected in expected_lines:
        if extra.name == "#" or expected.name != extra.name:
            continue  # a HELP/TYPE line, or another metric's series
        if expected.labels.keys() != extra.labels.keys():
            continue
        differ = [name for name in extra.labels if extra.labels[name] != expected.labels[name]]
        if len(differ) == 1:
            name, ours, theirs = differ[0], expected.labels[differ[0]], extra.labels[differ[0]]
            similarity = difflib.SequenceMatcher(None, ours.lower(), theirs.lower()).ratio()
            candidates.append((similarity, name, ours))
    if candidates:
        _, name, ours = max(candidates)
        return (
            f"an extra series {series(extra)}: the lesson has {name}={ours!r}, "
            f"not {extra.labels[name]!r}: a misspelt label value?"
        )
    return "an extra line the lesson does not have: a new metric or label value?"
