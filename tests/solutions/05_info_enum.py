"""Lesson 05's exercise, solved one TODO at a time (for tests/test_exercises.py).

The format is 01_counters.py's: TODOS[k] maps the start of each `# TODO k:` line
in 05_info_enum/exercise.py to the code that replaces it; IMPORTS replaces the
starter's prometheus_client import; CLOSE_BUT_WRONG are answers a learner could
write that look right but are not: (what is wrong, {marker: code} on top of
every TODO solved, a hint fragment the grader must print).
"""

LESSON_TYPES = ["Info(", "Enum("]
IMPORTS = {
    "from prometheus_client import make_wsgi_app": (
        "from prometheus_client import Enum, Gauge, Info, make_wsgi_app"
    ),
}
INFO = 'APP_INFO = Info("application", "Version and author of this app.")\n'
INFO_LABELS = 'APP_INFO.info({"version": __version__, "author": __author__})'
ENUM = 'APP_STATE = Enum("application_state", "The state the app is in.", states={states})'
GAUGE = (
    'BUILD_INFO = Gauge(\n    "{name}",\n    "Build of this app; always 1.",\n'
    '    ["service", "version"],\n    multiprocess_mode="max",\n)\n'
)
GAUGE_SET = 'BUILD_INFO.labels(service="workshop", version={version}).set(1)'
TODOS = {
    1: {"# TODO 1: create": INFO + INFO_LABELS},
    2: {
        "# TODO 2: create": ENUM.format(states="STATES"),
        "# TODO 2: put the enum in the state `name`": "APP_STATE.state(name)",
        "# TODO 2: start-up is over": 'APP_STATE.state("running")',
    },
    3: {
        "# TODO 3: create": (
            GAUGE.format(name="workshop_build_info") + GAUGE_SET.format(version="__version__")
        ),
    },
}
ROUTE = '@app.post("/state/<name>")'
SET_STATE = "    APP_STATE.state(name)\n"
CHECKED = "    if name not in STATES:\n"
WRONG = [
    (
        "the enum never put in running at start-up",
        {"# TODO 2: start-up is over": "pass"},
        'application_state{application_state="loading"}',
    ),
    (
        "the Info named with _info, as tutorials do",
        {"# TODO 1: create": INFO.replace('"application"', '"application_info"') + INFO_LABELS},
        "application_info_info is there",
    ),
    (
        "the route always sets running, not the state named",
        {"# TODO 2: put the enum in the state `name`": 'APP_STATE.state("running")'},
        'this request should change application_state{application_state="missing"} by +1',
    ),
    (
        "the info-style gauge never set to 1",
        {
            "# TODO 3: create": (
                GAUGE.format(name="workshop_build_info")
                + GAUGE_SET.format(version="__version__").removesuffix(".set(1)")
            )
        },
        "right after the start, where the lesson's app shows 1",
    ),
    (
        "the Info's labels set in the view, so absent until the first request",
        {"# TODO 1: create": INFO, SET_STATE: "    " + INFO_LABELS + "\n" + SET_STATE},
        "is not on /metrics before the first request",
    ),
    (
        "the Info made by hand as a gauge",
        {
            "# TODO 1: create": (
                'APP_INFO = Gauge("application_info", "Version and author of this app.", '
                '["version", "author"])\n'
                "APP_INFO.labels(version=__version__, author=__author__).set(1)"
            )
        },
        "application_info is a gauge; this lesson wants an info (Info)",
    ),
    (
        "the Enum made by hand as a gauge with a label per state",
        {
            "# TODO 2: create": (
                'APP_STATE_GAUGE = Gauge("application_state", "The state the app is in.", '
                '["application_state"])\n\n\n'
                "class HandMadeEnum:\n"
                "    def state(self, name):\n"
                "        for each in STATES:\n"
                "            APP_STATE_GAUGE.labels(each).set(1 if each == name else 0)\n\n\n"
                'APP_STATE = HandMadeEnum()\nAPP_STATE.state("loading")'
            )
        },
        "application_state is a gauge; this lesson wants a state set (Enum)",
    ),
    (
        "GET allowed to change the state",
        {ROUTE: '@app.route("/state/<name>", methods=["GET", "POST"])'},
        'must leave application_state{application_state="running"} alone',
    ),
    (
        "a state left out of the Enum",
        {"# TODO 2: create": ENUM.format(states='["loading", "running", "stopped"]')},
        "ValueError",
    ),
    (
        "the info-style gauge without multiprocess_mode",
        {'    multiprocess_mode="max",\n': ""},
        'multiprocess_mode="max"',
    ),
    (
        "a number among the Info's values",
        {"# TODO 1: create": INFO + 'APP_INFO.info({"version": 1.2, "author": __author__})'},
        "APP_INFO.info() is given 1.2, not a string",
    ),
    (
        "the build info made an Info, not a gauge",
        {
            "# TODO 3: create": (
                'BUILD_INFO = Info("workshop_build", "Build of this app; always 1.")\n'
                'BUILD_INFO.info({"service": "workshop", "version": __version__})'
            )
        },
        "workshop_build is an info; this lesson wants a gauge",
    ),
    (
        "the start time among the Info's labels",
        {
            "import os\n": "import os\nimport time\n",
            "# TODO 1: create": INFO
            + 'APP_INFO.info({"version": __version__, "author": __author__, '
            '"started": str(time.time())})',
        },
        "the labels differ: expected {'author': 'The workshop team', 'version': '1.2.0'}, "
        "the app has {'author': 'The workshop team', 'started': '",
    ),
    (
        "the state set before the name is checked",
        {CHECKED: SET_STATE + CHECKED},
        "ValueError: 'paused' is not in list",
    ),
    (
        "the Enum made by hand as a gauge set to the state's index",
        {
            "# TODO 2: create": (
                'APP_STATE = Gauge("application_state", "The state the app is in.")'
            ),
            "# TODO 2: put the enum in the state `name`": "APP_STATE.set(STATES.index(name))",
            "# TODO 2: start-up is over": 'APP_STATE.set(STATES.index("running"))',
        },
        "application_state is a gauge; this lesson wants a state set (Enum)",
    ),
    (
        "the states given as a set",
        {"# TODO 2: create": ENUM.format(states="set(STATES)")},
        "is a set, which has no order",
    ),
]
RIGHT = [
    (
        "other names, keywords, a helper sets the Info, the states written out",
        {
            "# TODO 1: create": (
                'VERSION = Info(name="application", documentation="Version and author of this '
                'app.")\n\n\ndef describe():\n'
                "    VERSION.info(dict(version=__version__, author=__author__))\n\n\n"
                "describe()"
            ),
            "# TODO 2: create": (
                'STATE = Enum("application_state", "The state the app is in.", '
                'states=["loading", "missing", "running", "stopped"])'
            ),
            "# TODO 2: put the enum in the state `name`": "STATE.state(name)",
            "# TODO 2: start-up is over": "STATE.state(STATES[2])",
        },
    ),
    (
        "the gauge's labels given as a dict, the state set in a helper",
        {
            "# TODO 3: create": (
                GAUGE.format(name="workshop_build_info")
                + 'BUILD_INFO.labels(**{"service": "workshop", "version": __version__}).set(1)'
            ),
            "# TODO 2: put the enum in the state `name`": "enter(name)",
            "# TODO 2: start-up is over": 'enter("running")',
            ROUTE: "def enter(state):\n    APP_STATE.state(state)\n\n\n" + ROUTE,
        },
    ),
    (
        "the states in another order, the version and author written out, the gauge inc()",
        {
            "# TODO 1: create": INFO
            + 'APP_INFO.info({"version": "1.2.0", "author": "The workshop team"})',
            "# TODO 2: create": ENUM.format(states='["running", "loading", "missing", "stopped"]'),
            "# TODO 3: create": (
                GAUGE.format(name="workshop_build_info")
                + 'BUILD_INFO.labels(service="workshop", version=__version__).inc()'
            ),
        },
    ),
    (
        "the gauge's mode livemax: one series, the workers alive",
        {'multiprocess_mode="max"': 'multiprocess_mode="livemax"'},
    ),
]
