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
CLOSE_BUT_WRONG = [
    (
        "the counter named with a different word",
        {"# TODO 2: create": 'HEALTH_CHECK_CALLS = Counter("health_checks", "Health checks.")'},
        "health_checks_total is there: was the metric renamed?",
    ),
    (
        "a label value misspelt",
        {'# TODO 1: count this visit, with page="about"': 'PAGE_VISITS.labels("About").inc()'},
        "'About'",
    ),
    (
        "inc() in the wrong view",
        {'# TODO 1: count this visit, with page="about"': 'PAGE_VISITS.labels("home").inc()'},
        'page="home"',
    ),
]
