"""Lesson 06's exercise, solved one TODO at a time (for tests/test_exercises.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:` line
in 06_multiprocess/exercise.py to the code that replaces it; IMPORTS replaces the
starter's prometheus_client import; CLOSE_BUT_WRONG are answers a learner could
write that look right but are not: (what is wrong, {marker: code} on top of
every TODO solved, a hint fragment the grader must print).

The starter's counter and histogram are already there: without TODO 1, /metrics
shows one worker's own registry, whose `_created` lines (absent in multiprocess
mode) make their snippets fail whichever worker answers, however the traffic
was shared between the workers.
"""

LESSON_TYPES = ["MultiProcessCollector(", "Gauge("]
IMPORTS = {
    "from prometheus_client import Counter, Histogram, make_wsgi_app": (
        "from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, "
        "make_wsgi_app\n"
        "from prometheus_client.multiprocess import MultiProcessCollector"
    ),
}
REGISTRY_PER_SCRAPE = (
    'if "PROMETHEUS_MULTIPROC_DIR" in os.environ:\n'
    "    registry = CollectorRegistry()\n"
    "    MultiProcessCollector(registry)\n"
    "    return make_wsgi_app(registry)(environ, start_response)"
)
GAUGE = 'INPROGRESS = Gauge("http_inprogress_requests", "Requests in progress."{mode})'
COUNT_OUT = "@app.teardown_request\ndef finish(error):\n    INPROGRESS.dec()"
TODOS = {
    1: {"# TODO 1: in multiprocess mode": REGISTRY_PER_SCRAPE},
    2: {
        "# TODO 2: create": GAUGE.format(mode=', multiprocess_mode="livesum"'),
        "# TODO 2: one more request": "INPROGRESS.inc()",
        "# TODO 2: one request less": COUNT_OUT,
    },
}
CLOSE_BUT_WRONG = [
    (
        "a gauge without multiprocess_mode: one series per worker, with a pid label",
        {"# TODO 2: create": GAUGE.format(mode="")},
        "the app has {'pid': ",
    ),
    (
        "the registry made, but /metrics still served from the default one",
        {
            "# TODO 1: in multiprocess mode": (
                'if "PROMETHEUS_MULTIPROC_DIR" in os.environ:\n'
                "    registry = CollectorRegistry()\n"
                "    MultiProcessCollector(registry)"
            )
        },
        "answered from the registry of one worker",
    ),
    (
        "counted in, never out",
        {"# TODO 2: one request less": ""},
        "the value differs",
    ),
]
