"""The lesson contract, checked on every lesson folder against the real app: the
app lessons (01-06), and lesson 07, whose README runs tests against its app."""

import ast
import re
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest
import requests
from conftest import require_binary
from workshop import (
    lesson_run,
    lessons,
    metrics_page,
    ports,
    processes,
    readme_commands,
    readme_walk,
)
from workshop.grading import app_grader, snippets
from workshop.lessons import at_start

LESSONS = [lesson for lesson in lessons.all_lessons() if lesson.kind in ("app", "tests")]
APP_LESSONS = lessons.app_lessons()  # graded by their /metrics, snippet by snippet
# Lessons served by Flask's own server (lesson 06 is served by gunicorn).
FLASK_SERVED = [lesson for lesson in LESSONS if "app.run(" in lesson.app.read_text("utf-8")]
README_HEADINGS = [
    r"# Lesson \d\d: \S",
    r"## What you will learn$",
    r"## The metric type: \S",
    r"(## Step \d+: \S.*\n)+",
    r"## Query it in Prometheus$",
    r"## Common mistakes$",
    r"## Exercise$",
]
ALLOWED_IMPORTS = {"flask", "prometheus_client", "requests", "werkzeug", "gunicorn"}
MAX_LINES_OF_CODE = 50
# Split so that this file does not match itself.
LOCALHOST_URL = re.compile("//local" "host|local" r"host:\d")
PYTHON_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.DOTALL)


def by_name(lesson):
    return lesson.name


def app_files(lesson):
    """app.py and the step files before it: every file a README step starts."""
    if lesson.kind == "tests":  # its step files are tests
        return [lesson.app]
    return [lesson.app, *sorted(lesson.folder.glob("step*_*.py"))]


def files_run_by_pytest(lesson):
    """Lesson 07's step files and finished tests: every file its README runs with pytest."""
    if lesson.kind != "tests":
        return []
    return [*sorted(lesson.folder.glob("step*_*.py")), lesson.reference]


def pytest_commands(text):
    """(where, the file) of each `python -m pytest FILE ...` a README runs."""
    return [
        (command.block.start, command.match["args"].split()[0])
        for command in readme_commands.commands(text)
        if command.kind == "pytest"
    ]


def code_files(lesson):
    """Every Python file a learner reads in the lesson folder; for the exercise, its
    pristine starter (the learner's exercise.py is theirs to change)."""
    files = [path for path in lesson.folder.glob("*.py") if path != lesson.exercise]
    return sorted([*files, *([lesson.starter] if lesson.starter.is_file() else [])])


def lines_of_code(path):
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text(encoding="utf-8")
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )


lesson_params = pytest.mark.parametrize("lesson", LESSONS, ids=by_name)
app_lesson_params = pytest.mark.parametrize("lesson", APP_LESSONS, ids=by_name)
app_file_params = pytest.mark.parametrize(
    "lesson, app_file",
    [(lesson, path) for lesson in LESSONS for path in app_files(lesson)],
    ids=lambda value: value.name if hasattr(value, "name") else str(value),
)


# --- the files ---------------------------------------------------------------


@lesson_params
def test_readme_sections_come_in_the_same_order(lesson):
    text = re.sub(r"```.*?```", "", lesson.readme.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = "".join(line + "\n" for line in text.splitlines() if re.match(r"#{1,2} ", line))
    pattern = "".join(
        heading if heading.endswith(")+") else heading.rstrip("$") + ".*\n"
        for heading in README_HEADINGS
    )
    assert re.fullmatch(pattern, headings), headings


@lesson_params
def test_python_in_the_readme_is_copied_from_the_file_its_step_runs(lesson):
    """Each ```python excerpt comes verbatim from the app its section starts (or,
    when the section starts none, the app running since an earlier section), from
    a test file the section runs with pytest, or from one of the lesson's own
    modules beside it."""
    text = lesson.readme.read_text(encoding="utf-8")
    starts = [
        (command.block.start, command.match["file"])
        for command in readme_commands.commands(text)
        if command.kind == "start"
    ]
    runs = pytest_commands(text)
    for block in PYTHON_BLOCK.finditer(text):
        section = readme_commands.section_at(text, block.start())
        same_section = [
            file
            for position, file in starts
            if readme_commands.section_at(text, position) == section and position > block.start()
        ]
        earlier = [file for position, file in starts if position < block.start()]
        source_file = (same_section or earlier or ["?"])[0]
        tested = [
            file for position, file in runs if readme_commands.section_at(text, position) == section
        ]
        sources = [lessons.ROOT / source_file, *(lessons.ROOT / file for file in tested)]
        sources += helper_modules(lesson)
        excerpt = textwrap.dedent(block["code"]).strip()
        assert any(is_excerpt_of(excerpt, path.read_text(encoding="utf-8")) for path in sources), (
            f"not a verbatim excerpt of {source_file} or of {[p.name for p in sources[1:]]}:\n"
            f"{excerpt}"
        )


def is_excerpt_of(excerpt, source):
    """Whether the (dedented) excerpt is in source as it is, or as the body of a
    function or class there: the same lines, each indented alike."""
    return any(textwrap.indent(excerpt, " " * spaces) in source for spaces in range(0, 13, 4))


def helper_modules(lesson):
    """The lesson's own modules beside its apps (github.py, gunicorn_conf.py)."""
    apps = {
        *app_files(lesson),
        *files_run_by_pytest(lesson),
        lesson.starter,
        lesson.folder / "traffic.py",
    }
    return [path for path in code_files(lesson) if path not in apps]


@app_file_params
def test_every_app_file_has_at_most_50_lines_of_code(lesson, app_file):
    assert lines_of_code(app_file) <= MAX_LINES_OF_CODE


@pytest.mark.parametrize("lesson", FLASK_SERVED, ids=by_name)
def test_the_serving_code_is_the_same_in_every_app_file(lesson):
    model = serving_tail(lessons.lesson_named("01").app)
    starter = [lesson.starter] if lesson.kind == "app" else []  # 07's exercise is tests
    for path in [*app_files(lesson), *starter]:
        if path.is_file():
            assert serving_tail(path) == model, path.name


def serving_tail(path):
    text = path.read_text(encoding="utf-8")
    return text[text.index('if __name__ == "__main__":') :]


@lesson_params
def test_lesson_code_imports_only_its_folder_flask_prometheus_client_requests_stdlib(lesson):
    """And pytest, in lesson 07."""
    own = {path.stem for path in code_files(lesson)}
    allowed = ALLOWED_IMPORTS | own | ({"pytest"} if lesson.kind == "tests" else set())
    for path in code_files(lesson):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top in allowed | sys.stdlib_module_names, f"{path.name} imports {module}"


@app_lesson_params
def test_the_grader_checks_exactly_what_the_readme_shows_for_app_py(lesson):
    """Every expected/ snippet is a `curl | grep` the README runs on app.py, shown as is."""
    text = lesson.readme.read_text(encoding="utf-8")
    shown = readme_commands.grader_snippets(lesson, readme_commands.commands(text))
    assert sorted(shown) == lesson.snippet_patterns()
    for snippet, command in shown.items():
        assert command.shown, f"no output shown under: {command.line}"
        assert command.shown.body == lesson.snippet_file(snippet).read_text("utf-8"), snippet


def test_no_url_uses_localhost():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=lessons.ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        path = lessons.ROOT / name
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".txt", ""} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not LOCALHOST_URL.search(text), name


# --- the README, run as a learner would ----------------------------------------


@lesson_params
def test_every_readme_command_runs_and_prints_what_the_readme_shows(lesson, promtool):
    """The walk also lints /metrics of every app it runs, after its traffic."""

    def promtool_finds_nothing(app_file, url):
        result = subprocess.run(
            [promtool, "check", "metrics"],
            input=metrics_page.scrape(url),
            capture_output=True,
            text=True,
        )
        output = result.stdout + result.stderr
        return [f"promtool check metrics on {app_file.name}: {output}"] if output else []

    problems = readme_walk.problems(lesson, after_traffic=promtool_finds_nothing)
    assert problems == [], "\n\n".join(problems)


@lesson_params
def test_the_readme_runs_every_app_file_of_the_lesson(lesson):
    """So that the walk above lints every one of them (and runs lesson 07's tests)."""
    text = lesson.readme.read_text(encoding="utf-8")
    started = {
        lessons.ROOT / command.match["file"]
        for command in readme_commands.commands(text)
        if command.kind == "start"
    }
    assert set(app_files(lesson)) <= started
    assert set(files_run_by_pytest(lesson)) <= {
        lessons.ROOT / file for _, file in pytest_commands(text)
    }


# --- the running app ---------------------------------------------------------


@pytest.fixture(scope="module", params=LESSONS, ids=by_name)
def after_traffic(request):
    """A lesson's app, freshly started, after one run of its traffic.py."""
    lesson = request.param
    with lesson_run.lesson_running(lesson) as url:
        lesson_run.send_traffic(lesson, url)
        yield lesson, url, metrics_page.scrape(url)


def expected_after_traffic(lesson):
    """{pattern: what `curl ... | grep PATTERN` prints after the traffic}: the grader's
    snippets; for lesson 07, which has none, the outputs its README shows for app.py."""
    if lesson.kind == "app":
        patterns = [snippet for snippet in lesson.snippet_patterns() if not at_start(snippet)]
        return {pattern: lesson.snippet_file(pattern).read_text("utf-8") for pattern in patterns}
    text = lesson.readme.read_text(encoding="utf-8")
    shown = readme_commands.grader_snippets(lesson, readme_commands.commands(text))
    return {
        pattern: command.shown.body
        for pattern, command in shown.items()
        if not at_start(pattern) and command.block.marker is None  # "output varies"
    }


def test_readme_curl_grep_commands_print_the_expected_snippets(after_traffic):
    require_binary("curl", package="curl")
    lesson, url, exposition = after_traffic
    types = snippets.sample_types(exposition)
    expected = expected_after_traffic(lesson)
    assert expected, "no curl | grep to compare"
    for pattern, text in expected.items():
        command = (metrics_page.CURL_GREP + pattern).replace("http://127.0.0.1:5000", url)
        printed = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=10
        ).stdout
        assert snippets.compare(text, printed, types) == [], command


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


@pytest.mark.parametrize(
    "lesson", [lesson for lesson in FLASK_SERVED if lesson.kind == "app"], ids=by_name
)
def test_app_runs_with_debug_true_edited_in(lesson, tmp_path):
    """The first thing a Flask user tries: the reloader runs the app in a child process."""
    copy = tmp_path / lesson.name
    shutil.copytree(lesson.folder, copy)
    app = copy / "app.py"
    source = app.read_text(encoding="utf-8")
    assert source.count("port=int(port))") == 1
    app.write_text(source.replace("port=int(port))", "port=int(port), debug=True)"))
    lines, passed = app_grader.grade(lessons.Lesson(copy), app, 60)
    assert passed, "\n".join(lines)


# --- clear messages instead of tracebacks ------------------------------------


def run_app(lesson, port):
    return subprocess.run(
        [sys.executable, str(lesson.app)],
        env=processes.environment({"PORT": str(port)}),
        capture_output=True,
        text=True,
        timeout=30,
    )


# The serving code is the same in every Flask-served file (see above): lesson 01 stands for all.
def test_port_taken_gives_werkzeugs_short_message_and_no_traceback():
    lesson = lessons.lesson_named("01")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_app(lesson, port)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Port {port} is in use by another program." in result.stderr


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1", "²"])
def test_a_bad_port_gives_one_line(port):
    result = run_app(lessons.lesson_named("01"), port)
    assert result.returncode == 1
    assert result.stderr.strip() == f"PORT must be a number from 1 to 65535, not {port!r}"


@lesson_params
def test_traffic_without_the_app_says_start_the_app_first(lesson):
    url = f"http://127.0.0.1:{ports.free_port()}"
    result = lesson_run.run_traffic(lesson, url)
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert f"start the app first: python {lesson.name}/app.py" in line


@lesson_params
def test_traffic_needs_a_url_with_a_scheme(lesson):
    result = lesson_run.run_traffic(lesson, "127.0.0.1:5000")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "try --url http://127.0.0.1:5000" in line


@pytest.fixture(scope="module")
def not_a_lesson():
    """A web server without /metrics, such as the AirPlay Receiver on a Mac's port 5000."""
    port = ports.free_port()
    other = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    with processes.running(other, url, lambda answer: answer.ok, cwd=lessons.ROOT / "scripts"):
        yield url


@lesson_params
def test_traffic_notices_a_server_that_is_not_a_lesson(lesson, not_a_lesson):
    result = lesson_run.run_traffic(lesson, not_a_lesson)
    assert result.returncode != 0
    assert result.stdout == ""  # not a single request sent
    [line] = result.stderr.strip().splitlines()
    assert "is not a lesson's metrics" in line and "Server: SimpleHTTP" in line


# --- what the root README says promtool check metrics sees --------------------------

LINTED = """\
# HELP visits Visits.
# TYPE visits counter
visits 3
# HELP lookup_milliseconds A lookup.
# TYPE lookup_milliseconds gauge
lookup_milliseconds 3
# HELP camelCaseThing Camel.
# TYPE camelCaseThing gauge
camelCaseThing 1
# TYPE no_help gauge
no_help 1
"""
NOT_SEEN = """\
# HELP page_visits_total Visits, labelled with the path the user asked for.
# TYPE page_visits_total counter
page_visits_total{path="/wp-login.php"} 1
page_visits_total{path="/.env"} 1
# HELP http_inprogress_requests Requests in progress, never decremented.
# TYPE http_inprogress_requests gauge
http_inprogress_requests 41
"""


def test_promtool_check_metrics_sees_names_units_total_and_help_but_not_label_values(
    promtool,
):
    def lint(text):
        result = subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True
        )
        return result.returncode, (result.stdout + result.stderr).strip().splitlines()

    code, problems = lint(LINTED)
    assert code != 0 and sorted(problems) == [
        "camelCaseThing metric names should be written in 'snake_case' not 'camelCase'",
        'lookup_milliseconds use base unit "seconds" instead of "milliseconds"',
        "no_help no help text",
        'visits counter metrics should have "_total" suffix',
    ]
    assert lint(NOT_SEEN) == (0, [])
