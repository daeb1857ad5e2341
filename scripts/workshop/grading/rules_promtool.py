"""promtool does the PromQL: `promtool check rules` for the syntax, and `promtool test
rules` to evaluate the rules on every scenario. The values come out of promtool's own
output: each query asks for a sample that never exists, so promtool fails it and
prints what the query did return ("got: ..."), for the reference, the known mistakes
and the learner's rules alike, on the promtool the learner has (2.x or 3.x).

Used by grading.rules_grader.
"""

import json
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from workshop.grading import rules_scenarios

# A run lasts a fraction of a second: Go's garbage collector would take a third of it.
# Off, up to a heap of 256 MiB (rules that allocate more are collected from there on).
NO_GARBAGE_COLLECTION = {"GOGC": "off", "GOMEMLIMIT": "256MiB"}
SENTINEL = [{"labels": "grader_no_such_series", "value": 0}]
# A query's marker, in a PromQL comment: "# yours steady 10".
QUERY = re.compile(r'^    expr: ".*# (?P<run>\w+) (?P<scenario>\w+) (?P<minute>\d+)", time: ')
GOT = re.compile(r"^        got: (?P<samples>.*)$")
SAMPLE = re.compile(r'\{(?P<labels>(?:[^"}]|"(?:[^"\\]|\\.)*")*)\} (?P<value>\S+?)(?:, |$)')
LABEL = re.compile(r'(?P<name>\w+|"(?:[^"\\]|\\.)*")="(?P<value>(?:[^"\\]|\\.)*)"')
IGNORED = ("Unit Testing", "  SUCCESS", "  FAILED", "        exp: ")
RULE_ERROR = re.compile(r"^    rule: (?P<rule>.+?), time: (?P<time>\S+), err: (?P<error>.*)$")


def find_promtool():
    return shutil.which("promtool")


def start(promtool, *arguments):
    """promtool running with `arguments`, its output and errors in one pipe."""
    return subprocess.Popen(
        [promtool, *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **NO_GARBAGE_COLLECTION},
    )


def finish(process, deadline):
    """Its output, once it ends; TimeoutExpired past `deadline` (time.monotonic()).
    Never leaves it running."""
    try:
        output, _ = process.communicate(timeout=max(deadline - time.monotonic(), 0.001))
    finally:
        stop(process)
    return output


def stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()


def check_messages(output):
    """What `promtool check rules` said, without its headings."""
    return [
        line.strip()
        for line in output.splitlines()
        if line.strip()
        and not line.startswith("Checking ")
        and "SUCCESS" not in line
        and line.strip() != "FAILED:"
    ]


def query(names, run, scenario, minute):
    return {
        "expr": f'{{__name__=~"{"|".join(names)}"}} # {run} {scenario.name} {minute}',
        "eval_time": f"{minute}m",
        "exp_samples": SENTINEL,
    }


def test_files(rule_files, group_order, run, names):
    """{file name: a promtool test file (JSON is YAML too)}, one per evaluation step:
    every scenario, `names` queried at each of its check minutes."""
    files = {}
    for scenario in rules_scenarios.SCENARIOS:
        test = files.setdefault(
            f"{run}_every_{scenario.step}m.json",
            {
                "rule_files": [str(path) for path in rule_files],
                "evaluation_interval": f"{scenario.step}m",
                "group_eval_order": group_order,
                "tests": [],
            },
        )
        test["tests"].append(
            {
                "name": scenario.name,
                "interval": "1m",
                "input_series": rules_scenarios.input_series(scenario),
                "promql_expr_test": [
                    query(names, run, scenario, minute) for minute in scenario.checks
                ],
            }
        )
    return files


@dataclass
class Results:
    """What promtool printed, read: {(run, scenario, minute): [(labels, value)]}, and the
    errors of rules that could not be evaluated."""

    samples: dict = field(default_factory=dict)
    rule_errors: list = field(default_factory=list)  # [(rule name, time, error)]
    other: list = field(default_factory=list)  # lines that are neither: a file that did not load

    def where(self, run):
        """The (scenario, minute) points that `run` answered."""
        return [(scenario, minute) for (of, scenario, minute) in self.samples if of == run]

    def by_rule(self, run):
        """{(name, alertname or None): {(scenario, minute): [(labels, value)]}} of `run`,
        indexed once: every answer and every mistake looks its rule up here."""
        cache = self.__dict__.setdefault("_by_rule", {})
        if run not in cache:
            index = cache[run] = {}
            for (of, scenario, minute), samples in self.samples.items():
                if of != run:
                    continue
                for labels, value in samples:
                    key = (labels.get("__name__"), labels.get("alertname"))
                    index.setdefault(key, {}).setdefault((scenario, minute), []).append(
                        (labels, value)
                    )
        return cache[run]


def unquote(text):
    return json.loads(f'"{text}"') if "\\" in text else text


def parse_samples(text):
    if text.strip() == "nil":
        return []
    samples = []
    for sample in SAMPLE.finditer(text):
        labels = {
            unquote(label["name"].strip('"')): unquote(label["value"])
            for label in LABEL.finditer(sample["labels"])
        }
        samples.append((labels, float(sample["value"])))
    return samples


def parse(output):
    results = Results()
    where = None
    for line in output.splitlines():
        if match := QUERY.match(line):
            where = (match["run"], match["scenario"], int(match["minute"]))
        elif (match := GOT.match(line)) and where:
            results.samples[where] = parse_samples(match["samples"])
            where = None
        elif match := RULE_ERROR.match(line):
            results.rule_errors.append((match["rule"], match["time"], match["error"]))
        elif line.strip() and not line.startswith(IGNORED):
            results.other.append(line.strip())
    return results


def start_tests(promtool, folder, files):
    """One `promtool test rules` per test file, side by side."""
    processes = []
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
        processes.append(start(promtool, "test", "rules", folder / name))
    return processes


def finish_tests(processes, deadline):
    return parse("\n".join(finish(process, deadline) for process in processes))


def same_value(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
