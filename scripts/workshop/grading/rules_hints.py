"""The hint for an answer that fails, in the order the causes are looked for: not
written, a rule that failed, another TODO it uses that fails, a known mistake's
results, no result at all (read from its text: le="1", a name no series has), then
what the differences say (grading.rules_difference_hints).

Used by grading.rules_grader.
"""

import re

from workshop.grading import rules_compare, rules_file
from workshop.grading.rules_difference_hints import alert_hint, label_hint, record_value_hint

# rate(sum(...)[5m:]): a subquery of an aggregation, where rate() needs raw counters.
RATE_OF_A_SUM = re.compile(r"\b(?:i?rate|increase)\(\s*(?:sum|avg|max|min|count)\b")

STOPPED = (
    "not graded: promtool stops a scenario at the first rule that fails, and one of yours "
    "did (see the note above)"
)
DIFFERENT = (
    "its results differ from the reference's (above, one of them): read the README's "
    "walk-through of this TODO, and try your query on the query page"
)
NOT_WRITTEN = "not written yet: replace `todo` with your PromQL"
FAILED_OUTCOMES = {"error", "timeout", "rate_limited"}
NAME_TOKEN = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
KEYWORDS |= {"and", "or", "unless", "inf", "nan", "expr", "todo", "for", "record", "alert"}


def expression_text(block):
    """The rule's text without its name line, comments, quoted strings, label matchers
    and windows: what is left names functions and series."""
    text = "\n".join(line.split("#")[0] for line in block[1:])
    text = re.split(r"\n\s*(?:labels|annotations)\s*:", text)[0]
    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", text)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    return text


def unknown_names(block, known):
    """Series names the rule uses that no input series or rule has."""
    text = expression_text(block).replace("expr:", " ").replace("for:", " ")
    names = []
    for match in NAME_TOKEN.finditer(text):
        token = match.group()
        follows = text[match.end() :].lstrip()[:1]
        if follows == "(" or token.lower() in KEYWORDS or token in known or token in names:
            continue
        if "_" in token or ":" in token:
            names.append(token)
    return names


def no_result_hint(block, known):
    raw = "\n".join(block)
    if re.search(r"""le\s*=\s*["']1["']""", raw):
        return (
            'le="1" matches no series: label values are compared as text, and the client '
            'exports le="1.0" (Prometheus 3 stores every le in that form too)'
        )
    if "histogram_quantile" in raw and not re.search(r"\ble\b", raw):
        return "histogram_quantile() needs the le label: keep it, sum by (job, le)"
    if "histogram_quantile" in raw and "_bucket" not in raw:
        return "histogram_quantile() reads the _bucket series, one per bound le"
    unknown = unknown_names(block, known)
    if unknown:
        return f"no series is named {', '.join(unknown)}: check the name (counters end in _total)"
    return "no result at all: check the metric names and the label values it selects"


def outcomes_named(text):
    """The failed outcomes an `outcome="..."` or `outcome=~"..."` matcher names."""
    named = set()
    for values in re.findall(r'outcome\s*=~?\s*"([^"]*)"', text):
        named |= set(values.split("|")) & FAILED_OUTCOMES
    return named


def diagnose(answer, block, differences, points, mistakes, context):
    """The hint for one failing answer. context: {"known": names of series and rules,
    "failing": {answer: TODO} of the other failing answers, "errors": [messages]};
    points: (the reference's, yours)."""
    reference_points, your_points = points
    if not block:
        return (
            f"no rule named {answer} in your file: keep the starter's name, the grader looks for it"
        )
    if rules_file.is_placeholder(block):
        return NOT_WRITTEN
    if context["errors"]:
        return f"Prometheus could not evaluate it: {context['errors'][0]}"
    if all(difference.actual is None for difference in differences):
        return STOPPED
    text = "\n".join(block)
    for other, todo in context["failing"].items():
        if other != answer and re.search(rf"(?<![\w:]){re.escape(other)}(?![\w:])", text):
            return f"it uses {other}, which does not pass yet: fix TODO {todo} first"
    for mistake, mistaken in mistakes:
        if rules_compare.same_everywhere(mistaken, your_points):
            return mistake.hint
    failed_only = outcomes_named(text)
    if "failed" in answer and failed_only and failed_only != FAILED_OUTCOMES:
        return (
            f"it counts as failed only {', '.join(sorted(failed_only))}: error, timeout and "
            "rate_limited all failed"
        )
    if RATE_OF_A_SUM.search(expression_text(block)):
        return (
            "rate() of a sum: when one instance restarts, the sum drops, and rate() takes "
            "that for a restart of its own. Take rate() of each series, then sum"
        )
    alert = rules_compare.is_alert(answer)
    nothing = not any(your_points.values()) and any(reference_points.values())
    if nothing and (not alert or unknown_names(block, context["known"])):
        return no_result_hint(block, context["known"])
    hint = label_hint(differences)
    if hint is None and alert:
        hint = alert_hint(differences, reference_points, your_points)
    elif hint is None:
        hint = record_value_hint(answer, differences, (reference_points, your_points), text)
    return hint or DIFFERENT
