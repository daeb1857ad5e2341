"""A lesson's app run in phases, as the grader sees it: /metrics right after the
start, the traffic (with /metrics after each row when traffic.py sends its rows
in order), /metrics after it, then the lesson's own phases while the app still
runs (requests held in flight, a worker killed: see grading.lesson_checks).

Every process of a grade starts at once, before anything heavy is imported: the
learner's app, the GitHub stand-in, the lesson's own app.py beside it (the
reference each row is compared with, see grading.behaviour), and the lesson's
variants of the learner's app (lesson 06 with MULTIPROC=off).

Used by grading.app_grader.
"""

import os
import signal
import threading
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field

from workshop import lesson_run
from workshop.grading import reference_cache
from workshop.interrupts import stop_all
from workshop.ports import free_port
from workshop.processes import ServerFailed, children_of, with_its_error

READ_AGAIN = 3  # how many more times /metrics is read after the traffic


@dataclass
class Row:
    """One row of traffic.py: `times` requests of one kind."""

    request: str  # "POST /", as traffic.py shows it
    status: int  # the status the lesson's app answers
    line: str  # what traffic.py printed for it
    right: bool  # whether every answer had that status
    sent: float  # time.time() just before its first request
    answered: float  # and just after its last answer
    page: str | None = None  # /metrics after it; None when the rows are sent at once

    @property
    def described(self):
        return f"{self.request} (answered {self.status})" if self.right else self.line


@dataclass
class Run:
    at_start: str  # /metrics of the fresh app
    rows: list  # a Row for each row of traffic.py, in its order
    after: str  # /metrics after the traffic
    openmetrics: str = ""  # the same, as Prometheus asks for it: its types say info, stateset
    again: list = field(default_factory=list)  # /metrics read again, nothing sent between
    findings: list = field(default_factory=list)  # (family, Mismatch) of the lesson's phases
    app_output: str = ""
    stand_in_output: str = ""


@dataclass
class Handle:
    """A process of the grade: its name, URL and Server."""

    name: str
    url: str | None
    server: object

    def wait(self):
        try:
            self.server.wait_until_serving()
        except ServerFailed as error:
            raise with_its_error(error.prefixed(self.name), self.server) from None
        return self


def launch(stack, lesson, app_file, reference):
    """Start the processes of a grade at once, waiting for none: {role: Handle}.
    Roles: "app", "stand-in", and "reference" when `reference`."""
    handles, github_url = {}, None
    if lesson.uses_github:
        port = free_port()
        github_url = f"http://127.0.0.1:{port}"
        name, process = lesson_run.stand_in_process(port, options=())  # it logs each delay
        handles["stand-in"] = Handle(name, github_url, stack.enter_context(process))

    def app(path):
        port = free_port()
        name, process = lesson_run.app_process(lesson, port, path, github_url)
        return Handle(name, f"http://127.0.0.1:{port}", stack.enter_context(process))

    handles["app"] = app(app_file)
    if reference:
        handles["reference"] = app(lesson.app)
    # Run first when the grade ends: all stop at once, rather than one after the other.
    stack.callback(stop_together, handles)
    return handles


def launch_variants(stack, lesson, app_file, variants, handles):
    """Start the learner's file served alone (one process) with each variant's
    settings ({name: environment}), as handles[name]: once the app serves, so that
    they start while the traffic waits on the app, and do not slow its start."""
    for name, env in variants.items():
        port = free_port()
        label, process = lesson_run.served_alone(lesson, port, app_file, env)
        handles[name] = Handle(label, f"http://127.0.0.1:{port}", stack.enter_context(process))


def stop_together(handles):
    """Every process of the grade gets its stop signal at once; then their children
    (gunicorn's workers) are killed: a master that is stopping, and left with no
    worker, exits at once (it would let them finish their requests, or start new ones)."""
    children = [child for h in handles.values() for child in children_of(h.server.process.pid)]
    stop_all([handle.server.process for handle in handles.values()])
    for child in children:
        with suppress(OSError):
            os.kill(child, signal.SIGKILL)


def read_page(handle, when, accept=None):
    """/metrics of a running app; ServerFailed (with the app's error) unless it
    answered the Prometheus text format."""
    import requests

    from workshop.metrics_page import is_prometheus_text, local_get

    headers = {"Accept": accept} if accept else {}
    try:
        response = local_get(f"{handle.url}/metrics", headers=headers, timeout=10)
    except requests.RequestException as error:
        failed = ServerFailed(f"/metrics did not answer {when} ({error.__class__.__name__})")
        raise with_its_error(failed, handle.server) from None
    if accept or is_prometheus_text(response):
        return response.text if response.ok else ""
    failed = ServerFailed(f"its /metrics answered HTTP {response.status_code} {when}")
    raise with_its_error(failed, handle.server)


def send_traffic(lesson, handle, timeout, in_order):
    """traffic.py to one app: a Row for each of its rows."""
    pages, mark = [], [time.time()]

    def after_each_row(row):
        answered = time.time()
        pages.append((mark[0], answered, read_page(handle, f"after {row[0]} {row[1]}")))
        mark[0] = time.time()

    started = time.time()
    hook = after_each_row if in_order else None
    results, rows = lesson_run.traffic_run(lesson, handle.url, timeout, hook)
    ended = time.time()
    if not in_order:
        pages = [(started, ended, None)] * len(results)
    return [
        Row(" ".join(line.split("  x")[0].split()), row[3], line, right, *page)
        for (line, right), row, page in zip(results, rows, pages, strict=True)
    ]


def run_phases(lesson, handles, timeout, lesson_phases, in_order, once_serving=None):
    """The learner's Run (and the reference's, when it runs beside it): the app
    fresh, the traffic sent to both at once, then the lesson's own phases.
    once_serving(): called as soon as the learner's app serves."""
    app, reference = handles["app"], handles.get("reference")
    app.wait()
    if once_serving:
        once_serving()
    if "stand-in" in handles:
        handles["stand-in"].wait()
    reference_run = {}
    if reference:
        thread = threading.Thread(
            target=run_reference, args=(lesson, reference, timeout, in_order, reference_run)
        )
        thread.daemon = True  # never keeps the grader alive: the main thread stops its app
        thread.start()
    at_start = read_page(app, "right after the start")
    rows = send_traffic(lesson, app, timeout, in_order)
    after = read_page(app, "after the traffic")
    openmetrics = read_page(app, "after the traffic", "application/openmetrics-text")
    # Read again: whichever worker answers, the same page (06 has two workers: three more
    # reads reach one of them twice at least).
    again = [read_page(app, "after the traffic") for _ in range(READ_AGAIN)]
    run = Run(at_start, rows, after, openmetrics, again=again)
    for phase in lesson_phases:
        run.findings += phase(handles, run)
    if reference:
        thread.join(timeout)
        if "run" in reference_run:
            reference_cache.save(lesson, reference_run["run"])
    run.app_output = app.server.output()
    if "stand-in" in handles:
        run.stand_in_output = handles["stand-in"].server.output()
    return run


def run_reference(lesson, handle, timeout, in_order, into):
    """The lesson's own app.py through the same phases; into["run"] when it works
    (when it does not, the learner's app is graded by the snippets alone)."""
    try:
        handle.wait()
        at_start = read_page(handle, "right after the start")
        rows = send_traffic(lesson, handle, timeout, in_order)
        if all(row.right for row in rows):
            into["run"] = Run(at_start, rows, read_page(handle, "after the traffic"))
    except Exception:  # noqa: BLE001 (a reference that fails is only not used)
        return


def known_reference(lesson):
    return reference_cache.load(lesson, Run, Row)


def grade_run(lesson, app_file, timeout, lesson_phases=(), variants=None, compare=True):
    """(the learner's Run, the reference's Run or None) for one grade.

    compare=False: no reference beside it (it is the reference, or the lesson's
    traffic is sent at once, and rows cannot be compared one by one).
    """
    in_order = lesson_run.sends_rows_in_order(lesson)
    known = known_reference(lesson) if compare and in_order else None
    start_reference = compare and in_order and known is None
    with ExitStack() as stack:
        handles = launch(stack, lesson, app_file, start_reference)

        def start_variants():
            launch_variants(stack, lesson, app_file, variants or {}, handles)

        run = run_phases(lesson, handles, timeout, lesson_phases, in_order, start_variants)
    reference = known_reference(lesson) if compare and in_order else None
    return run, reference
