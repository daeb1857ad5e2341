"""Lesson 08's README, run with Podman (lesson_walk): the image built, run and
checked, then the app and Prometheus with compose: Prometheus scrapes the app by
its service name, and has its counter, exactly as the app shows it; the README's
queries answer.

With WORKSHOP_CAPTURE=1 (`python scripts/capture.py 08`) the walk writes what each
command printed into the README instead of comparing.
"""

import os

import pytest
from conftest import require_binary
from container_fixtures import app_image, stand_in_images  # noqa: F401 (fixtures)
from harness import podman
from lesson_walk import (
    COMPOSE,
    README,
    Walk,
    prometheus_query,
    promql_blocks,
    readme_commands_to_run,
    same_output,
)
from workshop import ports, processes, readme_commands

pytestmark = pytest.mark.containers
NOT_WALKED = {"check", "dev"}  # the grader and the learn loop: tested in test_08_containers.py
TRAFFIC = {
    ("/", "200"): 6,
    ("/work", "200"): 3,
    ("/work", "400"): 1,
    ("unmatched", "404"): 1,
}  # traffic.py's, once
CAPTURING = os.environ.get("WORKSHOP_CAPTURE") == "1"
SCRAPE_SECONDS = 30  # Prometheus scrapes every 5 s; ~5 s more before it scrapes a new target


def test_the_readme_runs_with_podman_and_prints_what_it_shows(app_image, tmp_path):  # noqa: F811
    require_binary("curl", package="curl")
    walk = Walk(ports.free_port(), ports.free_port(), tmp_path)
    problems, printed_by = [], []
    try:
        for command in readme_commands_to_run():
            if command.kind in NOT_WALKED:
                continue
            printed = walk.run(command.line)
            printed_by.append((command, printed))
            shown = command.shown and not CAPTURING
            if shown and not same_output(command, command.shown.body, printed):
                problems.append(
                    f"{command.line} printed:\n{printed}but the README shows:\n{command.shown.body}"
                )
            if (
                command.kind == "traffic"
                and walk.serving
                and walk.serving[-1][0].startswith(COMPOSE)
            ):
                problems += what_compose_prometheus_shows(walk.prometheus_url)
    finally:
        walk.stop_serving()
        podman("rm", "--force", "workshop-app", check=False)
        walk.check(walk.command("docker compose -f 08_containers/compose.yaml down"))
    assert problems == [], "\n\n".join(problems)
    if CAPTURING:
        text = readme_commands.with_outputs(README.read_text(encoding="utf-8"), printed_by)
        README.write_text(text, encoding="utf-8", newline="\n")
    compose = podman(
        "ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=08_containers"
    )
    assert compose.stdout == "", "docker compose down left containers"
    assert podman("container", "exists", "workshop-app", check=False).returncode == 1, "--rm"


def what_compose_prometheus_shows(url):
    """What step 3 says Prometheus shows after the traffic, and the README's queries."""
    problems = []
    counts = processes.wait_for(lambda: counter_after_traffic(url), SCRAPE_SECONDS, interval=0.5)
    if counts != TRAFFIC:
        problems.append(f"Prometheus' http_requests_total: {counts}, expected {TRAFFIC}")
    up = prometheus_query(url, 'up{job="workshop"} == 1')
    if [series["metric"]["instance"] for series in up] != ["app:5000"]:
        problems.append(f"the target app:5000 of job workshop is not UP: {up}")
    for promql in promql_blocks():
        answered = processes.wait_for(lambda q=promql: prometheus_query(url, q), SCRAPE_SECONDS)
        if not answered:
            problems.append(f"no answer from the README's query: {promql}")
    return problems


def counter_after_traffic(url):
    series = prometheus_query(url, 'http_requests_total{instance="app:5000", job="workshop"}')
    counts = {
        (one["metric"]["route"], one["metric"]["status"]): float(one["value"][1]) for one in series
    }
    return counts if sum(counts.values()) >= sum(TRAFFIC.values()) else None
