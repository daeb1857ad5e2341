"""Lesson 04's exercise, solved one TODO at a time (for tests/test_exercises.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:` line
in 04_summaries/exercise.py to the code that replaces it; IMPORTS replaces the
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
    TIME,
    TIME_THE_LOOKUP,
)

LESSON_TYPES = ["Summary("]
IMPORTS = {
    "from prometheus_client import make_wsgi_app": (
        "from prometheus_client import Counter, Histogram, Summary, make_wsgi_app"
    ),
}
HELP = '"Time spent looking a repository up on GitHub, failed lookups included."'
SUMMARY = f'LOOKUP_DURATION = Summary(\n    "github_lookup_duration_seconds",\n    {HELP},\n)'
TODOS = {
    1: {
        "# TODO 1: create": SUMMARY,
        "# TODO 1: time the lookup": TIME_THE_LOOKUP,
    },
    2: COUNT_THE_LOOKUPS,
}
OBSERVE = "\n    LOOKUP_DURATION.observe({})"
WRONG = [
    *COMMON_WRONG,
    (
        "a histogram instead of a summary",
        {"# TODO 1: create": SUMMARY.replace("Summary(", "Histogram(")},
        "is a histogram; this lesson wants a summary",
    ),
    (
        "a gauge set to the last duration",
        {
            "Counter, Histogram, Summary,": "Counter, Gauge, Summary,",
            "# TODO 1: create": SUMMARY.replace("Summary(", "Gauge("),
            "# TODO 1: time the lookup": "",
            FETCH: FETCH.replace("    outcome", "    started = time.perf_counter()\n    outcome")
            + "\n    LOOKUP_DURATION.set(time.perf_counter() - started)",
            **TIME,
        },
        "is a gauge; this lesson wants a summary",
    ),
    (
        "the outcome counted inside the timed block, and again after it",
        # The block written out in full; `if False:` then takes the starter's own
        # lookup line as its body, so that the lookup still runs once.
        {
            "# TODO 1: time the lookup": (
                "with LOOKUP_DURATION.time():\n"
                "    outcome, status, body = github.fetch_repository(owner, repo)\n"
                "    " + COUNT + "\n"
                "if False:  \\"
            ),
        },
        "higher than expected: .inc() called twice?",
    ),
    (
        "only the successful lookups timed",
        {
            "# TODO 1: time the lookup": "started = time.perf_counter()",
            "# TODO 1: create": "import time\n\n" + SUMMARY,
            "# TODO 2: count this lookup": (
                'if outcome == "ok":\n'
                "    LOOKUP_DURATION.observe(time.perf_counter() - started)\n" + COUNT
            ),
        },
        "the number of observations differs",
    ),
    (
        "the duration in milliseconds",
        {
            **TIME,
            **NO_TIMER,
            FETCH: "    started = time.perf_counter()\n"
            + FETCH
            + "\n    LOOKUP_DURATION.observe((time.perf_counter() - started) * 1000)",
        },
        "in milliseconds?",
    ),
    (
        "the time of day observed instead of a duration",
        {**TIME, **NO_TIMER, FETCH: FETCH + "\n    LOOKUP_DURATION.observe(time.time())"},
        "Unix times",
    ),
    (
        "quantiles asked of the summary, as in Go or Java",
        {
            "# TODO 1: create": SUMMARY.replace(
                f"{HELP},\n", f"{HELP},\n    quantiles=(0.5, 0.99),\n"
            )
        },
        "the Python client's Summary takes no quantiles",
    ),
    (
        "the clock's reading observed, not the time the lookup took",
        {
            **TIME,
            **NO_TIMER,
            FETCH: "    started = time.perf_counter()\n"
            + FETCH
            + OBSERVE.format("time.perf_counter()"),
        },
        "readings of the clock, not durations?",
    ),
    (
        "the start minus the end observed",
        {
            **TIME,
            **NO_TIMER,
            FETCH: "    started = time.perf_counter()\n"
            + FETCH
            + OBSERVE.format("started - time.perf_counter()"),
        },
        "less than nothing",
    ),
    (
        "an outcome label on the summary too",
        {
            **TIME,
            **NO_TIMER,
            "# TODO 1: create": SUMMARY.replace(f"{HELP},\n", f'{HELP},\n    ["outcome"],\n'),
            FETCH: "    started = time.perf_counter()\n"
            + FETCH
            + "\n    LOOKUP_DURATION.labels(outcome=outcome)"
            + ".observe(time.perf_counter() - started)",
        },
        "the labels differ: expected {}, the app has {'outcome'",
    ),
    (
        "the unit in the name as ms",
        {"# TODO 1: create": SUMMARY.replace("_seconds", "_ms")},
        "github_lookup_duration_ms_count is there: was the metric renamed?",
    ),
]
RIGHT = [
    *COMMON_RIGHT,
    (
        "timed by hand with time.monotonic(), observed in a finally",
        {
            **TIME,
            **NO_TIMER,
            FETCH: "    started = time.monotonic()\n    try:\n    "
            + FETCH
            + "\n    finally:\n        LOOKUP_DURATION.observe(time.monotonic() - started)",
        },
    ),
]
