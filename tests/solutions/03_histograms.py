"""Lesson 03's exercise, solved one TODO at a time (for tests/test_exercises.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:` line
in 03_histograms/exercise.py to the code that replaces it; IMPORTS replaces the
starter's prometheus_client import; CLOSE_BUT_WRONG are answers a learner could
write that look right but are not: (what is wrong, {marker: code} on top of
every TODO solved, a hint fragment the grader must print).

solve() replaces comment lines only, and a `with` block must take the starter's
next line (the lookup) as its body: TIME_THE_LOOKUP ends in a backslash, which
joins that line to it, `with ...: outcome, status, body = ...`, as a learner's
indented block would be.
"""

from solutions.github_lookups import (
    COMMON_RIGHT,
    COMMON_WRONG,
    COUNT,
    COUNT_THE_LOOKUPS,
    FETCH,
    NO_TIMER,
    OUTCOMES_AT_0,
    ROUTE,
    TIME_THE_LOOKUP,
)

LESSON_TYPES = ["Histogram("]
IMPORTS = {
    "from prometheus_client import make_wsgi_app": (
        "from prometheus_client import Counter, Histogram, make_wsgi_app"
    ),
}
HISTOGRAM = (
    "LOOKUP_DURATION = Histogram(\n"
    '    "github_lookup_duration_seconds",\n'
    '    "Time spent looking a repository up on GitHub, failed lookups included.",\n'
    "    buckets={buckets},\n"
    ")"
)
BUCKETS = "(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5)"
MS_BUCKETS = "(100, 250, 500, 750, 1000, 1500, 2500)"
BUCKETS_AND_INF = '[0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, float("inf")]'
# A learner who times by hand, with time.perf_counter() around the lookup.
BY_HAND = "import time\n\n" + HISTOGRAM.format(buckets=BUCKETS)
STARTED = "started = time.perf_counter()"
TODOS = {
    1: {
        "# TODO 1: create": HISTOGRAM.format(buckets=BUCKETS),
        "# TODO 1: time the lookup": TIME_THE_LOOKUP,
    },
    2: COUNT_THE_LOOKUPS,
}
LOOKUP_WRONG = [  # 03's own, besides the common ones
    (
        "the outcomes not exported at 0",
        {OUTCOMES_AT_0: ""},
        "export each of its series at start-up",
    ),
    (
        "the request answered 400 before any lookup timed too",
        {**NO_TIMER, ROUTE: ROUTE + "@LOOKUP_DURATION.time()\n"},
        "more observations than the lesson's app makes",
    ),
]


WRONG = [
    *COMMON_WRONG,
    *LOOKUP_WRONG,
    (
        "a label for the repository asked for",
        {
            "buckets=": '["repo"],\n    buckets=',
            "# TODO 1: time the lookup": (
                'with LOOKUP_DURATION.labels(repo=f"{owner}/{repo}").time():  \\'
            ),
        },
        "taken from the request",
    ),
    (
        "a bucket bound missing",
        {"# TODO 1: create": HISTOGRAM.format(buckets="(0.1, 0.25, 0.5, 1.0, 1.5, 2.5)")},
        "no bucket le=0.75, the app's are le=0.1, 0.25, 0.5, 1.0",
    ),
    (
        "the duration in milliseconds",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": STARTED,
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe((time.perf_counter() - started) * 1000)\n" + COUNT
            ),
        },
        "in milliseconds?",
    ),
    (
        "a summary instead of a histogram",
        {
            "# TODO 1: create": HISTOGRAM.format(buckets=BUCKETS)
            .replace("Histogram(", "Summary(")
            .replace("    buckets=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5),\n", ""),
            "Counter, Histogram,": "Counter, Histogram, Summary,",
        },
        "is a summary; this lesson wants a histogram",
    ),
    (
        "the buckets in milliseconds, the durations in seconds",
        {"# TODO 1: create": HISTOGRAM.format(buckets=MS_BUCKETS)},
        "in milliseconds? Prometheus durations, and their buckets, are in seconds",
    ),
    (
        "the buckets and the durations in milliseconds",
        {
            "# TODO 1: create": BY_HAND.replace(BUCKETS, MS_BUCKETS),
            "# TODO 1: time the lookup": STARTED,
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe((time.perf_counter() - started) * 1000)\n" + COUNT
            ),
        },
        "in milliseconds?",
    ),
    (
        "the clock's reading observed, not the time the lookup took",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": STARTED,
            "# TODO 2: count this lookup": "LOOKUP_DURATION.observe(time.perf_counter())\n" + COUNT,
        },
        "readings of the clock, not durations?",
    ),
    (
        "the start minus the end observed",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": STARTED,
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe(started - time.perf_counter())\n" + COUNT
            ),
        },
        "less than nothing",
    ),
    (
        "a Unix time observed",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": "",
            "# TODO 2: count this lookup": "LOOKUP_DURATION.observe(time.time())\n" + COUNT,
        },
        "Unix times, not durations?",
    ),
    (
        "only the lookups that succeeded timed",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": STARTED,
            "# TODO 2: count this lookup": (
                'if outcome == "ok":\n'
                "    LOOKUP_DURATION.observe(time.perf_counter() - started)\n" + COUNT
            ),
        },
        "is every request timed, exactly once?",
    ),
    (
        "the client's default buckets",
        {
            "# TODO 1: create": HISTOGRAM.format(buckets=BUCKETS).replace(
                "    buckets=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5),\n", ""
            )
        },
        "no bucket le=1.5",
    ),
    (
        "the unit in the name as milliseconds",
        {
            "# TODO 1: create": HISTOGRAM.format(buckets=MS_BUCKETS).replace(
                "_seconds", "_milliseconds"
            )
        },
        "github_lookup_duration_milliseconds_sum is there: was the metric renamed?",
    ),
    (
        "the outcome label from the status code",
        {"# TODO 2: count this lookup": "GITHUB_LOOKUPS.labels(outcome=str(status)).inc()"},
        "a misspelt label value?",
    ),
    (
        "CPU time taken for the duration",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": "started = time.process_time()",
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe(time.process_time() - started)\n" + COUNT
            ),
        },
        "process_time() counts the CPU this process used",
    ),
    (
        "the duration in nanoseconds",
        {
            "# TODO 1: create": BY_HAND,
            "# TODO 1: time the lookup": "started = time.perf_counter_ns()",
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe(time.perf_counter_ns() - started)\n" + COUNT
            ),
        },
        "in nanoseconds (perf_counter_ns())?",
    ),
]
RIGHT = [
    *COMMON_RIGHT,
    (
        "timed by hand with time.time(), the buckets a list with +Inf written out",
        {
            "# TODO 1: create": BY_HAND.replace(BUCKETS, BUCKETS_AND_INF),
            "# TODO 1: time the lookup": "started = time.time()",
            "# TODO 2: count this lookup": (
                "LOOKUP_DURATION.observe(time.time() - started)\n" + COUNT
            ),
        },
    ),
    (
        "counted inside the with block",
        {
            **NO_TIMER,
            "# TODO 2: count this lookup": "",
            FETCH: "    with LOOKUP_DURATION.time():\n    " + FETCH + "\n        " + COUNT,
        },
    ),
]
