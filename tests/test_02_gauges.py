"""Lesson 02's own behaviour, on the real apps over HTTP: the list gauge under
concurrent requests in every step, every kind of bad input, the safe methods,
the cap, the in-progress gauge and the last-success timestamp."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client import CollectorRegistry, Gauge
from workshop import lesson_run, lessons, metrics_page, processes

LESSON = lessons.lesson_named("02")
STEPS = [LESSON.app, *sorted(LESSON.folder.glob("step*_*.py"))]
MAX_ITEMS = 1_000  # the cap in 02_gauges/app.py
TIMEOUT = 10

LIST_SIZE = ("list_size", {"list": "my_list"})
IN_PROGRESS = ("work_requests_in_progress", {})
LAST_SUCCESS = ("work_last_success_timestamp_seconds", {})

step_params = pytest.mark.parametrize("app_file", STEPS, ids=lambda path: path.name)


@pytest.fixture
def url():
    """A fresh app.py for each test that needs a known starting state."""
    with lesson_run.lesson_running(LESSON) as base:
        yield base


@pytest.fixture(scope="module")
def shared_url():
    """One app for the bad-input cases: each compares the metrics before and after."""
    with lesson_run.lesson_running(LESSON) as base:
        yield base


def value(url, metric):
    """The sample's value, or None when /metrics does not have it."""
    name, labels = metric
    return metrics_page.sample_values(url).get((name, frozenset(labels.items())))


def lesson_metrics(url):
    return {metric[0]: value(url, metric) for metric in (LIST_SIZE, IN_PROGRESS, LAST_SUCCESS)}


def get(url, path):
    return requests.get(url + path, timeout=TIMEOUT)


def post(url, path):
    return requests.post(url + path, timeout=TIMEOUT)


def the_list(url):
    return get(url, "/list").json()["items"]


def assert_one_line_error(response):
    assert response.headers["Content-Type"] == "application/json"
    assert list(response.json()) == ["error"]
    assert response.text.strip().count("\n") == 0


# --- the list gauge, in every step ----------------------------------------------


WORKERS = 8
ROUNDS = 15


def add_and_remove(url, worker, next_round):
    """Each round, every worker adds a number of its own, then two workers try to
    remove the same one: at most one may succeed, the other must get a clean 404."""
    added, removed, unexpected = [], [], []
    with requests.Session() as session:
        for i in range(ROUNDS):
            mine, shared = i * WORKERS + worker, i * WORKERS + worker // 2
            next_round.wait()
            answer = session.post(f"{url}/add/{mine}", timeout=TIMEOUT)
            if answer.status_code == 200:
                added.append(mine)
            else:
                unexpected.append(answer.status_code)
            answer = session.post(f"{url}/remove/{shared}", timeout=TIMEOUT)
            if answer.status_code == 200:
                removed.append(shared)
            elif answer.status_code != 404:
                unexpected.append(answer.status_code)
    return added, removed, unexpected


@step_params
def test_gauge_equals_the_list_after_concurrent_adds_and_removes(app_file):
    differences = []
    with lesson_run.lesson_running(LESSON, app_file=app_file) as url:

        def compare_gauge_with_list():
            """Run by the barrier between rounds, when no request is in flight."""
            size, gauge = len(the_list(url)), value(url, LIST_SIZE)
            if gauge != size:
                differences.append(f"list_size {gauge} but the list has {size} items")

        # Every round starts on all workers at once, to make their requests overlap.
        next_round = threading.Barrier(WORKERS, action=compare_gauge_with_list, timeout=TIMEOUT)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            runs = [pool.submit(add_and_remove, url, w, next_round) for w in range(WORKERS)]
            results = [run.result() for run in runs]
        added = Counter(number for result in results for number in result[0])
        removed = Counter(number for result in results for number in result[1])
        assert [status for result in results for status in result[2]] == []
        assert sum(added.values()) == WORKERS * ROUNDS
        assert differences == []
        items = the_list(url)
        assert Counter(items) == added - removed
        assert value(url, LIST_SIZE) == len(items)


# --- bad input and safe methods -------------------------------------------------

# (method, path, status, words the one-line reason must contain)
BAD_INPUT = [
    ("POST", "/remove/42", 404, "42 is not in the list"),
    ("POST", "/add/-3", 400, "whole number"),
    ("POST", "/remove/-3", 400, "whole number"),
    ("POST", "/add/abc", 400, "'abc'"),
    ("POST", "/add/1.5", 400, "'1.5'"),
    ("POST", "/remove/abc", 400, "whole number"),
    ("GET", "/work?ms=-1", 400, "0 to 5000"),
    ("GET", "/work?ms=5001", 400, "0 to 5000"),
    ("GET", "/work?ms=abc", 400, "0 to 5000"),
    ("GET", "/work?ms=1.5", 400, "0 to 5000"),
    ("GET", "/work?ms=" + "9" * 5000, 400, "0 to 5000"),
    ("GET", "/work", 400, "0 to 5000"),
]
# Refused by Flask itself, with its own page: (method, path, status)
REFUSED_BY_FLASK = [
    ("GET", "/add/7", 405),
    ("GET", "/remove/7", 405),
    ("HEAD", "/remove/7", 405),
    ("PUT", "/add/7", 405),
    ("POST", "/work?ms=0", 405),
    ("POST", "/add/" + "9" * 5000, 404),  # more digits than int() accepts
    ("POST", "/add", 404),
    ("GET", "/no-such-page", 404),
]


def with_known_state(url):
    """The shared app holds [7] and one /work success; its metrics before a case."""
    if not the_list(url):
        assert post(url, "/add/7").status_code == 200
        assert get(url, "/work?ms=0").status_code == 200
    return lesson_metrics(url)


@pytest.mark.parametrize(
    ("method", "path", "status", "reason"),
    BAD_INPUT,
    ids=[f"{method} {path[:24]}" for method, path, *_ in BAD_INPUT],
)
def test_bad_input_gets_a_4xx_with_a_reason_and_leaves_the_metrics_alone(
    shared_url, method, path, status, reason
):
    before = with_known_state(shared_url)
    response = requests.request(method, shared_url + path, timeout=TIMEOUT)
    assert response.status_code == status
    assert_one_line_error(response)
    assert reason in response.json()["error"]
    assert lesson_metrics(shared_url) == before
    assert the_list(shared_url) == [7]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    REFUSED_BY_FLASK,
    ids=[f"{method} {path[:24]}" for method, path, _ in REFUSED_BY_FLASK],
)
def test_wrong_methods_and_paths_get_a_4xx_and_leave_the_metrics_alone(
    shared_url, method, path, status
):
    before = with_known_state(shared_url)
    response = requests.request(method, shared_url + path, timeout=TIMEOUT)
    assert response.status_code == status
    assert lesson_metrics(shared_url) == before
    assert the_list(shared_url) == [7]


def test_a_get_on_add_or_remove_changes_nothing(url):
    assert post(url, "/add/5").json() == {"added": 5}
    for path in ("/add/5", "/remove/5"):
        response = get(url, path)
        assert response.status_code == 405
        assert "POST" in response.headers["Allow"]
        assert "GET" not in response.headers["Allow"]
    assert the_list(url) == [5]
    assert value(url, LIST_SIZE) == 1
    assert post(url, "/remove/5").json() == {"removed": 5}
    assert value(url, LIST_SIZE) == 0


def fill(url, count):
    def add_range(start):
        with requests.Session() as session:
            return [
                session.post(f"{url}/add/{n}", timeout=TIMEOUT).status_code
                for n in range(start, min(start + 125, count))
            ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [s for statuses in pool.map(add_range, range(0, count, 125)) for s in statuses]


def test_the_list_is_capped_with_a_clear_answer(url):
    assert fill(url, MAX_ITEMS) == [200] * MAX_ITEMS
    full = post(url, "/add/1")
    assert full.status_code == 409
    assert_one_line_error(full)
    assert f"full ({MAX_ITEMS} items)" in full.json()["error"]
    assert value(url, LIST_SIZE) == len(the_list(url)) == MAX_ITEMS
    assert post(url, "/remove/0").status_code == 200
    assert post(url, "/add/1").status_code == 200  # room again after a remove
    assert value(url, LIST_SIZE) == MAX_ITEMS


# --- the gauges of /work ---------------------------------------------------------


def test_in_progress_gauge_counts_slow_work_while_it_runs(url):
    assert value(url, IN_PROGRESS) == 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        # Each sleeps 3 s: the three overlap for about that long, whatever the load.
        slow = [pool.submit(get, url, "/work?ms=3000") for _ in range(3)]
        seen_three = processes.wait_for(lambda: value(url, IN_PROGRESS) == 3, 3)
        answers = [future.result() for future in slow]
    assert seen_three, "work_requests_in_progress never reached 3 during three slow /work"
    assert [answer.status_code for answer in answers] == [200] * 3
    assert value(url, IN_PROGRESS) == 0


def test_last_success_timestamp_moves_on_success_only(url):
    assert value(url, LAST_SUCCESS) == 0  # never succeeded yet
    before = time.time()
    assert get(url, "/work?ms=0").json() == {"slept_ms": 0}
    first = value(url, LAST_SUCCESS)
    assert before <= first <= time.time()
    time.sleep(0.05)  # so that the clock has moved; a later check only needs ">"
    assert get(url, "/work?ms=9999").status_code == 400
    assert value(url, LAST_SUCCESS) == first
    assert get(url, "/work?ms=0").status_code == 200
    assert value(url, LAST_SUCCESS) > first


# --- what the README says of the client -------------------------------------------


def test_a_gauge_with_a_function_ignores_set_inc_and_dec():
    size = Gauge("size", "Size.", registry=CollectorRegistry())
    size.set_function(lambda: 3)
    size.set(10)
    size.inc()
    size.dec(5)
    assert size.collect()[0].samples[0].value == 3


def test_set_function_given_a_number_fails_at_every_scrape():
    size = Gauge("size", "Size.", registry=CollectorRegistry())
    size.set_function(len([1, 2, 3]))  # the common mistake: a number, not a function
    with pytest.raises(TypeError, match="'int' object is not callable"):
        size.collect()


def test_track_inprogress_goes_back_down_when_the_function_raises():
    in_progress = Gauge("in_progress", "In progress.", registry=CollectorRegistry())

    @in_progress.track_inprogress()
    def fails():
        assert in_progress.collect()[0].samples[0].value == 1
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert in_progress.collect()[0].samples[0].value == 0
