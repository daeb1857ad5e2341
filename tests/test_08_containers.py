"""Lesson 08, without containers: its files (the README's sections, excerpts and
commands; the manifests against the Kubernetes schemas; the Prometheus configs
with promtool), and its exercise's grader, honest: the starter fails every
check, the reference passes, each TODO turns its own check green, wrong answers
fail with a hint naming the mistake, right ones written another way pass.

The grader runs a real Prometheus each time (~5 s, mostly waiting): the cases of
a test are graded side by side, in threads. The container tests are under
tests/containers/.
"""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import kubernetes_validate.utils as kubernetes_schemas
import pytest
import solutions
import yaml
from conftest import require_binary
from test_lessons import README_HEADINGS
from workshop import lessons, readme_commands
from workshop.grading import pod_discovery, scrape_checks, scrape_grader
from workshop.learn import exercise_check, hints

LESSON = lessons.lesson_named("08")
FOLDER = LESSON.folder
KUBERNETES = FOLDER / "kubernetes"
SOLUTIONS = solutions.load(LESSON)
CHECKS = list(scrape_checks.CHECKS)
# The oldest Kubernetes a learner's cluster may still run, and the newest the package knows.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_schemas.latest_version()]
CONTAINER_COMMAND = re.compile(r"docker |python 06_multiprocess/traffic\.py$|curl -s http://127")


def grade(path):
    """({check: "PASS" | "FAIL"}, the grader's whole output) for a config file."""
    lines, _ = scrape_grader.grade(LESSON, path, 60)
    found = re.findall(r"^  (PASS|FAIL)  (\S+) \(", "\n".join(lines), re.MULTILINE)
    return {name: verdict for verdict, name in found}, "\n".join(lines)


def grade_all(paths):
    """grade() of each path, side by side: each waits ~5 s for Prometheus' discovery."""
    require_binary("prometheus")
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(grade, paths))


def solved(tmp_path, name, todos, instead=None):
    path = tmp_path / f"{name}.yml"
    starter = LESSON.starter.read_text(encoding="utf-8")
    path.write_text(solutions.solve(starter, SOLUTIONS, todos, instead), encoding="utf-8")
    return path


# --- the exercise and its grader --------------------------------------------------


def test_the_lesson_is_graded_as_a_scrape_config():
    """(tests/test_exercises.py checks that exercise.yml is committed as the starter.)"""
    assert LESSON.kind == "scrape"


def test_check_py_fails_the_starter_on_every_check_and_passes_the_reference(tmp_path):
    """The two commands the README gives, run as a learner runs them: on the pristine
    starter (the learner's exercise.yml may be solved by now), and on the reference."""
    require_binary("prometheus")
    starter_copy = tmp_path / "exercise.yml"
    starter_copy.write_bytes(LESSON.starter.read_bytes())
    commands = [
        [sys.executable, "scripts/check.py", "08", "--file", starter_copy],
        [sys.executable, "scripts/check.py", "08"],
    ]
    runs = [
        subprocess.Popen(c, cwd=lessons.ROOT, stdout=subprocess.PIPE, text=True) for c in commands
    ]
    (starter, starter_code), (reference, reference_code) = [
        (run.communicate(timeout=120)[0], run.returncode) for run in runs
    ]
    starter_grade = exercise_check.read_grade(starter, starter_code)
    assert starter_grade.verdicts == dict.fromkeys(CHECKS, False), starter
    assert starter_grade.score == "0/4 checks pass" and starter_grade.finished, starter
    assert f"08_containers: grading {starter_copy}" in starter
    reference_grade = exercise_check.read_grade(reference, reference_code)
    assert reference_grade.passed and reference_grade.verdicts == dict.fromkeys(CHECKS, True)
    assert "grading 08_containers/kubernetes/prometheus.yml" in reference


def test_hints_md_has_one_todo_per_check_in_the_graders_order():
    todos = hints.read_hints(LESSON)
    assert [todo.patterns for todo in todos] == [[name] for name in CHECKS]
    assert all(len(todo.hints) == 3 for todo in todos)
    assert solutions.todo_numbers(LESSON.starter.read_text()) == [todo.number for todo in todos]


def test_each_todo_alone_turns_its_own_check_green_and_no_other(tmp_path):
    todos = sorted(SOLUTIONS.TODOS)
    results = grade_all([solved(tmp_path, f"todo{number}", [number]) for number in todos])
    for number, (verdicts, output) in zip(todos, results, strict=True):
        passing = [name for name, verdict in verdicts.items() if verdict == "PASS"]
        assert passing == [CHECKS[number - 1]], output


def test_close_but_wrong_answers_fail_with_a_hint_naming_the_mistake(tmp_path):
    cases = SOLUTIONS.CLOSE_BUT_WRONG
    paths = [
        solved(tmp_path, f"wrong{index}", SOLUTIONS.TODOS, instead)
        for index, (_, instead, _) in enumerate(cases)
    ]
    for (what, _, hint), (_, output) in zip(cases, grade_all(paths), strict=True):
        assert "4/4 checks pass" not in output, f"{what}:\n{output}"
        named = [
            line
            for line in output.splitlines()
            if line.strip().startswith(("hint:", "FAIL  Prometheus"))
        ]
        assert any(hint in line for line in named), f"{what}:\n{output}"


def test_right_answers_written_another_way_pass(tmp_path):
    paths = [
        solved(tmp_path, f"right{index}", SOLUTIONS.TODOS, instead)
        for index, (_, instead) in enumerate(SOLUTIONS.RIGHT_BUT_DIFFERENT)
    ]
    other_style = tmp_path / "other_style.yml"
    other_style.write_text(SOLUTIONS.OTHER_STYLE, encoding="utf-8")
    every = [*paths, other_style]
    for path, (verdicts, output) in zip(every, grade_all(every), strict=True):
        assert set(verdicts.values()) == {"PASS"} and len(verdicts) == 4, f"{path.name}:\n{output}"


def test_a_config_prometheus_refuses_fails_with_its_error_on_the_learners_own_line(tmp_path):
    text = solutions.solve(LESSON.starter.read_text(), SOLUTIONS, SOLUTIONS.TODOS)
    line = text.splitlines().index('        regex: "true"') + 1
    path = tmp_path / "typo.yml"
    path.write_text(text.replace('        regex: "true"', '        regx: "true"'), encoding="utf-8")
    [(verdicts, output)] = grade_all([path])
    assert verdicts == {}, output
    assert "  FAIL  Prometheus refuses the config: " in output, output
    assert f"line {line}: field regx not found" in output and str(path) in output, output


@pytest.mark.parametrize(
    "discovery, hint",
    [
        ("static_configs: [{targets: ['127.0.0.1:5000']}]", "no job discovers the pods"),
        ("kubernetes_sd_configs: [{role: endpoints}]", "discover them with role: pod"),
    ],
)
def test_a_config_that_does_not_discover_pods_says_so_before_running_prometheus(
    tmp_path, discovery, hint
):
    path = tmp_path / "other.yml"
    path.write_text(f"scrape_configs:\n  - job_name: other\n    {discovery}\n", encoding="utf-8")
    lines, passed = scrape_grader.grade(LESSON, path, 60)
    assert not passed and hint in lines[1], lines


def test_without_prometheus_the_grader_says_how_to_install_it(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no prometheus on PATH
    result = subprocess.run(
        [sys.executable, "scripts/check.py", "08"],
        cwd=lessons.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "FAIL  prometheus is not installed: install it as prometheus/README.md says"
        in result.stdout
    )


# --- pod discovery, without a cluster -------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        "  - job_name: a\n    kubernetes_sd_configs:\n      - role: pod\n        namespaces:\n"
        "          names: [x]\n    relabel_configs: []\n",
        "- job_name: a\n  kubernetes_sd_configs:\n  - role: pod\n  # a comment\n\n"
        "  relabel_configs: []\n",
        "  - kubernetes_sd_configs: [{role: pod}]  # flow style\n    job_name: a\n",
        "  - kubernetes_sd_configs:\n    - role: 'pod'\n    job_name: a\n- job_name: b\n",
    ],
    ids=["block", "list at the key's indentation", "flow", "first key of a list item"],
)
def test_file_discovery_replaces_the_kubernetes_block_and_keeps_every_other_line(config):
    text, roles = pod_discovery.with_file_discovery(config, Path("/tmp/pods.json"))
    assert roles == ["pod"]
    before, after = config.splitlines(), text.splitlines()
    assert len(after) == len(before)  # Prometheus' line numbers stay the learner's
    changed = [
        index for index, (old, new) in enumerate(zip(before, after, strict=True)) if old != new
    ]
    assert after[changed[0]].endswith('file_sd_configs: [{files: ["/tmp/pods.json"]}]')
    kept = [line for line in after if line.strip() and "file_sd_configs" not in line]
    assert all("role" not in line and "names" not in line for line in kept), text
    assert [line for line in before if "job_name" in line or "relabel" in line] == [
        line for line in after if "job_name" in line or "relabel" in line
    ]


def test_discovery_makes_a_target_per_declared_port_and_one_at_the_ip_without_ports():
    pod = pod_discovery.Pod(
        "ns", "p", "10.0.0.1", {"prometheus.io/port": "9"}, {"app": "x"}, (("a", 1), ("b", 2))
    )
    bare = pod_discovery.Pod("ns", "q", "10.0.0.2")
    groups = pod_discovery.target_groups([pod, bare])
    assert [group["targets"] for group in groups] == [["10.0.0.1:1"], ["10.0.0.1:2"], ["10.0.0.2"]]
    labels = groups[0]["labels"]
    assert labels["__meta_kubernetes_pod_annotation_prometheus_io_port"] == "9"
    assert labels["__meta_kubernetes_pod_labelpresent_app"] == "true"
    assert labels["__meta_kubernetes_pod_container_port_name"] == "a"


# --- the lesson's files -------------------------------------------------------


def readme():
    return LESSON.readme.read_text(encoding="utf-8")


def test_readme_sections_are_the_lessons_sections():
    text = re.sub(r"```.*?```", "", readme(), flags=re.DOTALL)
    headings = "".join(line + "\n" for line in text.splitlines() if re.match(r"#{1,2} ", line))
    pattern = "".join(
        heading if heading.endswith(")+") else heading.rstrip("$") + ".*\n"
        for heading in README_HEADINGS
    )
    assert re.fullmatch(pattern, headings), headings


@pytest.mark.parametrize("language, pattern", [("dockerfile", "Dockerfile"), ("yaml", "**/*.y*ml")])
def test_every_excerpt_in_the_readme_is_copied_from_the_lessons_files(language, pattern):
    sources = [path.read_text(encoding="utf-8") for path in FOLDER.glob(pattern)]
    excerpts = re.findall(rf"```{language}\n(.*?)```", readme(), re.DOTALL)
    assert excerpts
    for excerpt in excerpts:
        assert any(excerpt in source for source in sources), excerpt


def test_every_readme_command_is_run_by_the_container_tests_or_here_or_says_why_not():
    commands = readme_commands.commands(readme())
    assert all("\n" not in command.line for command in commands), "one command per block"
    graded = {command.line for command in commands if command.kind in ("check", "dev")}
    assert graded == {
        "python scripts/check.py 08 --file 08_containers/exercise.yml",  # tested above
        "python3 scripts/dev.py learn 08",  # the learn loop: tests/test_dev.py
    }
    for command in commands:
        if command.kind not in ("check", "dev") and not command.skipped:
            assert CONTAINER_COMMAND.match(command.line), command.line
    skipped = [command.line for command in commands if command.skipped]
    assert skipped and all(line.startswith("kubectl ") for line in skipped)


def test_the_readme_says_what_differs_with_podman_as_the_container_tests_run_it():
    podman_section = readme()[readme().index("### With Podman") : readme().index("## Step 2")]
    for difference in (
        "podman-compose",
        "BUILDAH_FORMAT=docker",
        "podman healthcheck run workshop-app",
        "without a Ctrl-C first",
    ):
        assert difference in podman_section
    walk = (lessons.ROOT / "tests" / "containers" / "lesson_walk.py").read_text()
    for done in ('"podman_compose"', '"healthcheck", "run"', "def wait_until_up_exits"):
        assert done in walk


def manifests():
    """Every Kubernetes object `kubectl apply -k` would apply, the ConfigMap that
    kustomization.yaml makes from prometheus.yml included."""
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    objects = [
        document
        for name in kustomization["resources"]
        for document in yaml.safe_load_all((KUBERNETES / name).read_text())
    ]
    for generator in kustomization["configMapGenerator"]:
        data = {name: (KUBERNETES / name).read_text() for name in generator["files"]}
        metadata = {"name": generator["name"], "namespace": generator["namespace"]}
        objects.append(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}
        )
    return kustomization, objects


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_manifests_are_valid_kubernetes_objects(version):
    _, objects = manifests()
    for kubernetes_object in objects:
        kubernetes_schemas.validate(kubernetes_object, version, strict=True)


def test_an_unquoted_annotation_is_refused_as_the_readme_says():
    _, objects = manifests()
    [app] = [
        o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "workshop-app"
    ]
    app["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"] = True
    with pytest.raises(kubernetes_schemas.ValidationError):
        kubernetes_schemas.validate(app, KUBERNETES_VERSIONS[-1], strict=True)


def test_kustomization_applies_every_manifest_and_prometheus_reads_its_config_map():
    kustomization, objects = manifests()
    files = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    [prometheus] = [
        o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "prometheus"
    ]
    volumes = prometheus["spec"]["template"]["spec"]["volumes"]
    assert {"name": "prometheus-config"} in [volume.get("configMap") for volume in volumes]
    assert all(o["metadata"].get("namespace", "workshop") == "workshop" for o in objects)


def test_the_deployment_asks_to_be_scraped_where_its_app_listens():
    _, objects = manifests()
    [app] = [
        o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "workshop-app"
    ]
    template = app["spec"]["template"]
    [container] = template["spec"]["containers"]
    annotations = template["metadata"]["annotations"]
    assert app["spec"]["replicas"] == 2
    assert annotations["prometheus.io/scrape"] == "true"
    assert (
        annotations["prometheus.io/port"] == str(container["ports"][0]["containerPort"]) == "5000"
    )
    assert annotations["prometheus.io/path"] == "/metrics"
    assert template["spec"]["securityContext"]["runAsNonRoot"] is True
    assert [mount["mountPath"] for mount in container["volumeMounts"]] == ["/tmp"]
    assert not container["image"].endswith(":latest") and ":" in container["image"]


def test_host_0_0_0_0_is_set_in_the_image_only():
    assert "HOST=0.0.0.0" in (FOLDER / "Dockerfile").read_text()
    for path in [FOLDER / "compose.yaml", *KUBERNETES.glob("*.y*ml")]:
        assert "HOST" not in path.read_text(), path.name


def test_compose_publishes_every_port_on_127_0_0_1_only():
    services = yaml.safe_load((FOLDER / "compose.yaml").read_text())["services"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert len(published) == 2
    assert all(port.startswith("127.0.0.1:") for port in published), published


def test_dockerignore_sends_exactly_what_the_dockerfile_copies():
    copied = re.findall(r"^COPY (.+) /app/$", (FOLDER / "Dockerfile").read_text(), re.MULTILINE)
    sent = re.findall(r"^!(.+)$", (lessons.ROOT / ".dockerignore").read_text(), re.MULTILINE)
    assert sorted(" ".join(copied).split()) == sorted(sent)


def check_config(promtool, path):
    """promtool check config on the file: its return code and all it printed."""
    result = subprocess.run(
        [promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=60
    )
    return result.returncode, result.stdout + result.stderr


def test_promtool_accepts_the_compose_config(promtool):
    code, printed = check_config(promtool, FOLDER / "prometheus.yml")
    assert code == 0, printed


def test_promtool_accepts_the_kubernetes_config_but_for_its_kubernetes_discovery(
    promtool, tmp_path
):
    """Debian's promtool knows no kubernetes_sd_configs (see pod_discovery): it checks
    the rest, and the discovery block is checked against Prometheus 2.42's fields."""
    config = (KUBERNETES / "prometheus.yml").read_text()
    text, roles = pod_discovery.with_file_discovery(config, tmp_path / "pods.json")
    (tmp_path / "pods.json").write_text("[]")
    (tmp_path / "prometheus.yml").write_text(text)
    code, printed = check_config(promtool, tmp_path / "prometheus.yml")
    assert code == 0, printed
    assert roles == ["pod"]
    [job] = [
        job for job in yaml.safe_load(config)["scrape_configs"] if "kubernetes_sd_configs" in job
    ]
    # https://prometheus.io/docs/prometheus/2.42/configuration/configuration/#kubernetes_sd_config
    fields = {"role", "namespaces", "selectors", "api_server", "kubeconfig_file", "attach_metadata"}
    assert all(set(block) <= fields for block in job["kubernetes_sd_configs"])
