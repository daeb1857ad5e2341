"""Compare a lesson's expected snippet with what the app printed, line by line.

Every value must match exactly, except those that depend on the clock:
`_created` and `*_timestamp_seconds` must be a Unix time near now, and the
`_sum` of a histogram or summary (a total duration) must be >= 0.
"""

import difflib
import time
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

TIMESTAMP_WINDOW_SECONDS = 3600
# A duration _sum this many times the lesson's is no slow machine: milliseconds.
# Only for sums of at least MILLISECONDS_FLOOR seconds: tiny sums of fast requests
# can grow many times over on a busy laptop.
MILLISECONDS_FACTOR = 100
MILLISECONDS_FLOOR = 0.1
# Metrics the client exports by itself: never what a learner's typo turned a name into.
DEFAULT_COLLECTOR_PREFIXES = ("python_", "process_")


@dataclass(frozen=True)
class Line:
    text: str
    key: tuple  # what identifies the line: a comment's first words, or name + labels
    value: float | None = None  # None for comments

    @property
    def name(self):
        return self.key[0]

    @property
    def labels(self):
        return dict(self.key[1])


@dataclass(frozen=True)
class Mismatch:
    expected: str | None
    actual: str | None
    hint: str


def parse_line(text):
    if text.startswith("#"):
        words = text.split(maxsplit=3)  # "# HELP name text..." / "# TYPE name type"
        return Line(text, ("#", *words[1:3]))
    family = next(text_string_to_metric_families(text + "\n"))
    sample = family.samples[0]
    return Line(text, (sample.name, frozenset(sample.labels.items())), sample.value)


def parse_lines(text):
    return [parse_line(line.rstrip()) for line in text.splitlines() if line.strip()]


def sample_types(exposition):
    """Map each sample name in a whole /metrics page to its metric type."""
    return {
        sample.name: family.type
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def depends_on_clock(name, types):
    if name.endswith(("_created", "_timestamp_seconds")):
        return "timestamp"
    if name.endswith("_sum") and types.get(name) in ("histogram", "summary"):
        return "duration"
    return None


def plausible(kind, value, now, expected):
    if kind == "timestamp":
        return now - TIMESTAMP_WINDOW_SECONDS <= value <= now + 60
    return value >= 0 and not in_milliseconds(value, expected)


def in_milliseconds(value, expected):
    return expected >= MILLISECONDS_FLOOR and value > MILLISECONDS_FACTOR * expected


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
    if name.endswith("_count"):
        return "the number of observations differs: is every request timed, exactly once?"
    if name.endswith("_info") and expected.value == 1:
        return "an info metric is always 1: is .set(1) called on its series, once, at start-up?"
    if name.endswith("_total"):
        if actual.value < expected.value:
            return "the counter is lower than expected: is it incremented on every such request?"
        return "the counter is higher than expected: .inc() called twice? other traffic?"
    return "the value differs: is the metric updated on every change the traffic makes?"


def comment_hint(expected):
    if expected.key[1] == "TYPE":
        return "the metric type differs: is it the Counter/Gauge/... the lesson uses?"
    return "the help text differs: copy it from the lesson"


def without_le(line):
    return {name: value for name, value in line.labels.items() if name != "le"}


def bucket_bounds(line, lines):
    """The `le` of every bucket in `lines` that belongs to the same series as `line`."""
    return [
        other.labels["le"]
        for other in lines
        if other.name == line.name and without_le(other) == without_le(line)
    ]


def missing_hint(expected, actual_lines, candidates, expected_types):
    """Why an expected line is missing. `candidates`: {sample name: type} of the
    app's samples that could be this metric renamed."""
    name = expected.key[2] if expected.name == "#" else expected.name
    same_name = [a for a in actual_lines if a.name == name]
    bounds = bucket_bounds(expected, actual_lines) if name.endswith("_bucket") else []
    if bounds:
        return (
            f"no bucket le={expected.labels['le']}, the app's are le={', '.join(bounds)}: "
            "are the buckets the lesson's?"
        )
    if same_name:
        return f"the labels differ: expected {expected.labels}, the app has {same_name[0].labels}"
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


def metric_name(sample_name):
    """The name a learner gave the metric: without the suffixes the client adds."""
    for suffix in ("_created", "_bucket", "_count", "_sum", "_total"):
        if sample_name.endswith(suffix):
            return sample_name.removesuffix(suffix)
    return sample_name


def same_value(expected, actual, types, now):
    if expected.name == "#":
        return expected.text == actual.text
    kind = depends_on_clock(expected.name, types)
    return (
        plausible(kind, actual.value, now, expected.value)
        if kind
        else expected.value == actual.value
    )


def compare(expected_text, actual_text, types=None, now=None, other_names=()):
    """The mismatches between two snippets; an empty list means they match.

    `types` maps every sample name of the whole /metrics page to its type;
    `other_names` are the sample names the lesson's other snippets expect (a
    metric that another TODO asks for, any of its samples, _created included, is
    no renamed version of this one).
    """
    types = types or {}
    now = time.time() if now is None else now
    expected_lines, actual_lines = parse_lines(expected_text), parse_lines(actual_text)
    other_metrics = {metric_name(name) for name in other_names}
    renamed_candidates = {
        name: kind
        for name, kind in types.items()
        if not name.startswith(DEFAULT_COLLECTOR_PREFIXES)
        and metric_name(name) not in other_metrics
    }
    expected_types = sample_types(expected_text)
    actual_by_key = {line.key: line for line in actual_lines}
    mismatches, wrong_values = [], []
    for expected in expected_lines:
        actual = actual_by_key.pop(expected.key, None)
        if actual is None:
            hint = missing_hint(expected, actual_lines, renamed_candidates, expected_types)
            mismatches.append(Mismatch(expected.text, None, hint))
        elif not same_value(expected, actual, types, now):
            if expected.name == "#":
                hint = comment_hint(expected)
            else:
                hint = value_hint(expected, actual, types)
                wrong_values.append((expected, actual))
            mismatches.append(Mismatch(expected.text, actual.text, hint))
    for extra in actual_by_key.values():
        mismatches.append(Mismatch(None, extra.text, extra_hint(extra, expected_lines)))
    if one_process_only(expected_lines, actual_by_key.values()):
        return [Mismatch(m.expected, m.actual, ONE_PROCESS_ONLY) for m in mismatches]
    return name_swapped_series(mismatches, wrong_values, types)


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
