"""What lessons 03 and 04 share in their corpora: both time and count the same
GitHub lookup (03 with a Histogram, 04 with a Summary), so the markers of their
solved exercise, the counter's TODO, and the mistakes and right variants that do
not depend on the metric type are written once, here.

Used by 03_histograms.py and 04_summaries.py beside it.
"""

TIME_THE_LOOKUP = "with LOOKUP_DURATION.time():  \\"
COUNT = "GITHUB_LOOKUPS.labels(outcome=outcome).inc()"
COUNT_THE_LOOKUPS = {  # TODO 2 of both lessons
    "# TODO 2: create": (
        'GITHUB_LOOKUPS = Counter("github_lookups", "GitHub lookups, by how they ended.", '
        '["outcome"])\n'
        "for outcome in github.OUTCOMES:\n"
        "    GITHUB_LOOKUPS.labels(outcome=outcome)"
    ),
    "# TODO 2: count this lookup": COUNT,
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
