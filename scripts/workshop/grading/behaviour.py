"""The learner's app compared with the lesson's own app.py, phase by phase: right
after the start, and after each row of the traffic. A series missing at start-up,
a request that changes what it must leave alone (a 405 counted as a 404, a
timestamp moved by a failed request) shows here, even when the numbers at the
end come out right.

Values that depend on the clock (timestamps, sums of durations) are compared by
whether they moved, and a timestamp that moved must be the time of that row.

Used by grading.app_grader.
"""

import functools
import re
from dataclasses import replace

from workshop.grading.snippet_hints import series
from workshop.grading.snippet_lines import (
    Line,
    Mismatch,
    depends_on_clock,
    metric_families,
    metric_name,
)

SLACK_SECONDS = 1.0  # a timestamp set during a row may be this much outside the row's times


def samples(page, names):
    """{(sample name, frozenset of labels): value} for the samples called one of `names`."""
    return dict(parsed(page or "", frozenset(names)))


@functools.lru_cache(maxsize=256)
def parsed(page, names):
    """samples() of a page, parsed once: only its lines of `names` (a page holds as many
    lines of the client's own python_ and process_ metrics, which the lesson never asks
    about), and each page once, however many times it is compared."""
    wanted = "".join(
        line + "\n"
        for line in page.splitlines()
        if line and not line.startswith("#") and re.split(r"[{ ]", line, maxsplit=1)[0] in names
    )
    try:
        families = list(metric_families(wanted))
    except ValueError:  # not the text format: the scrape's own check said so
        return ()
    return tuple(
        ((sample.name, frozenset(sample.labels.items())), sample.value)
        for family in families
        for sample in family.samples
    )


def shown(key, value):
    line = Line("", key, value)
    return f"{series(line)} {value!r}" if value is not None else None


def at_start(own, reference, clock, own_after):
    """(key, Mismatch) for each series the lesson's app shows right after its start
    that the learner's shows otherwise, or only later (one it never shows, the
    snippets report)."""
    found = []
    for key, expected in reference.items():
        actual = own.get(key)
        name, labels = key[0], dict(key[1])
        if actual is None and key not in own_after:
            continue
        if actual is None:
            if labels:
                hint = (
                    f"{series(Line('', key))} is not on /metrics before the first request: "
                    "export each of its series at start-up, with .labels(...) once at the "
                    "top of the file"
                )
            else:
                hint = (
                    f"{name} is not on /metrics before the first request: create it (and set "
                    "it) once, at start-up, at the top of the file, not in a view"
                )
        elif key in clock and (expected == 0) != (actual == 0):
            hint = (
                f"{name} is already {actual:.10g} before any request: it must stay 0 until "
                "what it records has happened; set it there, not at start-up"
            )
        elif key not in clock and actual != expected:
            hint = (
                f"{series(Line('', key))} is {actual:g} right after the start, where the "
                f"lesson's app shows {expected:g}: is it set at start-up as the lesson asks?"
            )
        else:
            continue
        mismatch = Mismatch(shown(key, expected), shown(key, actual), hint, "at start-up", 3)
        found.append((key, mismatch))
    return found


def after_row(row, before, after, own_before, own_after, clock):
    """(key, Mismatch) for each series the row changed otherwise than the lesson's app."""
    found = []
    for key in sorted(set(before) | set(after) | set(own_before) | set(own_after), key=str):
        name = key[0]
        expected, actual = after.get(key), own_after.get(key)
        moved = expected != before.get(key)
        own_moved = actual != own_before.get(key)
        if expected is None or actual is None:
            continue  # a series only one of them has: the snippets show it, with its hint
        if key in clock:
            hint = clock_hint(row, name, moved, own_moved, actual)
        else:
            change = expected - before.get(key, 0.0)
            own_change = actual - own_before.get(key, 0.0)
            hint = change_hint(series(Line("", key)), change, own_change)
        if hint:
            mismatch = Mismatch(shown(key, expected), shown(key, actual), hint, None, 3)
            found.append((key, mismatch))
    return found


def change_hint(name, change, own_change):
    if change == own_change:
        return None
    if change == 0 and own_change > 0 and ("in_progress" in name or "inprogress" in name):
        return (
            f"{name} went up by {own_change:+g} during this request and did not come down: "
            "is it counted down on every way out of the request, this one too "
            "(track_inprogress(), or dec() in a finally)?"
        )
    if change == 0:
        return (
            f"this request must leave {name} alone, as the lesson's app does, but it changed "
            f"it by {own_change:+g}: is it updated where this request passes too (a hook that "
            "sees every request, another view, a wider except)?"
        )
    if own_change == 0:
        return (
            f"this request should change {name} by {change:+g}, as the lesson's app does, "
            "but left it alone: is it updated on every such request?"
        )
    return (
        f"this request changed {name} by {own_change:+g}, the lesson's app by "
        f"{change:+g}: is it updated once per request, in one place?"
    )


def clock_hint(row, name, moved, own_moved, actual):
    if moved and not own_moved:
        return f"this request should set {name}, as the lesson's app does, but left it alone"
    if own_moved and not moved:
        return (
            f"this request moved {name}, which the lesson's app leaves alone here: set it "
            "only once what it records has happened (after the work has succeeded)"
        )
    is_timestamp = name.endswith("_timestamp_seconds")
    window = row.sent - SLACK_SECONDS <= actual <= row.answered + SLACK_SECONDS
    if own_moved and is_timestamp and not window:
        return (
            f"{name} is {actual:.10g}, not the time of this request ({row.answered:.10g}): "
            "a Unix time in seconds, set when it happens (set_to_current_time())"
        )
    return None


def compare(run, reference, names, types, skip_at_start=()):
    """[(sample key, Mismatch)] for the learner's Run against the reference's: at
    start-up (except the families in `skip_at_start`, which a snippet checks
    there), then the first row after which each series differs."""
    pages = [run.at_start, *(row.page for row in run.rows)]
    reference_pages = [reference.at_start, *(row.page for row in reference.rows)]
    own = [samples(page, names) for page in pages]
    theirs = [samples(page, names) for page in reference_pages]
    clock = {key for page in [*own, *theirs] for key in page if depends_on_clock(key[0], types)}
    found = [
        (key, mismatch)
        for key, mismatch in at_start(own[0], theirs[0], clock, samples(run.after, names))
        if metric_name(key[0]) not in skip_at_start
    ]
    seen = {key for key, _ in found}
    rows_comparable = len(run.rows) == len(reference.rows) and None not in pages
    for index, row in enumerate(run.rows if rows_comparable else [], start=1):
        for key, mismatch in after_row(
            row, theirs[index - 1], theirs[index], own[index - 1], own[index], clock
        ):
            if key not in seen:
                seen.add(key)
                found.append((key, replace(mismatch, when=f"after {row.described}")))
    return found
