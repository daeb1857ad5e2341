"""The Prometheus lesson's exercise, solved and mis-solved (for tests/test_prometheus_exercise.py).

A TODO is solved the way the reference solves it: each of its rules in the starter
(prometheus/exercise.yml) replaced by the same rule of prometheus/solution.yml. A
case writes one answer differently: its `expr: todo` line replaced by the case's
lines (an `expr:` and, for an alert, its `for:`), on top of every TODO solved.

WRONG: answers a learner could write that look right but are not: (what is wrong,
the answer, its lines, a fragment the hint must show). RIGHT: answers written
differently from the reference that are right all the same.
"""

from workshop.grading import rules_file

FAILED = "job:github_lookups_failed_per_github_lookups:ratio_rate5m"
P95 = "job:github_lookup_duration_seconds:p95_rate5m"
WITHIN_5M = "job:github_lookups_within_1s_per_github_lookups:ratio_rate5m"
WITHIN_1H = "job:github_lookups_within_1s_per_github_lookups:ratio_rate1h"
PAGES = "job_page:page_visits:rate5m"
INPROGRESS = "job:http_inprogress_requests:sum"
FAILING = "GitHubLookupsFailing"
FAST_BURN = "GitHubLookupsSLOFastBurn"
BAD = 'github_lookups_total{outcome=~"error|timeout|rate_limited"}'
BUCKET = "github_lookup_duration_seconds_bucket"
GUARD = "job:github_lookups:rate5m * 300 >= 20"
SLOW_1H, SLOW_5M = f"1 - {WITHIN_1H}", f"1 - {WITHIN_5M}"
FOR = "\nfor: 2m"

COUNT = "github_lookup_duration_seconds_count"


def within(bound='"1.0"', window="5m", denominator=COUNT):
    return (
        f"expr: sum by (job) (rate({BUCKET}{{le={bound}}}[{window}]))"
        f" / sum by (job) (rate({denominator}[{window}]))"
    )


def burn(over_1h, over_5m, tail=f" and {GUARD}{FOR}"):
    return f"expr: {over_1h} and {over_5m}{tail}"


FAST_1H, FAST_5M = f"{SLOW_1H} > 14.4 * 0.01", f"{SLOW_5M} > 14.4 * 0.01"

WRONG = [
    ("irate", PAGES, "expr: sum by (job, page) (irate(page_visits_total[5m]))", "irate()"),
    ("increase", PAGES, "expr: sum by (job, page) (increase(page_visits_total[5m]))", "increase()"),
    ("no sum", PAGES, "expr: rate(page_visits_total[5m])", "one result per instance"),
    ("by page only", PAGES, "expr: sum by (page) (rate(page_visits_total[5m]))", "no job label"),
    (
        "the counter itself",
        PAGES,
        "expr: sum by (job, page) (page_visits_total)",
        "grows with time",
    ),
    (
        "per minute",
        PAGES,
        "expr: sum by (job, page) (rate(page_visits_total[5m])) * 60",
        "per minute",
    ),
    ("delta", PAGES, "expr: sum by (job, page) (delta(page_visits_total[5m]))", "restart"),
    (
        "not_found failed",
        FAILED,
        'expr: sum by (job) (rate(github_lookups_total{outcome!="ok"}[5m]))'
        " / job:github_lookups:rate5m",
        "not_found",
    ),
    (
        "only error",
        FAILED,
        'expr: sum by (job) (rate(github_lookups_total{outcome="error"}[5m]))'
        " / job:github_lookups:rate5m",
        "timeout and rate_limited",
    ),
    (
        "avg of ratios",
        FAILED,
        f"expr: avg by (job) (sum without (outcome) (rate({BAD}[5m]))"
        " / sum without (outcome) (rate(github_lookups_total[5m])))",
        "each instance",
    ),
    (
        "percent",
        FAILED,
        f"expr: 100 * sum by (job) (rate({BAD}[5m])) / job:github_lookups:rate5m",
        "0 to 1",
    ),
    (
        "no rate",
        FAILED,
        f"expr: sum by (job) ({BAD}) / sum by (job) (github_lookups_total)",
        "since the app started",
    ),
    (
        "irate ratio",
        FAILED,
        f"expr: sum by (job) (irate({BAD}[5m])) / sum by (job) (irate(github_lookups_total[5m]))",
        "irate()",
    ),
    ("sum without by (le)", P95, f"expr: histogram_quantile(0.95, sum(rate({BUCKET}[5m])))", "le"),
    (
        "by (le) only",
        P95,
        f"expr: histogram_quantile(0.95, sum by (le) (rate({BUCKET}[5m])))",
        "no job label",
    ),
    (
        "avg of quantiles",
        P95,
        f"expr: avg by (job) (histogram_quantile(0.95, rate({BUCKET}[5m])))",
        "quantiles do not average",
    ),
    (
        "no sum",
        P95,
        f"expr: histogram_quantile(0.95, rate({BUCKET}[5m]))",
        "one result per instance",
    ),
    (
        "p90",
        P95,
        f"expr: histogram_quantile(0.90, sum by (job, le) (rate({BUCKET}[5m])))",
        "90th percentile",
    ),
    ("le=1", WITHIN_5M, within(bound='"1"'), 'le="1"'),
    ("the slow share", WITHIN_5M, within().replace("expr: ", "expr: 1 - "), "slow"),
    ("over _sum", WITHIN_5M, within(denominator="github_lookup_duration_seconds_sum"), "_sum"),
    ("1h as 5m", WITHIN_1H, within(window="5m"), "5m"),
    (
        "rate of a gauge",
        INPROGRESS,
        "expr: sum by (job) (rate(http_inprogress_requests[5m]))",
        "gauge",
    ),
    ("avg", INPROGRESS, "expr: avg by (job) (http_inprogress_requests)", "avg"),
    ("no by", INPROGRESS, "expr: sum(http_inprogress_requests)", "no job label"),
    ("no for", FAILING, f"expr: {FAILED} > 0.1 and {GUARD}", "for"),
    ("no guard", FAILING, f"expr: {FAILED} > 0.1{FOR}", "guard"),
    (
        "guard the wrong way",
        FAILING,
        f"expr: {FAILED} > 0.1 and job:github_lookups:rate5m * 300 <= 20{FOR}",
        "wrong way",
    ),
    (
        "any traffic as the guard",
        FAILING,
        f"expr: {FAILED} > 0.1 and job:github_lookups:rate5m > 0{FOR}",
        "guard",
    ),
    ("10 for 10 %", FAILING, f"expr: {FAILED} > 10 and {GUARD}{FOR}", "0.1"),
    ("for 5m", FAILING, f"expr: {FAILED} > 0.1 and {GUARD}\nfor: 5m", "late"),
    ("the 1h window only", FAST_BURN, f"expr: {FAST_1H} and {GUARD}{FOR}", "5m window"),
    ("the 5m window only", FAST_BURN, f"expr: {FAST_5M} and {GUARD}{FOR}", "1h window"),
    (
        "the slow burn's factor",
        FAST_BURN,
        burn(f"{SLOW_1H} > 6 * 0.01", f"{SLOW_5M} > 6 * 0.01"),
        "14.4",
    ),
    (
        "within, not slow",
        FAST_BURN,
        burn(f"{WITHIN_1H} < 14.4 * 0.01", f"{WITHIN_5M} < 14.4 * 0.01"),
        "never fires",
    ),
    ("no guard", FAST_BURN, burn(FAST_1H, FAST_5M, FOR), "guard"),
    ("no for", FAST_BURN, burn(FAST_1H, FAST_5M, f" and {GUARD}"), "for"),
    # Not on the grader's list of known mistakes: named from the differences alone.
    (
        "divided by 60",
        PAGES,
        "expr: sum by (job, page) (rate(page_visits_total[5m])) / 60",
        "times",
    ),
    (
        "rate_limited forgotten",
        FAILED,
        'expr: sum by (job) (rate(github_lookups_total{outcome=~"error|timeout"}[5m]))'
        " / job:github_lookups:rate5m",
        "rate_limited all failed",
    ),
    (
        "95 for 0.95",
        P95,
        f"expr: histogram_quantile(95, sum by (job, le) (rate({BUCKET}[5m])))",
        "0 to 1",
    ),
    (
        "_count for _bucket",
        P95,
        f"expr: histogram_quantile(0.95, sum by (job, le) (rate({COUNT}[5m])))",
        "_bucket",
    ),
    (
        "no denominator",
        WITHIN_5M,
        f'expr: sum by (job) (rate({BUCKET}{{le="1.0"}}[5m]))',
        "more than 1",
    ),
    (
        "the guard per second",
        FAILING,
        f"expr: {FAILED} > 0.1 and job:github_lookups:rate5m >= 20{FOR}",
        "guard",
    ),
    ("or for and", FAILING, f"expr: {FAILED} > 0.1 or {GUARD}{FOR}", "guard"),
    ("for 5m", FAST_BURN, burn(FAST_1H, FAST_5M, f" and {GUARD}\nfor: 5m"), "late"),
    # Found by trying wrong answers: on the list of known mistakes, or named from the differences.
    ("1m window", PAGES, "expr: sum by (job, page) (rate(page_visits_total[1m]))", "a 1m window"),
    ("max", PAGES, "expr: max by (job, page) (rate(page_visits_total[5m]))", "wrong on two"),
    (
        "instance kept",
        PAGES,
        "expr: sum by (job, instance, page) (rate(page_visits_total[5m]))",
        "one result per instance",
    ),
    (
        "over the ok lookups",
        FAILED,
        f"expr: sum by (job) (rate({BAD}[5m]))"
        ' / sum by (job) (rate(github_lookups_total{outcome="ok"}[5m]))',
        "divided by the ok lookups only",
    ),
    (
        "no sum on either side",
        FAILED,
        f"expr: rate({BAD}[5m]) / rate(github_lookups_total[5m])",
        "one result per instance",
    ),
    ("no rate", P95, f"expr: histogram_quantile(0.95, sum by (job, le) ({BUCKET}))", "rate()"),
    (
        "1h",
        P95,
        f"expr: histogram_quantile(0.95, sum by (job, le) (rate({BUCKET}[1h])))",
        "a window of 1h",
    ),
    (
        "the average",
        P95,
        "expr: sum by (job) (rate(github_lookup_duration_seconds_sum[5m]))"
        f" / sum by (job) (rate({COUNT}[5m]))",
        "the average duration",
    ),
    ("over every bucket", WITHIN_5M, within(denominator=BUCKET), "divided by every bucket"),
    ("le=0.75", WITHIN_5M, within(bound='"0.75"'), 'le="0.75"'),
    ("max", INPROGRESS, "expr: max by (job) (http_inprogress_requests)", "max:"),
    (
        "avg_over_time",
        INPROGRESS,
        "expr: sum by (job) (avg_over_time(http_inprogress_requests[5m]))",
        "an average over time",
    ),
    ("count", INPROGRESS, "expr: count by (job) (http_inprogress_requests)", "count:"),
    (
        "a guard per series",
        FAILING,
        f"expr: {FAILED} > 0.1 and increase(github_lookups_total[5m]) >= 20{FOR}",
        "it never fires",
    ),
    ("no threshold", FAILING, f"expr: {FAILED} and {GUARD}{FOR}", "no threshold"),
    ("1 % for 10 %", FAILING, f"expr: {FAILED} > 0.01 and {GUARD}{FOR}", "0.01, 1 %"),
    ("for 0m", FAILING, f"expr: {FAILED} > 0.1 and {GUARD}\nfor: 0m", "no `for`"),
    (
        "the windows or'ed",
        FAST_BURN,
        f"expr: ({FAST_1H} or {FAST_5M}) and {GUARD}{FOR}",
        "both windows must burn",
    ),
    (
        "the burn rate without the budget",
        FAST_BURN,
        burn(f"{SLOW_1H} > 14.4", f"{SLOW_5M} > 14.4"),
        "the budget is 14.4 × 0.01",
    ),
    (
        "10m",
        P95,
        f"expr: histogram_quantile(0.95, sum by (job, le) (rate({BUCKET}[10m])))",
        "check the window",
    ),
    ("p99", P95, f"expr: histogram_quantile(0.99, sum by (job, le) (rate({BUCKET}[5m])))", "0.99"),
    (
        "in milliseconds",
        P95,
        f"expr: histogram_quantile(0.95, sum by (job, le) (rate({BUCKET}[5m]))) * 1000",
        "milliseconds?",
    ),
    (
        "rate() of the sum, a subquery",
        PAGES,
        "expr: rate(sum by (job, page) (page_visits_total)[5m:])",
        "rate() of a sum",
    ),
]

RIGHT = [
    ("without (instance)", PAGES, "expr: sum without (instance) (rate(page_visits_total[5m]))"),
    (
        "increase over increase",
        FAILED,
        f"expr: sum by (job) (increase({BAD}[5m]))"
        " / sum by (job) (increase(github_lookups_total[5m]))",
    ),
    (
        "one minus the answered",
        FAILED,
        'expr: 1 - sum by (job) (rate(github_lookups_total{outcome=~"ok|not_found"}[5m]))'
        " / job:github_lookups:rate5m",
    ),
    (
        "quoted on one line",
        P95,
        f'expr: "histogram_quantile(0.95, sum without (instance) (rate({BUCKET}[5m])))"',
    ),
    (
        "the +Inf bucket, folded",
        WITHIN_5M,
        f'expr: >\n  sum by (job) (rate({BUCKET}{{le="1.0"}}[5m]))'
        f'\n  / sum by (job) (rate({BUCKET}{{le="+Inf"}}[5m]))',
    ),
    ("le as 1 or 1.0", WITHIN_1H, within(bound='~"1|1[.]0"', window="1h")),
    ("without (instance)", INPROGRESS, "expr: sum without (instance) (http_inprogress_requests)"),
    (
        "written whole",
        FAILING,
        f"expr: |\n  sum by (job) (rate({BAD}[5m]))"
        " / sum by (job) (rate(github_lookups_total[5m])) > 0.1"
        f"\n  and sum by (job) (increase(github_lookups_total[5m])) >= 20{FOR}",
    ),
    (
        "the share within 1 s below 1 - 14.4 %",
        FAST_BURN,
        burn(f"{WITHIN_1H} < 1 - 14.4 * 0.01", f"{WITHIN_5M} < 1 - 14.4 * 0.01"),
    ),
    (
        "the burn rate itself",
        FAST_BURN,
        burn(f"({SLOW_1H}) / 0.01 > 14.4", f"({SLOW_5M}) / 0.01 > 14.4"),
    ),
    (
        "the guard as a rate",
        FAST_BURN,
        f"expr: ({SLOW_1H}) > 0.144 and ({SLOW_5M}) > 0.144"
        f" and job:github_lookups:rate5m >= 20 / 300{FOR}",
    ),
    ("by after the sum", PAGES, "expr: sum(rate(page_visits_total[5m])) by (job, page)"),
    (
        "a negated regex",
        FAILED,
        'expr: sum by (job) (rate(github_lookups_total{outcome!~"ok|not_found"}[5m]))'
        " / job:github_lookups:rate5m",
    ),
    (
        "increase() of the buckets",
        P95,
        f"expr: histogram_quantile(0.95, sum by (job, le) (increase({BUCKET}[5m])))",
    ),
    ("60m for 1h", WITHIN_1H, within(window="60m")),
    (
        "the guard with unless",
        FAILING,
        f"expr: {FAILED} > 0.1 unless job:github_lookups:rate5m * 300 < 20{FOR}",
    ),
    ("for 120s", FAILING, f"expr: {FAILED} > 0.1 and {GUARD}\nfor: 120s"),
]


def reference_block(reference, name):
    return rules_file.block(reference, name)


def named(line):
    match = rules_file.RULE_LINE.match(line)
    return match and match["name"]


def replace_block(text, name, new_lines):
    lines = text.split("\n")
    old = rules_file.block(text, name)
    start = next(
        i
        for i, line in enumerate(lines)
        if rules_file.RULE_LINE.match(line) and rules_file.RULE_LINE.match(line)["name"] == name
    )
    return "\n".join(lines[:start] + new_lines + lines[start + len(old) :])


def write_answer(text, name, answer):
    """The rule `name` with its `expr: todo` line replaced by `answer`'s lines."""
    block = rules_file.block(text, name)
    index = next(i for i, line in enumerate(block) if rules_file.PLACEHOLDER.match(line))
    indent = block[index][: len(block[index]) - len(block[index].lstrip())]
    new = (
        block[:index]
        + [indent + line if line else "" for line in answer.split("\n")]
        + block[index + 1 :]
    )
    return replace_block(text, name, new)


def solve(starter, reference, answers, instead=None):
    """The starter with the rules `answers` written as the reference writes them,
    `instead` ({name: lines}) written otherwise."""
    text = starter
    for name in answers:
        if instead and name in instead:
            text = write_answer(text, name, instead[name])
        else:
            text = replace_block(text, name, reference_block(reference, name))
    return text
