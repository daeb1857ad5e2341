"""Lesson 05's own behaviour, on the real app over HTTP: state changes keep
exactly one state at 1, bad requests change nothing, and the info metrics
carry the version the app declares."""

import ast
import random
import re
import shlex
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import workshop
from prometheus_client.parser import text_string_to_metric_families

LESSON = workshop.find_lesson("05")
STATES = ["loading", "missing", "running", "stopped"]
TIMEOUT = 10


@pytest.fixture
def url():
    with workshop.lesson_running(LESSON) as base:
        yield base


def samples(url, name):
    """[(labels, value)] of every sample called `name` on /metrics."""
    text = requests.get(f"{url}/metrics", timeout=TIMEOUT).text
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def states(url):
    """{state: value} of application_state."""
    return {labels["application_state"]: v for labels, v in samples(url, "application_state")}


def only(state):
    return {name: 1.0 if name == state else 0.0 for name in STATES}


def set_state(url, name, method="POST"):
    return requests.request(method, f"{url}/state/{name}", timeout=TIMEOUT)


def assert_one_line_error(response):
    assert response.headers["Content-Type"] == "application/json"
    assert list(response.json()) == ["error"]
    assert response.text.strip().count("\n") == 0


def declared(name):
    """The value of a module-level constant such as __version__ in app.py, without running it."""
    tree = ast.parse((LESSON.folder / "app.py").read_text(encoding="utf-8"))
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


@pytest.mark.parametrize("name", ["paused", "RUNNING", "stop", "x" * 1000])
def test_an_unknown_state_gets_400_listing_the_valid_ones_and_changes_nothing(url, name):
    assert set_state(url, "missing").status_code == 200
    response = set_state(url, name)
    assert response.status_code == 400
    assert_one_line_error(response)
    assert "loading, missing, running, stopped" in response.json()["error"]
    assert states(url) == only("missing")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_wrong_method_gets_405_and_changes_nothing(url, method):
    response = set_state(url, "stopped", method)
    assert response.status_code == 405
    assert_one_line_error(response)
    assert "POST" in response.headers["Allow"]
    assert states(url) == only("running")


def test_an_unknown_page_gets_a_one_line_404(url):
    response = requests.get(f"{url}/state", timeout=TIMEOUT)
    assert response.status_code == 404
    assert_one_line_error(response)


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


def test_info_metrics_carry_the_version_declared_in_app_py(url):
    version, author = declared("__version__"), declared("__author__")
    assert samples(url, "application_info_info") == [({"version": version, "author": author}, 1)]
    [(labels, value)] = samples(url, "workshop_build_info")
    assert (labels["version"], value) == (version, 1)


def test_the_version_is_typed_once():
    source = (LESSON.folder / "app.py").read_text(encoding="utf-8")
    assert source.count(declared("__version__")) == 1


def test_readme_state_changes_answer_what_the_readme_shows(url):
    text = LESSON.readme.read_text(encoding="utf-8")
    pairs = []
    for block in re.finditer(r"```sh\n(curl -s [^`]*)```\n\n```text\n([^`]*)```", text):
        if "/metrics" not in block[1]:
            pairs += zip(block[1].splitlines(), block[2].splitlines(), strict=True)
    assert len(pairs) >= 3
    for command, shown in pairs:
        words = shlex.split(command)
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        path = words[-1].removeprefix("http://127.0.0.1:5000")
        answer = requests.request(method, url + path, timeout=TIMEOUT)
        assert answer.text.strip() == shown, command
