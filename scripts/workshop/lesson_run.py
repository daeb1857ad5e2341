"""One run of a lesson, as a learner makes it: its app (or a learner's file) on a
free port, the offline GitHub stand-in beside it when the lesson calls GitHub,
its traffic.py, and the scrapes the grader compares.

Used by the grader (grading.app_grader), readme_walk, the benchmarks and the
tests.
"""

import importlib.util
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workshop.lessons import ROOT, at_start, display
from workshop.metrics_page import is_prometheus_text, scrape
from workshop.ports import free_port
from workshop.processes import ServerFailed, its_error, on_free_ports, running, serving

FAKE_GITHUB = ROOT / "scripts" / "fake_github.py"


def metrics_served(response):
    """Ready once the app answers /metrics; a wrong answer is the app's own, so say what."""
    if is_prometheus_text(response):
        return True
    kind = response.headers.get("Content-Type", "no Content-Type")
    if response.status_code == 404:
        fix = "mount make_wsgi_app() there with werkzeug's DispatcherMiddleware, as the lesson does"
    elif response.ok:
        fix = "serve it with make_wsgi_app(), which sends the Prometheus text format"
    else:
        fix = "the app failed while serving it"
    raise ServerFailed(f"its /metrics answered HTTP {response.status_code} ({kind}): {fix}")


def stand_in_process(port, options=("--quiet",), ctrl_c=False):
    """("scripts/fake_github.py", a not-yet-entered running() of the stand-in on `port`,
    started with the command-line `options`)."""
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, FAKE_GITHUB, "--port", port, *options]
    ready = running(command, f"{url}/health", lambda r: r.ok, wait=False, ctrl_c=ctrl_c)
    return "scripts/fake_github.py", ready


def app_env(lesson, port, github_url=None, env=None):
    """The environment a lesson's app runs in: its port, its folder importable, the stand-in."""
    settings = {"PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(lesson.folder)}
    if github_url:
        settings["GITHUB_API_URL"] = github_url
    return {**settings, **(env or {})}


def app_process(lesson, port, app_file=None, github_url=None, env=None):
    """(the app's name, a not-yet-entered running() of it on `port`)."""
    app_file = Path(app_file or lesson.app)
    ready_url = f"http://127.0.0.1:{port}/metrics"
    command = [sys.executable, app_file]
    environment = app_env(lesson, port, github_url, env)
    return display(app_file), running(command, ready_url, metrics_served, environment, wait=False)


@contextmanager
def fake_github():
    """The offline GitHub stand-in on a free port; yields its URL."""

    @contextmanager
    def start(port):
        with serving([stand_in_process(port)]):
            yield f"http://127.0.0.1:{port}"

    with on_free_ports(start) as url:
        yield url


@contextmanager
def lesson_app(lesson, port=None, github_url=None, app_file=None, env=None):
    """The lesson's app (or app_file, such as a learner's exercise) on `port` or a
    free one; yields its base URL."""

    @contextmanager
    def start(chosen):
        with serving([app_process(lesson, chosen, app_file, github_url, env)]):
            yield f"http://127.0.0.1:{chosen}"

    with on_free_ports(start, port) as url:
        yield url


@contextmanager
def lesson_started(lesson, port=None, app_file=None, env=None):
    """lesson_running(), yielding (its URL, the app's Server) for a look at its output."""

    @contextmanager
    def start(chosen):
        processes, github_url = [], None
        if lesson.uses_github:
            github_port = free_port()
            github_url = f"http://127.0.0.1:{github_port}"
            processes.append(stand_in_process(github_port))
        processes.append(app_process(lesson, chosen, app_file, github_url, env))
        with serving(processes) as servers:
            yield f"http://127.0.0.1:{chosen}", servers[-1]

    with on_free_ports(start, port) as started:
        yield started


@contextmanager
def lesson_running(lesson, port=None, app_file=None, env=None):
    """The lesson's app, with the GitHub stand-in beside it when the lesson needs one;
    yields its base URL. Both start at the same time: the app calls GitHub only
    when it gets a request."""
    with lesson_started(lesson, port, app_file, env) as (url, _):
        yield url


class TrafficFailed(RuntimeError):
    """traffic.py did not finish cleanly; the message says why, in one line."""


def run_traffic(lesson, url, timeout=60):
    """Run the lesson's traffic.py against url; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(lesson.folder / "traffic.py"), "--url", url],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def send_traffic(lesson, url, timeout=60):
    """Send the lesson's traffic to url, as `python NN_topic/traffic.py --url url` would;
    the lines it prints, or TrafficFailed with a one-line reason.

    It calls traffic.py's run() in this process (a thread, so that it can be given
    up on after `timeout` seconds): a grade then costs no second Python start.
    """
    outcome = {}

    def run():
        try:
            outcome["results"] = load_module(lesson.folder / "traffic.py").run(url)
        except SystemExit as stop:  # traffic.py's own one-line reasons
            outcome["error"] = str(stop.code)
        except Exception as error:  # a learner's edit may break it any way at all
            outcome["error"] = f"{error.__class__.__name__}: {error}"

    worker = threading.Thread(target=run, daemon=True)  # daemon: never keeps the grader alive
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TrafficFailed(
            f"{lesson.name}/traffic.py did not finish within {timeout:g} s: "
            "does the app answer every request (no endless loop or sleep)?"
        )
    if "error" in outcome:
        raise TrafficFailed(f"{lesson.name}/traffic.py failed: {outcome['error']}")
    wrong = [line for line, right in outcome["results"] if not right]
    if wrong:
        raise TrafficFailed(f"{lesson.name}/traffic.py got other answers: " + " | ".join(wrong))
    return "".join(line + "\n" for line, _ in outcome["results"])


def load_module(path):
    """The Python file at path, loaded afresh as a module (not added to sys.modules)."""
    spec = importlib.util.spec_from_file_location(f"_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Scrapes:
    at_start: str  # /metrics of the fresh app
    after_traffic: str  # /metrics after one run of traffic.py

    def of(self, snippet):
        return self.at_start if at_start(snippet) else self.after_traffic


def run_lesson_once(lesson, app_file=None, traffic_timeout=60):
    """Fresh start, a scrape, one run of traffic.py, a scrape: what every snippet is
    taken from."""
    with lesson_started(lesson, app_file=app_file) as (url, app):
        try:
            fresh = scrape(url)
            send_traffic(lesson, url, traffic_timeout)
            return Scrapes(fresh, scrape(url))
        except TrafficFailed as error:
            raise TrafficFailed(f"{error}{its_error(app)}") from None
