"""The Prometheus setup: config, rules and their unit tests (scripts/prometheus.py has
tests/test_prometheus_script.py)."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import require_binary
from workshop.grading import rules_file

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_DIR = ROOT / "prometheus"
CONFIGS = [PROMETHEUS_DIR / "prometheus.yml"]
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def names(pattern, paths):
    return {name for path in paths for name in re.findall(pattern, path.read_text())}


def test_files_exist():
    assert RULE_FILES and RULE_TESTS, "prometheus/rules/ and prometheus/tests/ must not be empty"


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.name)
def test_config_is_valid(config):
    result = run([require_binary("promtool"), "check", "config", str(config)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rules", RULE_FILES, ids=lambda path: path.name)
def test_rule_file_is_valid(rules):
    result = run([require_binary("promtool"), "check", "rules", str(rules)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rule_test", RULE_TESTS, ids=lambda path: path.name)
def test_rule_unit_tests_pass(rule_test):
    result = run([require_binary("promtool"), "test", "rules", str(rule_test)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_recording_rule_has_a_unit_test():
    recorded = names(r"- record: (\S+)", RULE_FILES)
    tested = names(r"- expr: (\S+)\n", RULE_TESTS)
    assert recorded, "no recording rules found"
    assert recorded <= tested, f"no promql_expr_test for {sorted(recorded - tested)}"


def test_every_alert_is_tested_firing_and_not_firing():
    alerts = names(r"- alert: (\S+)", RULE_FILES)
    firing = names(r"alertname: (\S+)\n\s+exp_alerts:\n", RULE_TESTS)
    quiet = names(r"alertname: (\S+)\n\s+exp_alerts: \[\]", RULE_TESTS)
    assert alerts, "no alerting rules found"
    assert alerts <= firing, f"never tested firing: {sorted(alerts - firing)}"
    assert alerts <= quiet, f"never tested not firing: {sorted(alerts - quiet)}"


def test_recording_rule_names_follow_level_metric_operations():
    """level:metric:operations, and no _total left on a counter after rate()
    (https://prometheus.io/docs/practices/rules/)."""
    for name in names(r"- record: (\S+)", RULE_FILES):
        level, metric, operations = name.split(":")
        assert level and metric and operations, name
        assert not metric.endswith("_total"), f"{name}: drop _total after rate()"


def test_alerts_use_recorded_series_that_exist():
    """promtool accepts an alert on a recorded name nobody records; a rename would
    silence the alert for good."""
    recorded = names(r"- record: (\S+)", RULE_FILES)
    used = names(r"expr: .*?([a-z_]+:[a-z_0-9]+:[a-z_0-9]+)", RULE_FILES)
    assert used, "no alert on a recorded series"
    assert used <= recorded, f"never recorded: {sorted(used - recorded)}"


def test_every_alert_has_severity_summary_and_description():
    for rules in RULE_FILES:
        for alert in re.split(r"\n\s+- alert: ", rules.read_text())[1:]:
            for field in ("severity:", "summary:", "description:"):
                assert field in alert, f"{rules.name}: alert {alert.split()[0]} lacks {field}"


# --- the exercise's rules are the ones Prometheus runs (issue 18) -------------------

SOLUTION = PROMETHEUS_DIR / "solution.yml"
RULE = re.compile(r"^\s*- (?:record|alert): (\S+)$", re.MULTILINE)


def rule_text(text, name):
    """The rule's lines without comments, dedented: what Prometheus reads of it."""
    lines = rules_file.block(text, name)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return [line[indent:] for line in lines if line.strip() and not line.strip().startswith("#")]


def test_the_exercise_solved_is_the_shipped_rules():
    """Each rule of prometheus/solution.yml is in prometheus/rules/, word for word:
    the rules a learner writes are the ones the workshop's Prometheus loads."""
    solution = SOLUTION.read_text(encoding="utf-8")
    shipped = {path: path.read_text(encoding="utf-8") for path in RULE_FILES}
    names = RULE.findall(solution)
    assert names, "prometheus/solution.yml has no rule"
    for name in names:
        found = [text for text in shipped.values() if name in RULE.findall(text)]
        assert len(found) == 1, f"{name}: in {len(found)} files of prometheus/rules/"
        assert rule_text(found[0], name) == rule_text(solution, name), name


def ratio_alerts():
    return [
        (name, text)
        for path in RULE_FILES
        for name, text in [
            (name, "\n".join(rules_file.block(path.read_text(encoding="utf-8"), name)))
            for name in RULE.findall(path.read_text(encoding="utf-8"))
        ]
        if ":ratio_" in text and "- alert:" in text
    ]


def test_every_ratio_alert_has_a_traffic_guard_and_a_for():
    alerts = ratio_alerts()
    assert len(alerts) >= 4, alerts
    for name, text in alerts:
        assert re.search(r"\band\b[^\n]*\n?[^\n]*:rate\d+[mh] \* \d+ >= 20", text), (
            f"{name}: no traffic guard (`and ...:rate5m * 300 >= 20`)"
        )
        assert re.search(r"^\s*for: \d+m$", text, re.MULTILINE), f"{name}: no `for`"


def test_every_ratio_alert_is_tested_quiet_on_a_blip_and_with_no_traffic():
    """The issue's cases: one slow lookup out of 9, one failure out of 2, no lookups."""
    groups = [
        group
        for path in RULE_TESTS
        for group in re.split(r"\n  - name: ", path.read_text(encoding="utf-8"))[1:]
    ]
    for name, _ in ratio_alerts():
        quiet = [
            group.splitlines()[0]
            for group in groups
            if re.search(rf"alertname: {name}\n\s+exp_alerts: \[\]", group)
        ]
        assert any("blip" in title or "too few" in title for title in quiet), (name, quiet)
        assert any("no traffic" in title for title in quiet), (name, quiet)


# --- the lesson's README (issue 18, issue 22 items 14 and 17) -----------------------

README = PROMETHEUS_DIR / "README.md"


def test_every_promql_block_of_the_readme_is_promql_promtool_accepts(tmp_path):
    """The queries of the exercise walk-through are not run against a Prometheus (the
    e2e test runs those of "Watch an alert fire"): promtool parses each one."""
    blocks = [
        " ".join(block.split())
        for block in re.findall(
            r"```promql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL
        )
    ]
    assert len(blocks) >= 8, blocks
    rules = "groups:\n  - name: readme\n    rules:\n" + "".join(
        f"      - record: readme:query:{index}\n        expr: {json.dumps(block)}\n"
        for index, block in enumerate(blocks)
    )
    path = tmp_path / "readme.yml"
    path.write_text(rules, encoding="utf-8")
    result = run([require_binary("promtool"), "check", "rules", str(path)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_ends_with_the_exercise_and_the_commands_to_grade_it():
    text = README.read_text(encoding="utf-8")
    last_section = text[text.rindex("\n## ") :]
    assert last_section.startswith("\n## Exercise\n")
    assert "python scripts/check.py prometheus --file prometheus/exercise.yml" in last_section
    assert "python3 scripts/dev.py learn prometheus" in last_section


def test_the_minutes_on_the_root_readme_are_the_lessons_own():
    said = re.search(r"^About (\d+) minutes", README.read_text(encoding="utf-8"), re.MULTILINE)
    root = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(
        r"^\| \[prometheus\]\(prometheus/README\.md\) \|.*\| (\d+) \|$", root, re.MULTILINE
    )
    assert said and row and said[1] == row[1]


def test_the_readme_names_every_rule_and_says_why_each_alert_waits_what_it_waits():
    text = README.read_text(encoding="utf-8")
    for name in names(r"- record: (\S+)", RULE_FILES):
        assert f"`{name}`" in text or name.rsplit("_rate", 1)[0] in text, (
            f"{name} is not in the README"
        )
    for alert in names(r"- alert: (\S+)", RULE_FILES):
        assert re.search(rf"^\| `{alert}` \|", text, re.MULTILINE), f"{alert}: no row in the table"
    for duration in set(
        re.findall(r"^\s+for: (\S+)$", "\n".join(p.read_text() for p in RULE_FILES), re.MULTILINE)
    ):
        assert f"`for: {duration}`" in text, f"the README never says why `for: {duration}`"
