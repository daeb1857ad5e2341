"""prometheus/alertmanager.yml, checked by amtool, and the configs that
scripts/prometheus.py derives from the shipped ones (workshop.prometheus_setup),
checked by amtool and promtool."""

import re
import subprocess

import pytest
from conftest import require_binary
from workshop import prometheus_setup
from workshop.prometheus_setup import Ports

CONFIG = prometheus_setup.ALERTMANAGER_CONFIG
RULES = sorted((prometheus_setup.PROMETHEUS_CONFIG.parent / "rules").glob("*.yml"))
ALERT = re.compile(r"- alert: (\w+)\n(?:.*\n)*?\s+severity: (\w+)")
PAGED = {"page", "critical"}  # severities that wake someone up: the on-call receiver
RUN_PORTS = Ports(19190, 19193, 19195)  # written into configs only: nothing listens


def run(command):
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=60
    )


def amtool(*arguments):
    return run([require_binary("amtool", package="prometheus-alertmanager"), *arguments])


def alerts_and_severities():
    return [pair for path in RULES for pair in ALERT.findall(path.read_text(encoding="utf-8"))]


def test_amtool_finds_the_config_valid():
    result = amtool("check-config", CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert " - 1 inhibit rules" in result.stdout and " - 2 receivers" in result.stdout


@pytest.mark.parametrize("alert, severity", alerts_and_severities(), ids=lambda value: value)
def test_each_alert_of_the_rules_goes_to_the_receiver_of_its_severity(alert, severity):
    result = amtool(
        "config",
        "routes",
        "test",
        f"--config.file={CONFIG}",
        f"alertname={alert}",
        "job=workshop",
        f"severity={severity}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["on-call" if severity in PAGED else "team"]


def test_every_severity_of_the_rules_is_routed_on_purpose():
    severities = {severity for _, severity in alerts_and_severities()}
    assert severities == {"warning", "ticket", "page", "critical"}, "route the new severity"


def test_the_inhibition_mutes_the_lookup_alerts_of_the_same_job_while_the_target_is_down():
    text = CONFIG.read_text(encoding="utf-8")
    [rule] = re.findall(r"inhibit_rules:\n(.*?)\n\n", text, re.DOTALL)
    assert 'source_matchers: [alertname="TargetDown"]' in rule
    assert "equal: [job]" in rule
    [target] = re.findall(r"target_matchers: \['alertname=~\"(.+?)\"'\]", rule)
    alerts = [alert for alert, _ in alerts_and_severities()]
    muted = [alert for alert in alerts if re.fullmatch(target, alert)]  # Alertmanager anchors it
    assert muted == [alert for alert in alerts if alert.startswith("GitHubLookups")]
    assert "TargetDown" not in muted


def test_groups_by_alert_and_job_with_workshop_intervals_and_production_ones_in_a_comment():
    text = CONFIG.read_text(encoding="utf-8")
    assert "group_by: [alertname, job]" in text
    for setting in ("group_wait: 10s", "group_interval: 30s", "repeat_interval: 1h"):
        assert setting in text
    assert "group_wait 30s, group_interval 5m, repeat_interval 4h" in text


def test_every_receiver_posts_to_the_workshop_receiver_and_tells_when_it_is_over():
    text = CONFIG.read_text(encoding="utf-8")
    urls = re.findall(r"- url: (\S+)", text)
    assert urls and set(urls) == {"http://127.0.0.1:9095/alerts"}
    assert text.count("send_resolved: true") == len(urls)


# --- the configs of a run ---------------------------------------------------------


def test_the_alertmanager_config_of_a_run_is_valid_and_posts_to_its_receiver(tmp_path):
    config = tmp_path / "alertmanager.yml"
    config.write_text(prometheus_setup.alertmanager_config(RUN_PORTS), encoding="utf-8")
    result = amtool("check-config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(re.findall(r"- url: (\S+)", config.read_text())) == {"http://127.0.0.1:19195/alerts"}


@pytest.mark.parametrize("with_alertmanager", [True, False], ids=["alertmanager", "without"])
def test_the_prometheus_config_of_a_run_is_valid_and_wired_to_its_ports(
    tmp_path, with_alertmanager
):
    promtool = require_binary("promtool")
    prometheus, _ = prometheus_setup.write_configs(tmp_path, RUN_PORTS, with_alertmanager)
    result = run([promtool, "check", "config", prometheus])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 3 rule files found" in result.stdout  # read from prometheus/rules/
    text = prometheus.read_text()
    assert '"127.0.0.1:19190"' in text and "9090" not in text.split("scrape_configs:")[1]
    if with_alertmanager:
        assert re.search(r'alerting:\n(?:\s.*\n)*?\s+- targets: \["127.0.0.1:19193"\]', text)
    else:
        assert "alerting:" not in text and "9093" not in text.split("\n\n", 1)[1]


def test_a_config_that_no_longer_holds_an_address_says_which():
    text = prometheus_setup.PROMETHEUS_CONFIG.read_text(encoding="utf-8").replace("9093", "9094")
    with pytest.raises(
        prometheus_setup.ConfigChanged, match=r"'\"127.0.0.1:9093\"' once, found it 0"
    ):
        prometheus_setup.prometheus_config(RUN_PORTS, text=text)
