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
CLOSE_BUT_WRONG = [
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
        'application_state{application_state="running"} is 1 higher',
    ),
    (
        "the info-style gauge never set to 1",
        {
            "# TODO 3: create": (
                GAUGE.format(name="workshop_build_info")
                + GAUGE_SET.format(version="__version__").removesuffix(".set(1)")
            )
        },
        "an info metric is always 1",
    ),
]
