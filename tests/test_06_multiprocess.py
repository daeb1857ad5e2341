"""Lesson 06's behaviour, against the real app served by gunicorn, and the claims
its README makes about prometheus_client's multiprocess mode (0.26.0).

Starting gunicorn (a master and its workers, each importing Flask and
prometheus_client) is what costs here. One app, shared, serves every test that
only reads it or compares its metrics before and after; a test starts its own
only for a fresh start (the wipe at restart, Ctrl-C, a bad setting), another
mode (MULTIPROC=off) or another file (step 3). What the client library does
without a server is checked in this process.
"""

import os
import re
import signal
import socket
import stat
import struct
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Info, Summary
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.values import MultiProcessValue
from workshop import lesson_run, lessons, metrics_page, ports, processes

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="gunicorn does not run on Windows: use WSL"
)

LESSON = lessons.lesson_named("06")
CONF = LESSON.folder / "gunicorn_conf.py"
STEP3 = LESSON.folder / "step3_other_metric_types.py"
TRAFFIC = LESSON.folder / "traffic.py"
NO_LABELS = frozenset()
BOOTED = re.compile(r"Booting worker with pid: (\d+)")
SHARED_WORKERS = 3  # two busy with slow requests, one to answer the scrapes


def home(status="200", route="/"):
    return ("http_requests_total", frozenset({("route", route), ("status", status)}))


def duration_count(route):
    return ("http_request_duration_seconds_count", frozenset({("route", route)}))


INPROGRESS = ("http_inprogress_requests", NO_LABELS)


@contextmanager
def gunicorn(tmp_path, port=None, app_file=None, ctrl_c=False, **settings):
    """app.py (or app_file) served by gunicorn on a free port (or `port`), serving
    once this is entered; yields (its URL, its Server, its multiprocess folder).

    TMPDIR: gunicorn_conf.py makes its folder in the temporary directory.
    ctrl_c=True: the test will send it SIGINT."""

    @contextmanager
    def start(chosen):
        url = f"http://127.0.0.1:{chosen}"
        command = [sys.executable, app_file or LESSON.app]
        env = lesson_run.app_env(LESSON, chosen, env={"TMPDIR": str(tmp_path), **settings})
        ready = f"{url}/metrics"
        with processes.running(
            command, ready, lesson_run.metrics_served, env, ctrl_c=ctrl_c
        ) as app:
            yield url, app, tmp_path / f"prometheus-multiproc-{chosen}"

    with processes.on_free_ports(start, port) as started:
        yield started


def get_all(url, paths, clients=10):
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda path: requests.get(url + path, timeout=30), paths))


def pids_in(folder):
    """Every process that has a file in the folder, alive or dead."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("*.db")}


def booted_workers(app):
    """The pid of every worker gunicorn has started."""
    return {int(pid) for pid in BOOTED.findall(app.output())}


def live_pids(folder):
    """The live workers: child_exit removes a dead worker's livesum gauge file."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("gauge_livesum_*.db")}


def wait_for(condition, timeout=10.0):
    """processes.wait_for(), failing the test when condition() never comes true."""
    value = processes.wait_for(condition, timeout)
    if not value:
        pytest.fail(f"not within {timeout} s: {condition.__doc__ or condition}")
    return value


def press_ctrl_c(app, folder, to_group, workers=2):
    """SIGINT to the whole group, as a terminal's Ctrl-C does, or to the master alone
    (kill -INT): gunicorn stops, no worker is left, on_exit removes the folder.

    Sent once the app is idle: every worker has started, and has had time to finish
    the last answer it sent (a worker that SIGINT, or the master's SIGQUIT, stops in
    the middle of an answer logs gunicorn's "Error handling request" traceback)."""

    def every_worker_started():
        """every worker gunicorn booted has imported the app and written its files"""
        booted = booted_workers(app)
        return len(booted) == workers and booted <= pids_in(folder)

    wait_for(every_worker_started)
    time.sleep(0.5)
    if to_group:
        os.killpg(app.process.pid, signal.SIGINT)
    else:
        app.process.send_signal(signal.SIGINT)
    assert app.process.wait(timeout=15) == 0
    wait_for(lambda: processes.group_is_gone(app.process.pid), timeout=5)
    output = app.output()
    assert "Traceback" not in output, output
    assert "Handling signal: int" in output and "Shutting down: Master" in output
    assert not folder.exists(), "on_exit removes the folder"


# --- one app, shared: each test compares before and after ------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """(URL, Server, folder) of one app.py with 3 workers, for the tests that only read
    it or measure differences. Each test leaves it idle, with 3 live workers."""
    with gunicorn(tmp_path_factory.mktemp("shared"), WORKERS=str(SHARED_WORKERS)) as started:
        yield started


def added(before, after):
    """How much each sample grew from one scrape to the next."""
    return {key: value - before.get(key, 0) for key, value in after.items()}


def test_every_scrape_shows_the_exact_totals_whichever_worker_answers(shared):
    url, _, _ = shared
    before = metrics_page.sample_values(url)
    answers = get_all(url, ["/"] * 300 + ["/work?ms=0"] * 100 + ["/work?ms=-1"] * 20)
    assert sorted({answer.status_code for answer in answers}) == [200, 400]
    for _ in range(10):
        values = metrics_page.sample_values(url)
        more = added(before, values)
        assert more[home()] == 300
        assert more[home(route="/work")] == 100
        assert more[home("400", "/work")] == 20
        assert more[duration_count("/")] == 300
        assert values[INPROGRESS] == 0


def test_the_master_writes_no_metric_file_and_every_worker_writes_its_own(shared):
    _, app, folder = shared

    def every_worker_and_only_they_wrote_files():
        """the folder holds the files of every worker gunicorn booted, and no others"""
        booted = booted_workers(app)
        return len(booted) >= SHARED_WORKERS and pids_in(folder) == booted and booted

    pids = wait_for(every_worker_and_only_they_wrote_files)
    assert app.process.pid not in pids
    assert f"the workers write their metrics to {folder}" in app.output()


def test_the_app_has_its_three_families_and_no_created_process_or_python_series(shared):
    url, _, _ = shared
    lesson_run.send_traffic(LESSON, url)
    families = list(text_string_to_metric_families(metrics_page.scrape(url)))
    assert {family.name for family in families} == {
        "http_requests",
        "http_request_duration_seconds",
        "http_inprogress_requests",
    }
    names = {sample.name for family in families for sample in family.samples}
    assert not [name for name in names if name.endswith("_created")]
    assert not [name for name in names if name.startswith(("process_", "python_"))]


def test_in_progress_is_the_sum_over_the_live_workers(shared):
    url, _, folder = shared
    wait_for(lambda: len(live_pids(folder)) == SHARED_WORKERS)  # every worker has started
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = [pool.submit(requests.get, f"{url}/work?ms=3000", timeout=30) for _ in "ab"]

        def two_in_progress():
            """the gauge shows the 2 sleeping requests (the third worker answers)"""
            return metrics_page.sample_values(url)[INPROGRESS] == 2

        wait_for(two_in_progress, timeout=2.5)
        assert [answer.result().status_code for answer in slow] == [200, 200]
    assert metrics_page.sample_values(url)[INPROGRESS] == 0


def test_a_worker_killed_in_a_request_is_forgotten_by_the_livesum_gauge(shared):
    """child_exit -> mark_process_dead: the dead worker's 1 does not stay in the sum,
    and its counts stay in the totals."""
    url, _, folder = shared
    wait_for(lambda: len(live_pids(folder)) == SHARED_WORKERS)
    counted = requests_counted(metrics_page.sample_values(url))
    with ThreadPoolExecutor(max_workers=1) as pool:
        doomed = pool.submit(requests.get, f"{url}/work?ms=5000", timeout=30)

        def one_in_progress():
            """the slow request is in progress"""
            return metrics_page.sample_values(url)[INPROGRESS] == 1

        wait_for(one_in_progress, timeout=4)
        busy = [pid for pid in live_pids(folder) if gauge_value(folder, pid) == 1]
        assert len(busy) == 1
        os.kill(busy[0], signal.SIGKILL)
        with pytest.raises(requests.ConnectionError):
            doomed.result()

    def back_to_zero():
        """the gauge is 0 again and the killed worker's gauge file is gone"""
        values = metrics_page.sample_values(url)
        gone = not (folder / f"gauge_livesum_{busy[0]}.db").exists()
        return gone and values[INPROGRESS] == 0 and values

    values = wait_for(back_to_zero)
    assert (folder / f"counter_{busy[0]}.db").exists(), "its counts stay in the totals"
    assert requests_counted(values) == counted
    wait_for(lambda: len(live_pids(folder)) == SHARED_WORKERS)  # gunicorn started another


def requests_counted(values):
    return {key: value for key, value in values.items() if key[0] == "http_requests_total"}


def gauge_value(folder, pid):
    path = folder / f"gauge_livesum_{pid}.db"
    if not path.exists():
        return None
    return sum(value for _, value, _, _ in MmapedDict.read_all_values_from_file(str(path)))


def test_an_empty_file_in_the_folder_does_not_break_the_scrape(shared):
    """gunicorn_conf.py's workaround for prometheus_client issue 1199: a file that a
    worker has created but not sized yet (or left so when it was killed)."""
    url, _, folder = shared
    before = metrics_page.sample_values(url)[home()]
    empty = folder / "counter_4000001.db"
    empty.touch()
    try:
        get_all(url, ["/"] * 3)
        assert requests.get(f"{url}/metrics", timeout=5).status_code == 200
        assert metrics_page.sample_values(url)[home()] == before + 3
    finally:
        empty.unlink()


def test_a_bad_ms_is_a_400_with_a_reason_and_counted_as_one(shared):
    url, app, _ = shared
    logged = len(app.output())
    for query in ["", "?ms=", "?ms=abc", "?ms=-1", "?ms=5001", "?ms=1e3"]:
        before = metrics_page.sample_values(url).get(home("400", "/work"), 0)
        response = requests.get(f"{url}/work{query}", timeout=10)
        reason = {"error": "ms must be a whole number of milliseconds, 0 to 5000"}
        assert (response.status_code, response.json()) == (400, reason), query
        values = metrics_page.sample_values(url)
        assert values[home("400", "/work")] == before + 1, query
        assert values[INPROGRESS] == 0
        assert not [key for key in values if ("status", "500") in key[1]]
    assert "Traceback" not in app.output()[logged:]


def test_the_edges_of_ms_are_accepted(shared):
    url, _, _ = shared
    assert requests.get(f"{url}/work?ms=0", timeout=10).json() == {"slept_ms": 0}
    assert requests.get(f"{url}/work?ms=00", timeout=10).json() == {"slept_ms": 0}


def test_unknown_paths_are_counted_under_one_route_not_the_raw_path(shared):
    url, _, _ = shared
    before = metrics_page.sample_values(url).get(home("404", "unmatched"), 0)
    for path in ("/no-such-page", "/wp-login.php", "/work/../../etc/passwd"):
        assert requests.get(url + path, timeout=10).status_code == 404
    assert metrics_page.sample_values(url)[home("404", "unmatched")] == before + 3
    scrape = metrics_page.scrape(url)
    assert "wp-login" not in scrape and "passwd" not in scrape


def test_the_step3_app_shows_what_multiprocess_mode_drops_in_a_folder_of_its_own(shared):
    """Step 3's side trip; and two apps at once (it and the shared app.py, in the same
    temporary directory) never share a folder: neither sees the other's metrics."""
    url, _, folder = shared
    before = metrics_page.sample_values(url)
    with gunicorn(folder.parent, app_file=STEP3) as (step3, _, step3_folder):
        lesson_run.send_traffic(LESSON, step3)
        values = metrics_page.sample_values(step3)
        assert step3_folder != folder and step3_folder.is_dir()
    names = {name for name, _ in values}
    assert not {name for name in names if name.startswith(("app_build", "app_state"))}
    assert values[("app_queue_jobs", NO_LABELS)] == 0  # set_function: never called
    sent = sum(times for _, _, times, _ in lesson_run.load_module(TRAFFIC).TRAFFIC)
    assert values[("http_response_size_bytes_count", NO_LABELS)] == sent  # traffic.py's requests
    assert "http_response_size_bytes_sum" in names
    assert not {name for name in names if name.endswith("_created")}
    started = [labels for name, labels in values if name == "worker_start_time_seconds"]
    assert len(started) == 2 and all(dict(labels).keys() == {"pid"} for labels in started)
    assert home()[0] not in names
    assert metrics_page.sample_values(url) == before, "the shared app saw none of it"
    assert not step3_folder.exists(), "on_exit removes the folder when gunicorn is stopped"


# --- apps of their own: another mode, a fresh start, Ctrl-C ------------------------------


def test_multiproc_off_each_worker_shows_its_own_share(tmp_path):
    """The bug of step 1: each scrape shows one worker's counts, and the two disagree."""
    with gunicorn(tmp_path, MULTIPROC="off") as (url, _, folder):
        get_all(url, ["/"] * 41, clients=4)  # odd: the workers cannot have as many each
        seen = {}  # the worker's counter's _created time (its identity) -> its count of GET /

        def both_workers_answered():
            values = metrics_page.sample_values(url)
            created = ("http_requests_created", home()[1])
            seen[values[created]] = values[home()]
            return len(seen) == 2

        wait_for(both_workers_answered)
        assert sum(seen.values()) == 41, seen  # each request counted once, by one worker
        assert len(set(seen.values())) == 2, seen  # so two scrapes disagree
        assert not folder.exists()
        scrape = metrics_page.scrape(url)
        assert "process_cpu_seconds_total" in scrape  # the answering worker's own registry


def test_a_restart_starts_from_zero_even_after_a_killed_master_then_ctrl_c(tmp_path):
    """kill -9 leaves the folder behind (no on_exit hook runs); the next start on the
    same port empties it before any worker starts. That app is then stopped with
    Ctrl-C in its terminal (SIGINT to the whole group)."""
    with gunicorn(tmp_path, WORKERS="1") as (url, first, folder):
        get_all(url, ["/"] * 7)
        assert metrics_page.sample_values(url)[home()] == 7
        os.killpg(first.process.pid, signal.SIGKILL)  # kill -9: no on_exit hook runs
        first.process.wait(timeout=10)
        wait_for(lambda: processes.group_is_gone(first.process.pid))
    assert pids_in(folder), "a killed master leaves its folder behind"
    stale = folder / "counter_4000000.db"  # as if from a worker of that run
    stale.write_bytes(next(folder.glob("counter_*.db")).read_bytes())
    port = int(url.rsplit(":", 1)[1])
    with gunicorn(tmp_path, port=port, ctrl_c=True) as (url, app, same_folder):
        assert same_folder == folder
        assert metrics_page.sample_values(url)[home()] == 0
        assert not stale.exists()
        press_ctrl_c(app, folder, to_group=True)


def test_ctrl_c_to_the_master_alone_stops_every_worker_and_removes_the_folder(tmp_path):
    with gunicorn(tmp_path, ctrl_c=True) as (_, app, folder):
        press_ctrl_c(app, folder, to_group=False)


@pytest.mark.parametrize("state", ["missing", "existing"])
def test_a_multiproc_dir_left_in_the_shell_is_neither_used_nor_written(tmp_path, state):
    """PROMETHEUS_MULTIPROC_DIR set in the learner's shell (many production shells set
    it): app.py, which becomes gunicorn's master, imports the client first; it must not
    write there (a missing folder: FileNotFoundError; an existing one: stray files)."""
    from_the_shell = tmp_path / "from-the-shell"
    if state == "existing":
        from_the_shell.mkdir()
    settings = {"PROMETHEUS_MULTIPROC_DIR": str(from_the_shell)}
    with gunicorn(tmp_path, **settings) as (url, app, folder):
        get_all(url, ["/"] * 5)
        assert metrics_page.sample_values(url)[home()] == 5
        assert pids_in(folder) <= booted_workers(app), "the workers write to the lesson's folder"
    assert not from_the_shell.exists() or list(from_the_shell.iterdir()) == []


def test_the_starter_too_hands_over_to_gunicorn_before_the_client_is_imported(tmp_path):
    """The learner runs exercise.py as app.py is run: PROMETHEUS_MULTIPROC_DIR from the
    shell, pointing nowhere, must not stop it (FileNotFoundError) before gunicorn starts."""
    starter = tmp_path / "exercise.py"
    starter.write_bytes(LESSON.starter.read_bytes())
    settings = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "nowhere")}
    with gunicorn(tmp_path, app_file=starter, **settings) as (url, _, _):
        assert requests.get(url + "/", timeout=10).status_code == 200
    assert not (tmp_path / "nowhere").exists()


IDLE_CONNECTIONS = 50


def test_idle_connections_cannot_stop_the_scrapes(tmp_path):
    """Clients that open a connection and send nothing (a browser's preconnect, a port
    scan, a stalled proxy) hold no worker: /metrics still answers at once."""
    with gunicorn(tmp_path) as (url, app, _), ExitStack() as idle:
        address = ("127.0.0.1", int(url.rsplit(":", 1)[1]))
        for _ in range(IDLE_CONNECTIONS):
            idle.enter_context(closing(socket.create_connection(address, timeout=5)))
        for _ in range(10):
            started = time.monotonic()
            assert requests.get(f"{url}/metrics", timeout=10).status_code == 200
            assert time.monotonic() - started < 1.0, "a scrape waited behind idle connections"
        assert requests.get(f"{url}/", timeout=10).status_code == 200
        assert "Traceback" not in app.output(), app.output()


def test_a_usr2_upgrade_keeps_the_counts_and_the_folder(tmp_path):
    """kill -USR2 starts a new master beside the old one, which is then stopped (QUIT):
    neither may empty or remove the folder the other's workers write to. Served by
    gunicorn's own command here: `python -m gunicorn` (app.py) cannot re-exec itself."""
    port = ports.free_port()
    url, folder = f"http://127.0.0.1:{port}", tmp_path / f"prometheus-multiproc-{port}"
    command = [Path(sys.executable).parent / "gunicorn", "--config", "python:gunicorn_conf"]
    env = lesson_run.app_env(LESSON, port, env={"TMPDIR": str(tmp_path)})
    ready = f"{url}/metrics"
    with processes.running(
        [*command, "app:app"], ready, lesson_run.metrics_served, env, cwd=LESSON.folder
    ) as old:
        get_all(url, ["/"] * 7)
        wait_for(lambda: len(pids_in(folder)) == 2)  # the old master's two workers
        old.process.send_signal(signal.SIGUSR2)
        wait_for(lambda: len(pids_in(folder)) == 4)  # and the new master's
        assert metrics_page.sample_values(url)[home()] == 7
        old.process.send_signal(signal.SIGQUIT)
        assert old.process.wait(timeout=15) == 0
        get_all(url, ["/"] * 3)
        assert folder.is_dir()
        assert metrics_page.sample_values(url)[home()] == 10
        assert "Traceback" not in old.output(), old.output()


def test_ctrl_c_reaching_a_worker_twice_does_not_hang_it(tmp_path, monkeypatch):
    """Ctrl-C sends SIGINT to the whole group, and the master then sends SIGQUIT: the
    second handler can run in the middle of the first. gunicorn 26.2's would wait
    forever there for the thread pool's lock (2 of 6 Ctrl-Cs hung until the master
    killed the worker, 30 s later). The second signal is delivered here exactly
    there, inside the pool's shutdown, in a thread that must end."""
    conf = load_conf(monkeypatch, tmp_path)
    worker = conf.PollingThreadWorker.__new__(conf.PollingThreadWorker)  # no gunicorn setup
    worker.alive, worker.cfg = True, SimpleNamespace(worker_int=lambda worker: None)
    worker.tpool = ThreadPoolExecutor(max_workers=1)

    class QueueThatGetsTheMastersSigquit:
        """The pool's queue, whose put() shutdown() calls with its lock held."""

        def __init__(self, queue):
            self.queue = queue

        def put(self, item, *args, **kwargs):
            worker.handle_quit(signal.SIGQUIT, None)
            self.queue.put(item, *args, **kwargs)

    worker.tpool._work_queue = QueueThatGetsTheMastersSigquit(worker.tpool._work_queue)
    exits = []

    def press_ctrl_c():
        try:
            worker.handle_quit(signal.SIGINT, None)
        except SystemExit as stop:  # how the worker's process ends
            exits.append(stop.code)

    quitting = threading.Thread(target=press_ctrl_c, daemon=True)
    quitting.start()
    quitting.join(timeout=5)
    assert not quitting.is_alive(), "the worker hangs in its quit handler"
    assert exits == [0]


# --- the folder: a name anyone can guess, in a folder anyone can write to -----------------


def start_refused(tmp_path, port):
    """Start app.py on `port`, expecting it to refuse: (its exit code, its whole output)."""
    env = lesson_run.app_env(LESSON, port, env={"TMPDIR": str(tmp_path)})
    with processes.running([sys.executable, LESSON.app], None, None, env, wait=False) as app:
        return app.process.wait(timeout=20), app.output().strip()


@pytest.mark.parametrize("planted", ["a link", "a folder others can write to"])
def test_a_folder_planted_at_the_name_is_refused_in_one_line(tmp_path, planted):
    """Someone else made $TMPDIR/prometheus-multiproc-<port> first: a link to a folder
    of theirs, or a folder of their own, to feed the scrapes their files."""
    port = ports.free_port()
    folder = tmp_path / f"prometheus-multiproc-{port}"
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "counter_4000001.db").write_bytes(b"their file")
    if planted == "a link":
        folder.symlink_to(theirs)
        problem = "is a symbolic link"
    else:
        folder.mkdir()
        folder.chmod(0o777)
        problem = "can be written by other users"
    code, output = start_refused(tmp_path, port)
    assert (code, output) == (
        1,
        f"{folder} {problem}: remove it, or set TMPDIR to a folder of your own",
    )
    assert (theirs / "counter_4000001.db").read_bytes() == b"their file", "theirs, untouched"


def test_the_folder_is_made_private(shared):
    _, _, folder = shared
    assert not folder.is_symlink()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.stat().st_uid == os.getuid()


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda path: None, None),  # missing: gunicorn makes it
        (lambda path: path.mkdir(mode=0o700), None),  # ours, left by a killed master
        (lambda path: path.mkdir(mode=0o755), None),  # ours, others may only read it
        (lambda path: path.write_text(""), "is not a folder"),
        (lambda path: path.symlink_to(path.parent), "is a symbolic link"),
        (lambda path: path.mkdir(mode=0o775), "can be written by other users"),
    ],
    ids=["missing", "private", "readable", "a file", "a link", "group-writable"],
)
def test_only_a_private_folder_of_the_users_is_used(tmp_path, monkeypatch, make, problem):
    conf = load_conf(monkeypatch, tmp_path)
    path = tmp_path / "prometheus-multiproc-test"
    umask = os.umask(0)  # the modes above, exactly
    try:
        make(path)
    finally:
        os.umask(umask)
    assert conf.not_private(path) == problem


def test_a_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    conf = load_conf(monkeypatch, tmp_path)
    path = tmp_path / "prometheus-multiproc-test"
    path.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    assert conf.not_private(path) == "belongs to another user"


def load_conf(monkeypatch, tmp_path):
    """gunicorn_conf.py, loaded in this process with the default settings."""
    for setting in ("WORKERS", "PORT", "MAX_REQUESTS", "MULTIPROC", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(setting, raising=False)
    monkeypatch.setenv("PORT", str(ports.free_port()))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    return lesson_run.load_module(CONF)


# --- bad settings ---------------------------------------------------------------------

BAD_SETTINGS = [
    ("WORKERS", "abc", "WORKERS must be a number from 1 to 32, not 'abc'"),
    ("WORKERS", "0", "WORKERS must be a number from 1 to 32, not '0'"),
    ("WORKERS", "-1", "WORKERS must be a number from 1 to 32, not '-1'"),
    ("WORKERS", "33", "WORKERS must be a number from 1 to 32, not '33'"),
    ("WORKERS", "", "WORKERS must be a number from 1 to 32, not ''"),
    ("WORKERS", "²", "WORKERS must be a number from 1 to 32, not '²'"),
    ("PORT", "70000", "PORT must be a number from 1 to 65535, not '70000'"),
    ("PORT", "abc", "PORT must be a number from 1 to 65535, not 'abc'"),
    ("MAX_REQUESTS", "-5", "MAX_REQUESTS must be a number from 0 to 1000000, not '-5'"),
    ("MULTIPROC", "yes", "MULTIPROC must be on or off, not 'yes'"),
]


@pytest.mark.parametrize(
    "name, value, line",
    [
        BAD_SETTINGS[0],  # number(): not a whole number
        BAD_SETTINGS[1],  # number(): out of its range
        BAD_SETTINGS[-1],  # MULTIPROC: neither on nor off
    ],
)
def test_a_bad_setting_gives_one_line_and_no_traceback(tmp_path, name, value, line):
    """One case per check in gunicorn_conf.py, run for real: gunicorn prints the line
    of its sys.exit(), alone, and exits with 1."""
    env = lesson_run.app_env(LESSON, ports.free_port(), env={"TMPDIR": str(tmp_path)})
    env[name] = value
    with processes.running([sys.executable, LESSON.app], None, None, env, wait=False) as app:
        assert (app.process.wait(timeout=20), app.output().strip()) == (1, line)


@pytest.mark.parametrize("name, value, line", BAD_SETTINGS)
def test_gunicorn_conf_stops_at_every_bad_value_with_its_line(monkeypatch, name, value, line):
    """Every bad value, in this process: gunicorn_conf.py loaded as gunicorn imports it.
    Anything but its SystemExit (a ValueError from int("²")) fails the test."""
    for setting in ("WORKERS", "PORT", "MAX_REQUESTS", "MULTIPROC", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(setting, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stop:
        lesson_run.load_module(CONF)
    assert stop.value.code == line


# --- what the README claims about multiprocess mode, on prometheus_client 0.26.0 ------


def test_without_the_workaround_an_empty_file_fails_every_scrape(tmp_path):
    """The bug itself, on 0.26.0, in this (unpatched) test process."""
    (tmp_path / "counter_4000001.db").touch()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    with pytest.raises(struct.error):
        list(registry.collect())


MODES = ["all", "liveall", "sum", "livesum", "max", "livemax", "min", "livemin"]
MODES += ["mostrecent", "livemostrecent"]


def write_metrics_as_a_worker(value):
    """What each worker does: one metric of each kind the README talks about."""
    registry = CollectorRegistry()  # in multiprocess mode only the files count
    for mode in MODES:
        Gauge("g_" + mode, mode, multiprocess_mode=mode, registry=registry).set(value)
    Info("build", "An info.", registry=registry).info({"version": "1"})
    Enum("phase", "An enum.", states=["a", "b"], registry=registry).state("b")
    queue = Gauge("queue_jobs", "set_function", multiprocess_mode="livesum", registry=registry)
    queue.set_function(lambda: 42)
    Summary("size_bytes", "A summary.", registry=registry).observe(value)
    Counter("events", "A counter.", registry=registry).inc(value, exemplar={"trace_id": "abc"})
    removed = Counter("removed", "A counter whose series is removed.", ["kind"], registry=registry)
    removed.labels("gone").inc()
    with pytest.warns(UserWarning, match="Removal of labels has not been implemented"):
        removed.remove("gone")


@pytest.fixture(scope="module")
def three_workers(tmp_path_factory):
    """Workers that set 1 (then died), 5 (alive), 9 (then died), in that order.

    In this process, as prometheus_client's own tests do it: with
    PROMETHEUS_MULTIPROC_DIR set, each worker's metrics are made with a
    MultiProcessValue class whose process identifier is that worker's pid."""
    folder = tmp_path_factory.mktemp("multiprocess")
    pids = {1: 4000011, 5: 4000015, 9: 4000019}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
        for value, pid in pids.items():
            worker = MultiProcessValue(lambda pid=pid: pid)
            patch.setattr("prometheus_client.values.ValueClass", worker)
            write_metrics_as_a_worker(value)
            worker.close_all_files()
    for dead in (1, 9):
        mark_process_dead(pids[dead], str(folder))  # what child_exit does
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    families = {family.name: family for family in registry.collect()}
    return pids, families, openmetrics(registry).decode()


def gauge(families, mode):
    return sorted(
        (sample.labels.get("pid"), sample.value) for sample in families["g_" + mode].samples
    )


def test_gauge_modes_do_what_the_readme_table_says(three_workers):
    pids, families, _ = three_workers
    every_pid = sorted((str(pids[value]), float(value)) for value in (1, 5, 9))
    alive = [(str(pids[5]), 5.0)]
    assert gauge(families, "all") == every_pid  # one per worker, dead ones too, pid label
    assert gauge(families, "liveall") == alive
    assert gauge(families, "sum") == [(None, 15.0)]
    assert gauge(families, "livesum") == [(None, 5.0)]
    assert gauge(families, "max") == [(None, 9.0)]
    assert gauge(families, "livemax") == [(None, 5.0)]
    assert gauge(families, "min") == [(None, 1.0)]
    assert gauge(families, "livemin") == [(None, 5.0)]
    assert gauge(families, "mostrecent") == [(None, 9.0)]  # set last, by a dead worker
    assert gauge(families, "livemostrecent") == [(None, 5.0)]


def test_mostrecent_gauges_refuse_inc_and_dec():
    registry = CollectorRegistry()
    recent = Gauge("recent", "A gauge.", registry=registry, multiprocess_mode="mostrecent")
    for change in (recent.inc, recent.dec):
        with pytest.raises(RuntimeError, match="must not be used with the mostrecent mode"):
            change()


def test_info_enum_and_set_function_give_nothing_useful(three_workers):
    _, families, _ = three_workers
    assert "build" not in families and "phase" not in families
    assert [sample.value for sample in families["queue_jobs"].samples] == [0.0]  # not 42


def test_a_summary_gives_only_count_and_sum_and_nothing_has_created(three_workers):
    _, families, _ = three_workers
    summary = {sample.name: sample.value for sample in families["size_bytes"].samples}
    assert summary == {"size_bytes_count": 3.0, "size_bytes_sum": 15.0}
    names = [sample.name for family in families.values() for sample in family.samples]
    assert not [name for name in names if name.endswith("_created")]


def test_remove_only_warns_and_the_series_stays(three_workers):
    _, families, _ = three_workers
    assert [(s.labels, s.value) for s in families["removed"].samples] == [({"kind": "gone"}, 3.0)]


def test_exemplars_are_dropped_in_multiprocess_mode_only(three_workers):
    _, families, exposition = three_workers
    assert [sample.exemplar for sample in families["events"].samples] == [None]
    assert "trace_id" not in exposition
    registry = CollectorRegistry()  # this test process runs in single-process mode
    Counter("events", "A counter.", registry=registry).inc(exemplar={"trace_id": "abc"})
    assert 'events_total 1.0 # {trace_id="abc"} 1.0' in openmetrics(registry).decode()


# --- the README ------------------------------------------------------------------------


def test_the_readme_says_to_use_wsl_on_windows():
    assert "use WSL" in LESSON.readme.read_text(encoding="utf-8").replace("\n", " ")


def hand_over(path):
    """The code of the file's `if __name__ == "__main__":` block: how it becomes gunicorn."""
    text = path.read_text(encoding="utf-8")
    block = text[text.index('if __name__ == "__main__":') :].splitlines()[1:]
    code = []
    for line in block:
        if line.strip() and not line.startswith("    "):
            break  # the block has ended
        if line.strip() and not line.strip().startswith("#"):
            code.append(line.strip())
    return code


def test_every_app_file_is_served_the_same_way():
    model = hand_over(LESSON.app)
    assert model[-1] == "os.execv(sys.executable, [sys.executable, *gunicorn])"
    for path in [LESSON.starter, STEP3]:
        assert hand_over(path) == model, path.name


@pytest.mark.parametrize("path", [LESSON.app, STEP3], ids=lambda path: path.name)
def test_an_app_file_hands_over_before_flask_and_the_client_are_imported(path):
    """Run as a script, it becomes gunicorn's master: it must not import the client,
    which would read a PROMETHEUS_MULTIPROC_DIR left in the shell (see the test above
    that sets one)."""
    text = path.read_text(encoding="utf-8")
    handed_over = text.index('if __name__ == "__main__":')
    assert handed_over < text.index("from flask import")
    assert handed_over < text.index("from prometheus_client import")
