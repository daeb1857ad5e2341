"""Run a lesson README as a learner would: every command block in order, each
compared with the output shown right under it.

A ```sh block holding one of these one-line commands is run:

    [NAME=value ...] python NN_topic/FILE.py      (re)start that app, fresh
    python NN_topic/traffic.py                    the lesson's traffic
    curl -s http://127.0.0.1:5000/metrics | grep PATTERN
    curl -s [-X POST] http://127.0.0.1:5000/PATH  one request; prints the body
    python scripts/fake_github.py                 the stand-in (always running here)

A ```text block right after it is what the command prints. Any other ```sh
block is a command tested elsewhere (scripts/check.py, scripts/dev.py,
scripts/prometheus.py: see NOT_WALKED) or follows a `<!-- not run: REASON -->`
line (it needs the internet or Docker); `<!-- output varies: REASON -->` runs
the command but does not compare its output.
The app always runs on a free port: 5000 in the README stands for it, and
5050 for the stand-in's.
"""

import re
from contextlib import ExitStack
from dataclasses import dataclass, field

import requests
import snippets
import workshop
from lessons import AT_START

FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```[ \t]*\n", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!-- (?P<kind>not run|output varies): (?P<reason>[^>]+?) -->\s*$")
APP_PORT, STAND_IN_PORT = "5000", "5050"
COMMANDS = {
    "start": re.compile(
        r"(?P<env>(?:[A-Z_]+=\S+ )*)python (?P<file>\d\d_\w+/(?!traffic\.py)\w+\.py)"
    ),
    "traffic": re.compile(r"python (?P<folder>\d\d_\w+)/traffic\.py"),
    "grep": re.compile(re.escape(workshop.CURL_GREP) + r"(?P<pattern>[\w:]+)"),
    "http": re.compile(  # quoted when the path has a "?": zsh would expand it
        r"curl -s (?:-X (?P<method>[A-Z]+) )?(?P<quote>\"?)"
        r"http://127\.0\.0\.1:5000(?P<path>/[\w/.?=&%-]*)(?P=quote)"
    ),
    "check": re.compile(r"python scripts/check\.py (?P<args>[\w ./-]+)"),
    "stand-in": re.compile(r"python scripts/fake_github\.py"),
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


@dataclass
class Result:
    command: Command
    actual: str | None = None  # what it printed, with the README's ports
    problems: list = field(default_factory=list)


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


class Walk:
    """The state a learner's terminals hold: the stand-in, and the app now running."""

    def __init__(self, lesson, stack):
        self.lesson, self.stack = lesson, stack
        self.github_url = (
            stack.enter_context(workshop.fake_github()) if lesson.uses_github else None
        )
        self.app = None  # (ExitStack of the app, its URL)
        self.app_file = None
        self.page = None  # the /metrics page the last grep read

    def readme_ports(self, text):
        text = text.replace(self.url, f"http://127.0.0.1:{APP_PORT}") if self.app else text
        if self.github_url:
            text = text.replace(self.github_url, f"http://127.0.0.1:{STAND_IN_PORT}")
        return text

    @property
    def url(self):
        return self.app[1]

    def start(self, match):
        self.stop()
        env = dict(setting.split("=", 1) for setting in match["env"].split())
        if "GITHUB_API_URL" in env:
            env["GITHUB_API_URL"] = self.github_url
        app_stack = ExitStack()
        url = app_stack.enter_context(
            workshop.lesson_app(
                self.lesson,
                github_url=self.github_url,
                app_file=self.lesson.folder.parent / match["file"],
                env=env,
            )
        )
        self.app = (app_stack, url)
        self.app_file = self.lesson.folder.parent / match["file"]
        return ""

    def stop(self):
        if self.app:
            self.app[0].close()
            self.app = None

    def run(self, command):
        if command.kind not in ("start", "stand-in") and not self.app:
            raise workshop.ServerFailed(f"no app started before: {command.line}")
        return getattr(self, command.kind.replace("-", "_"))(command.match)

    def traffic(self, match):
        lesson = workshop.Lesson(self.lesson.folder.parent / match["folder"])
        traffic = workshop.run_traffic(lesson, self.url)  # the command itself, as written
        if traffic.returncode != 0:
            raise workshop.TrafficFailed(f"{match[0]} failed: {traffic.stdout}{traffic.stderr}")
        return traffic.stdout

    def grep(self, match):
        self.page = workshop.scrape(self.url)
        return workshop.grep(self.page, match["pattern"])

    def http(self, match):
        response = requests.request(match["method"] or "GET", self.url + match["path"], timeout=30)
        return response.text

    def stand_in(self, match):
        port = workshop.free_port()
        with workshop.serving([workshop.stand_in_process(port, options=())]) as [server]:
            first_line = server.output().splitlines()[0] + "\n"  # before its log is deleted
        return first_line.replace(f"127.0.0.1:{port}", f"127.0.0.1:{STAND_IN_PORT}")


def same_output(command, shown, actual, types):
    if command.kind == "grep":
        return snippets.compare(shown, actual, types) == []
    return shown == actual


def walk(lesson, after_traffic=None):
    """Run every command of the lesson's README; a Result for each, problems included.

    after_traffic(app file, its URL), when given, is called after each traffic run
    and returns a list of problems: a test's extra look at every app the README runs.
    """
    text = lesson.readme.read_text(encoding="utf-8")
    lesson_commands = commands(text)
    results = [Result(None, None, problems_in_the_text(lesson_commands))]
    with ExitStack() as stack:
        state = Walk(lesson, stack)
        stack.callback(state.stop)
        for command in lesson_commands:
            if command.kind is None or command.kind in NOT_WALKED or command.skipped:
                continue
            result = Result(command)
            results.append(result)
            try:
                result.actual = state.readme_ports(state.run(command))
            except (workshop.ServerFailed, workshop.TrafficFailed) as error:
                result.problems.append(f"{command.line}: {error}")
                continue
            if command.kind == "traffic" and after_traffic:
                result.problems += after_traffic(state.app_file, state.url)
            varies = command.block.marker and command.block.marker["kind"] == "output varies"
            if command.shown and not varies:
                types = snippets.sample_types(state.page) if command.kind == "grep" else {}
                if not same_output(command, command.shown.body, result.actual, types):
                    result.problems.append(
                        f"{command.line} printed:\n{result.actual}but the README shows:\n"
                        f"{command.shown.body}"
                    )
    return results


def problems(lesson, after_traffic=None):
    return [problem for result in walk(lesson, after_traffic) for problem in result.problems]


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
