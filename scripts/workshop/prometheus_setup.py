"""How scripts/prometheus.py starts its servers (Prometheus, Alertmanager, the
alert receiver): their commands, and their configs, the shipped
prometheus/prometheus.yml and prometheus/alertmanager.yml wired to the ports of
the run and written into its run folder:

    9090 (Prometheus scraping itself)  -> --port
    9093 (where Prometheus sends alerts) -> --alertmanager-port, or no `alerting:`
                                          block at all when Alertmanager is not there
    9095 (Alertmanager's webhook)       -> --receiver-port

A config in another folder reads its rule files from there: the relative paths
under `rule_files:` become absolute ones.

Also port_number(), the --port checks of both commands.

Used by scripts/prometheus.py, scripts/alert_receiver.py (port_number), the
alert_stack (which runs the same servers at a faster pace) and the tests.
Standard library only: learners run those commands on their own.
"""

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_CONFIG = ROOT / "prometheus" / "prometheus.yml"
ALERTMANAGER_CONFIG = ROOT / "prometheus" / "alertmanager.yml"
RECEIVER = ROOT / "scripts" / "alert_receiver.py"
HOST = "127.0.0.1"  # not "localhost": on macOS that can reach the AirPlay Receiver


@dataclass(frozen=True)
class Ports:
    prometheus: int = 9090
    alertmanager: int = 9093
    receiver: int = 9095


SHIPPED = Ports()


def port_number(text):
    """argparse type= for a --port: a TCP port a server can listen on, 1 to 65535."""
    # Digits 0-9 only: int() would also take " 80", "+80" and other scripts' digits.
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


class ConfigChanged(ValueError):
    """A shipped config no longer holds what the wiring replaces; the message says what."""


def replace_once(text, old, new, name):
    if text.count(old) != 1:
        raise ConfigChanged(f"{name}: expected {old!r} once, found it {text.count(old)} times")
    return text.replace(old, new)


def address(port):
    return f"{HOST}:{port}"


def prometheus_config(ports, with_alertmanager=True, text=None, folder=None):
    """prometheus.yml for a run on `ports`: the shipped one unless `text` (read from
    `folder`) is given."""
    text = PROMETHEUS_CONFIG.read_text(encoding="utf-8") if text is None else text
    folder = PROMETHEUS_CONFIG.parent if folder is None else Path(folder)
    name = "prometheus.yml"
    text = replace_once(
        text, f'"{address(SHIPPED.prometheus)}"', f'"{address(ports.prometheus)}"', name
    )
    alertmanager = f'"{address(SHIPPED.alertmanager)}"'
    if with_alertmanager:
        text = replace_once(text, alertmanager, f'"{address(ports.alertmanager)}"', name)
    else:
        text = without_block(text, "alerting")
    return absolute_rule_files(text, folder)


def alertmanager_config(ports, text=None):
    """alertmanager.yml for a run on `ports`: every webhook to this run's receiver."""
    text = ALERTMANAGER_CONFIG.read_text(encoding="utf-8") if text is None else text
    shipped = f"http://{address(SHIPPED.receiver)}/"
    if shipped not in text:
        raise ConfigChanged(f"alertmanager.yml: no webhook to {shipped}")
    return text.replace(shipped, f"http://{address(ports.receiver)}/")


def without_block(text, key):
    """The YAML text without the top-level `key:` block and the comment lines right above it."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    if start is None:
        raise ConfigChanged(f"no top-level {key}: block")
    end = start + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t", "\n"):  # indented, or blank
        end += 1
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return "".join(lines[:start] + lines[end:])


RULE_FILE_ENTRY = re.compile(r"^(?P<lead>\s+-\s+)(?P<path>[^\s#]+)", re.MULTILINE)


def absolute_rule_files(text, folder):
    """Each relative path under `rule_files:` made absolute, from `folder`."""
    block = re.search(r"^rule_files:\n(?:(?:[ \t]+.*|[ \t]*|#.*)\n)*", text, re.MULTILINE)
    if block is None:
        return text

    def absolute(entry):
        path = entry["path"].strip("\"'")
        if Path(path).is_absolute():
            return entry[0]
        return f'{entry["lead"]}"{(Path(folder) / path).as_posix()}"'

    rewritten = RULE_FILE_ENTRY.sub(absolute, block[0])
    return text[: block.start()] + rewritten + text[block.end() :]


def write_configs(run_folder, ports, with_alertmanager):
    """Write this run's configs into `run_folder`; their paths (prometheus, alertmanager)."""
    run_folder = Path(run_folder)
    prometheus = run_folder / "prometheus.yml"
    prometheus.write_text(prometheus_config(ports, with_alertmanager), encoding="utf-8")
    if not with_alertmanager:
        return prometheus, None
    alertmanager = run_folder / "alertmanager.yml"
    alertmanager.write_text(alertmanager_config(ports), encoding="utf-8")
    return prometheus, alertmanager


def prometheus_command(config, data_dir, port, binary="prometheus"):
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={data_dir}",
        f"--web.listen-address={address(port)}",
        "--log.level=error",  # only errors: the startup chatter would hide the welcome text
    ]


def alertmanager_command(config, data_dir, port, binary="alertmanager", log_level="error"):
    return [
        binary,
        f"--config.file={config}",
        f"--storage.path={data_dir}",
        f"--web.listen-address={address(port)}",
        # No high-availability cluster: it would listen on 0.0.0.0:9094, open to the network.
        "--cluster.listen-address=",
        f"--log.level={log_level}",
    ]


def receiver_command(port):
    return [sys.executable, RECEIVER, "--port", str(port), "--quiet"]
