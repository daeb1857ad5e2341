"""One run of a lesson, as a learner makes it: its app (or a learner's file) on a
free port, the offline GitHub stand-in beside it when the lesson calls GitHub,
its traffic.py, each in the environment the lesson expects.

Used by the grader (grading.phases), readme_walk, the benchmarks and the tests.
"""

import ast
import importlib.util
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from workshop.lessons import ROOT, display
from workshop.ports import free_port
from workshop.processes import ServerFailed, on_free_ports, running, serving

FAKE_GITHUB = ROOT / "scripts" / "fake_github.py"
# The settings the lessons read (README, gunicorn_conf.py, github.py). Each app starts
# without the learner's shell's values of them: a PROMETHEUS_MULTIPROC_DIR set there
# would put lessons 01-05 in multiprocess mode, a GITHUB_TOKEN would go to the stand-in.
# (prometheus_multiproc_dir: the client's old name for it, still read.)
LESSON_SETTINGS = ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir", "MULTIPROC", "WORKERS")
LESSON_SETTINGS += ("MAX_REQUESTS", "GITHUB_API_URL", "GITHUB_TOKEN", "GITHUB_TIMEOUT_SECONDS")


def metrics_served(response):
    """Ready once the app answers /metrics; a wrong answer is the app's own, so say what."""
    from workshop.metrics_page import is_prometheus_text  # imports requests: not to start

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
    """The environment a lesson's app runs in: its port, its folder importable, the
    stand-in, and none of the lesson settings of the learner's shell (`env` sets some)."""
    settings = {name: None for name in LESSON_SETTINGS}
    settings.update({"PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(lesson.folder)})
    if github_url:
        settings["GITHUB_API_URL"] = github_url
    return {**settings, **(env or {})}


def served_by_gunicorn(lesson):
    return (lesson.folder / "gunicorn_conf.py").is_file()


def app_process(lesson, port, app_file=None, github_url=None, env=None):
    """(the app's name, a not-yet-entered running() of it on `port`).

    gunicorn (lesson 06) is stopped with SIGINT, which stops its workers at once,
    even in the middle of a request; SIGTERM would let each finish it first.
    """
    app_file = Path(app_file or lesson.app)
    ready_url = f"http://127.0.0.1:{port}/metrics"
    command = [sys.executable, app_file]
    environment = app_env(lesson, port, github_url, env)
    stop = signal.SIGINT if served_by_gunicorn(lesson) else signal.SIGTERM
    options = {"stop_signal": stop, "own_file": app_file}
    app = running(command, ready_url, metrics_served, environment, wait=False, **options)
    return display(app_file), app


# A lesson app's module served by werkzeug in one process: its WSGI app as a gunicorn
# worker serves it, without gunicorn (and without the lesson's __main__ block).
SERVE_ALONE = (
    "import os, runpy, sys\n"
    "from werkzeug.serving import run_simple\n"
    "app = runpy.run_path(sys.argv[1])['app']\n"
    "run_simple('127.0.0.1', int(os.environ['PORT']), app, threaded=True)\n"
)


def served_alone(lesson, port, app_file, env=None):
    """(its name, a not-yet-entered running() of the app's module served alone on
    `port`): lesson 06's app in one process, as in MULTIPROC=off, started in a third
    of gunicorn's time."""
    command = [sys.executable, "-c", SERVE_ALONE, app_file]
    ready_url = f"http://127.0.0.1:{port}/metrics"
    environment = app_env(lesson, port, None, env)
    app = running(command, ready_url, metrics_served, environment, wait=False, own_file=app_file)
    return f"{display(app_file)} (served alone)", app


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
def lesson_started(lesson, port=None, app_file=None, env=None, stand_in_options=("--quiet",)):
    """lesson_running(), yielding (its URL, the app's Server, the stand-in's Server or
    None) for a look at their output."""

    @contextmanager
    def start(chosen):
        processes, github_url = [], None
        if lesson.uses_github:
            github_port = free_port()
            github_url = f"http://127.0.0.1:{github_port}"
            processes.append(stand_in_process(github_port, stand_in_options))
        processes.append(app_process(lesson, chosen, app_file, github_url, env))
        with serving(processes) as servers:
            stand_in = servers[0] if lesson.uses_github else None
            yield f"http://127.0.0.1:{chosen}", servers[-1], stand_in

    with on_free_ports(start, port) as started:
        yield started


@contextmanager
def lesson_running(lesson, port=None, app_file=None, env=None):
    """The lesson's app, with the GitHub stand-in beside it when the lesson needs one;
    yields its base URL. Both start at the same time: the app calls GitHub only
    when it gets a request."""
    with lesson_started(lesson, port, app_file, env) as (url, _, _):
        yield url


class TrafficFailed(RuntimeError):
    """traffic.py did not finish cleanly; the message says why, in one line."""


def run_traffic(lesson, url, timeout=60):
    """Run the lesson's traffic.py against url; returns the CompletedProcess."""
    command = [sys.executable, str(lesson.folder / "traffic.py"), "--url", url]
    options = {"capture_output": True, "text": True, "stdin": subprocess.DEVNULL}
    return subprocess.run(command, timeout=timeout, **options)


def send_traffic(lesson, url, timeout=60):
    """Send the lesson's traffic to url, as `python NN_topic/traffic.py --url url` would;
    the lines it prints, or TrafficFailed with a one-line reason."""
    results = traffic_results(lesson, url, timeout)
    wrong = [line for line, right in results if not right]
    if wrong:
        raise TrafficFailed(f"{lesson.name}/traffic.py got other answers: " + " | ".join(wrong))
    return "".join(line + "\n" for line, _ in results)


def traffic_results(lesson, url, timeout=60):
    """traffic.py's run(url): [(the line it prints, whether the answers were right)] for
    each row, or TrafficFailed with a one-line reason."""
    return traffic_run(lesson, url, timeout)[0]


def traffic_run(lesson, url, timeout=60, after_each_row=None):
    """(traffic.py's run(url), its TRAFFIC rows), or TrafficFailed with a one-line reason.

    It runs in this process (a thread, so that it can be given up on after
    `timeout` seconds, even while traffic.py is being loaded): a grade then costs
    no second Python start. after_each_row, when given, is called after each row
    by a traffic.py that sends its rows in order (see sends_rows_in_order): the
    grader reads /metrics there.
    """
    outcome = {}

    def run():
        try:
            traffic = load_module(lesson.folder / "traffic.py")
            outcome["rows"] = traffic.TRAFFIC
            if after_each_row:
                outcome["results"] = traffic.run(url, after_each_row=after_each_row)
            else:
                outcome["results"] = traffic.run(url)
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
    return outcome["results"], outcome["rows"]


def sends_rows_in_order(lesson):
    """Whether the lesson's traffic.py sends its rows one after another, and can call
    a function after each: run(url, after_each_row=...). Read, not run."""
    try:
        tree = ast.parse((lesson.folder / "traffic.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False  # a broken traffic.py: its run says why
    return any(
        isinstance(node, ast.FunctionDef)
        and node.name == "run"
        and "after_each_row" in [argument.arg for argument in node.args.args]
        for node in tree.body
    )


def load_module(path):
    """The Python file at path, loaded afresh as a module (not added to sys.modules)."""
    spec = importlib.util.spec_from_file_location(f"_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
