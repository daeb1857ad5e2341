"""Lesson 01's behaviour, against the real app process."""

import re
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests
from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from workshop import lesson_run, lessons, metrics_page, ports, processes

LESSON = lessons.lesson_named("01")


@pytest.fixture
def url():
    with lesson_run.lesson_running(LESSON) as base_url:
        yield base_url


def counters(url):
    values = metrics_page.sample_values(url)
    no_labels = frozenset()
    return {
        "home": values[("page_visits_total", frozenset({("page", "home")}))],
        "about": values[("page_visits_total", frozenset({("page", "about")}))],
        "health": values[("health_check_calls_total", no_labels)],
        "not found": values[("page_not_found_total", no_labels)],
        "divide exceptions": values[("divide_exceptions_total", no_labels)],
    }


def test_800_concurrent_requests_lose_no_increment(url):
    def visit(_):
        return requests.get(f"{url}/", timeout=10).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(visit, range(800)))
    assert statuses == [200] * 800
    assert counters(url)["home"] == 800


def test_health_answers_ok_as_json_and_counts(url):
    response = requests.get(f"{url}/health", timeout=5)
    assert response.json() == {"status": "ok"}
    assert counters(url)["health"] == 1


def test_unknown_paths_get_a_404_and_count_without_a_path_label(url):
    before = counters(url)
    paths = ["/no-such-page", "/admin/../etc/passwd", "/wp-login.php"]
    for path in paths:
        response = requests.get(f"{url}{path}", timeout=5)
        assert (response.status_code, response.json()) == (404, {"error": "no such page"})
    assert counters(url) == {**before, "not found": before["not found"] + len(paths)}
    assert "wp-login" not in metrics_page.scrape(url)


def test_wrong_methods_get_a_405_and_leave_the_counters_alone(url):
    before = counters(url)
    for method in ("POST", "PUT", "DELETE"):
        assert requests.request(method, f"{url}/", timeout=5).status_code == 405
        assert requests.request(method, f"{url}/health", timeout=5).status_code == 405
    assert counters(url) == before


def test_division_by_zero_is_counted_and_answered_with_a_400(url):
    response = requests.get(f"{url}/divide/1/0", timeout=5)
    assert response.status_code == 400
    assert response.json() == {"error": "cannot divide: division by zero"}
    assert requests.get(f"{url}/divide/10/4", timeout=5).json() == {"result": 2.5}
    assert requests.get(f"{url}/divide/-1/2", timeout=5).json() == {"result": -0.5}
    assert counters(url)["divide exceptions"] == 1


def test_a_result_too_large_for_a_float_is_a_400_not_a_500(url):
    response = requests.get(f"{url}/divide/{'9' * 400}/1", timeout=5)
    assert response.status_code == 400
    assert response.json()["error"].startswith("cannot divide: ")
    assert counters(url)["divide exceptions"] == 1


def test_metrics_can_be_filtered_by_name(url):
    response = requests.get(f"{url}/metrics?name[]=page_visits_total", timeout=5)
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert names == {"page_visits"}


def test_app_listens_on_127_0_0_1_by_default():
    port = ports.free_port()
    command = [sys.executable, LESSON.app]
    ready = f"http://127.0.0.1:{port}/metrics"
    env = {"PORT": str(port), "HOST": None}  # HOST unset, whatever the shell has
    with processes.running(command, ready, metrics_page.is_prometheus_text, env) as app:
        banner = app.output()
    assert f"Running on http://127.0.0.1:{port}" in banner
    assert "all addresses" not in banner  # what Flask prints when bound to 0.0.0.0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX-only")
def test_ctrl_c_stops_the_app_quietly_even_from_a_shell_that_ignores_ctrl_c():
    """A shell without job control (`cmd &` in a script, many CI runners) starts its
    children with SIGINT ignored, and they pass that on: the test undoes it in the app."""
    port = ports.free_port()
    command = [sys.executable, LESSON.app]
    ready = f"http://127.0.0.1:{port}/metrics"
    env = {"PORT": str(port)}
    with ExitStack() as stack:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as such a shell leaves it
        try:
            app = stack.enter_context(
                processes.running(command, ready, metrics_page.is_prometheus_text, env, ctrl_c=True)
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        app.process.send_signal(signal.SIGINT)
        assert app.process.wait(timeout=10) == 0
        assert "Traceback" not in app.output()


def test_the_readme_hand_written_route_sends_a_single_charset():
    """Common mistakes names the one-line fix for a hand-written /metrics route: run it."""
    readme = LESSON.readme.read_text(encoding="utf-8")
    [route] = re.findall(r"`(Response\(generate_latest\(\), content_type=\w+\))`", readme)
    app = Flask(__name__)
    namespace = {"Response": Response, "generate_latest": generate_latest}
    namespace["CONTENT_TYPE_PLAIN_0_0_4"] = CONTENT_TYPE_PLAIN_0_0_4
    app.add_url_rule("/metrics", "metrics", lambda: eval(route, namespace))
    response = app.test_client().get("/metrics")
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b"# TYPE" in response.data
