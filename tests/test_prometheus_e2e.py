"""What the docs say about Prometheus, tried on a real Prometheus (the Debian
package's 2.42 in CI) with the repository's own configuration and rules:

- every ```promql block of every lesson README answers, from a Prometheus that
  scrapes the real lesson app after one run of its traffic;
- prometheus/README.md's "Watch an alert fire": one run of lesson 03's traffic is
  too few lookups for any alert (the traffic guard), three runs make both GitHub
  alerts pending, with the numbers the section quotes;
- every http://127.0.0.1:9090/... link in the Markdown files, and in the welcome
  text of scripts/prometheus.py, opens;
- scripts/prometheus.py with lesson 01 on port 5000, exactly as a learner runs them.

One Prometheus per lesson, all started at the same time in threads: lessons 03
and 04 export the same metric names, and Prometheus 2.42 takes ~5 s before it
scrapes a new target, so side by side the lessons pay those seconds once.
"""

import math
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import requests
from conftest import require_binary
from workshop import lesson_run, lessons, metrics_page, ports, processes, prometheus_setup

CONFIG = lessons.ROOT / "prometheus" / "prometheus.yml"
SCRIPT = lessons.ROOT / "scripts" / "prometheus.py"
GUIDE = lessons.ROOT / "prometheus" / "README.md"
GUIDE_SECTION = "## Watch an alert fire"
GUIDE_LESSON = "03_histograms"  # the lesson that section runs
GUIDE_RUNS = 3  # of its traffic: 27 lookups, over the alerts' guard of 20 (one run is 9)
# What that section says lesson 03's traffic gives (per run 9 lookups: 1 over 1 s, 2 failed).
GUIDE_VALUES = {
    "job:github_lookups_within_1s_per_github_lookups:ratio_rate5m": 8 / 9,
    "job:github_lookups_failed_per_github_lookups:ratio_rate5m": 2 / 9,
}
GUIDE_ALERTS = {"GitHubLookupsSlow", "GitHubLookupsFailing"}
PROMQL_BLOCK = re.compile(r"```promql\n(.*?)```", re.DOTALL)
BARE_SELECTOR = re.compile(r"^[a-zA-Z_:][\w:]*(\{[^}]*\})?$")
SUM_OF_METRIC = re.compile(r"^sum\(([a-zA-Z_:][\w:]*)\)$")
OUTER_BY = re.compile(r"^\w+ by \(([\w, ]+)\)")
NAME = re.compile(r"([a-zA-Z_:][\w:]*)\s*(\(?)")
NOT_NAMES = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
NOT_NAMES |= {"and", "or", "unless", "inf", "nan"}
# A README that mentions the second copy on 5001 runs two instances (lesson 04).
SECOND_COPY = "127.0.0.1:5001"
UI_LINK = re.compile(r"http://127\.0\.0\.1:9090[^\s<>()\[\]`'\"]*")
LESSONS = [lesson for lesson in lessons.all_lessons() if lesson.kind in ("app", "tests")]
SCRAPE_SECONDS = 30  # to wait for one scrape: Prometheus' first one comes ~5 s after its start
ALERT_SECONDS = 20  # to wait for rules evaluated after that scrape (1 s apart in the tests)


def promql_blocks(text):
    return [" ".join(block.split()) for block in PROMQL_BLOCK.findall(text)]


def guide_section():
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(GUIDE_SECTION)
    end = text.find("\n## ", start + len(GUIDE_SECTION))
    return text[start : end if end != -1 else len(text)]


def config_for_tests(lesson_ports, prometheus_port):
    """The repository's config as scripts/prometheus.py wires it (without Alertmanager:
    none runs here), with the lessons on test app_ports and 1 s scrapes."""
    lesson_targets = ", ".join(f'"127.0.0.1:{port}"' for port in lesson_ports)
    replacements = {
        "scrape_interval: 5s": "scrape_interval: 1s",
        "evaluation_interval: 5s": "evaluation_interval: 1s",
        '"127.0.0.1:5000", "127.0.0.1:5001"': lesson_targets,
    }
    text = prometheus_setup.prometheus_config(
        prometheus_setup.Ports(prometheus=prometheus_port), with_alertmanager=False
    )
    for old, new in replacements.items():
        assert text.count(old) == 1, f"prometheus.yml changed: expected one {old!r}"
        text = text.replace(old, new)
    return text


@contextmanager
def prometheus_running(tmp_path, lesson_ports):
    """Prometheus with the test config, on a free port (another if that one is taken)."""
    binary = require_binary("prometheus")

    @contextmanager
    def start(port):
        folder = tmp_path / str(port)
        folder.mkdir()
        config = folder / "prometheus.yml"
        config.write_text(config_for_tests(lesson_ports, port), encoding="utf-8")
        command = prometheus_setup.prometheus_command(config, folder / "data", port, binary)
        url = f"http://127.0.0.1:{port}"
        with processes.running(command, f"{url}/-/ready", lambda answer: answer.ok):
            yield url

    with processes.on_free_ports(start) as url:
        yield url


def script_command(port):
    """scripts/prometheus.py with Prometheus on `port`, and its Alertmanager and alert
    receiver on free ports too (it starts them when Alertmanager is installed)."""
    others = ["--alertmanager-port", ports.free_port(), "--receiver-port", ports.free_port()]
    return [sys.executable, SCRIPT, "--port", port, *others]


def query(prometheus_url, promql):
    answer = requests.get(f"{prometheus_url}/api/v1/query", params={"query": promql}, timeout=10)
    body = answer.json()
    if body["status"] != "success":
        raise QueryFailed(f"{body.get('errorType')}: {body.get('error')}")
    return body["data"]["result"]


class QueryFailed(Exception):
    """Prometheus refused the query (a syntax error, say); the message says why."""


def wait_for_scrape(prometheus_url, port, after, timeout=SCRAPE_SECONDS):
    """Wait for a successful scrape of the app on `port` that started after `after`
    (a Unix time). A failed one (1 s scrape timeout, a busy machine) is waited past."""
    up = f'up{{job="workshop", instance="127.0.0.1:{port}"}}'
    deadline = time.monotonic() + timeout
    last = "none"
    while time.monotonic() < deadline:
        # timestamp() of a plain selector is the scrape's start (of anything else, now)
        scraped_at = query(prometheus_url, f"timestamp({up})")
        if scraped_at and float(scraped_at[0]["value"][1]) > after:
            [state] = query(prometheus_url, up)
            last = f"up {state['value'][1]}"
            if state["value"][1] == "1":
                return
        time.sleep(0.2)
    raise AssertionError(
        f"Prometheus did not scrape 127.0.0.1:{port} within {timeout} s (last scrape: {last})"
    )


def unix_time(rfc3339):
    """Go's RFC 3339 time (nanoseconds, Z or an offset) as a Unix time, in Python 3.10 too."""
    match = re.fullmatch(r"([\d-]+T[\d:]+)(\.\d+)?(Z|[+-][\d:]+)", rfc3339)
    base, fraction, zone = match.groups()
    moment = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return moment.timestamp() + float(fraction or 0)


def wait_for_rules(prometheus_url, after, timeout=ALERT_SECONDS):
    """Wait until every rule group has been evaluated since `after` (a Unix time), so
    that a recorded series holds what the last scrape brought."""

    def evaluated_since():
        answer = requests.get(f"{prometheus_url}/api/v1/rules", timeout=10).json()
        groups = answer["data"]["groups"]
        return all(unix_time(group["lastEvaluation"]) > after for group in groups)

    if not processes.wait_for(evaluated_since, timeout, interval=0.2):
        raise AssertionError(f"Prometheus did not evaluate its rules within {timeout} s")


def names_not_in_prometheus(prometheus_url, promql):
    """The metric names in `promql` of which Prometheus has no series: the likely cause
    of an empty answer (a README that still uses a renamed metric)."""
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", " ", promql)  # matchers, ranges, strings
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = {name for name, call in NAME.findall(text) if not call and name not in NOT_NAMES}
    return sorted(name for name in names if not query(prometheus_url, f"count({name})"))


# --- one lesson, observed from its own Prometheus ------------------------------------


@dataclass
class Answer:
    promql: str
    result: list | None = None
    error: str | None = None
    missing: list = field(default_factory=list)  # names Prometheus has no series of


@dataclass
class Observation:
    """What one lesson's Prometheus answered, after one run of the lesson's traffic."""

    scraped: dict  # {instance: metrics_page.sample_values() of that app, after the traffic}
    answers: list  # an Answer per ```promql block of the README, in order
    pending: set = field(default_factory=set)  # GUIDE_LESSON only: alerts seen pending
    after_one_run: set = field(default_factory=set)  # GUIDE_LESSON only: alerts after 1 run
    guide: list = field(default_factory=list)  # GUIDE_LESSON only: the guide's queries


def ask(prometheus_url, promql):
    try:
        result = query(prometheus_url, promql)
    except QueryFailed as error:
        return Answer(promql, error=str(error))
    missing = [] if result else names_not_in_prometheus(prometheus_url, promql)
    return Answer(promql, result, missing=missing)


def send_traffic_to_all(lesson, urls):
    """traffic.py against each instance at once; TrafficFailed names the lesson and why."""
    with ThreadPoolExecutor() as pool:
        list(pool.map(lambda url: lesson_run.send_traffic(lesson, url), urls))


def wait_for_pending_alerts(prometheus_url, expected, timeout=ALERT_SECONDS):
    """The alerts of `expected` seen pending (or firing) before the timeout."""
    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline and not expected <= seen:
        seen = alert_names(prometheus_url)
        time.sleep(0.2)
    return seen


def alert_names(prometheus_url):
    """The alerts pending or firing now."""
    return {series["metric"]["alertname"] for series in query(prometheus_url, "ALERTS")}


def observe(lesson, tmp_path):
    """Start the lesson (two copies if its README runs two) and its own Prometheus,
    send the traffic once, and ask every README query; stop them all on return."""
    readme = lesson.readme.read_text(encoding="utf-8")
    copies = 2 if SECOND_COPY in readme else 1
    with ExitStack() as stack:
        urls = [stack.enter_context(lesson_run.lesson_running(lesson)) for _ in range(copies)]
        app_ports = [urlsplit(url).port for url in urls]
        prometheus_url = stack.enter_context(prometheus_running(tmp_path, app_ports))
        for port in app_ports:  # a scrape before the traffic, so that rate() sees it rise
            wait_for_scrape(prometheus_url, port, after=0)
        send_traffic_to_all(lesson, urls)
        traffic_done = time.time()
        for port in app_ports:
            wait_for_scrape(prometheus_url, port, after=traffic_done)
        wait_for_rules(prometheus_url, after=time.time())
        scraped = {
            f"127.0.0.1:{urlsplit(url).port}": metrics_page.sample_values(url) for url in urls
        }
        observation = Observation(
            scraped, [ask(prometheus_url, promql) for promql in promql_blocks(readme)]
        )
        if lesson.name == GUIDE_LESSON:
            observation.after_one_run = alert_names(prometheus_url)
            for _ in range(GUIDE_RUNS - 1):
                send_traffic_to_all(lesson, urls)
            wait_for_scrape(prometheus_url, app_ports[0], after=time.time())
            wait_for_rules(prometheus_url, after=time.time())
            observation.pending = wait_for_pending_alerts(prometheus_url, GUIDE_ALERTS)
            observation.guide = [
                ask(prometheus_url, promql) for promql in promql_blocks(guide_section())
            ]
        return observation


def observation_of(futures, name):
    """The lesson's Observation, or a one-line failure that names the lesson."""
    try:
        return futures[name].result()
    except Exception as error:  # whatever went wrong: starting, traffic, scraping
        pytest.fail(f"{name}: {error.__class__.__name__}: {error}", pytrace=False)


# --- checks ------------------------------------------------------------------------


def problems(answer, scraped_by_instance=None):
    """What is wrong with one answer: [] when the query answered as the README promises.

    With the apps' samples (scraped_by_instance), a bare selector must give exactly
    their values and a plain sum() their sum.
    """
    if answer.error:
        return [f"Prometheus refused it: {answer.error}"]
    if not answer.result:
        hint = f": no series named {', '.join(answer.missing)}" if answer.missing else ""
        return [f"empty answer{hint}"]
    found = []
    values = [float(series["value"][1]) for series in answer.result]
    if any(math.isnan(value) for value in values):
        found.append(f"NaN in {answer.result}")
    promql = answer.promql
    if scraped_by_instance is not None and BARE_SELECTOR.match(promql):  # exact values
        for series in answer.result:
            labels = dict(series["metric"])
            name, instance = labels.pop("__name__"), labels.pop("instance", None)
            if instance is None:  # a recorded series (job level): not on any /metrics
                continue
            labels.pop("job", None)
            expected = scraped_by_instance[instance].get((name, frozenset(labels.items())))
            if float(series["value"][1]) != expected:
                found.append(f"{name}{labels} is {series['value'][1]}, the app says {expected}")
    if scraped_by_instance is not None and (total := SUM_OF_METRIC.match(promql)):
        expected = sum(
            value
            for scraped in scraped_by_instance.values()
            for (name, _), value in scraped.items()
            if name == total[1]
        )
        if values != [expected]:
            found.append(f"{values}, the apps' sum is {expected}")
    if by := OUTER_BY.match(promql):
        promised = {label.strip() for label in by[1].split(",")}
        for series in answer.result:
            if set(series["metric"]) != promised:
                found.append(f"labels {sorted(series['metric'])}, not the promised {promised}")
    return found


def report(where, answers, scraped=None):
    """Fail with every query that went wrong, and why, in one message."""
    failed = [(answer, problems(answer, scraped)) for answer in answers]
    failed = [(answer, found) for answer, found in failed if found]
    if failed:
        lines = [
            f"  {answer.promql}\n" + "".join(f"    -> {p}\n" for p in found)
            for answer, found in failed
        ]
        pytest.fail(
            f"{where}: {len(failed)} of {len(answers)} queries failed:\n" + "".join(lines),
            pytrace=False,
        )


def test_every_promql_query_in_the_docs_answers_from_a_real_prometheus(subtests, tmp_path):
    """One subtest per lesson README, and one for prometheus/README.md's "Watch an
    alert fire" (lesson 03's Prometheus): a lesson that fails does not hide the others.

    One test, not one per lesson: every lesson starts at the same time, on one xdist
    worker, so the ~5 s each Prometheus waits before its first scrape are paid once.
    """
    require_binary("prometheus")
    with ThreadPoolExecutor(max_workers=len(LESSONS)) as pool:
        futures = {}
        for lesson in LESSONS:
            folder = tmp_path / lesson.name
            folder.mkdir()
            futures[lesson.name] = pool.submit(observe, lesson, folder)
        for lesson in LESSONS:
            with subtests.test(msg=f"{lesson.name}/README.md"):
                check_lesson_queries(lesson, observation_of(futures, lesson.name))
        with subtests.test(msg="prometheus/README.md"):
            if GUIDE_LESSON not in futures:
                pytest.fail(f"no {GUIDE_LESSON}/README.md: nothing to watch an alert fire with")
            check_watch_an_alert_fire(observation_of(futures, GUIDE_LESSON))


def check_lesson_queries(lesson, observation):
    if not observation.answers:
        pytest.fail(
            f"{lesson.name}/README.md: its 'Query it in Prometheus' section has no promql block",
            pytrace=False,
        )
    report(f"{lesson.name}/README.md", observation.answers, observation.scraped)


def check_watch_an_alert_fire(observation):
    where = f"prometheus/README.md '{GUIDE_SECTION[3:]}', after {GUIDE_LESSON}'s traffic"
    if observation.after_one_run & GUIDE_ALERTS:
        pytest.fail(
            f"{where}: pending after one run, on 9 lookups: {sorted(observation.after_one_run)}",
            pytrace=False,
        )
    if not observation.pending >= GUIDE_ALERTS:
        pytest.fail(
            f"{where}: pending within {ALERT_SECONDS} s: {sorted(observation.pending)}, "
            f"not {sorted(GUIDE_ALERTS)}",
            pytrace=False,
        )
    # The recorded series and ALERTS are not on the app's /metrics: no exact-value check.
    report(where, observation.guide)
    shown = {answer.promql: answer for answer in observation.guide}
    for promql, said in GUIDE_VALUES.items():
        if promql not in shown:
            pytest.fail(f"{where}: the section no longer shows {promql}", pytrace=False)
        [series] = shown[promql].result
        value = float(series["value"][1])
        if not math.isclose(value, said, rel_tol=1e-9):
            pytest.fail(f"{where}: {promql} is {value}, the section says {said:.4g}", pytrace=False)


# --- the UI links of the docs ----------------------------------------------------------


def markdown_files():
    """Every Markdown file git knows of or would add (not the ignored ones, such as .venv)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"],
        cwd=lessons.ROOT,
        capture_output=True,
        text=True,
    )
    if listed.returncode == 0:
        return sorted({lessons.ROOT / name for name in listed.stdout.splitlines()})
    return sorted(  # not a git checkout: every .md outside hidden folders
        path
        for path in lessons.ROOT.rglob("*.md")
        if not any(part.startswith(".") for part in path.relative_to(lessons.ROOT).parts)
    )


def ui_links(text):
    return {link.rstrip(".,;:") for link in UI_LINK.findall(text)}


def test_every_prometheus_ui_link_opens_on_debians_prometheus(tmp_path):
    """Every http://127.0.0.1:9090/... link in the docs, and in the welcome text that
    scripts/prometheus.py prints, answers 200 (after redirects) from a real Prometheus
    as Debian/Ubuntu package it: only the classic UI, so /alerts is a 404 there."""
    require_binary("prometheus")
    links = {}  # {link: the files that hold it}
    for path in markdown_files():
        if path.is_file():
            for link in ui_links(path.read_text(encoding="utf-8", errors="replace")):
                links.setdefault(link, []).append(lessons.display(path))
    assert links, "no http://127.0.0.1:9090 link in any Markdown file"

    @contextmanager
    def start(port):
        command = script_command(port)
        ready = f"http://127.0.0.1:{port}/-/ready"
        env = {"TMPDIR": str(tmp_path)}  # its data folder
        with processes.running(command, ready, lambda answer: answer.ok, env=env) as server:
            yield port, server

    with processes.on_free_ports(start) as (port, server):
        build = query_build(port)
        if not build["branch"].startswith("debian"):
            skip_or_fail(f"the links are for Debian's Prometheus; this one is {build}")
        welcome = server.output()
        welcome_links = ui_links(welcome.replace(f":{port}", ":9090"))
        assert welcome_links, f"scripts/prometheus.py printed no link: {welcome!r}"
        for link in welcome_links:
            links.setdefault(link, []).append("scripts/prometheus.py")
        broken = []
        for link, where in sorted(links.items()):
            answer = requests.get(link.replace(":9090", f":{port}", 1), timeout=10)
            if answer.status_code != 200:
                broken.append(f"  {link} -> HTTP {answer.status_code}, in {', '.join(where)}")
    assert not broken, "links that do not open on Debian's Prometheus 2.42:\n" + "\n".join(broken)


def query_build(port):
    url = f"http://127.0.0.1:{port}/api/v1/status/buildinfo"
    return requests.get(url, timeout=10).json()["data"]


def skip_or_fail(message):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# --- as a learner runs it ----------------------------------------------------------


def test_prometheus_script_shows_lesson_01_in_prometheus(port_5000):
    """The 'done when' of the Prometheus setup, as a learner does it: the real
    config (5 s scrapes), scripts/prometheus.py, lesson 01 on port 5000."""
    require_binary("prometheus")
    lesson = lessons.lesson_named("01")

    @contextmanager
    def start(port):
        url = f"http://127.0.0.1:{port}"
        command = script_command(port)
        with processes.running(command, f"{url}/-/ready", lambda answer: answer.ok):
            yield url

    with (
        lesson_run.lesson_running(lesson, port_5000) as url,
        processes.on_free_ports(start) as prom,
    ):
        lesson_run.send_traffic(lesson, url)
        traffic_done = time.time()
        wait_for_scrape(prom, port_5000, after=traffic_done)
        visits = query(prom, "page_visits_total")
    assert {series["metric"]["page"]: series["value"][1] for series in visits} == {
        "home": "3",
        "about": "1",
    }
    assert {series["metric"]["instance"] for series in visits} == {"127.0.0.1:5000"}


def test_rule_files_load_in_the_config_for_tests(tmp_path):
    """The rewritten config still loads every rule file (promtool resolves the glob)."""
    promtool = require_binary("promtool")
    config = tmp_path / "prometheus.yml"
    config.write_text(config_for_tests([5100, 5101], 9191), encoding="utf-8")
    result = subprocess.run([promtool, "check", "config", str(config)], capture_output=True)
    assert result.returncode == 0
    assert b"rules" in result.stdout


# --- lesson 06: the bug, as Prometheus sees it ---------------------------------------------

FALSE_RESETS = "resets(http_requests_total[5m])"  # the query 06's README shows for the bug
# Each scrape lands on one of two workers; gthread workers take connections less evenly
# than sync ones did: after the traffic, one worker can answer some 20 scrapes in a row
# (first false reset after 12 to 37 s in 8 runs, against 2 to 5 s with sync workers).
RESETS_SECONDS = 90


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows: use WSL")
def test_lesson_06_without_multiprocess_mode_shows_false_resets_and_with_it_none(tmp_path):
    """Issue 12: two workers without multiprocess mode answer scrapes with two different
    counts, so Prometheus sees a counter go down: resets that never happened. The same
    app in multiprocess mode, scraped just as often, shows none."""
    require_binary("prometheus")
    lesson = lessons.lesson_named("06")
    assert FALSE_RESETS in promql_blocks(lesson.readme.read_text(encoding="utf-8"))
    with ExitStack() as stack:
        broken = stack.enter_context(lesson_run.lesson_running(lesson, env={"MULTIPROC": "off"}))
        fixed = stack.enter_context(lesson_run.lesson_running(lesson))
        app_ports = {name: urlsplit(url).port for name, url in (("off", broken), ("on", fixed))}
        prometheus_url = stack.enter_context(prometheus_running(tmp_path, app_ports.values()))
        for port in app_ports.values():
            wait_for_scrape(prometheus_url, port, after=0)
        send_traffic_to_all(lesson, [broken, fixed])

        def resets(name):
            instance = f'instance="127.0.0.1:{app_ports[name]}"'
            promql = FALSE_RESETS.replace(
                "http_requests_total", f"http_requests_total{{{instance}}}"
            )
            return sum(float(series["value"][1]) for series in query(prometheus_url, promql))

        false_reset = processes.wait_for(lambda: resets("off") != 0, RESETS_SECONDS, interval=0.5)
        assert false_reset, f"no false reset within {RESETS_SECONDS} s"
        wait_for_scrape(prometheus_url, app_ports["on"], after=time.time())
        assert resets("on") == 0


# --- what a README says Prometheus does with an answer ------------------------------

HAND_WRITTEN_ROUTE = """
import sys
from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, CONTENT_TYPE_PLAIN_0_0_4, Counter
from prometheus_client import generate_latest, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

Counter("hand_written", "Counted once.").inc()
app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/mounted/metrics": make_wsgi_app()})


@app.get("/metrics")  # as tutorials write it (01's README, Common mistakes)
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


@app.get("/fixed/metrics")  # as the README says to write it
def fixed():
    return Response(generate_latest(), content_type=CONTENT_TYPE_PLAIN_0_0_4)


app.run(host="127.0.0.1", port=int(sys.argv[1]))
"""


def test_a_hand_written_route_sends_two_charsets_which_prometheus_2_only_logs(tmp_path):
    """01's README: `mimetype=` makes Flask add a second charset; Prometheus 2.42
    scrapes it anyway, with a debug line (Prometheus 3 fails the scrape instead,
    https://prometheus.io/docs/prometheus/latest/migration/#scrape-protocols).
    `content_type=` sends the header as given. And, as it says of `_created`, a
    Prometheus without created-timestamp ingestion stores it as an ordinary series,
    whichever format the client answered in (make_wsgi_app: OpenMetrics). Also
    02's: an app that stopped is `up == 0`, and absent() of its metrics is 1."""
    binary = require_binary("prometheus")
    app_file = tmp_path / "hand_written.py"
    app_file.write_text(HAND_WRITTEN_ROUTE, encoding="utf-8")

    @contextmanager
    def start(ports_):
        app_port, prometheus_port = ports_
        stopped = ports.free_port()  # nothing listens there: an app that stopped
        config = tmp_path / f"prometheus-{prometheus_port}.yml"
        targets = [f"127.0.0.1:{app_port}"]
        config.write_text(
            "global: {scrape_interval: 1s}\nscrape_configs:\n"
            f"  - {{job_name: hand, static_configs: [{{targets: {targets}}}]}}\n"
            f"  - {{job_name: fixed, metrics_path: /fixed/metrics, "
            f"static_configs: [{{targets: {targets}}}]}}\n"
            f"  - {{job_name: mounted, metrics_path: /mounted/metrics, "
            f"static_configs: [{{targets: {targets}}}]}}\n"
            f"  - {{job_name: stopped, static_configs: [{{targets: [127.0.0.1:{stopped}]}}]}}\n",
            encoding="utf-8",
        )
        command = prometheus_setup.prometheus_command(
            config, tmp_path / f"data-{prometheus_port}", prometheus_port, binary
        )
        command[-1] = "--log.level=debug"
        url = f"http://127.0.0.1:{prometheus_port}"
        with (
            processes.running(
                [sys.executable, app_file, app_port],
                f"http://127.0.0.1:{app_port}/fixed/metrics",
                lambda answer: answer.ok,
            ),
            processes.running(command, f"{url}/-/ready", lambda answer: answer.ok) as server,
        ):
            yield app_port, url, server

    with processes.on_free_ports(lambda port: start((port, ports.free_port()))) as started:
        app_port, url, prometheus = started
        answer = requests.get(f"http://127.0.0.1:{app_port}/metrics", timeout=10)
        fixed = requests.get(f"http://127.0.0.1:{app_port}/fixed/metrics", timeout=10)
        for job in ("hand", "fixed", "mounted"):
            up = f'up{{job="{job}"}} == 1 and on() hand_written_total{{job="{job}"}} == 1'
            assert processes.wait_for(lambda up=up: query(url, up), SCRAPE_SECONDS), job
            assert query(url, f'hand_written_created{{job="{job}"}} > 0'), job
        # 02's README: a stopped app is up == 0; absent() is 1 for its metrics.
        assert processes.wait_for(lambda: query(url, 'up{job="stopped"} == 0'), SCRAPE_SECONDS)
        [gone] = query(url, 'absent(hand_written_total{job="stopped"})')
        assert gone["value"][1] == "1"
        log = prometheus.output()
    assert answer.headers["Content-Type"] == (
        "text/plain; version=1.0.0; charset=utf-8; charset=utf-8"
    )
    assert fixed.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    fallbacks = [line for line in log.splitlines() if "using prometheus parser as fallback" in line]
    assert fallbacks and all("duplicate parameter name" in line for line in fallbacks)
    assert all("/fixed/metrics" not in line for line in fallbacks)


def test_prometheus_scrapes_every_minute_unless_told(tmp_path):
    """01's and 03's READMEs: the 15 s of many configs is the example config's;
    Prometheus' own default scrape interval is 1 minute."""
    binary = require_binary("prometheus")
    config = tmp_path / "prometheus.yml"
    config.write_text("scrape_configs:\n  - job_name: none\n", encoding="utf-8")

    @contextmanager
    def start(port):
        command = prometheus_setup.prometheus_command(
            config, tmp_path / f"data-{port}", port, binary
        )
        url = f"http://127.0.0.1:{port}"
        with processes.running(command, f"{url}/-/ready", lambda answer: answer.ok):
            yield url

    with processes.on_free_ports(start) as url:
        loaded = requests.get(f"{url}/api/v1/status/config", timeout=10).json()["data"]["yaml"]
    assert "  scrape_interval: 1m\n" in loaded
