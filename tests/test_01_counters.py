"""Lesson 01's behaviour, against the real app process."""

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import workshop
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

LESSON = workshop.find_lesson("01")


@pytest.fixture
def url():
    with workshop.lesson_running(LESSON) as base_url:
        yield base_url


def counters(url):
    values = workshop.sample_values(url)
    no_labels = frozenset()
    return {
        "home": values[("home_page_visits_total", no_labels)],
        "home label": values[("page_visits_total", frozenset({("page", "home")}))],
        "about": values[("about_page_visits_total", no_labels)],
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
    assert counters(url)["home label"] == 800


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
    assert "wp-login" not in workshop.scrape(url)


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


def test_a_wrong_method_gets_one_line_of_json_with_the_allowed_methods(url):
    response = requests.post(f"{url}/health", timeout=5)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.text.count("\n") == 1 and list(response.json()) == ["error"]


def test_metrics_can_be_filtered_by_name(url):
    response = requests.get(f"{url}/metrics?name[]=home_page_visits_total", timeout=5)
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert names == {"home_page_visits"}


def start_app(env, log):
    """The app as a learner starts it: only the given environment, output to `log`."""
    app = subprocess.Popen(
        [sys.executable, str(LESSON.folder / "app.py")],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    workshop.wait_until_serving(
        app, f"http://127.0.0.1:{env['PORT']}/metrics", log, workshop.is_prometheus_text
    )
    return app


def test_app_listens_on_127_0_0_1_by_default(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "HOST"}
    env["PORT"] = str(workshop.free_port())
    app = start_app(env, tmp_path / "app.log")
    app.terminate()
    app.wait(timeout=5)
    banner = (tmp_path / "app.log").read_text()
    assert f"Running on http://127.0.0.1:{env['PORT']}" in banner
    assert "all addresses" not in banner  # what Flask prints when bound to 0.0.0.0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX-only")
def test_ctrl_c_stops_the_app_quietly(tmp_path):
    app = start_app({**os.environ, "PORT": str(workshop.free_port())}, tmp_path / "app.log")
    app.send_signal(signal.SIGINT)
    assert app.wait(timeout=10) == 0
    assert "Traceback" not in (tmp_path / "app.log").read_text()


def test_the_readme_alternative_metrics_route_sends_a_single_charset():
    readme = LESSON.readme.read_text(encoding="utf-8")
    [route] = [
        code
        for code in re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
        if "generate_latest" in code
    ]
    app = Flask(__name__)
    exec(route, {"app": app})  # the README's own lines, run as a learner would copy them
    response = app.test_client().get("/metrics")
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b"# TYPE" in response.data
