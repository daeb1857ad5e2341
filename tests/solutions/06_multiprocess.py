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
MODE = ', multiprocess_mode="{}"'
DISPATCH = 'app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": metrics})'
ROUTE_LABEL = (
    'route = request.url_rule.rule if request.url_rule else "unmatched"  # never the raw path'
)
NO_COUNTING = {"# TODO 2: one more request": "pass", "# TODO 2: one request less": ""}
WRONG = [
    (
        "a gauge without multiprocess_mode: one series per worker, with a pid label",
        {"# TODO 2: create": GAUGE.format(mode="")},
        'multiprocess_mode, "all"',
    ),
    (
        'multiprocess_mode="sum": a dead worker\'s requests stay in progress',
        {"# TODO 2: create": GAUGE.format(mode=MODE.format("sum"))},
        'multiprocess_mode="sum" keeps the value a dead worker left',
    ),
    (
        'multiprocess_mode="max"',
        {"# TODO 2: create": GAUGE.format(mode=MODE.format("max"))},
        'multiprocess_mode="max" keeps the value a dead worker left',
    ),
    (
        'multiprocess_mode="livemax": one worker\'s count, not all of them',
        {"# TODO 2: create": GAUGE.format(mode=MODE.format("livemax"))},
        'has multiprocess_mode="livemax"',
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
        "one registry for every scrape, a MultiProcessCollector added to it at each",
        {
            "# TODO 1: in multiprocess mode": (
                'if "PROMETHEUS_MULTIPROC_DIR" in os.environ:\n'
                "    MultiProcessCollector(SCRAPES)\n"
                "    return make_wsgi_app(SCRAPES)(environ, start_response)"
            ),
            "app = Flask(__name__)\n": "SCRAPES = CollectorRegistry()\napp = Flask(__name__)\n",
        },
        "this series is on /metrics more than once",
    ),
    (
        "the MULTIPROC=off case dropped: MultiProcessCollector without its folder",
        {
            "# TODO 1: in multiprocess mode": (
                "registry = CollectorRegistry()\n"
                "MultiProcessCollector(registry)\n"
                "return make_wsgi_app(registry)(environ, start_response)"
            )
        },
        "with MULTIPROC=off",
    ),
    (
        "counted in, never out",
        {"# TODO 2: one request less": ""},
        "counted out",
    ),
    (
        "counted down in after_request, which a view that raises skips",
        {
            "# TODO 2: one request less": "",
            "    return response\n": "    INPROGRESS.dec()\n    return response\n",
        },
        "after_request function, which Flask skips",
    ),
    (
        "in progress tracked on one route only",
        {
            **NO_COUNTING,
            '@app.get("/work")\n': '@app.get("/work")\n@INPROGRESS.track_inprogress()\n',
        },
        "one view",
    ),
    (
        "the route label taken from the request's path",
        {ROUTE_LABEL: "route = request.path"},
        "is taken from the request",
    ),
    (
        "the MultiProcessCollector added to the client's default REGISTRY",
        {
            "make_wsgi_app\n": "make_wsgi_app, REGISTRY\n",
            "# TODO 1: in multiprocess mode": (
                'if "PROMETHEUS_MULTIPROC_DIR" in os.environ:\n'
                "    MultiProcessCollector(REGISTRY)\n"
                "    return make_wsgi_app()(environ, start_response)"
            ),
        },
        "MultiProcessCollector(REGISTRY) adds every worker's files",
    ),
    (
        "the old lowercase name of the variable checked",
        {
            "# TODO 1: in multiprocess mode": REGISTRY_PER_SCRAPE.replace(
                "PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir"
            )
        },
        "check PROMETHEUS_MULTIPROC_DIR, in capitals",
    ),
    (
        "counted out only when the request did not raise",
        {"    INPROGRESS.dec()": "    if error is None:\n        INPROGRESS.dec()"},
        "depends on the error",
    ),
    (
        "the gauge created in metrics(), at every scrape",
        {
            "# TODO 2: create": "",
            "# TODO 1: in multiprocess mode": (
                "global INPROGRESS\n"
                + GAUGE.format(mode=', multiprocess_mode="livesum"')
                + "\n"
                + REGISTRY_PER_SCRAPE
            ),
        },
        "is created inside metrics(), which runs at every scrape",
    ),
    (
        "counted in twice, in before_request and in after_request",
        {"    return response\n": "    INPROGRESS.inc()\n    return response\n"},
        "not all counted out",
    ),
    (
        "the route label from the view's endpoint name",
        {ROUTE_LABEL: 'route = request.endpoint or "unmatched"'},
        "the lesson has route='/work', not 'work'",
    ),
    (
        "the status label from the whole status line",
        {"status=response.status_code": "status=response.status"},
        "the lesson has status='200', not '200 OK'",
    ),
    (
        'multiprocess_mode="mostrecent", which cannot dec()',
        {"# TODO 2: create": GAUGE.format(mode=MODE.format("mostrecent"))},
        "dec must not be used with the mostrecent mode",
    ),
    (
        "the in-progress gauge labelled with the path",
        {
            "# TODO 2: create": GAUGE.replace('."{mode}', '.", ["route"]{mode}').format(
                mode=MODE.format("livesum")
            ),
            "# TODO 2: one more request": "INPROGRESS.labels(route=request.path).inc()",
            "    INPROGRESS.dec()": "    INPROGRESS.labels(route=request.path).dec()",
        },
        "is taken from the request",
    ),
]
RIGHT = [
    (
        "the multiprocess registry made once, at start-up, other names",
        {
            "# TODO 2: create": (
                "IN_FLIGHT = Gauge(\n"
                '    "http_inprogress_requests",\n'
                '    "Requests in progress.",\n'
                '    multiprocess_mode="livesum",\n'
                ")\n"
                "MULTIPROCESS_REGISTRY = CollectorRegistry()\n"
                'if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):\n'
                "    MultiProcessCollector(MULTIPROCESS_REGISTRY)"
            ),
            "# TODO 1: in multiprocess mode": (
                'if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):\n'
                "    return make_wsgi_app(MULTIPROCESS_REGISTRY)(environ, start_response)"
            ),
            "# TODO 2: one more request": "IN_FLIGHT.inc()",
            "# TODO 2: one request less": COUNT_OUT.replace("INPROGRESS", "IN_FLIGHT"),
        },
    ),
    (
        "requests in progress counted by a WSGI middleware",
        {
            **NO_COUNTING,
            DISPATCH: (
                "def count_in_progress(wsgi_app):\n"
                "    def counted(environ, start_response):\n"
                "        with INPROGRESS.track_inprogress():\n"
                "            return wsgi_app(environ, start_response)\n\n"
                "    return counted\n\n\n"
                "app.wsgi_app = DispatcherMiddleware(count_in_progress(app.wsgi_app), "
                '{"/metrics": metrics})'
            ),
        },
    ),
    (
        "counted out in teardown_appcontext, the mode read once at import",
        {
            "# TODO 2: create": (
                'MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ\n'
                + GAUGE.format(mode=MODE.format("livesum"))
            ),
            "# TODO 1: in multiprocess mode": REGISTRY_PER_SCRAPE.replace(
                '"PROMETHEUS_MULTIPROC_DIR" in os.environ', "MULTIPROCESS"
            ),
            "@app.teardown_request\n": "@app.teardown_appcontext\n",
        },
    ),
    (
        "the page made with generate_latest()",
        {
            "make_wsgi_app\n": "make_wsgi_app, generate_latest, CONTENT_TYPE_LATEST\n",
            "# TODO 1: in multiprocess mode": REGISTRY_PER_SCRAPE.replace(
                "    return make_wsgi_app(registry)(environ, start_response)",
                '    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])\n'
                "    return [generate_latest(registry)]",
            ),
        },
    ),
    (
        "counted out by a function registered with a call, after logging the error",
        {
            "# TODO 2: one request less": (
                "def finish(error):\n"
                "    if error is not None:\n"
                '        app.logger.warning("request failed: %s", error)\n'
                "    INPROGRESS.dec()\n\n\n"
                "app.teardown_request(finish)"
            )
        },
    ),
]
