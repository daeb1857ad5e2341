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
TIME_THE_LOOKUP = "with LOOKUP_DURATION.time():  \\"
COUNT = "GITHUB_LOOKUPS.labels(outcome=outcome).inc()"
# A learner who times by hand, with time.perf_counter() around the lookup.
BY_HAND = "import time\n\n" + HISTOGRAM.format(buckets=BUCKETS)
STARTED = "started = time.perf_counter()"
TODOS = {
    1: {
        "# TODO 1: create": HISTOGRAM.format(buckets=BUCKETS),
        "# TODO 1: time the lookup": TIME_THE_LOOKUP,
    },
    2: {
        "# TODO 2: create": (
            'GITHUB_LOOKUPS = Counter("github_lookups", "GitHub lookups, by how they ended.", '
            '["outcome"])\n'
            "for outcome in github.OUTCOMES:\n"
            "    GITHUB_LOOKUPS.labels(outcome=outcome)"
        ),
        "# TODO 2: count this lookup": COUNT,
    },
}
FETCH = "    outcome, status, body = github.fetch_repository(owner, repo)"
COUNTED = "    GITHUB_LOOKUPS.labels(outcome=outcome).inc()"
ROUTE = '@app.get("/repos/<owner>/<repo>")\n'
CHECKED = "    problem = github.name_problem(owner, repo)\n"
TIME = {"import os\n": "import os\nimport time\n"}
OUTCOMES_AT_0 = "\nfor outcome in github.OUTCOMES:\n    GITHUB_LOOKUPS.labels(outcome=outcome)"
NO_TIMER = {"# TODO 1: time the lookup": ""}
COMMON_WRONG = [
    (
        "the timer around a block after the lookup",
        {**NO_TIMER, COUNTED: "    with LOOKUP_DURATION.time():\n    " + COUNTED},
        "but the stand-in alone took",
    ),
    (
        "a constant observed instead of the time taken",
        {**NO_TIMER, FETCH: FETCH + "\n    LOOKUP_DURATION.observe(0.5)"},
        "records 0.5 whatever happened",
    ),
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
COMMON_RIGHT = [
    (
        "timed by hand, in a finally",
        {
            **TIME,
            **NO_TIMER,
            FETCH: (
                "    started = time.perf_counter()\n    try:\n    " + FETCH + "\n"
                "    finally:\n        LOOKUP_DURATION.observe(time.perf_counter() - started)"
            ),
        },
    ),
    (
        "the timer as a decorator on a helper, the outcomes exported by a comprehension",
        {
            **NO_TIMER,
            FETCH: "    outcome, status, body = timed_fetch(owner, repo)",
            ROUTE: (
                "@LOOKUP_DURATION.time()\ndef timed_fetch(owner, repo):\n"
                "    return github.fetch_repository(owner, repo)\n\n\n" + ROUTE
            ),
            OUTCOMES_AT_0: "\n_ = [GITHUB_LOOKUPS.labels(name) for name in github.OUTCOMES]",
        },
    ),
]
WRONG = [
    *COMMON_WRONG,
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
