"""The lesson contract, checked on every lesson folder against the real app."""

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest
import requests
import snippets
import workshop
from conftest import require_binary

LESSONS = workshop.all_lessons()
README_HEADINGS = [
    "# Lesson ",
    "## What you will learn",
    "## The metric type: ",
    "## The code, walked through",
    "## Run it",
    "## Query it in Prometheus",
    "## Common mistakes",
    "## Exercises",
]
ALLOWED_IMPORTS = {"flask", "prometheus_client", "requests", "werkzeug"}
NOT_IN_APP = "<!-- not in app.py -->"
# Split so that this file does not match itself.
LOCALHOST_URL = re.compile("//local" "host|local" r"host:\d")
PYTHON_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.DOTALL)


def by_name(lesson):
    return lesson.name


lesson_params = pytest.mark.parametrize("lesson", LESSONS, ids=by_name)


@pytest.fixture(scope="module", params=LESSONS, ids=by_name)
def after_traffic(request):
    """A lesson's app, freshly started, after one run of its traffic.py."""
    lesson = request.param
    with workshop.lesson_running(lesson) as url:
        traffic = workshop.run_traffic(lesson, url)
        assert traffic.returncode == 0, traffic.stdout + traffic.stderr
        yield lesson, url, workshop.scrape(url)


def shared_tail(path, marker):
    text = path.read_text(encoding="utf-8")
    assert marker in text, f"{path} lacks the line {marker!r}"
    return text[text.index(marker) :]


# --- the files ---------------------------------------------------------------


@lesson_params
def test_every_snippet_in_the_readme_has_its_expected_file_and_no_other(lesson):
    patterns = {pattern for pattern, _ in lesson.readme_snippets()}
    files = {path.stem for path in (lesson.folder / "expected").glob("*.txt")}
    assert patterns, "the README shows no curl | grep snippet"
    assert patterns == files


@lesson_params
def test_readme_shows_exactly_the_expected_output(lesson):
    for pattern, shown in lesson.readme_snippets():
        assert shown == lesson.snippet_file(pattern).read_text(encoding="utf-8"), pattern


@lesson_params
def test_readme_sections_come_in_the_same_order(lesson):
    text = re.sub(r"```.*?```", "", lesson.readme.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = [line for line in text.splitlines() if re.match(r"#{1,2} ", line)]
    assert len(headings) == len(README_HEADINGS), headings
    for heading, expected in zip(headings, README_HEADINGS, strict=True):
        assert heading.startswith(expected), f"{heading!r} should start with {expected!r}"


@lesson_params
def test_python_in_the_readme_is_copied_from_app_py(lesson):
    app_source = (lesson.folder / "app.py").read_text(encoding="utf-8")
    readme = lesson.readme.read_text(encoding="utf-8")
    for match in PYTHON_BLOCK.finditer(readme):
        if readme[: match.start()].rstrip().endswith(NOT_IN_APP):
            compile(match["code"], "README", "exec")  # an alternative: at least valid Python
            continue
        excerpt = textwrap.dedent(match["code"]).strip()
        assert excerpt in app_source, f"not a verbatim excerpt of app.py:\n{excerpt}"


@lesson_params
def test_app_imports_only_flask_prometheus_client_requests_and_the_standard_library(lesson):
    tree = ast.parse((lesson.folder / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            assert top in ALLOWED_IMPORTS or top in sys.stdlib_module_names, module


@lesson_params
def test_serving_code_and_traffic_code_are_the_same_in_every_lesson(lesson):
    model = workshop.find_lesson("01")
    for filename, marker in [
        ("app.py", "# The code below is the same in every lesson: each app.py"),
        ("traffic.py", "# The code below is the same in every lesson's traffic.py"),
    ]:
        tail = shared_tail(lesson.folder / filename, marker)
        assert tail == shared_tail(model.folder / filename, marker), filename


def test_no_url_uses_localhost():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=workshop.ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        path = workshop.ROOT / name
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".txt", ""} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not LOCALHOST_URL.search(text), name


# --- the running app ---------------------------------------------------------


def test_readme_curl_grep_commands_print_the_expected_snippets(after_traffic):
    require_binary("curl", package="curl")
    lesson, url, exposition = after_traffic
    types = snippets.sample_types(exposition)
    for pattern, _ in lesson.readme_snippets():
        command = (workshop.CURL_GREP + pattern).replace("http://127.0.0.1:5000", url)
        printed = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=10
        ).stdout
        expected = lesson.snippet_file(pattern).read_text(encoding="utf-8")
        assert snippets.compare(expected, printed, types) == [], command


def test_metrics_are_served_as_classic_text_to_curl(after_traffic):
    _, url, _ = after_traffic
    response = requests.get(f"{url}/metrics", headers={"Accept": "*/*"}, timeout=5)
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_metrics_are_served_as_openmetrics_to_prometheus(after_traffic):
    _, url, _ = after_traffic
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    response = requests.get(f"{url}/metrics", headers={"Accept": accept}, timeout=5)
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_metrics_pass_promtool_check_metrics(after_traffic, promtool):
    _, _, exposition = after_traffic
    result = subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- the grader --------------------------------------------------------------


def run_grader(target):
    return subprocess.run(
        [sys.executable, str(workshop.ROOT / "scripts" / "check.py"), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def rename_first_metric(app_source, snippet):
    """app.py with the first metric of the snippet renamed: a learner's typo."""
    sample = next(line for line in snippet.splitlines() if not line.startswith("#"))
    name = re.match(r"[\w:]+", sample)[0]
    for suffix in ("", "_total", "_info", "_bucket", "_count", "_sum", "_created"):
        literal = f'"{name.removesuffix(suffix)}"'
        if suffix and not name.endswith(suffix):
            continue
        if literal in app_source:
            return app_source.replace(literal, literal[:-1] + '_renamed"', 1)
    raise AssertionError(f"no string literal in app.py names {name}")


@lesson_params
def test_grader_passes_on_the_lesson(lesson):
    result = run_grader(lesson.number)
    assert result.returncode == 0, result.stdout
    assert "FAIL" not in result.stdout


@lesson_params
def test_grader_fails_with_a_hint_on_a_renamed_metric(lesson, tmp_path):
    copy = tmp_path / lesson.name  # the folder name tells the grader which lesson it is
    shutil.copytree(lesson.folder, copy)
    pattern, _ = lesson.readme_snippets()[0]
    app = copy / "app.py"
    app.write_text(rename_first_metric(app.read_text(), lesson.snippet_file(pattern).read_text()))
    result = run_grader(copy)
    assert result.returncode == 1, result.stdout
    assert f"FAIL  {pattern}" in result.stdout
    assert "was the metric renamed?" in result.stdout


# --- clear messages instead of tracebacks ------------------------------------


@lesson_params
def test_port_taken_gives_one_line_naming_the_port_and_the_fix(lesson):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(lesson.folder / "app.py")],
            env={**os.environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"port {port} is already in use" in line
    assert f"PORT={port + 1} python" in line


@lesson_params
def test_traffic_without_the_app_says_start_the_app_first(lesson):
    url = f"http://127.0.0.1:{workshop.free_port()}"
    result = workshop.run_traffic(lesson, url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"start the app first: python {lesson.name}/app.py" in line


@lesson_params
def test_traffic_refuses_to_run_against_another_lesson(lesson):
    other = workshop.find_lesson("05" if lesson.number == "01" else "01")
    with workshop.lesson_app(other) as url:
        result = subprocess.run(
            [sys.executable, str(lesson.folder / "traffic.py"), "--url", url],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert result.stdout == ""  # not a single request sent
    [line] = result.stderr.strip().splitlines()
    assert f"is not lesson {lesson.name}: its /metrics has no" in line


@lesson_params
def test_traffic_needs_a_url_with_a_scheme(lesson):
    result = workshop.run_traffic(lesson, "127.0.0.1:5000")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "--url must start with http:// or https://" in line


@lesson_params
def test_traffic_notices_a_server_that_is_not_the_lesson(lesson):
    port = workshop.free_port()
    other = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    with workshop.running(other, url, lambda answer: answer.ok, cwd=lesson.folder):
        result = workshop.run_traffic(lesson, url)
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert f"is not lesson {lesson.name}: no Prometheus metrics at /metrics" in line
    assert "Server: SimpleHTTP" in line
