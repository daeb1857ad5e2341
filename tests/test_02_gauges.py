"""Lesson 02's own behaviour, on the real app over HTTP: the list gauge under
concurrent requests, every kind of bad input, the cap, the in-progress gauge
and the last-success timestamp."""

import re
import shlex
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import workshop

LESSON = workshop.find_lesson("02")
MAX_ITEMS = 1_000  # the cap in 02_gauges/app.py
TIMEOUT = 10

LIST_SIZE = ("list_size", {"list": "my_list"})
IN_PROGRESS = ("work_requests_in_progress", {})
LAST_SUCCESS = ("work_last_success_timestamp_seconds", {})


@pytest.fixture
def url():
    """A fresh app for each test that needs a known starting state."""
    with workshop.lesson_running(LESSON) as base:
        yield base


@pytest.fixture(scope="module")
def shared_url():
    """One app for the bad-input cases: each compares the metrics before and after."""
    with workshop.lesson_running(LESSON) as base:
        yield base


def value(url, metric):
    """The sample's value, or None when /metrics does not have it."""
    name, labels = metric
    return workshop.sample_values(url).get((name, frozenset(labels.items())))


def lesson_metrics(url):
    return {metric[0]: value(url, metric) for metric in (LIST_SIZE, IN_PROGRESS, LAST_SUCCESS)}


def get(url, path):
    return requests.get(url + path, timeout=TIMEOUT)


def the_list(url):
    return get(url, "/list").json()["items"]


def assert_one_line_error(response):
    assert response.headers["Content-Type"] == "application/json"
    assert list(response.json()) == ["error"]
    assert response.text.strip().count("\n") == 0


WORKERS = 16
ROUNDS = 40


def add_and_remove(url, worker, next_round):
    """Each round, every worker adds a number of its own, then two workers try to
    remove the same one: at most one may succeed, the other must get a clean 404."""
    added, removed, unexpected = [], [], []
    with requests.Session() as session:
        for i in range(ROUNDS):
            mine, shared = i * WORKERS + worker, i * WORKERS + worker // 2
            next_round.wait()
            answer = session.get(f"{url}/add/{mine}", timeout=TIMEOUT)
            if answer.status_code == 200:
                added.append(mine)
            else:
                unexpected.append(answer.status_code)
            answer = session.get(f"{url}/remove/{shared}", timeout=TIMEOUT)
            if answer.status_code == 200:
                removed.append(shared)
            elif answer.status_code != 404:
                unexpected.append(answer.status_code)
    return added, removed, unexpected


def test_gauge_equals_the_list_after_concurrent_adds_and_removes(url):
    differences = []

    def compare_gauge_with_list():
        """Run by the barrier between rounds, when no request is in flight."""
        size, gauge = get(url, "/list").json()["size"], value(url, LIST_SIZE)
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
    assert value(url, LIST_SIZE) == len(items) == get(url, "/list").json()["size"]


# (method, path, status, words the one-line reason must contain)
BAD_INPUT = [
    ("GET", "/remove/42", 404, "42 is not in the list"),
    ("GET", "/add/-3", 400, "whole number"),
    ("GET", "/remove/-3", 400, "whole number"),
    ("GET", "/add/abc", 400, "'abc'"),
    ("GET", "/add/1.5", 400, "'1.5'"),
    ("GET", "/remove/abc", 400, "whole number"),
    ("GET", "/add/" + "9" * 5000, 404, "not found"),  # more digits than int() accepts
    ("GET", "/work?ms=-1", 400, "0 to 5000"),
    ("GET", "/work?ms=5001", 400, "0 to 5000"),
    ("GET", "/work?ms=abc", 400, "0 to 5000"),
    ("GET", "/work?ms=1.5", 400, "0 to 5000"),
    ("GET", "/work", 400, "0 to 5000"),
    ("POST", "/add/1", 405, "not allowed"),
    ("GET", "/no-such-page", 404, "not found"),
]


@pytest.mark.parametrize(
    ("method", "path", "status", "reason"),
    BAD_INPUT,
    ids=[f"{m} {p[:24]}" for m, p, *_ in BAD_INPUT],
)
def test_bad_input_gets_a_4xx_with_a_reason_and_leaves_the_metrics_alone(
    shared_url, method, path, status, reason
):
    if not the_list(shared_url):
        assert get(shared_url, "/add/7").status_code == 200
        assert get(shared_url, "/work?ms=0").status_code == 200
    before = lesson_metrics(shared_url)
    response = requests.request(method, shared_url + path, timeout=TIMEOUT)
    assert response.status_code == status
    assert_one_line_error(response)
    assert reason in response.json()["error"]
    assert lesson_metrics(shared_url) == before
    assert the_list(shared_url) == [7]


def test_wrong_method_answer_keeps_the_allow_header(shared_url):
    response = requests.post(f"{shared_url}/add/1", timeout=TIMEOUT)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def fill(url, count):
    def add_range(start):
        with requests.Session() as session:
            return [
                session.get(f"{url}/add/{n}", timeout=TIMEOUT).status_code
                for n in range(start, min(start + 125, count))
            ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [s for statuses in pool.map(add_range, range(0, count, 125)) for s in statuses]


def test_the_list_is_capped_with_a_clear_answer(url):
    assert fill(url, MAX_ITEMS) == [200] * MAX_ITEMS
    full = get(url, "/add/1")
    assert full.status_code == 409
    assert_one_line_error(full)
    assert f"full ({MAX_ITEMS} items)" in full.json()["error"]
    assert value(url, LIST_SIZE) == len(the_list(url)) == MAX_ITEMS
    assert get(url, "/remove/0").status_code == 200
    assert get(url, "/add/1").status_code == 200  # room again after a remove
    assert value(url, LIST_SIZE) == MAX_ITEMS


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_in_progress_gauge_counts_slow_work_while_it_runs(url):
    assert value(url, IN_PROGRESS) == 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        slow = [pool.submit(get, url, "/work?ms=2000") for _ in range(3)]
        seen_three = wait_for(lambda: value(url, IN_PROGRESS) == 3, seconds=1.8)
        answers = [future.result() for future in slow]
    assert seen_three, "work_requests_in_progress never reached 3 during three slow /work"
    assert [answer.status_code for answer in answers] == [200] * 3
    assert value(url, IN_PROGRESS) == 0


def test_last_success_timestamp_moves_on_success_only(url):
    assert value(url, LAST_SUCCESS) == 0  # never succeeded yet
    before = time.time()
    assert get(url, "/work?ms=0").status_code == 200
    first = value(url, LAST_SUCCESS)
    assert before <= first <= time.time()
    time.sleep(0.05)
    assert get(url, "/work?ms=9999").status_code == 400
    assert value(url, LAST_SUCCESS) == first
    assert get(url, "/work?ms=0").status_code == 200
    assert value(url, LAST_SUCCESS) > first


def readme_answers():
    """(curl command, answer) pairs from the README's blocks of plain curl commands."""
    text = LESSON.readme.read_text(encoding="utf-8")
    pairs = []
    for block in re.finditer(r"```sh\n(curl -s [^`]*)```\n\n```text\n([^`]*)```", text):
        if "/metrics" not in block[1]:
            pairs += zip(block[1].splitlines(), block[2].splitlines(), strict=True)
    return pairs


def test_readme_bad_input_answers_are_what_the_app_says(url):
    pairs = readme_answers()
    assert len(pairs) >= 3
    for command, shown in pairs:
        address = shlex.split(command)[-1]
        assert address.startswith("http://127.0.0.1:5000/")
        answer = get(url, address.removeprefix("http://127.0.0.1:5000"))
        assert answer.text.strip() == shown, command
