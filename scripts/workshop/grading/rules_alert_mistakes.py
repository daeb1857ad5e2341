"""Known mistakes in the rules lesson's alerts (TODO 6 and 7), each written as an
alert next to the reference's: (the alert, the hint, the expression, its `for`).
grading.rules_mistakes adds them to the recording rules' mistakes.

Used by grading.rules_mistakes.
"""

FAILED = "job:github_lookups_failed_per_github_lookups:ratio_rate5m"
WITHIN_5M = "job:github_lookups_within_1s_per_github_lookups:ratio_rate5m"
WITHIN_1H = "job:github_lookups_within_1s_per_github_lookups:ratio_rate1h"
FAILING = "GitHubLookupsFailing"
FAST_BURN = "GitHubLookupsSLOFastBurn"
ALL = "job:github_lookups:rate5m"
GUARD = f"{ALL} * 300 >= 20"
SLOW_1H, SLOW_5M = f"1 - {WITHIN_1H}", f"1 - {WITHIN_5M}"

ALERTS = (
    # TODO 6: a threshold alert with a for and a guard
    (
        FAILING,
        "no traffic guard: it fires on a handful of lookups (2 failures out of 5); add "
        f"`and {GUARD}`",
        f"{FAILED} > 0.1",
        "2m",
    ),
    (
        FAILING,
        "the guard compares the wrong way: it lets the alert fire only on little traffic; "
        "at least 20 lookups is `>= 20`",
        f"{FAILED} > 0.1 and {ALL} * 300 < 20",
        "2m",
    ),
    (
        FAILING,
        "no `for`: it fires at the first evaluation above 10 %; `for: 2m` waits until it "
        "has held for 2 minutes",
        f"{FAILED} > 0.1 and {GUARD}",
    ),
    (
        FAILING,
        "it fires 3 minutes late: `for: 5m`, the TODO asks for 2m",
        f"{FAILED} > 0.1 and {GUARD}",
        "5m",
    ),
    # TODO 7: the multiwindow, multi-burn-rate alert
    (
        FAST_BURN,
        "only the 1h window: it keeps firing long after the burn has stopped; the 5m window "
        "is what lets it resolve within minutes",
        f"{SLOW_1H} > 14.4 * 0.01 and {GUARD}",
        "2m",
    ),
    (
        FAST_BURN,
        "only the 5m window: a 4-minute spike is enough to fire it; the 1h window is what "
        "makes it wait for a burn that costs 2 % of the budget",
        f"{SLOW_5M} > 14.4 * 0.01 and {GUARD}",
        "2m",
    ),
    (
        FAST_BURN,
        "the factor 6 (the slow burn's): it fires on a 10 % burn; the fast burn is 14.4 × 0.01",
        f"{SLOW_1H} > 6 * 0.01 and {SLOW_5M} > 6 * 0.01 and {GUARD}",
        "2m",
    ),
    (
        FAST_BURN,
        f"no traffic guard: a blip of 5 lookups, 1 of them slow, fires it; add `and {GUARD}`",
        f"{SLOW_1H} > 14.4 * 0.01 and {SLOW_5M} > 14.4 * 0.01",
        "2m",
    ),
    (
        FAST_BURN,
        "no `for`: it fires at the first evaluation over the threshold; `for: 2m`",
        f"{SLOW_1H} > 14.4 * 0.01 and {SLOW_5M} > 14.4 * 0.01 and {GUARD}",
    ),
    (
        FAILING,
        "no threshold: it fires whenever there is enough traffic, failing or not; compare the "
        "ratio with 10 %, > 0.1",
        f"{FAILED} and {GUARD}",
        "2m",
    ),
    (
        FAILING,
        "a threshold of 0.01, 1 %: 10 % is 0.1",
        f"{FAILED} > 0.01 and {GUARD}",
        "2m",
    ),
)
