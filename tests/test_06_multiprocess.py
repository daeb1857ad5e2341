"""Lesson 06's behaviour, against the real app served by gunicorn, and the claims
its README makes about prometheus_client's multiprocess mode (0.26.0)."""

import os
import signal
import struct
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
import workshop
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="gunicorn does not run on Windows: use WSL"
)

LESSON = workshop.find_lesson("06")
CONF = LESSON.folder / "gunicorn_conf.py"
STEP3 = LESSON.folder / "step3_other_metric_types.py"
NO_LABELS = frozenset()


def home(status="200", route="/"):
    return ("http_requests_total", frozenset({("route", route), ("status", status)}))


INPROGRESS = ("http_inprogress_requests", NO_LABELS)


@contextmanager
def app(tmp_path, port=None, app_file=None, **settings):
    """The app on a free port (or `port`); yields (URL, its multiprocess folder).

    TMPDIR: gunicorn_conf.py makes its folder in the temporary directory."""
    env = {"TMPDIR": str(tmp_path), **settings}
    with workshop.lesson_app(LESSON, port=port, app_file=app_file, env=env) as url:
        yield url, tmp_path / f"prometheus-multiproc-{url.rsplit(':', 1)[1]}"


def get_all(url, paths, clients=10):
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda path: requests.get(url + path, timeout=30), paths))


def pids_in(folder):
    return {int(path.stem.rsplit("_", 1)[1]) for path in folder.glob("*.db")}


def group_is_gone(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a zombie left to reap: not running any more
        return True
    return False


def wait_for(condition, timeout=10.0):
    """Poll condition() until it returns something true; return that, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not within {timeout} s: {condition.__doc__ or condition}")


# --- exact across workers --------------------------------------------------------


def test_every_scrape_shows_the_exact_totals_whichever_worker_answers(tmp_path):
    with app(tmp_path) as (url, folder):
        answers = get_all(url, ["/"] * 300 + ["/work?ms=0"] * 100 + ["/work?ms=-1"] * 20)
        assert sorted({answer.status_code for answer in answers}) == [200, 400]
        for _ in range(10):
            values = workshop.sample_values(url)
            assert values[home()] == 300
            assert values[home(route="/work")] == 100
            assert values[home("400", "/work")] == 20
            assert values[("http_request_duration_seconds_count", frozenset({("route", "/")}))]
            assert values[INPROGRESS] == 0
        assert len(pids_in(folder)) >= 2, "both workers wrote their files"


def test_the_master_writes_no_metric_file_and_the_workers_write_theirs(tmp_path):
    port = workshop.free_port()
    command = [sys.executable, LESSON.app]
    env = workshop.app_env(LESSON, port, env={"TMPDIR": str(tmp_path)})
    ready = f"http://127.0.0.1:{port}/metrics"
    with workshop.running(command, ready, workshop.is_prometheus_text, env) as server:
        folder = tmp_path / f"prometheus-multiproc-{port}"
        pids = wait_for(lambda: len(pids_in(folder)) == 2 and pids_in(folder))
        assert server.process.pid not in pids
        assert f"the workers write their metrics to {folder}" in server.output()


def test_multiproc_off_each_worker_shows_its_own_share(tmp_path):
    """The bug of step 1: each scrape shows one worker's counts, and the two disagree."""
    with app(tmp_path, MULTIPROC="off") as (url, folder):
        get_all(url, ["/"] * 41, clients=4)  # odd: the workers cannot have as many each
        seen = {}  # the worker's counter's _created time (its identity) -> its count of GET /

        def both_workers_answered():
            values = workshop.sample_values(url)
            created = ("http_requests_created", home()[1])
            seen[values[created]] = values[home()]
            return len(seen) == 2

        wait_for(both_workers_answered)
        assert sum(seen.values()) == 41, seen  # each request counted once, by one worker
        assert len(set(seen.values())) == 2, seen  # so two scrapes disagree
        assert not folder.exists()
        scrape = workshop.scrape(url)
        assert "process_cpu_seconds_total" in scrape  # the answering worker's own registry


def test_the_fixed_app_has_no_created_process_or_python_metrics(tmp_path):
    with app(tmp_path) as (url, _):
        get_all(url, ["/"] * 5)
        names = {name for name, _ in workshop.sample_values(url)}
    assert names, "no metric at all"
    assert not [name for name in names if name.endswith("_created")]
    assert not [name for name in names if name.startswith(("process_", "python_"))]


# --- the in-progress gauge ---------------------------------------------------------


def test_in_progress_is_the_sum_over_the_live_workers(tmp_path):
    with app(tmp_path, WORKERS="3") as (url, folder):
        wait_for(lambda: len(pids_in(folder)) == 3)  # every worker has started
        with ThreadPoolExecutor(max_workers=2) as pool:
            slow = [pool.submit(requests.get, f"{url}/work?ms=3000", timeout=30) for _ in "ab"]

            def two_in_progress():
                """the gauge shows the 2 sleeping requests (the third worker answers)"""
                return workshop.sample_values(url)[INPROGRESS] == 2

            wait_for(two_in_progress, timeout=2.5)
            assert [answer.result().status_code for answer in slow] == [200, 200]
        assert workshop.sample_values(url)[INPROGRESS] == 0


def test_a_worker_killed_in_a_request_is_forgotten_by_the_livesum_gauge(tmp_path):
    """child_exit -> mark_process_dead: the dead worker's 1 does not stay in the sum."""
    with app(tmp_path) as (url, folder):
        with ThreadPoolExecutor(max_workers=1) as pool:
            doomed = pool.submit(requests.get, f"{url}/work?ms=5000", timeout=30)

            def one_in_progress():
                """the slow request is in progress"""
                return workshop.sample_values(url)[INPROGRESS] == 1

            wait_for(one_in_progress, timeout=4)
            busy = [pid for pid in pids_in(folder) if gauge_value(folder, pid) == 1]
            assert len(busy) == 1
            os.kill(busy[0], signal.SIGKILL)
            with pytest.raises(requests.ConnectionError):
                doomed.result()

        def back_to_zero():
            """the gauge is 0 again and the killed worker's gauge file is gone"""
            values = workshop.sample_values(url)
            gone = not (folder / f"gauge_livesum_{busy[0]}.db").exists()
            return gone and values[INPROGRESS] == 0

        wait_for(back_to_zero)
        assert (folder / f"counter_{busy[0]}.db").exists(), "its counts stay in the totals"


def gauge_value(folder, pid):
    from prometheus_client.mmap_dict import MmapedDict

    path = folder / f"gauge_livesum_{pid}.db"
    if not path.exists():
        return None
    return sum(value for _, value, _, _ in MmapedDict.read_all_values_from_file(str(path)))


# --- the folder: emptied at start, one per app ----------------------------------------


def test_a_restart_starts_from_zero_even_after_a_killed_master(tmp_path):
    port = workshop.free_port()
    command = [sys.executable, LESSON.app]
    env = workshop.app_env(LESSON, port, env={"TMPDIR": str(tmp_path)})
    url = f"http://127.0.0.1:{port}"
    folder = tmp_path / f"prometheus-multiproc-{port}"
    with workshop.running(command, f"{url}/metrics", workshop.is_prometheus_text, env) as first:
        get_all(url, ["/"] * 7)
        assert workshop.sample_values(url)[home()] == 7
        os.killpg(first.process.pid, signal.SIGKILL)  # kill -9: no on_exit hook runs
        first.process.wait(timeout=10)
        wait_for(lambda: group_is_gone(first.process.pid))
    assert pids_in(folder), "a killed master leaves its folder behind"
    stale = folder / "counter_4000000.db"  # as if from a worker of that run
    stale.write_bytes(next(folder.glob("counter_*.db")).read_bytes())
    with app(tmp_path, port=port) as (url, same_folder):
        assert same_folder == folder
        assert workshop.sample_values(url)[home()] == 0
        assert not stale.exists()
    assert not folder.exists(), "on_exit removes the folder"


def test_an_empty_file_in_the_folder_does_not_break_the_scrape(tmp_path):
    """gunicorn_conf.py's workaround for prometheus_client issue 1199: a file that a
    worker has created but not sized yet (or left so when it was killed)."""
    with app(tmp_path) as (url, folder):
        get_all(url, ["/"] * 3)
        (folder / "counter_4000001.db").touch()
        assert workshop.sample_values(url)[home()] == 3


def test_without_the_workaround_an_empty_file_fails_every_scrape(tmp_path):
    """The bug itself, on 0.26.0, in this (unpatched) test process."""
    (tmp_path / "counter_4000001.db").touch()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    with pytest.raises(struct.error):
        list(registry.collect())


def test_two_apps_at_once_never_share_a_folder(tmp_path):
    with app(tmp_path) as (first, first_folder), app(tmp_path) as (second, second_folder):
        assert first_folder != second_folder
        get_all(first, ["/"] * 5)
        get_all(second, ["/"] * 2)
        assert workshop.sample_values(first)[home()] == 5
        assert workshop.sample_values(second)[home()] == 2


# --- starting and stopping -----------------------------------------------------------


@pytest.mark.parametrize("to", ["master", "group"])  # a terminal's Ctrl-C goes to the group
def test_ctrl_c_stops_the_master_and_every_worker_and_removes_the_folder(tmp_path, to):
    port = workshop.free_port()
    command = [sys.executable, LESSON.app]
    env = workshop.app_env(LESSON, port, env={"TMPDIR": str(tmp_path), "WORKERS": "3"})
    ready = f"http://127.0.0.1:{port}/metrics"
    folder = tmp_path / f"prometheus-multiproc-{port}"
    with workshop.running(command, ready, workshop.is_prometheus_text, env, ctrl_c=True) as app_:
        wait_for(lambda: len(pids_in(folder)) == 3)  # every worker has started
        if to == "master":
            app_.process.send_signal(signal.SIGINT)
        else:
            os.killpg(app_.process.pid, signal.SIGINT)
        assert app_.process.wait(timeout=15) == 0
        wait_for(lambda: group_is_gone(app_.process.pid), timeout=5)
        output = app_.output()
    assert "Traceback" not in output
    assert "Handling signal: int" in output and "Shutting down: Master" in output
    assert not folder.exists()


def run_until_it_exits(tmp_path, **settings):
    """Start app.py with these settings; (exit code, output). Killed whole if it serves."""
    log = tmp_path / "output.log"
    env = workshop.app_env(LESSON, workshop.free_port(), env={"TMPDIR": str(tmp_path)})
    with open(log, "wb") as output:
        process = workshop.start_process([sys.executable, LESSON.app], output, {**env, **settings})
    try:
        return process.wait(timeout=20), log.read_text()
    finally:
        workshop.stop_process(process)


@pytest.mark.parametrize(
    "name, value, line",
    [
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
    ],
)
def test_a_bad_setting_gives_one_line_and_no_traceback(tmp_path, name, value, line):
    code, output = run_until_it_exits(tmp_path, **{name: value})
    assert (code, output.strip()) == (1, line)


# --- the routes ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with app(tmp_path_factory.mktemp("app")) as (base_url, _):
        yield base_url


@pytest.mark.parametrize("query", ["", "?ms=", "?ms=abc", "?ms=-1", "?ms=5001", "?ms=1e3"])
def test_a_bad_ms_is_a_400_with_a_reason_and_counted_as_one(url, query):
    before = workshop.sample_values(url).get(home("400", "/work"), 0)
    response = requests.get(f"{url}/work{query}", timeout=10)
    assert response.status_code == 400
    assert response.json() == {"error": "ms must be a whole number of milliseconds, 0 to 5000"}
    values = workshop.sample_values(url)
    assert values[home("400", "/work")] == before + 1
    assert values[INPROGRESS] == 0
    assert not [key for key in values if ("status", "500") in key[1]]


def test_the_edges_of_ms_are_accepted(url):
    assert requests.get(f"{url}/work?ms=0", timeout=10).json() == {"slept_ms": 0}
    assert requests.get(f"{url}/work?ms=00", timeout=10).json() == {"slept_ms": 0}


def test_unknown_paths_are_counted_under_one_route_not_the_raw_path(url):
    for path in ("/no-such-page", "/wp-login.php", "/work/../../etc/passwd"):
        assert requests.get(url + path, timeout=10).status_code == 404
    assert workshop.sample_values(url)[home("404", "unmatched")] >= 3
    scrape = workshop.scrape(url)
    assert "wp-login" not in scrape and "passwd" not in scrape


def test_the_step3_file_shows_what_multiprocess_mode_drops(tmp_path):
    with app(tmp_path, app_file=STEP3) as (url, _):
        workshop.send_traffic(LESSON, url)
        values = workshop.sample_values(url)
    names = {name for name, _ in values}
    assert not {name for name in names if name.startswith(("app_build", "app_state"))}
    assert values[("app_queue_jobs", NO_LABELS)] == 0  # set_function: never called
    assert {"http_response_size_bytes_count", "http_response_size_bytes_sum"} <= names
    assert not {name for name in names if name.endswith("_created")}
    started = [labels for name, labels in values if name == "worker_start_time_seconds"]
    assert len(started) == 2 and all(dict(labels).keys() == {"pid"} for labels in started)


# --- what the README claims about multiprocess mode, on prometheus_client 0.26.0 ------

WORKER = textwrap.dedent(
    """
    import sys
    from prometheus_client import Counter, Enum, Gauge, Info, Summary

    value = float(sys.argv[1])
    for mode in sys.argv[2].split(","):
        Gauge("g_" + mode, mode, multiprocess_mode=mode).set(value)
    Info("build", "An info.").info({"version": "1"})
    Enum("phase", "An enum.", states=["a", "b"]).state("b")
    Gauge("queue_jobs", "set_function", multiprocess_mode="livesum").set_function(lambda: 42)
    Summary("size_bytes", "A summary.").observe(value)
    Counter("events", "A counter.").inc(value, exemplar={"trace_id": "abc"})
    removed = Counter("removed", "A counter whose series is removed.", ["kind"])
    removed.labels("gone").inc()
    removed.remove("gone")
    """
)
MODES = ["all", "liveall", "sum", "livesum", "max", "livemax", "min", "livemin"]
MODES += ["mostrecent", "livemostrecent"]


def run_worker(tmp_path, folder, value):
    """One "worker": a process that writes its metrics to `folder`, then exits. Its pid."""
    log = tmp_path / f"worker-{value}.log"
    command = [sys.executable, "-c", WORKER, str(value), ",".join(MODES)]
    with open(log, "wb") as output:
        process = workshop.start_process(
            command, output, {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": None}
        )
    try:
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        workshop.stop_process(process)
    assert "Removal of labels has not been implemented" in log.read_text()
    return process.pid


@pytest.fixture(scope="module")
def three_workers(tmp_path_factory):
    """Workers that set 1 (then died), 5 (alive), 9 (then died), in that order."""
    tmp_path = tmp_path_factory.mktemp("multiprocess")
    folder = tmp_path / "metrics"
    folder.mkdir()
    pids = {value: run_worker(tmp_path, folder, value) for value in (1, 5, 9)}
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


def test_every_app_file_is_served_the_same_way():
    def tail(path):
        text = path.read_text(encoding="utf-8")
        return text[text.index('if __name__ == "__main__":') :].splitlines()[-4:]

    model = tail(LESSON.app)
    for path in [LESSON.exercise, STEP3]:
        assert tail(path) == model, path.name


def test_the_metric_families_parse_and_the_created_lines_are_gone(tmp_path):
    with app(tmp_path) as (url, _):
        workshop.send_traffic(LESSON, url)
        families = list(text_string_to_metric_families(workshop.scrape(url)))
    assert {family.name for family in families} == {
        "http_requests",
        "http_request_duration_seconds",
        "http_inprogress_requests",
    }
