"""The synthetic traffic the rules lesson's answers are evaluated on: scenarios that
tell a right answer from a wrong one (steady traffic on two instances, a restart,
no traffic, a burst, failures, a blip, slow spells), as promtool input series of
lessons 01, 03 and 06's metrics, sampled every minute, and the minutes at which
the answers are compared.

Used by grading.rules_promtool (the test files) and grading.rules_hints (what each
scenario is about).
"""

from dataclasses import dataclass, replace

JOB = "workshop"
FIRST, SECOND = "127.0.0.1:5000", "127.0.0.1:5001"
OUTCOMES = ("ok", "not_found", "rate_limited", "error", "timeout")
# Lesson 03's buckets, and a typical duration of a lookup in each (for _sum).
BUCKETS = ("0.1", "0.25", "0.5", "0.75", "1.0", "1.5", "2.5", "+Inf")
TYPICAL_SECONDS = (0.08, 0.2, 0.4, 0.6, 0.9, 1.2, 2.0, 5.0)
PAGES = ("home", "about")
# The labels the input series carry: an answer is compared on these only, so that a
# label an alert adds of its own (severity) is never a difference.
BUILT = {}  # {scenario name: its input series}
INPUT_LABELS = frozenset({"job", "instance", "outcome", "le", "page"})


@dataclass(frozen=True)
class Minute:
    """What one instance did in one minute."""

    lookups: int = 0
    failed: float = 0.0  # share of the lookups that ended in error, timeout or rate_limited
    slow: float = 0.0  # share of the lookups that took more than 1 s
    home: int = 0  # page visits (lesson 01)
    about: int = 0
    inprogress: int = 0  # lesson 06's gauge, at the end of the minute
    restart: bool = False  # the app restarted just before: every counter starts again at 0


@dataclass(frozen=True)
class Scenario:
    name: str
    about: str  # what it is, as a hint names it
    minutes: dict  # {instance: [Minute for minute 1, 2, ...]}
    checks: tuple  # the minutes at which the answers are compared
    step: int = 1  # minutes between two evaluations of the rules

    @property
    def instances(self):
        return len(self.minutes)


def lookup_counts(minute):
    """({outcome: n}, [n per bucket, not cumulative]) for one minute's lookups."""
    n = minute.lookups
    failed = round(n * minute.failed)
    timeout = rate_limited = failed // 4
    not_found = min(n // 10, n - failed)
    outcomes = {
        "ok": n - failed - not_found,
        "not_found": not_found,
        "rate_limited": rate_limited,
        "error": failed - timeout - rate_limited,
        "timeout": timeout,
    }
    slow = round(n * minute.slow)
    fast = n - slow
    quick, medium = fast * 3 // 10, fast * 3 // 10
    over_1s = [slow - 2 * (slow // 4), slow // 4, slow // 4]  # up to 1.5 s, 2.5 s, beyond
    in_bucket = [0, quick, medium, fast // 4, fast - quick - medium - fast // 4, *over_1s]
    return outcomes, in_bucket


def counter_values(increments, restarts):
    """Cumulative values from minute 0 (0), starting again at 0 after each restart."""
    values, total = [0], 0
    for step, restart in zip(increments, restarts, strict=True):
        total = step if restart else total + step
        values.append(total)
    return values


def text(values):
    return " ".join(str(round(value, 6)) for value in values)


def series(name, labels, values):
    pairs = ", ".join(f'{key}="{value}"' for key, value in labels.items())
    return {"series": f"{name}{{{pairs}}}", "values": text(values)}


def instance_series(instance, minutes):
    """The input series of one instance over a scenario."""
    where = {"job": JOB, "instance": instance}
    restarts = [minute.restart for minute in minutes]
    counts = [lookup_counts(minute) for minute in minutes]
    out = []
    for outcome in OUTCOMES:
        steps = [outcomes[outcome] for outcomes, _ in counts]
        out.append(
            series(
                "github_lookups_total",
                {**where, "outcome": outcome},
                counter_values(steps, restarts),
            )
        )
    for index, bound in enumerate(BUCKETS):
        steps = [sum(in_bucket[: index + 1]) for _, in_bucket in counts]
        values = counter_values(steps, restarts)
        out.append(series("github_lookup_duration_seconds_bucket", {**where, "le": bound}, values))
    totals = [minute.lookups for minute in minutes]
    seconds = [
        sum(n * s for n, s in zip(in_bucket, TYPICAL_SECONDS, strict=True))
        for _, in_bucket in counts
    ]
    out.append(
        series("github_lookup_duration_seconds_count", where, counter_values(totals, restarts))
    )
    out.append(
        series("github_lookup_duration_seconds_sum", where, counter_values(seconds, restarts))
    )
    for page in PAGES:
        steps = [getattr(minute, page) for minute in minutes]
        out.append(
            series("page_visits_total", {**where, "page": page}, counter_values(steps, restarts))
        )
    gauge = [0] + [minute.inprogress for minute in minutes]
    out.append(series("http_inprogress_requests", where, gauge))
    return out


def input_series(scenario):
    """The scenario's input series (built once: the grader asks for them three times)."""
    if scenario.name not in BUILT:
        BUILT[scenario.name] = [
            line
            for instance, minutes in scenario.minutes.items()
            for line in instance_series(instance, minutes)
        ]
    return BUILT[scenario.name]


def length(scenario):
    return max(len(minutes) for minutes in scenario.minutes.values())


# --- the scenarios -------------------------------------------------------------

BUSY = Minute(lookups=60, failed=0.2, slow=0.1, home=30, about=6)
HEALTHY = Minute(lookups=60, home=30, about=6, inprogress=2)
QUIET = Minute()
FAILING = Minute(lookups=60, failed=0.2, home=30, about=6, inprogress=2)
BLIP = Minute(lookups=5, failed=0.4, slow=0.2, home=1)
SPIKE = Minute(lookups=60, slow=1.0, home=30, about=6, inprogress=2)
BURNING = Minute(lookups=60, slow=0.5, home=30, about=6, inprogress=2)
SLOWISH = Minute(lookups=60, slow=0.1, home=30, about=6, inprogress=2)


def cycle(minute, gauge_values, count):
    """`count` minutes like `minute`, the gauge going round `gauge_values`."""
    return [replace(minute, inprogress=gauge_values[i % len(gauge_values)]) for i in range(count)]


def phases(*parts):
    """Minutes from (count, Minute) pairs, one after the other."""
    return [minute for count, minute in parts for _ in range(count)]


def restarted(minutes, at):
    """The minutes, the app restarting just before minute `at` (its gauge back at 0)."""
    minutes = list(minutes)
    minutes[at - 1] = replace(minutes[at - 1], restart=True, inprogress=0)
    return minutes


# Most scenarios are evaluated every minute, as alerts with a `for` of 2 minutes need;
# the long ones, which the 1h windows need, every 2 or 5 minutes: promtool's time
# grows with the number of evaluations, and the grader has a second.
SCENARIOS = (
    Scenario(
        "steady",
        "steady traffic on two instances (60 and 20 lookups a minute, 20 % and 5 % failing)",
        {
            FIRST: cycle(BUSY, (3, 5, 2, 4), 10),
            SECOND: cycle(Minute(lookups=20, failed=0.05, home=12), (1, 0, 2), 10),
        },
        (6, 8, 10),
    ),
    Scenario(
        "restart",
        "steady traffic on two instances, one of them restarting at 8m (its counters back "
        "to 0, the other's going on)",
        {
            FIRST: restarted(cycle(BUSY, (3, 5, 2, 4), 11), at=8),
            # The other goes on: a sum over both drops, which rate() of that sum takes
            # for a restart of its own (only rate() of each series, then sum, is right).
            SECOND: cycle(Minute(lookups=20, failed=0.05, home=12), (1, 0, 2), 11),
        },
        (7, 8, 9, 10, 11),
    ),
    Scenario("idle", "no traffic at all", {FIRST: phases((7, QUIET))}, (6, 7)),
    Scenario(
        "burst",
        "one burst of 600 lookups in the 6th minute, nothing before or after",
        {FIRST: phases((5, QUIET), (1, Minute(lookups=600, failed=0.2, slow=0.1)), (5, QUIET))},
        (6, 7, 8, 10, 11),
    ),
    Scenario(
        "failing",
        "60 lookups a minute, 20 % of them failing from 6m to 15m",
        {FIRST: phases((5, HEALTHY), (10, FAILING), (7, HEALTHY))},
        tuple(range(6, 23)),
    ),
    Scenario(
        "blip",
        "a blip: 5 lookups at 6m, 2 of them failed and 1 slow, and no other traffic",
        {FIRST: phases((5, QUIET), (1, BLIP), (5, QUIET))},
        tuple(range(6, 12)),
    ),
    Scenario(
        "spike",
        "a spike: every lookup slower than 1 s for 4 minutes (31m to 34m), fast otherwise",
        {FIRST: phases((30, HEALTHY), (4, SPIKE), (10, HEALTHY))},
        tuple(range(30, 45, 2)),
        step=2,
    ),
    Scenario(
        "fast_burn",
        "a fast burn: half of the lookups slower than 1 s from 31m to 55m",
        {FIRST: phases((30, HEALTHY), (25, BURNING), (9, HEALTHY))},
        tuple(range(36, 65, 2)),
        step=2,
    ),
    Scenario(
        "slow_burn",
        "a slow burn: 10 % of the lookups slower than 1 s for 70 minutes",
        {FIRST: phases((10, HEALTHY), (70, SLOWISH))},
        (30, 50, 60, 70, 80),
        step=5,
    ),
)
