"""What the grader, the capture script and the tests share: finding lessons,
running them as real processes, reading their READMEs and comparing snippets.

Standard library plus requests and prometheus_client only, so it runs
anywhere the lessons run (Windows included: no curl or grep needed).
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[1]
FAKE_GITHUB = ROOT / "scripts" / "fake_github.py"

# The one form of command a lesson README uses to show a snippet. A snippet
# file expected/PATTERN.txt holds exactly what that command prints.
CURL_GREP = "curl -s http://127.0.0.1:5000/metrics | grep "
SNIPPET_BLOCK = re.compile(
    r"(?P<command>```sh\n" + re.escape(CURL_GREP) + r"(?P<pattern>[\w:]+)\n```\n\n```text\n)"
    r"(?P<output>.*?)```",
    re.DOTALL,
)


@dataclass(frozen=True)
class Lesson:
    folder: Path

    @property
    def name(self):
        return self.folder.name

    @property
    def number(self):
        return self.name[:2]

    @property
    def readme(self):
        return self.folder / "README.md"

    def snippet_file(self, pattern):
        return self.folder / "expected" / f"{pattern}.txt"

    def readme_snippets(self):
        """(pattern, output shown in the README) for each curl | grep in the README."""
        text = self.readme.read_text(encoding="utf-8")
        return [(m["pattern"], m["output"]) for m in SNIPPET_BLOCK.finditer(text)]

    @property
    def uses_github(self):
        """Whether the app calls the GitHub API: it then runs against the offline stand-in."""
        return "GITHUB_API_URL" in (self.folder / "app.py").read_text(encoding="utf-8")


def all_lessons():
    return [Lesson(path) for path in sorted(ROOT.glob("[0-9][0-9]_*")) if path.is_dir()]


def find_lesson(name):
    """A lesson by number ("1", "01"), folder name, or path to a lesson folder."""
    path = Path(name)
    if (path / "app.py").is_file():
        return Lesson(path.resolve())
    for lesson in all_lessons():
        if name in (lesson.name, lesson.number, lesson.number.lstrip("0")):
            return lesson
    raise LookupError(f"no lesson {name!r}: try one of {[x.number for x in all_lessons()]}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerFailed(RuntimeError):
    """A server process did not come up; the message says why, in one line."""


def is_prometheus_text(response):
    return response.ok and response.headers.get("Content-Type", "").startswith("text/plain")


def wait_until_serving(process, url, log, is_ready, timeout=15.0):
    deadline = time.monotonic() + timeout
    answer = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            last_lines = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise ServerFailed(f"exited with code {process.returncode}: " + " | ".join(last_lines))
        try:
            answer = requests.get(url, timeout=1)
            if is_ready(answer):
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    if answer is not None:
        server = answer.headers.get("Server", "unknown")
        raise ServerFailed(
            f"something else answers at {url} (HTTP {answer.status_code}, Server: {server})"
        )
    raise ServerFailed(f"did not answer at {url} within {timeout:.0f} s")


@contextmanager
def running(command, ready_url, is_ready, env=None, cwd=ROOT):
    """Run a server process until the block ends; its output goes to a temp file."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "output.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            )
        try:
            wait_until_serving(process, ready_url, log, is_ready)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def fake_github():
    """The offline GitHub stand-in on a free port; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(
        [sys.executable, str(FAKE_GITHUB), "--port", str(port)],
        f"{url}/health",
        lambda answer: answer.ok,
    ):
        yield url


@contextmanager
def lesson_app(lesson, port=None, github_url=None):
    """The lesson's app on a free port (or `port`); yields its base URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PORT": str(port), "HOST": "127.0.0.1"}
    if github_url:
        env["GITHUB_API_URL"] = github_url
    command = [sys.executable, str(lesson.folder / "app.py")]
    with ExitStack() as stack:
        try:
            stack.enter_context(running(command, f"{url}/metrics", is_prometheus_text, env))
        except ServerFailed as error:
            raise ServerFailed(f"{lesson.name}/app.py {error}") from None
        yield url


@contextmanager
def lesson_running(lesson, port=None):
    """The lesson's app, with the GitHub stand-in first when the lesson needs it."""
    with ExitStack() as stack:
        github_url = stack.enter_context(fake_github()) if lesson.uses_github else None
        yield stack.enter_context(lesson_app(lesson, port, github_url))


def run_traffic(lesson, url):
    return subprocess.run(
        # --force: the app is the lesson's own, started here, even with a metric renamed
        [sys.executable, str(lesson.folder / "traffic.py"), "--url", url, "--force"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def scrape(url):
    """The app's /metrics as a plain curl sees it (text format 0.0.4)."""
    return requests.get(f"{url}/metrics", timeout=5).text


def sample_values(url):
    """{(sample name, frozenset of labels): value} for every sample on the app's /metrics."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape(url))
        for sample in family.samples
    }


def grep(text, pattern):
    """What `grep pattern` prints for a plain-word pattern."""
    return "".join(line + "\n" for line in text.splitlines() if pattern in line)


def run_lesson_once(lesson):
    """Fresh start, one run of traffic.py, one scrape: what every snippet is taken from."""
    with lesson_running(lesson) as url:
        traffic = run_traffic(lesson, url)
        if traffic.returncode != 0:
            raise ServerFailed(
                f"{lesson.name}/traffic.py failed: " + (traffic.stdout + traffic.stderr).strip()
            )
        return scrape(url)
