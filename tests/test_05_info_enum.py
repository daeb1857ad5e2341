"""Lesson 05's behaviour, against the real app process: state changes keep exactly
one state at 1, bad requests change nothing, the info metrics carry the version the
app declares, and every step answers the lesson's traffic."""

import ast
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from workshop import lesson_run, lessons, metrics_page

LESSON = lessons.lesson_named("05")
STATES = ["loading", "missing", "running", "stopped"]
STEPS = sorted(LESSON.folder.glob("step*.py")) + [LESSON.app]
TIMEOUT = 10


@pytest.fixture
def url():
    with lesson_run.lesson_running(LESSON) as base_url:
        yield base_url


def samples(url, name):
    """{labels: value} of every sample called `name` on /metrics."""
    return {
        labels: value
        for (sample, labels), value in metrics_page.sample_values(url).items()
        if sample == name
    }


def states(url):
    """{state: value} of application_state."""
    return {
        dict(labels)["application_state"]: value
        for labels, value in samples(url, "application_state").items()
    }


def only(state):
    return {name: 1.0 if name == state else 0.0 for name in STATES}


def set_state(url, name, method="POST"):
    return requests.request(method, f"{url}/state/{name}", timeout=TIMEOUT)


def declared(name):
    """The value of a module-level constant such as __version__ in app.py, without running it."""
    tree = ast.parse(LESSON.app.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"app.py does not set {name}")


def test_the_app_is_running_once_started(url):
    assert states(url) == only("running")


def test_every_change_leaves_exactly_one_state_at_1(url):
    for state in ["stopped", "missing", "loading", "running", "stopped", "stopped"]:
        response = set_state(url, state)
        assert (response.status_code, response.json()) == (200, {"state": state})
        assert states(url) == only(state)


@pytest.mark.parametrize("name", ["paused", "RUNNING", "stop", "running ", "x" * 1000])
def test_an_unknown_state_gets_a_one_line_400_and_changes_nothing(url, name):
    assert set_state(url, "missing").status_code == 200
    response = set_state(url, name)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.text.count("\n") == 1 and list(response.json()) == ["error"]
    assert response.json()["error"].endswith("use one of loading, missing, running, stopped")
    assert states(url) == only("missing")


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_a_method_other_than_post_gets_405_and_changes_nothing(url, method):
    response = set_state(url, "stopped", method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert states(url) == only("running")


def test_concurrent_changes_never_show_two_states_at_once(url):
    def change_states(seed):
        picks = random.Random(seed).choices(STATES, k=30)
        with requests.Session() as session:
            return [session.post(f"{url}/state/{s}", timeout=TIMEOUT).status_code for s in picks]

    with ThreadPoolExecutor(max_workers=9) as pool:
        changes = [pool.submit(change_states, seed) for seed in range(8)]
        scrapes = [pool.submit(states, url) for _ in range(40)]
        statuses = [status for change in changes for status in change.result()]
    assert statuses == [200] * 8 * 30
    for scrape in scrapes:
        assert sorted(scrape.result().values()) == [0.0, 0.0, 0.0, 1.0]


def test_the_info_metrics_carry_the_version_declared_in_app_py(url):
    version, author = declared("__version__"), declared("__author__")
    assert samples(url, "application_info") == {
        frozenset({"version": version, "author": author}.items()): 1.0
    }
    assert samples(url, "workshop_build_info") == {
        frozenset({"service": "workshop", "version": version}.items()): 1.0
    }


def test_the_version_is_typed_once():
    source = LESSON.app.read_text(encoding="utf-8")
    assert source.count(declared("__version__")) == 1


@pytest.mark.parametrize("step", STEPS, ids=lambda path: path.name)
def test_each_step_answers_the_traffic_and_exports_its_own_metrics(step):
    with lesson_run.lesson_running(LESSON, app_file=step) as url:
        lesson_run.send_traffic(LESSON, url)  # raises TrafficFailed on any unexpected answer
        names = {name for name, _ in metrics_page.sample_values(url)}
    lesson_names = {"application_info", "application_state", "workshop_build_info"}
    expected = {
        "step1_info.py": {"application_info"},
        "step2_enum.py": {"application_info", "application_state"},
        "app.py": lesson_names,
    }
    assert names & lesson_names == expected[step.name]
