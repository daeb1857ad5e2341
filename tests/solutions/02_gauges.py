"""Lesson 02's exercise, solved one TODO at a time (for tests/test_exercises.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:`
line in 02_gauges/exercise.py to the code that replaces it; CLOSE_BUT_WRONG
are answers that look right but are not, each with a fragment of the hint the
grader must print.
"""

LESSON_TYPES = ["Gauge("]
IMPORTS = {
    "from prometheus_client import make_wsgi_app": (
        "from prometheus_client import Gauge, make_wsgi_app"
    ),
}
LIST_SIZE = 'LIST_SIZE = Gauge("list_size", "Number of items in a list.", ["list"])\n'
LAST_SUCCESS = (
    'LAST_SUCCESS = Gauge("work_last_success_timestamp_seconds", '
    '"Unix time of the last /work success.")'
)
TODOS = {
    1: {
        "# TODO 1: create": (
            LIST_SIZE + 'LIST_SIZE.labels(list="my_list").set_function(lambda: len(my_list))'
        ),
    },
    2: {
        "# TODO 2: create": (
            'WORK_IN_PROGRESS = Gauge("work_requests_in_progress", '
            '"Requests to /work being handled now.")'
        ),
        "# TODO 2: count": "@WORK_IN_PROGRESS.track_inprogress()",
    },
    3: {
        "# TODO 3: create": LAST_SUCCESS,
        "# TODO 3: record": "LAST_SUCCESS.set_to_current_time()",
    },
}
CLOSE_BUT_WRONG = [
    (
        "a label value misspelt",
        {
            "# TODO 1: create": (
                LIST_SIZE + 'LIST_SIZE.labels(list="mylist").set_function(lambda: len(my_list))'
            )
        },
        "not 'mylist': a misspelt label value?",
    ),
    (
        "set() once at start-up instead of set_function()",
        {"# TODO 1: create": LIST_SIZE + 'LIST_SIZE.labels(list="my_list").set(len(my_list))'},
        "is the metric updated on every change the traffic makes?",
    ),
    (
        "the timestamp in milliseconds",
        {"# TODO 3: record": "LAST_SUCCESS.set(time.time() * 1000)"},
        "expected a Unix time in seconds close to now",
    ),
]
