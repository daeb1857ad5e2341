"""What the differences between an answer's results and the reference's say about
its mistake: labels too many or missing, a constant factor, a value that grows with
time, the one scenario where it goes wrong; for an alert, firing too early, too late,
never, or on too little traffic.

Used by grading.rules_hints.
"""

from collections import Counter

from workshop.grading.rules_scenarios import SCENARIOS

LABEL_HINTS = {
    "instance": "one result per instance: add the instances up with sum by (job, ...)",
    "le": "a result per bucket (le): histogram_quantile() turns the buckets into one number",
    "outcome": "a result per outcome: add them up (sum by (job)) after choosing the failed ones",
    "page": "a result per page is asked for by this name only where it says job_page:",
}
MISSING_HINTS = {
    "job": "no job label: keep it with sum by (job, ...): the name's level (job:) promises it",
    "page": "no page label: keep it with sum by (job, page)",
    "instance": "no instance label",
}
FACTORS = {
    60: "60 times too big: per minute, not per second (rate() is per second)",
    300: "300 times too big: the count over the 5 minutes (increase()), not per second (rate())",
    3600: "3600 times too big: the count over the hour, not per second (rate())",
    100: "100 times too big: a percentage; ratios go from 0 to 1 (0.1 is 10 %)",
    1000: "1000 times too big: milliseconds? durations stay in seconds, the metric's unit",
}
GUARD = "job:github_lookups:rate5m * 300 >= 20"
ON_TWO_INSTANCES = {scenario.name for scenario in SCENARIOS if scenario.instances > 1}
INFINITE = "+Inf: histogram_quantile() takes its quantile from 0 to 1 (0.95 for the p95)"
OVER_ONE = "more than 1: a share goes from 0 to 1, the part over the whole (all lookups)"
CONSTANT = "a constant too many or too few (rate() is already per second)"
RESTART_TOO = "; and it goes wrong at the restart: rate() knows counters start again at 0"
OTHER_SHARE = "1 minus the expected ratio: you have the other share (slow, or not failed)"
GROWS = "it grows with time on steady traffic: a counter needs rate(), it only ever grows"
RESTART = (
    "right until the app restarts: rate() knows that counters start again at 0, delta() "
    "and the counter itself do not"
)
TWO_INSTANCES = "right on one instance, wrong on two: add the instances up first, then compute"
IRATE = "irate() takes the last two samples only: rate() averages the whole window"
CHANGES = (
    "right on steady traffic, wrong when it changes: check the window (the name's 5m or 1h) "
    "and rate(), not irate()"
)
BLIP = f"it fires on a handful of lookups (the blip): add the traffic guard, `and {GUARD}`"
NEVER = (
    "it never fires, not even where it should: check the threshold (a ratio: 0.1 is 10 %, "
    "not 10; the budget is 14.4 × 0.01), which share it compares (the failed or the slow "
    "one: 1 - the ratio within 1 s), the comparison, and the guard (a rate per second: "
    "times 300 is the lookups of 5 minutes)"
)
SPIKE = "a 4-minute spike fires it: both windows must burn, the 1h one and the 5m one"
SLOW_BURN = "it fires on a 10 % burn: the fast burn's threshold is 14.4 × 0.01"
EARLY = "it fires too early: `for: 2m` waits until the condition has held for 2 minutes"
LATE = "it fires too late: `for: 2m`, not longer"
NO_RESOLVE = "it keeps firing after the burn stopped: the 5m window is what lets it resolve"
QUIET = "it stays quiet where it should fire: check the threshold, the windows and the guard"


def label_hint(differences):
    """A hint when the labels differ on every point: too many or missing."""
    extra, missing = Counter(), Counter()
    for difference in differences:
        if not difference.actual or not difference.expected:  # nothing to compare labels with
            continue
        expected = {key for labels in difference.expected for key, _ in labels}
        actual = {key for labels in difference.actual for key, _ in labels}
        extra.update(actual - expected - {"alertstate"})
        missing.update(expected - actual - {"alertstate"})
    # In a fixed order (the hints' own, then by name): a set's order changes from run to run.
    for label in sorted(extra, key=lambda label: (label not in LABEL_HINTS, label)):
        return LABEL_HINTS.get(label, f"a label too many: {label}")
    for label in sorted(missing, key=lambda label: (label not in MISSING_HINTS, label)):
        return MISSING_HINTS.get(label, f"the label {label} is missing")
    return None


def pairs(differences):
    """(expected, actual) values of the points where the labels match."""
    for difference in differences:
        for labels, value in difference.expected.items():
            actual = (difference.actual or {}).get(labels)
            if actual is not None and value == value and actual == actual:
                yield difference.scenario, difference.minute, value, actual


def factor_of(found):
    """The factor between yours and the reference's, if it is the same on every point."""
    ratios = [actual / value for _, _, value, actual in found if value]
    if ratios and max(ratios) - min(ratios) <= 1e-6 * max(abs(ratio) for ratio in ratios):
        return ratios[0]
    return None


def record_value_hint(answer, differences, points, text):
    reference_points, your_points = points
    found = list(pairs(differences))
    scenarios = {difference.scenario for difference in differences}
    if any(actual == float("inf") for _, _, _, actual in found):
        return INFINITE
    factor = factor_of([point for point in found if point[0] != "restart"])
    for known, hint in FACTORS.items():
        if factor and abs(factor - known) < 1e-6 * known:
            restart = [point for point in found if point[0] == "restart"]
            return hint + RESTART_TOO if restart and factor_of(restart) != factor else hint
    if found and all(abs(actual - (1 - value)) < 1e-9 for _, _, value, actual in found):
        return OTHER_SHARE
    if ":ratio_" in answer and any(actual > 1 for _, _, _, actual in found):
        return OVER_ONE
    if factor and len(scenarios) > 1:
        return f"{factor:.3g} times the expected value wherever it differs: {CONSTANT}"
    if growing(reference_points, your_points):
        return GROWS
    if scenarios == {"restart"}:
        return RESTART
    if scenarios <= ON_TWO_INSTANCES:
        return TWO_INSTANCES
    if "irate(" in text:
        return IRATE
    if "steady" not in scenarios and "restart" not in scenarios:
        return CHANGES
    return None


def growing(reference_points, your_points):
    """Whether the answer keeps growing on steady traffic while the reference does not."""
    minutes = sorted(minute for scenario, minute in reference_points if scenario == "steady")
    totals = [sum(your_points.get(("steady", m), {}).values()) for m in minutes]
    expected = [sum(reference_points.get(("steady", m), {}).values()) for m in minutes]
    grows = bool(totals) and totals == sorted(totals) and totals[-1] > 1.2 * totals[0]
    return grows and totals[-1] > 1.5 * max(expected[-1], 1e-9)


def states(point):
    return {dict(labels).get("alertstate") for labels in point}


def firing_in(points):
    return {scenario for (scenario, _), point in points.items() if "firing" in states(point)}


def alert_hint(differences, reference_points, your_points):
    fires, expected = firing_in(your_points), firing_in(reference_points)
    if (fires - expected) & {"blip", "idle"}:
        return BLIP
    if not fires and expected:
        return NEVER
    if "spike" in fires - expected:
        return SPIKE
    if "slow_burn" in fires - expected:
        return SLOW_BURN
    for difference in differences:
        mine, theirs = states(difference.actual or {}), states(difference.expected)
        if "firing" in mine and "pending" in theirs:
            return EARLY
        if "firing" in theirs and "pending" in mine:
            return LATE
        if "firing" in mine and not theirs and difference.scenario == "fast_burn":
            return NO_RESOLVE
        if "firing" in theirs and not mine:
            return QUIET
    return None
