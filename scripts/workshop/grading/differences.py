"""Every difference a grade found, put under the snippet of the metric it is about:
the snippet's own lines (snippets), the behaviour row by row (behaviour), the
lesson's properties and phases (lesson_checks), the code (code_checks), and the
metric types Prometheus sees (a Gauge where the lesson wants a Counter).

A difference about a line the snippet shows too replaces the snippet's own hint
for it (it says when and why); a metric of the wrong type takes over every hint
of its snippet.

Used by grading.app_grader.
"""

import ast
import re
from dataclasses import replace

from workshop.grading import behaviour, code_checks, snippets
from workshop.grading.snippet_lines import (
    Mismatch,
    metric_families,
    metric_name,
    parse_line,
    parse_lines,
)
from workshop.lessons import grep_pattern
from workshop.metrics_page import grep

# What prometheus_client's classes are called in OpenMetrics, which Prometheus reads.
OPENMETRICS_TYPES = {
    "Counter": "counter",
    "Gauge": "gauge",
    "Histogram": "histogram",
    "Summary": "summary",
    "Info": "info",
    "Enum": "stateset",
}
ARTICLES = {"counter": "a", "gauge": "a", "histogram": "a", "summary": "a", "info": "an"}
WANTED = {"info": "an info (Info)", "stateset": "a state set (Enum)"}
TYPE_RANK = 0  # a metric of the wrong type explains every other difference of its snippet


def declared_types(app_file):
    """{family: OpenMetrics type} of the metrics the lesson's app.py creates."""
    tree = ast.parse(app_file.read_text(encoding="utf-8"))
    return {
        code_checks.metric_family(call): OPENMETRICS_TYPES[code_checks.called_name(call)]
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and code_checks.metric_family(call)
    }


def type_findings(lesson, run):
    """(family, None, Mismatch) for each metric of the lesson that the learner's app
    exports with another type, as Prometheus sees it (OpenMetrics: info, stateset)."""
    try:
        own = {family.name: family.type for family in metric_families(run.openmetrics, True)}
    except ValueError:  # not OpenMetrics: the text format's snippets show what is wrong
        return []
    found = []
    for family, wanted in declared_types(lesson.app).items():
        # An Info for a gauge named *_info: OpenMetrics names its family without _info.
        for name in (family, f"{family}_total", f"{family}_info", family.removesuffix("_info")):
            kind = own.get(name)
            if kind and kind != wanted:
                wants = WANTED.get(wanted, f"{ARTICLES.get(wanted, 'a')} {wanted}")
                hint = f"{name} is {ARTICLES.get(kind, 'a')} {kind}; this lesson wants {wants}"
                found.append((family, None, Mismatch(None, None, hint, rank=TYPE_RANK)))
                break
    return found


def repeated_findings(run, names):
    """(family, None, Mismatch) for a series of `names` that a page read after the
    traffic shows more than once (a collector added at every scrape adds it again)."""
    found = {}
    for page in [run.after, *run.again]:
        for line in snippets.repeated_series(parse_lines(grep_names(page, names))):
            found.setdefault(line.key, Mismatch(None, line.text, snippets.REPEATED, rank=1))
    return [(metric_name(key[0]), None, mismatch) for key, mismatch in found.items()]


def grep_names(page, names):
    """The sample lines of the page whose name is one of `names`."""
    return "".join(
        line + "\n"
        for line in page.splitlines()
        if not line.startswith("#") and re.split(r"[{ ]", line, maxsplit=1)[0] in names
    )


def user_input(rows):
    """The values a label would have if it were taken from the traffic's requests: each
    path (with and without its query), and its last segments ("prometheus/prometheus")."""
    values = set()
    for row in rows:
        path = row.request.split(" ", 1)[-1]
        segments = path.split("?")[0].strip("/").split("/")
        values |= {path, path.split("?")[0]}
        values |= {"/".join(segments[start:]) for start in range(len(segments) - 1)}
    return values


def labelled_from_requests(mismatches, expected_text, values):
    """A Mismatch (rank 0) naming a label whose values come from the requests, or None."""
    allowed = {value for line in expected_lines(expected_text) for value in line.labels.values()}
    for mismatch in mismatches:
        line = parse_sample(mismatch.actual)
        for label, value in line.labels.items() if line else []:
            if value in values and value not in allowed:
                hint = (
                    f"the label {label}={value!r} is taken from the request: each one a client "
                    "asks for becomes a series of its own (a scanner asks for thousands). "
                    "Label with a few values your code chooses, or not at all"
                )
                return Mismatch(None, None, hint, rank=TYPE_RANK)
    return None


def expected_lines(text):
    return [line for line in map(parse_sample, text.splitlines()) if line]


def parse_sample(text):
    try:
        return parse_line(text) if text and not text.startswith("#") else None
    except (ValueError, StopIteration, IndexError):
        return None


def snippet_of(family, names):
    """The snippet that shows `family` (after the traffic, rather than at start-up)."""
    if family is None:
        return None
    matching = [
        snippet
        for snippet, found in names.items()
        if any(family in (name, metric_name(name), name.removesuffix("_info")) for name in found)
    ]
    matching.sort(key=lambda snippet: snippet.startswith("at_start/"))
    return matching[0] if matching else None


def line_key(mismatch):
    """The (name, labels) of the sample line a mismatch is about, or None."""
    line = parse_sample(mismatch.expected or mismatch.actual)
    return line.key if line else None


def own_lines(expected, run):
    """{snippet: [Mismatch]}: each snippet against what grep shows of its page."""
    names = {snippet: set(snippets.sample_types(text)) for snippet, text in expected.items()}
    types = {
        "at_start": snippets.sample_types(run.at_start),
        "after": snippets.sample_types(run.after),
    }
    found = {}
    for snippet, text in expected.items():
        when = "at_start" if snippet.startswith("at_start/") else "after"
        page = run.at_start if when == "at_start" else run.after
        others = set().union(*(n for other, n in names.items() if other != snippet))
        shown = grep(page, grep_pattern(snippet))
        found[snippet] = snippets.compare(text, shown, types[when], None, others)
    return found, names, types["after"]


def collect(lesson, app_file, expected, run, reference, checks):
    """({snippet: [Mismatch]}, [Mismatch about no snippet's metric]) for one grade."""
    found, names, types = own_lines(expected, run)
    extra = []  # (family, sample key or None, Mismatch)
    if reference:
        compared = {name for found_names in names.values() for name in found_names}
        compared = {name for name in compared if not name.endswith("_created")}
        at_start = {
            metric_name(name)
            for snippet, found_names in names.items()
            if snippet.startswith("at_start/")
            for name in found_names
        }
        for key, mismatch in behaviour.compare(run, reference, compared, types, at_start):
            extra.append((metric_name(key[0]), key, mismatch))
    for check in checks.properties:
        extra += [(metric_name(key[0]), key, mismatch) for key, mismatch in check(run)]
    extra += [(family, None, mismatch) for family, mismatch in run.findings]
    code = code_checks.findings(app_file, checks.code)
    extra += [(family, None, mismatch) for family, mismatch in code]
    extra += type_findings(lesson, run)
    extra += repeated_findings(run, {name for found in names.values() for name in found})
    general = []
    for family, key, mismatch in extra:
        snippet = snippet_of(family, names)
        if snippet is None:
            general.append(mismatch)
            continue
        if key is not None:  # it says when and why that line differs: the snippet's hint goes
            found[snippet] = [m for m in found[snippet] if line_key(m) != key]
        found[snippet].append(mismatch)
    requested = user_input(run.rows)
    for snippet, mismatches in found.items():
        cause = labelled_from_requests(mismatches, expected[snippet], requested)
        cause = cause or next((m for m in mismatches if m.rank == TYPE_RANK), None)
        if cause:  # one cause for every line: each one says so, and is shown once
            found[snippet] = [
                m if m.when else replace(m, hint=cause.hint, rank=TYPE_RANK)
                for m in mismatches
                if m is not cause
            ] + [cause]
    return found, general
