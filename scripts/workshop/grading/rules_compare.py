"""One answer's results on every scenario, as promtool gave them, and how they
compare: the points where the learner's differ from the reference's.

A recording rule's result at a check minute is {labels: value}; an alert's is
{labels and its state: 1} from ALERTS (pending or firing). Both keep only the labels
of the input series (job, instance, ...): a label an alert sets itself, such as
severity, is never a difference.

Used by grading.rules_grader and grading.rules_hints.
"""

from dataclasses import dataclass

from workshop.grading import rules_mistakes, rules_promtool, rules_scenarios

KEPT = rules_scenarios.INPUT_LABELS | {"alertstate"}


def is_alert(name):
    return ":" not in name


def points(results, run, name, alert):
    """{(scenario, minute): {frozenset of labels: value}} of the rule `name` in `run`."""
    by_rule = results.by_rule(run)
    key = ("ALERTS", name) if alert else (name, None)
    return {
        where: {
            frozenset((k, v) for k, v in labels.items() if k in KEPT): value
            for labels, value in by_rule.get(key, {}).get(where, [])
        }
        for where in results.where(run)
    }


def mistake_points(results, answer):
    """[(Mistake, its points)] for the known mistakes of `answer`."""
    return [
        (
            mistake,
            points(results, "reference", rules_mistakes.name_of(index, mistake), is_alert(answer)),
        )
        for index, mistake in enumerate(rules_mistakes.MISTAKES)
        if mistake.answer == answer
    ]


def same_point(expected, actual):
    return expected.keys() == actual.keys() and all(
        rules_promtool.same_value(value, actual[labels]) for labels, value in expected.items()
    )


@dataclass(frozen=True)
class Difference:
    scenario: str
    minute: int
    expected: dict
    actual: dict  # None: the scenario could not be evaluated (a rule failed)


def differences(expected_points, actual_points):
    """The points where `actual` differs, in scenario order, then by minute."""
    order = {scenario.name: index for index, scenario in enumerate(rules_scenarios.SCENARIOS)}
    found = []
    for (scenario, minute), expected in expected_points.items():
        actual = actual_points.get((scenario, minute))
        if actual is None or not same_point(expected, actual):
            found.append(Difference(scenario, minute, expected, actual))
    return sorted(found, key=lambda d: (order.get(d.scenario, 99), d.minute))


def same_everywhere(expected_points, actual_points):
    return expected_points.keys() == actual_points.keys() and not differences(
        expected_points, actual_points
    )


def labels_text(labels):
    """{job="workshop"} for a frozenset of label pairs (without the alert's state)."""
    pairs = sorted((k, v) for k, v in labels if k != "alertstate")
    return "{" + ", ".join(f'{k}="{v}"' for k, v in pairs) + "}"


def number(value):
    if value != value:
        return "NaN (0/0: no lookups in the window)"
    return {float("inf"): "+Inf", float("-inf"): "-Inf"}.get(value, f"{value:.6g}")


def point_text(point, alert):
    """A point as the grader shows it: "{job="workshop"} 0.1625", "firing {job=...}"."""
    if not point:
        return "quiet (no alert)" if alert else "no result"
    if alert:
        states = sorted(f"{dict(labels)['alertstate']} {labels_text(labels)}" for labels in point)
        return ", ".join(states)
    return ", ".join(
        f"{labels_text(labels)} {number(v)}" for labels, v in sorted(point.items(), key=str)
    )


def scenario_about(name):
    for scenario in rules_scenarios.SCENARIOS:
        if scenario.name == name:
            return scenario.about
    return name


def example_lines(difference, alert):
    """The lines that show one difference."""
    lines = [f"        on {scenario_about(difference.scenario)}, at {difference.minute}m:"]
    lines.append(f"          expected: {point_text(difference.expected, alert)}")
    if difference.actual is None:
        lines.append(
            "          yours:    not evaluated: a rule of your file failed in this scenario"
        )
    else:
        lines.append(f"          yours:    {point_text(difference.actual, alert)}")
    return lines
