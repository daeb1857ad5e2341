"""A lesson README's command blocks, read (not run): which ```sh blocks are
commands a walk can run, the ```text block under each (what it prints), and the
problems of the text itself. A ```sh block holding one of these one-line
commands can be run:

    [NAME=value ...] python NN_topic/FILE.py      (re)start that app, fresh
    python NN_topic/traffic.py                    the lesson's traffic
    curl -s http://127.0.0.1:5000/metrics | grep PATTERN
    curl -s [-X POST] http://127.0.0.1:5000/PATH  one request; prints the body
    python scripts/fake_github.py                 the stand-in (always running here)
    python -m pytest NN_topic/FILE.py [OPTIONS]   a lesson's tests (no app needed)

A ```text block right after it is what the command prints. Any other ```sh
block is a command tested elsewhere (scripts/check.py, scripts/dev.py,
scripts/prometheus.py: see NOT_WALKED) or follows a `<!-- not run: REASON -->`
line (it needs the internet or Docker); `<!-- output varies: REASON -->` runs
the command but does not compare its output.

Used by readme_walk (which runs them), scripts/capture.py and the tests.
"""

import re
from dataclasses import dataclass

from workshop.lessons import AT_START
from workshop.metrics_page import CURL_GREP

FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```[ \t]*\n", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!-- (?P<kind>not run|output varies): (?P<reason>[^>]+?) -->\s*$")
COMMANDS = {
    "start": re.compile(
        r"(?P<env>(?:[A-Z_]+=\S+ )*)python (?P<file>\d\d_\w+/(?!traffic\.py)\w+\.py)"
    ),
    "traffic": re.compile(r"python (?P<folder>\d\d_\w+)/traffic\.py"),
    "grep": re.compile(re.escape(CURL_GREP) + r"(?P<pattern>[\w:]+)"),
    "http": re.compile(  # quoted when the path has a "?": zsh would expand it
        r"curl -s (?:-X (?P<method>[A-Z]+) )?(?P<quote>\"?)"
        r"http://127\.0\.0\.1:5000(?P<path>/[\w/.?=&%-]*)(?P=quote)"
    ),
    "check": re.compile(r"python scripts/check\.py (?P<args>[\w ./-]+)"),
    "stand-in": re.compile(r"python scripts/fake_github\.py"),
    "pytest": re.compile(r"python -m pytest (?P<args>\d\d_\w+/\w+\.py(?: [-\w \"]+)?)"),
    # Known, but not run on a walk. The grader's verdicts on app.py and on the starter
    # are tested in test_exercises.py; the others serve or watch until stopped, and
    # test_dev.py and test_prometheus_e2e.py run them.
    "dev": re.compile(r"python3 scripts/dev\.py (?:start|learn|reset|hint)(?: \d\d)?"),
    "prometheus": re.compile(r"python scripts/prometheus\.py"),
}
NOT_WALKED = {"check", "dev", "prometheus"}


@dataclass
class Block:
    lang: str
    body: str
    start: int  # where the body starts in the README text
    end: int
    marker: re.Match | None  # the <!-- ... --> line right above it


@dataclass
class Command:
    block: Block
    kind: str | None  # a key of COMMANDS, or None when not runnable
    match: re.Match | None
    shown: Block | None  # the ```text block right under it
    section: str  # the "## ..." heading it is under

    @property
    def line(self):
        return self.block.body.strip()

    @property
    def skipped(self):
        return self.block.marker is not None and self.block.marker["kind"] == "not run"


def blocks(text):
    found = []
    for fence in FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append(
            Block(
                fence["lang"],
                fence["body"],
                fence.start("body"),
                fence.end("body"),
                MARKER.search(before),
            )
        )
    return found


def section_at(text, position):
    headings = re.findall(r"^## .*$", text[:position], re.MULTILINE)
    return headings[-1] if headings else ""


def commands(text):
    """Every ```sh block of a README as a Command, with the output block under it."""
    all_blocks = blocks(text)
    found = []
    for index, block in enumerate(all_blocks):
        if block.lang != "sh":
            continue
        following = all_blocks[index + 1] if index + 1 < len(all_blocks) else None
        between = text[block.end : following.start] if following else ""
        shown = None
        if following and following.lang == "text" and re.fullmatch(r"```\s*```text\n", between):
            shown = following
        kind, match = classify(block.body.strip())
        found.append(Command(block, kind, match, shown, section_at(text, block.start)))
    return found


def classify(line):
    for kind, pattern in COMMANDS.items():
        match = pattern.fullmatch(line)
        if match:
            return kind, match
    return None, None


def problems_in_the_text(lesson_commands):
    """Commands a walk cannot run and that are not marked as such."""
    problems = []
    for command in lesson_commands:
        if command.kind is None and not command.skipped:
            problems.append(f"not runnable and not marked <!-- not run: ... -->: {command.line}")
        if command.kind in ("start", *NOT_WALKED) and command.shown:
            problems.append(
                f"this command's output is not compared; drop the block: {command.line}"
            )
    return problems


GRADER_SETTINGS = {"GITHUB_API_URL"}  # what the grader sets too when it starts the app


def grader_snippets(lesson, lesson_commands):
    """{snippet: the command} for the `curl | grep` commands the README runs on app.py as
    the grader starts it: "PATTERN" after the traffic, "at_start/PATTERN" before any."""
    found, grader_app, traffic_sent = {}, False, False
    for command in lesson_commands:
        if command.kind == "start":
            settings = {setting.split("=")[0] for setting in command.match["env"].split()}
            app_file = lesson.folder.parent / command.match["file"]
            grader_app = app_file == lesson.app and settings <= GRADER_SETTINGS
            traffic_sent = False
        elif command.kind == "traffic":
            traffic_sent = True
        elif command.kind == "grep" and grader_app:
            pattern = command.match["pattern"]
            found[pattern if traffic_sent else f"{AT_START}/{pattern}"] = command
    return found


def with_outputs(text, printed):
    """The README text with the ```text block under each command replaced by what it
    printed; printed is [(command, output)], an output None when it printed nothing known."""
    known = [(c, out) for c, out in printed if c and c.shown and out is not None]
    for command, output in sorted(known, key=lambda one: one[0].shown.start, reverse=True):
        # from the end, so that earlier positions stay valid
        text = text[: command.shown.start] + output + text[command.shown.end :]
    return text
