"""The lines of a /metrics snippet, parsed: each one's name, labels and value, the
type of every sample on a page, and which values depend on the clock.

Used by grading.snippets (the comparison) and grading.snippet_hints (the hints).
"""

from dataclasses import dataclass

# A duration _sum this many times the lesson's is no slow machine: milliseconds.
# Only for sums of at least MILLISECONDS_FLOOR seconds: tiny sums of fast requests
# can grow many times over on a busy laptop.
MILLISECONDS_FACTOR = 100
MILLISECONDS_FLOOR = 0.1


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
    """One difference the grader found: the line expected and the line shown (either
    may be None), why it differs, when it was seen ("at start-up", "after POST /..."),
    and its rank: the lower, the more specific its hint, and the earlier it is shown."""

    expected: str | None
    actual: str | None
    hint: str
    when: str | None = None
    rank: int = 5
    details: tuple = ()  # more lines that show it: the app's own error, say


def metric_families(text, openmetrics=False):
    """prometheus_client's parser of the text format (or of OpenMetrics). Imported on
    first use, not with this module: the grader starts its apps before it."""
    if openmetrics:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families
    return text_string_to_metric_families(text)


def parse_line(text):
    if text.startswith("#"):
        words = text.split(maxsplit=3)  # "# HELP name text..." / "# TYPE name type"
        return Line(text, ("#", *words[1:3]))
    family = next(metric_families(text + "\n"))
    sample = family.samples[0]
    return Line(text, (sample.name, frozenset(sample.labels.items())), sample.value)


def parse_lines(text):
    return [parse_line(line.rstrip()) for line in text.splitlines() if line.strip()]


def sample_types(exposition):
    """Map each sample name in a whole /metrics page to its metric type."""
    return {
        sample.name: family.type
        for family in metric_families(exposition)
        for sample in family.samples
    }


def depends_on_clock(name, types):
    if name.endswith(("_created", "_timestamp_seconds")):
        return "timestamp"
    if name.endswith("_sum") and types.get(name) in ("histogram", "summary"):
        return "duration"
    return None


def in_milliseconds(value, expected):
    return expected >= MILLISECONDS_FLOOR and value > MILLISECONDS_FACTOR * expected


def metric_name(sample_name):
    """The name a learner gave the metric: without the suffixes the client adds."""
    for suffix in ("_created", "_bucket", "_count", "_sum", "_total"):
        if sample_name.endswith(suffix):
            return sample_name.removesuffix(suffix)
    return sample_name
