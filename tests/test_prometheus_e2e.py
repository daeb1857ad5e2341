"""Every PromQL query the lesson READMEs teach, run against a real Prometheus
that scrapes the real lesson app with the repository's own configuration."""

import math
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import pytest
import requests
import workshop
from conftest import require_binary

import prometheus as prometheus_script

CONFIG = workshop.ROOT / "prometheus" / "prometheus.yml"
PROMQL_BLOCK = re.compile(r"```promql\n(.*?)```", re.DOTALL)
BARE_SELECTOR = re.compile(r"^[a-zA-Z_:][\w:]*(\{[^}]*\})?$")
SUM_OF_METRIC = re.compile(r"^sum\(([a-zA-Z_:][\w:]*)\)$")
OUTER_BY = re.compile(r"^\w+ by \(([\w, ]+)\)")
LESSONS = [lesson for lesson in workshop.all_lessons() if lesson.readme.exists()]
# Lesson 04 runs two instances, to show a query that aggregates across them.
INSTANCES = {"04_summaries": 2}


def readme_queries(lesson):
    text = lesson.readme.read_text(encoding="utf-8")
    return [" ".join(block.split()) for block in PROMQL_BLOCK.findall(text)]


def config_for_tests(lesson_ports, prometheus_port):
    """The repository's config, with the lessons on test ports and 1 s scrapes."""
    lesson_targets = ", ".join(f'"127.0.0.1:{port}"' for port in lesson_ports)
    replacements = {
        "scrape_interval: 5s": "scrape_interval: 1s",
        "evaluation_interval: 5s": "evaluation_interval: 1s",
        '"127.0.0.1:5000", "127.0.0.1:5001"': lesson_targets,
        '"127.0.0.1:9090"': f'"127.0.0.1:{prometheus_port}"',
        "- rules/*.yml": f"- {CONFIG.parent.as_posix()}/rules/*.yml",
    }
    text = CONFIG.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert text.count(old) == 1, f"prometheus.yml changed: expected one {old!r}"
        text = text.replace(old, new)
    return text


@contextmanager
def prometheus_running(tmp_path, lesson_ports):
    binary = require_binary("prometheus")
    port = workshop.free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(config_for_tests(lesson_ports, port), encoding="utf-8")
    command = prometheus_script.build_command(config, tmp_path / "data", port, binary)
    url = f"http://127.0.0.1:{port}"
    with workshop.running(command, f"{url}/-/ready", lambda answer: answer.ok):
        yield url


def query(prometheus_url, promql):
    answer = requests.get(f"{prometheus_url}/api/v1/query", params={"query": promql}, timeout=5)
    body = answer.json()
    assert body["status"] == "success", f"{promql}: {body.get('error')}"
    return body["data"]["result"]


def wait_for_scrape(prometheus_url, port, after, timeout=15):
    """Wait until Prometheus has scraped the app on `port`, successfully, after `after`."""
    up = f'up{{job="workshop", instance="127.0.0.1:{port}"}}'
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # timestamp() of a plain selector is the scrape's time (of anything else, now)
        scraped_at = query(prometheus_url, f"timestamp({up})")
        if scraped_at and float(scraped_at[0]["value"][1]) > after:
            [state] = query(prometheus_url, up)
            assert state["value"][1] == "1", f"Prometheus could not scrape 127.0.0.1:{port}"
            return
        time.sleep(0.2)
    pytest.fail(f"Prometheus did not scrape 127.0.0.1:{port} within {timeout} s")


def check_answer(promql, result, scraped_by_instance):
    assert result, f"{promql}: empty answer"
    values = [float(series["value"][1]) for series in result]
    assert not any(math.isnan(value) for value in values), f"{promql}: NaN in {result}"
    if BARE_SELECTOR.match(promql):  # the exact value the traffic produced
        for series in result:
            labels = dict(series["metric"])
            name, instance = labels.pop("__name__"), labels.pop("instance")
            del labels["job"]
            expected = scraped_by_instance[instance][(name, frozenset(labels.items()))]
            assert float(series["value"][1]) == expected, f"{promql} {labels}"
    if total := SUM_OF_METRIC.match(promql):
        expected = sum(
            value
            for scraped in scraped_by_instance.values()
            for (name, _), value in scraped.items()
            if name == total[1]
        )
        assert values == [expected], promql
    if by := OUTER_BY.match(promql):
        promised = {label.strip() for label in by[1].split(",")}
        for series in result:
            assert set(series["metric"]) == promised, f"{promql}: {series['metric']}"


def run_all_traffic(apps):
    """Every instance's traffic at once: the slow lessons wait on the stand-in, not the CPU."""
    with ThreadPoolExecutor() as pool:
        runs = pool.map(lambda app: workshop.run_traffic(*app), apps)
        for traffic in runs:
            assert traffic.returncode == 0, traffic.stdout + traffic.stderr


@pytest.fixture(scope="module")
def prometheus_after_traffic(tmp_path_factory):
    """One Prometheus scraping every lesson at once, each after one run of its traffic.

    One, because Prometheus takes ~5 s to start scraping new targets; the lessons'
    metric names differ, and the checks below look at one instance at a time.
    """
    require_binary("prometheus")
    with ExitStack() as stack:
        github = stack.enter_context(workshop.fake_github())
        apps = []  # (lesson, url, port)
        for lesson in LESSONS:
            for _ in range(INSTANCES.get(lesson.name, 1)):
                port = workshop.free_port()
                app = workshop.lesson_app(lesson, port, github if lesson.uses_github else None)
                apps.append((lesson, stack.enter_context(app), port))
        ports = [port for _, _, port in apps]
        tmp_path = tmp_path_factory.mktemp("prometheus")
        prometheus_url = stack.enter_context(prometheus_running(tmp_path, ports))
        for port in ports:  # a scrape before the traffic, so rate() sees it rise
            wait_for_scrape(prometheus_url, port, after=0)
        run_all_traffic([(lesson, url) for lesson, url, _ in apps])
        traffic_done = time.time()
        for port in ports:
            wait_for_scrape(prometheus_url, port, after=traffic_done)
        scraped = {f"127.0.0.1:{port}": workshop.sample_values(url) for _, url, port in apps}
        yield prometheus_url, scraped


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_readme_query_answers_from_a_real_prometheus(lesson, prometheus_after_traffic):
    prometheus_url, scraped = prometheus_after_traffic
    queries = readme_queries(lesson)
    assert queries, "the README's 'Query it in Prometheus' section has no promql block"
    for promql in queries:
        check_answer(promql, query(prometheus_url, promql), scraped)


def test_prometheus_script_shows_lesson_01_in_prometheus(port_5000, tmp_path):
    """The 'done when' of the Prometheus setup, as a learner does it: the real
    config (5 s scrapes), scripts/prometheus.py, lesson 01 on port 5000."""
    require_binary("prometheus")
    lesson = workshop.find_lesson("01")
    port = workshop.free_port()
    script = [sys.executable, str(workshop.ROOT / "scripts" / "prometheus.py"), "--port", str(port)]
    prometheus_url = f"http://127.0.0.1:{port}"
    with (
        workshop.lesson_app(lesson, port_5000) as url,
        workshop.running(script, f"{prometheus_url}/-/ready", lambda answer: answer.ok),
    ):
        assert workshop.run_traffic(lesson, url).returncode == 0
        traffic_done = time.time()
        wait_for_scrape(prometheus_url, port_5000, after=traffic_done)
        [series] = query(prometheus_url, "home_page_visits_total")
    assert series["value"][1] == "3"
    assert series["metric"]["instance"] == "127.0.0.1:5000"


def test_rule_files_load_in_the_config_for_tests(tmp_path):
    """The rewritten config still loads every rule file (promtool resolves the glob)."""
    promtool = require_binary("promtool")
    config = tmp_path / "prometheus.yml"
    config.write_text(config_for_tests([5100, 5101], 9191), encoding="utf-8")
    result = subprocess.run([promtool, "check", "config", str(config)], capture_output=True)
    assert result.returncode == 0
    assert b"rules" in result.stdout
