"""Lesson 01's exercise, solved one TODO at a time (for tests/test_exercises.py).

TODOS[k] maps the start of each `# TODO k:` line in 01_counters/exercise.py to
the code that replaces it (and the comment lines that continue it). IMPORTS
replaces the starter's prometheus_client import in every solution.
CLOSE_BUT_WRONG are answers a learner could write that look right but are not:
(what is wrong, {marker: code} on top of every TODO solved, a hint fragment the
grader must print).
"""

LESSON_TYPES = ["Counter("]
IMPORTS = {
    "from prometheus_client import make_wsgi_app": (
        "from prometheus_client import Counter, make_wsgi_app"
    ),
}
TODOS = {
    1: {
        "# TODO 1: create": (
            'PAGE_VISITS = Counter("page_visits", "Visits to the site\'s pages.", ["page"])\n'
            'for page in ("home", "about"):\n'
            "    PAGE_VISITS.labels(page=page)"
        ),
        '# TODO 1: count this visit, with page="home"': 'PAGE_VISITS.labels(page="home").inc()',
        '# TODO 1: count this visit, with page="about"': 'PAGE_VISITS.labels(page="about").inc()',
    },
    2: {
        "# TODO 2: create": (
            'HEALTH_CHECK_CALLS = Counter("health_check_calls", '
            '"Times the /health endpoint was called.")'
        ),
        "# TODO 2: count this call": "HEALTH_CHECK_CALLS.inc()",
    },
    3: {
        "# TODO 3: create": (
            'PAGE_NOT_FOUND = Counter("page_not_found", '
            '"Requests for paths that do not exist (answered 404).")'
        ),
        "# TODO 3: count this request": "PAGE_NOT_FOUND.inc()",
    },
    4: {
        "# TODO 4: create": (
            'DIVIDE_EXCEPTIONS = Counter("divide_exceptions", '
            '"Exceptions raised while handling /divide.")'
        ),
        "# TODO 4: count every exception": "@DIVIDE_EXCEPTIONS.count_exceptions()",
    },
}
REQUEST = {"from flask import Flask, jsonify": "from flask import Flask, jsonify, request"}
MIDDLEWARE = 'app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})\n'
DIVIDE = "    return jsonify(result=dividend / divisor)"
WRONG = [
    (
        "the page series not exported at 0 at start-up",
        {"# TODO 1: create": TODOS[1]["# TODO 1: create"].split("\n")[0]},
        "is not on /metrics before the first request: export each of its series at start-up",
    ),
    (
        "the counter created inside the view, on every call",
        {
            "# TODO 2: create": "",
            "# TODO 2: count this call": (
                'Counter("health_check_calls", "Times the /health endpoint was called.").inc()'
            ),
        },
        "health_check_calls is created inside health()",
    ),
    (
        "404s counted in a before_request hook, which sees the 405 too",
        {
            **REQUEST,
            "# TODO 3: count this request": "pass",
            MIDDLEWARE: MIDDLEWARE
            + (
                "\n\n@app.before_request\ndef count_unknown_paths():\n"
                "    if request.url_rule is None:\n        PAGE_NOT_FOUND.inc()\n"
            ),
        },
        "this request must leave page_not_found_total alone",
    ),
    (
        "count_exceptions() limited to ZeroDivisionError",
        {
            "# TODO 4: count every exception": (
                "@DIVIDE_EXCEPTIONS.count_exceptions(ZeroDivisionError)"
            )
        },
        "this request should change divide_exceptions_total by +1",
    ),
    (
        "count_exceptions() above the route's decorator",
        {
            "# TODO 4: count every exception": "",
            '@app.get("/divide/': '@DIVIDE_EXCEPTIONS.count_exceptions()\n@app.get("/divide/',
        },
        "is above the route's decorator",
    ),
    (
        "count_exceptions without its (), as the decorator",
        {"# TODO 4: count every exception": "@DIVIDE_EXCEPTIONS.count_exceptions"},
        "without (): it is the method that makes the decorator",
    ),
    (
        "the page label taken from the request's path",
        {
            **REQUEST,
            '# TODO 1: count this visit, with page="home"': (
                "PAGE_VISITS.labels(page=request.path).inc()"
            ),
        },
        "is taken from the request",
    ),
    (
        "a gauge instead of a counter",
        {
            "import Counter, make_wsgi_app": "import Counter, Gauge, make_wsgi_app",
            'PAGE_VISITS = Counter("page_visits"': 'PAGE_VISITS = Gauge("page_visits"',
        },
        "page_visits is a gauge; this lesson wants a counter",
    ),
    (
        "/health counted in an after_request hook, for every request",
        {
            "# TODO 2: count this call": "pass",
            MIDDLEWARE: MIDDLEWARE
            + (
                "\n\n@app.after_request\ndef count_health(response):\n"
                "    HEALTH_CHECK_CALLS.inc()\n    return response\n"
            ),
        },
        "this request must leave health_check_calls_total alone",
    ),
    (
        "inc() in the wrong view",
        {'# TODO 1: count this visit, with page="about"': 'PAGE_VISITS.labels("home").inc()'},
        'should change page_visits_total{page="about"} by +1',
    ),
    (
        "the page label taken from a query parameter, with a default",
        {
            **REQUEST,
            '# TODO 1: count this visit, with page="home"': (
                'PAGE_VISITS.labels(page=request.args.get("page", "home")).inc()'
            ),
        },
        "is taken from the request (request.args)",
    ),
    (
        "the page label taken from a header, with a default",
        {
            **REQUEST,
            '# TODO 1: count this visit, with page="about"': (
                'PAGE_VISITS.labels(page=request.headers.get("X-Page", "about")).inc()'
            ),
        },
        "is taken from the request (request.headers)",
    ),
    (
        "the page label taken from the path, its slash stripped",
        {
            **REQUEST,
            '# TODO 1: count this visit, with page="about"': (
                'page = request.path.strip("/")\nPAGE_VISITS.labels(page=page).inc()'
            ),
        },
        "is taken from the request (request.path)",
    ),
    (
        "labelnames given as one string",
        {
            'PAGE_VISITS = Counter("page_visits", "Visits to the site\'s pages.", ["page"])': (
                'PAGE_VISITS = Counter("page_visits", "Visits to the site\'s pages.", "page")'
            )
        },
        "labelnames 'page' is one string",
    ),
    (
        "the counter registered in a registry of its own",
        {
            "import Counter, make_wsgi_app": "import CollectorRegistry, Counter, make_wsgi_app",
            '"Times the /health endpoint was called.")': (
                '"Times the /health endpoint was called.", registry=CollectorRegistry())'
            ),
        },
        "a registry /metrics never shows",
    ),
    (
        "the exceptions counted in the error handler too",
        {
            'error=f"cannot divide: {error}"), 400': (
                'error=f"cannot divide: {error}"), 400 if DIVIDE_EXCEPTIONS.inc() is None else 0'
            )
        },
        "changed divide_exceptions_total by +2",
    ),
    (
        "count_exceptions() on the error handler instead of divide()",
        {
            "# TODO 4: count every exception": "",
            "def cannot_divide": "@DIVIDE_EXCEPTIONS.count_exceptions()\ndef cannot_divide",
        },
        "should change divide_exceptions_total by +1",
    ),
    (
        "404s counted in an after_request hook for every status from 400",
        {
            "# TODO 3: count this request": "pass",
            MIDDLEWARE: MIDDLEWARE
            + (
                "\n\n@app.after_request\ndef count_not_found(response):\n"
                "    if response.status_code >= 400:\n        PAGE_NOT_FOUND.inc()\n"
                "    return response\n"
            ),
        },
        "this request must leave page_not_found_total alone",
    ),
    (
        "a namespace that renames the counter",
        {
            '"Times the /health endpoint was called.")': (
                '"Times the /health endpoint was called.", namespace="workshop")'
            ),
        },
        "is there: was the metric renamed?",
    ),
    (
        "the visit counted with inc(0)",
        {'# TODO 1: count this visit, with page="home"': 'PAGE_VISITS.labels(page="home").inc(0)'},
        'should change page_visits_total{page="home"} by +3',
    ),
]
RIGHT = [
    (
        "other names, a with block, the series exported one by one",
        {
            "# TODO 1: create": (
                "VISITS = Counter(\n"
                '    "page_visits", "Visits to the site\'s pages.", labelnames=("page",)\n'
                ")\n"
                'VISITS.labels("home")\nVISITS.labels(page="about")'
            ),
            '# TODO 1: count this visit, with page="home"': 'VISITS.labels("home").inc()',
            '# TODO 1: count this visit, with page="about"': 'VISITS.labels(page="about").inc()',
            "# TODO 4: count every exception": "",
            DIVIDE: "    with DIVIDE_EXCEPTIONS.count_exceptions():\n    " + DIVIDE,
        },
    ),
    (
        "a helper that makes the counters, 404s counted by status, a re-raising except",
        {
            "# TODO 1: create": (
                "def counter(name, documentation, labels=()):\n"
                "    return Counter(name, documentation, labels)\n\n\n"
                "PAGE_VISITS = counter(\n"
                '    "page_visits_total", "Visits to the site\'s pages.", ["page"]\n'
                ")\n"
                'PAGE_VISITS.labels(page="home")\nPAGE_VISITS.labels(page="about")'
            ),
            "# TODO 3: count this request": "pass",
            "# TODO 4: count every exception": "",
            DIVIDE: (
                "    try:\n        return jsonify(result=dividend / divisor)\n"
                "    except Exception:\n        DIVIDE_EXCEPTIONS.inc()\n        raise\n"
                "    return None"
            ),
            MIDDLEWARE: MIDDLEWARE
            + (
                "\n\n@app.after_request\ndef count_not_found(response):\n"
                "    if response.status_code == 404:\n        PAGE_NOT_FOUND.inc()\n"
                "    return response\n"
            ),
        },
    ),
    (
        "each page's child kept from labels() once, the label from the view's endpoint",
        {
            **REQUEST,
            "# TODO 1: create": (
                'PAGE_VISITS = Counter("page_visits", "Visits to the site\'s pages.", ["page"])\n'
                'HOME_VISITS = PAGE_VISITS.labels(page="home")\n'
                'PAGE_VISITS.labels(page="about")'
            ),
            '# TODO 1: count this visit, with page="home"': "HOME_VISITS.inc()",
            '# TODO 1: count this visit, with page="about"': (
                "PAGE_VISITS.labels(page=request.endpoint).inc()"
            ),
        },
    ),
    (
        "divide() catches the error and answers 400 itself",
        {
            "# TODO 4: count every exception": "",
            DIVIDE: (
                "    try:\n        return jsonify(result=dividend / divisor)\n"
                "    except ArithmeticError as error:\n        DIVIDE_EXCEPTIONS.inc()\n"
                '        return jsonify(error=f"cannot divide: {error}"), 400'
            ),
        },
    ),
    (
        "the page label looked up in the code's own table of paths, or chosen by a comparison",
        {
            **REQUEST,
            "# TODO 1: create": (
                'PAGE_VISITS = Counter("page_visits", "Visits to the site\'s pages.", ["page"])\n'
                'PAGES = {"/": "home", "/about": "about"}\n'
                "for page in PAGES.values():\n"
                "    PAGE_VISITS.labels(page=page)"
            ),
            '# TODO 1: count this visit, with page="home"': (
                'PAGE_VISITS.labels(page=PAGES.get(request.path, "other")).inc()'
            ),
            '# TODO 1: count this visit, with page="about"': (
                'PAGE_VISITS.labels(page="about" if request.path == "/about" else "home").inc()'
            ),
        },
    ),
]
