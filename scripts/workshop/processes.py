"""What the grader, the capture script and the tests share: finding lessons,
running them as real processes, scraping and grepping their metrics.

Standard library plus requests and prometheus_client only, so it runs
anywhere the lessons run (Windows included: no curl or grep needed).
"""

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl  # POSIX only
except ImportError:
    fcntl = None

import requests
from lessons import LESSON_FOLDER, Lesson, all_lessons, at_start, display, lesson_numbers
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[1]
FAKE_GITHUB = ROOT / "scripts" / "fake_github.py"
# The one form of command a lesson README uses to show a snippet of /metrics.
CURL_GREP = "curl -s http://127.0.0.1:5000/metrics | grep "
STOP_SECONDS = 5  # how long a stopped process may take to exit before it is killed
# Below every system's range of ports for outgoing connections (Linux 32768-60999,
# macOS and Windows 49152-65535): a client socket never holds one of these.
WORKSHOP_PORTS = range(20000, 30000)
PORT_TURN_FILE = Path(tempfile.gettempdir()) / "workshop-last-port"
# The last line of a Python traceback: "TypeError: 'int' object is not callable".
TRACEBACK_END = re.compile(r"^(?:\w+\.)*\w*(?:Error|Exception)\b.*$", re.MULTILINE)


def find_lesson(name, root=ROOT):
    """A lesson by number ("1", "01"), folder name, or path to a lesson folder."""
    path = Path(name)
    if path.is_dir() and LESSON_FOLDER.fullmatch(path.resolve().name):
        return Lesson(path.resolve())
    for lesson in all_lessons(root):
        if name in (lesson.name, lesson.number, lesson.number.lstrip("0")):
            return lesson
    raise LookupError(f"no lesson {name!r}: try one of {lesson_numbers(root)}")


def free_port():
    """A port nothing listens on, that no other process of the workshop was given lately.

    Two bind(0) probes in two processes at once can return the same port: the
    second server then cannot bind, and its readiness check is answered by the
    first one, whose answers it takes for its own (tests run in parallel). So
    ports are handed out in turn from WORKSHOP_PORTS, under a lock that every
    process on the machine shares.
    """
    if fcntl is None:  # Windows: the kernel's pick is good enough for one learner
        return any_free_port()
    with open(PORT_TURN_FILE, "a+") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)  # released when the file is closed
        turn.seek(0)
        last = turn.read().strip()
        port = next_free_port(int(last) if last.isdigit() else WORKSHOP_PORTS.start)
        turn.seek(0)
        turn.truncate()
        turn.write(str(port))
    return port


def next_free_port(last):
    """The first free port of WORKSHOP_PORTS after `last`, going round."""
    first, count = WORKSHOP_PORTS.start, len(WORKSHOP_PORTS)
    offset = last - first if last in WORKSHOP_PORTS else 0
    for step in range(1, count + 1):
        port = first + (offset + step) % count
        if is_free(port):
            return port
    return any_free_port()  # every one of them taken: let the system pick


def any_free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ServerFailed(RuntimeError):
    """A server process did not come up; the message says why, in one line."""


# --- processes -----------------------------------------------------------------


def default_sigint():
    """Run in the child before exec: undo an inherited "ignore Ctrl-C".

    A shell without job control (`cmd &` in a script, many CI runners) starts
    its children with SIGINT ignored, and Python then never raises
    KeyboardInterrupt: a test that sends Ctrl-C could not stop the app.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_process(command, output, env=None, cwd=ROOT, ctrl_c=False, stdin=subprocess.DEVNULL):
    """Start `command` in a process group of its own, its output going to the open file `output`.

    Its own group, so that stop_process() reaches its children too (gunicorn
    workers, a shell's commands). ctrl_c=True: the test will send it SIGINT.
    stdin=subprocess.PIPE: the caller types into it (the learn loop's keys).
    """
    options = {}
    if os.name == "nt":
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
        if ctrl_c:
            options["preexec_fn"] = default_sigint
    return subprocess.Popen(
        [str(part) for part in command],
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=stdin,
        env=environment(env),
        **options,
    )


def environment(changes=None):
    """os.environ with `changes` applied; a value of None removes the variable."""
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(changes or {})}
    return {name: value for name, value in merged.items() if value is not None}


def stop_process(process):
    """Stop the process and everything it started: SIGTERM, then SIGKILL after a while."""
    if os.name == "nt":
        process.terminate()
    else:
        signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if os.name != "nt":
        signal_group(process, signal.SIGKILL)  # children that outlived their parent


def signal_group(process, signum):
    with suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signum)


def group_is_gone(pgid):
    """Whether no process of the group is left (POSIX)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a zombie left to reap: not running any more
        return True
    return False


def wait_for(condition, timeout, interval=0.05):
    """condition()'s first true value, asked every `interval` s (at least once) until
    `timeout` s have passed; None when it never was."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def last_lines(log, count=3):
    return " | ".join(log.read_text(errors="replace").strip().splitlines()[-count:])


def wait_until_serving(process, url, log, is_ready, timeout=15.0):
    """Poll `url` until is_ready(response) is True; it may raise ServerFailed to give up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"exited with code {process.returncode}: {last_lines(log)}")
        try:
            if is_ready(requests.get(url, timeout=1)):
                return
        except requests.RequestException:
            pass  # not listening yet
        time.sleep(0.02)
    raise ServerFailed(f"did not answer at {url} within {timeout:.0f} s: {last_lines(log)}")


class Server:
    """A started server process: its log file, and a way to wait until it serves."""

    def __init__(self, process, log, ready_url, is_ready):
        self.process, self.log = process, log
        self.ready_url, self.is_ready = ready_url, is_ready

    def wait_until_serving(self, timeout=15.0):
        wait_until_serving(self.process, self.ready_url, self.log, self.is_ready, timeout)
        return self

    def output(self):
        return self.log.read_text(errors="replace")

    def last_error(self, wait=1.0):
        """The last line of the newest traceback in the output ("TypeError: ..."), or None.

        Waits up to `wait` s for one: werkzeug logs a traceback just after it has
        answered 500, so it can arrive a moment after the answer.
        """
        errors = wait_for(lambda: TRACEBACK_END.findall(self.output()), wait)
        return errors[-1] if errors else None


@contextmanager
def running(command, ready_url, is_ready, env=None, cwd=ROOT, wait=True, ctrl_c=False):
    """Run a server process until the block ends, then stop it and its children.

    Yields a Server; with wait=False the caller calls server.wait_until_serving(),
    which lets several servers start at the same time.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "output.log"
        with open(log, "wb") as output:
            process = start_process(command, output, env, cwd, ctrl_c)
        server = Server(process, log, ready_url, is_ready)
        try:
            if wait:
                server.wait_until_serving()
            yield server
        finally:
            stop_process(process)


# --- the lessons' processes ------------------------------------------------------


def is_prometheus_text(response):
    return response.ok and response.headers.get("Content-Type", "").startswith("text/plain")


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
def serving(named_processes):
    """Start every (name, running()) at once, then wait until each one serves."""
    with ExitStack() as stack:
        servers = [(name, stack.enter_context(process)) for name, process in named_processes]
        for name, server in servers:
            try:
                server.wait_until_serving()
            except ServerFailed as error:
                raise ServerFailed(f"{name} {error}{its_error(server)}") from None
        yield [server for _, server in servers]


def its_error(server):
    """ " (the app's error: ...)" when its output ends in a traceback, else ""."""
    error = server.last_error(wait=0.5)
    return f" (the app's error: {error})" if error else ""


@contextmanager
def on_free_ports(start, port=None):
    """Enter start(port), on `port` or on a free port. A free port can be taken by
    another process before the server binds it (tests run in parallel): then
    try again on another one."""
    with ExitStack() as stack:
        for attempt in range(3):
            try:
                value = stack.enter_context(start(port or free_port()))
                break
            except ServerFailed as error:
                if port or "in use" not in str(error) or attempt == 2:
                    raise
        yield value


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
