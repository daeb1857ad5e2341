"""Compare a lesson's expected snippet with what the app printed, line by line.

Every value must match exactly, except those that depend on the clock:
`_created` and `*_timestamp_seconds` must be a Unix time near now, and the
`_sum` of a histogram or summary (a total duration) must be >= 0.

The hints live in grading.snippet_hints.

Used by grading.app_grader (each snippet a grade compares) and readme_walk (each
`curl | grep` output a README shows).
"""

import time

from workshop.grading.snippet_hints import (
    ONE_PROCESS_ONLY,
    comment_hint,
    extra_hint,
    from_the_path,
    missing_hint,
    name_swapped_series,
    one_process_only,
    rank,
    value_hint,
)
from workshop.grading.snippet_lines import (
    Mismatch,
    depends_on_clock,
    in_milliseconds,
    metric_name,
    parse_lines,
    sample_types,
)

TIMESTAMP_WINDOW_SECONDS = 3600
# Metrics the client exports by itself: never what a learner's typo turned a name into.
DEFAULT_COLLECTOR_PREFIXES = ("python_", "process_")


def plausible(kind, value, now, expected):
    if kind == "timestamp":
        return now - TIMESTAMP_WINDOW_SECONDS <= value <= now + 60
    return value >= 0 and not in_milliseconds(value, expected)


def same_value(expected, actual, types, now):
    if expected.name == "#":
        return expected.text == actual.text
    kind = depends_on_clock(expected.name, types)
    return (
        plausible(kind, actual.value, now, expected.value)
        if kind
        else expected.value == actual.value
    )


REPEATED = (
    "this series is on /metrics more than once, and Prometheus refuses the whole scrape: "
    "is a collector added again and again (a MultiProcessCollector added to one registry "
    "at every scrape)?"
)


def repeated_series(lines):
    """The sample lines whose series (name and labels) came before on the page."""
    seen, repeated = set(), []
    for line in lines:
        if line.name != "#" and line.key in seen:
            repeated.append(line)
        seen.add(line.key)
    return repeated


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
    repeated = repeated_series(actual_lines)
    lesson_paths = any(from_the_path(line.labels) for line in expected_lines if line.name != "#")
    mismatches, wrong_values = [], []
    for expected in expected_lines:
        actual = actual_by_key.pop(expected.key, None)
        if actual is None:
            hint = missing_hint(
                expected, actual_lines, renamed_candidates, expected_types, lesson_paths
            )
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
    mismatches += [Mismatch(None, line.text, REPEATED, rank=1) for line in repeated]
    if one_process_only(expected_lines, actual_by_key.values()):
        mismatches = [Mismatch(m.expected, m.actual, ONE_PROCESS_ONLY) for m in mismatches]
    else:
        mismatches = name_swapped_series(mismatches, wrong_values, types)
    return [Mismatch(m.expected, m.actual, m.hint, rank=rank(m.hint)) for m in mismatches]
