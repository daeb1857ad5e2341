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
CLOSE_BUT_WRONG = [
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
        "bucket counts differ",
    ),
    (
        "a label for the repository asked for",
        {
            "# TODO 1: create": HISTOGRAM.format(buckets=BUCKETS).replace(
                "    buckets=", '    ["repo"],\n    buckets='
            ),
            "# TODO 1: time the lookup": (
                'with LOOKUP_DURATION.labels(repo=f"{owner}/{repo}").time():  \\'
            ),
        },
        "the labels differ: expected {}, the app has {'repo': ",
    ),
]
