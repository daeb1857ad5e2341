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
READ_MS = '    ms = request.args.get("ms", type=int)'
BAD_MS = '        return jsonify(error="ms must be a whole number of milliseconds, 0 to 5000"), 400'
SLEPT = "    return jsonify(slept_ms=ms)"
APPENDED = "        my_list.append(number)\n"
REMOVED = "        my_list.remove(number)\n"
SET_SIZE = '        LIST_SIZE.labels(list="my_list").set(len(my_list))\n'
WORK = "def work():\n"
SLEEP = "    time.sleep(ms / 1000)"
WRONG = [
    (
        "set() once at start-up instead of set_function()",
        {"# TODO 1: create": LIST_SIZE + 'LIST_SIZE.labels(list="my_list").set(len(my_list))'},
        'should change list_size{list="my_list"} by +1',
    ),
    (
        "set() in the views instead of set_function()",
        {
            "# TODO 1: create": LIST_SIZE + 'LIST_SIZE.labels(list="my_list")',
            APPENDED: APPENDED + SET_SIZE,
            REMOVED: REMOVED + SET_SIZE,
        },
        "the lesson asks for set_function()",
    ),
    (
        "set_function() given the size, not a function",
        {
            "# TODO 1: create": LIST_SIZE
            + 'LIST_SIZE.labels(list="my_list").set_function(len(my_list))'
        },
        "hands it a number",
    ),
    (
        "the in-progress gauge set to 1 and 0 instead of counted up and down",
        {
            "# TODO 2: count": "",
            READ_MS: "    WORK_IN_PROGRESS.set(1)\n" + READ_MS,
            BAD_MS: "        WORK_IN_PROGRESS.set(0)\n" + BAD_MS,
            SLEPT: "    WORK_IN_PROGRESS.set(0)\n" + SLEPT,
        },
        "not set(1) and set(0)",
    ),
    (
        "the in-progress gauge on the wrong view",
        {
            "# TODO 2: count": "",
            '@app.get("/list")\n': '@app.get("/list")\n@WORK_IN_PROGRESS.track_inprogress()\n',
        },
        "stayed 0",
    ),
    (
        "track_inprogress() above the route's decorator",
        {
            "# TODO 2: count": "",
            '@app.get("/work")\n': '@WORK_IN_PROGRESS.track_inprogress()\n@app.get("/work")\n',
        },
        "is above the route's decorator",
    ),
    (
        "counted up, and down only after a success",
        {
            "# TODO 2: count": "",
            READ_MS: "    WORK_IN_PROGRESS.inc()\n" + READ_MS,
            SLEPT: "    WORK_IN_PROGRESS.dec()\n" + SLEPT,
        },
        "did not come down",
    ),
    (
        "the timestamp set before the request is checked",
        {"# TODO 3: record": "pass", READ_MS: "    LAST_SUCCESS.set_to_current_time()\n" + READ_MS},
        "this request moved work_last_success_timestamp_seconds",
    ),
    (
        "the timestamp set once, at start-up",
        {
            "# TODO 3: create": LAST_SUCCESS + "\nLAST_SUCCESS.set_to_current_time()",
            "# TODO 3: record": "pass",
        },
        "is already",
    ),
    (
        "the timestamp in milliseconds",
        {"# TODO 3: record": "LAST_SUCCESS.set(time.time() * 1000)"},
        "a Unix time in seconds",
    ),
    (
        "the timestamp from time.monotonic(), not the time of day",
        {"# TODO 3: record": "LAST_SUCCESS.set(time.monotonic())"},
        "a Unix time in seconds",
    ),
    (
        "the timestamp in nanoseconds",
        {"# TODO 3: record": "LAST_SUCCESS.set(time.time_ns())"},
        "a Unix time in seconds",
    ),
    (
        "the timestamp from a naive datetime.utcnow()",
        {
            "import os\n": "import os\nfrom datetime import datetime\n",
            "# TODO 3: record": "LAST_SUCCESS.set(datetime.utcnow().timestamp())",
        },
        "off by the time zone's offset",
    ),
    (
        "counted up and down in the view, with no finally",
        {
            "# TODO 2: count": "",
            SLEEP: "    WORK_IN_PROGRESS.inc()\n" + SLEEP + "\n    WORK_IN_PROGRESS.dec()",
        },
        "the dec() in no finally",
    ),
    (
        "the in-progress gauge counted up once at start-up",
        {
            "# TODO 2: create": TODOS[2]["# TODO 2: create"] + "\nWORK_IN_PROGRESS.inc()",
        },
        "is 1 right after the start",
    ),
    (
        "the list size gauge without its label",
        {
            "# TODO 1: create": (
                'LIST_SIZE = Gauge("list_size", "Number of items in a list.")\n'
                "LIST_SIZE.set_function(lambda: len(my_list))"
            )
        },
        "the labels differ",
    ),
    (
        "a series per number added, its label from the URL",
        {APPENDED: APPENDED + "        LIST_SIZE.labels(list=str(number))\n"},
        "is taken from the request (its URL)",
    ),
]
RIGHT = [
    (
        "a named function, a with block around the work, set(time.time())",
        {
            "# TODO 1: create": (
                'LIST_SIZE = Gauge("list_size", "Number of items in a list.", labelnames=["list"])'
                "\n\n\ndef list_length():\n    return len(my_list)\n\n\n"
                'LIST_SIZE.labels("my_list").set_function(list_length)'
            ),
            "# TODO 2: count": "",
            WORK: (
                WORK + "    with WORK_IN_PROGRESS.track_inprogress():\n        return do_work()"
                "\n\n\ndef do_work():\n"
            ),
            "# TODO 3: record": "LAST_SUCCESS.set(time.time())",
        },
    ),
    (
        "functools.partial, inc() and dec() in a finally",
        {
            "import os\n": "import functools\nimport os\n",
            "# TODO 1: create": (
                LIST_SIZE
                + 'LIST_SIZE.labels(list="my_list").set_function(functools.partial(len, my_list))'
            ),
            "# TODO 2: count": "",
            WORK: (
                WORK + "    WORK_IN_PROGRESS.inc()\n    try:\n        return do_work()\n"
                "    finally:\n        WORK_IN_PROGRESS.dec()\n\n\ndef do_work():\n"
            ),
        },
    ),
    (
        "the timestamp from an aware datetime, in whole seconds, or int(time.time())",
        {
            "import os\n": "import os\nfrom datetime import datetime, timezone\n",
            "# TODO 3: record": "LAST_SUCCESS.set(int(datetime.now(timezone.utc).timestamp()))",
        },
    ),
    (
        "the bound method my_list.__len__, counted in progress only once ms is valid",
        {
            "# TODO 1: create": LIST_SIZE
            + 'LIST_SIZE.labels(list="my_list").set_function(my_list.__len__)',
            "# TODO 2: count": "",
            SLEEP: "    with WORK_IN_PROGRESS.track_inprogress():\n    " + SLEEP,
        },
    ),
]
