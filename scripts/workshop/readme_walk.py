"""Run a lesson README as a learner would: every command block in order (see
readme_commands for the forms), each compared with the output shown right
under it. The app always runs on a free port: 5000 in the README stands for it,
and 5050 for the stand-in's. pytest's "in 0.05s" is compared as any time.

Used by scripts/capture.py (which writes what the walk printed into the README
and expected/) and by the tests (which compare it with what the README shows).
"""

import re
import shlex
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field

import requests

from workshop import lesson_run
from workshop.grading import snippets
from workshop.lessons import ROOT, Lesson
from workshop.metrics_page import grep, scrape
from workshop.ports import free_port
from workshop.processes import ServerFailed, environment, serving
from workshop.readme_commands import NOT_WALKED, Command, commands, problems_in_the_text

APP_PORT, STAND_IN_PORT = "5000", "5050"
NEEDS_NO_APP = {"start", "stand-in", "pytest"}
PYTEST_TIME = re.compile(r" in \d+\.\d+s\b")  # "3 passed in 0.05s"


@dataclass
class Result:
    command: Command
    actual: str | None = None  # what it printed, with the README's ports
    problems: list = field(default_factory=list)


class Walk:
    """The state a learner's terminals hold: the stand-in, and the app now running."""

    def __init__(self, lesson, stack):
        self.lesson, self.stack = lesson, stack
        self.github_url = (
            stack.enter_context(lesson_run.fake_github()) if lesson.uses_github else None
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
            lesson_run.lesson_app(
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
        if command.kind not in NEEDS_NO_APP and not self.app:
            raise ServerFailed(f"no app started before: {command.line}")
        return getattr(self, command.kind.replace("-", "_"))(command.match)

    def traffic(self, match):
        lesson = Lesson(self.lesson.folder.parent / match["folder"])
        traffic = lesson_run.run_traffic(lesson, self.url)  # the command itself, as written
        if traffic.returncode != 0:
            raise lesson_run.TrafficFailed(f"{match[0]} failed: {traffic.stdout}{traffic.stderr}")
        return traffic.stdout

    def grep(self, match):
        self.page = scrape(self.url)
        return grep(self.page, match["pattern"])

    def http(self, match):
        response = requests.request(match["method"] or "GET", self.url + match["path"], timeout=30)
        return response.text

    def pytest(self, match):
        """The lesson's tests, run as written, 80 columns wide (pytest's default)."""
        command = [sys.executable, "-m", "pytest", *shlex.split(match["args"])]
        settings = {"COLUMNS": "80", "PYTEST_ADDOPTS": None}
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=environment(settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise lesson_run.TrafficFailed(
                f"exit code {result.returncode}: {result.stdout[-2000:]}"
            )
        return result.stdout

    def stand_in(self, match):
        port = free_port()
        with serving([lesson_run.stand_in_process(port, options=())]) as [server]:
            first_line = server.output().splitlines()[0] + "\n"  # before its log is deleted
        return first_line.replace(f"127.0.0.1:{port}", f"127.0.0.1:{STAND_IN_PORT}")


def same_output(command, shown, actual, types):
    if command.kind == "grep":
        return snippets.compare(shown, actual, types) == []
    if command.kind == "pytest":
        return PYTEST_TIME.sub(" in Ns", shown) == PYTEST_TIME.sub(" in Ns", actual)
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
            except (ServerFailed, lesson_run.TrafficFailed) as error:
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
