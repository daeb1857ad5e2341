"""The bugs the grader plants in app.py, one at a time, to see which ones your
tests catch (python scripts/check.py 07 --file 07_testing/exercise.py).

Each is an instrumentation mistake seen in real code. MUTANTS maps its name to
what it does, in one line, and to the edits that make it: {text of app.py: what
replaces it}, each text found exactly once in app.py. hints.md lists each name
under the TODO whose tests should catch it, in this order.
"""

OK_INC = '        lookups.labels(city=counted_as, outcome="ok").inc()\n'
OBSERVE_AFTER = (
    "        finally:  # a failed lookup took someone's time too\n"
    "            duration.observe(clock() - started)\n"
)
HISTOGRAM = """    duration = Histogram(
        "forecast_lookup_duration_seconds",
        "Time spent asking the provider, failed lookups included.",
        buckets=(0.1, 0.25, 0.5, 1.0, 2.5),
        registry=registry,
    )
"""
TRACKED = "    @in_progress.track_inprogress()\n"
MOUNT = (
    '    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app(registry)})\n'
)

MUTANTS = {
    "ok_not_counted": (
        "a good lookup is never counted: its .inc() is gone",
        {OK_INC: ""},
    ),
    "ok_counted_twice": (
        "a good lookup is counted twice: its .inc() is there two times",
        {OK_INC: OK_INC * 2},
    ),
    "not_found_misspelt": (
        'a city the provider does not know is counted as outcome="notfound"',
        {'outcome="not_found").inc()': 'outcome="notfound").inc()'},
    ),
    "failure_counted_as_not_found": (
        'a provider failure is counted as outcome="not_found", not "error"',
        {'outcome="error").inc()': 'outcome="not_found").inc()'},
    ),
    "ok_counted_before_the_answer": (
        'every lookup is counted as "ok" before the provider answers, failed ones too',
        {OK_INC: "", "        started = clock()\n": "        started = clock()\n" + OK_INC},
    ),
    "city_label_from_the_request": (
        "the city label holds the name a client sent: one more series for every name",
        {'counted_as = city if city in CITIES else "other"': "counted_as = city"},
    ),
    "milliseconds": (
        "the duration is observed in milliseconds, not seconds",
        {"duration.observe(clock() - started)": "duration.observe((clock() - started) * 1000)"},
    ),
    "timer_around_nothing": (
        "the timer stops before the lookup starts: every lookup takes 0 s",
        {
            OBSERVE_AFTER: "",
            "        started = clock()\n": (
                "        started = clock()\n        duration.observe(clock() - started)\n"
            ),
        },
    ),
    "failures_not_timed": (
        "only the good lookups are timed: the slow failures never reach the histogram",
        {OBSERVE_AFTER: "", OK_INC: "        duration.observe(clock() - started)\n" + OK_INC},
    ),
    "summary_not_histogram": (
        "the duration is a Summary, not a Histogram: it has no buckets",
        {
            "Gauge, Histogram,": "Gauge, Summary,",
            HISTOGRAM: HISTOGRAM.replace("Histogram(", "Summary(").replace(
                "        buckets=(0.1, 0.25, 0.5, 1.0, 2.5),\n", ""
            ),
        },
    ),
    "histogram_renamed": (
        "the histogram is renamed forecast_lookup_seconds: dashboards find nothing",
        {'"forecast_lookup_duration_seconds",': '"forecast_lookup_seconds",'},
    ),
    "in_progress_stuck_after_a_failure": (
        "the in-progress gauge goes up and down by hand, and a failed lookup never takes it down",
        {
            TRACKED: "",
            '        counted_as = city if city in CITIES else "other"': (
                "        in_progress.inc()\n"
                '        counted_as = city if city in CITIES else "other"'
            ),
            OK_INC: OK_INC + "        in_progress.dec()\n",
        },
    ),
    "in_progress_not_tracked": (
        "nothing tracks the lookups in progress: the gauge stays at 0",
        {TRACKED: ""},
    ),
    "metrics_from_the_global_registry": (
        "/metrics serves the client's global registry, not the app's",
        {"make_wsgi_app(registry)": "make_wsgi_app()"},
    ),
    "metrics_route_by_hand": (
        "/metrics is a hand-written route that sends CONTENT_TYPE_LATEST (OpenMetrics 1.0.0)",
        {
            "from flask import Flask, jsonify": "from flask import Flask, Response, jsonify",
            "from prometheus_client import REGISTRY,": (
                "from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest,"
            ),
            MOUNT: (
                '    app.add_url_rule("/metrics", "metrics", lambda: Response(\n'
                "        generate_latest(registry), mimetype=CONTENT_TYPE_LATEST))\n"
            ),
        },
    ),
}
