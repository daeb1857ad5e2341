"""The two promtool runs the rules grader compares, started side by side:

    reference  the lesson's solution and the known mistakes, on every scenario; it
               does not change from one save to the next, so its results are kept
               in .workshop/cache/ (for this promtool, this solution, these scenarios)
    yours      the learner's file as it is, with the reference's rule standing in
               for each recording rule still `todo` (or missing), so that an alert
               can be graded before the rules it uses are written

Used by grading.rules_grader.
"""

import functools
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from workshop.grading import rules_file, rules_mistakes, rules_promtool, rules_scenarios
from workshop.lessons import ROOT

CACHE = ROOT / ".workshop" / "cache"
STAND_INS = "reference__stand_ins"


def mistakes_rules():
    """The mistakes as one rule group, in the JSON form of a rules file."""
    rules = []
    for index, mistake in enumerate(rules_mistakes.MISTAKES):
        if ":" in mistake.answer:
            rules.append({"record": rules_mistakes.name_of(index, mistake), "expr": mistake.expr})
        else:
            rule = {"alert": rules_mistakes.name_of(index, mistake), "expr": mistake.expr}
            rules.append({**rule, "for": mistake.for_} if mistake.for_ else rule)
    return {"groups": [{"name": "grader_mistakes", "rules": rules}]}


def reference_tests(reference, folder, answers):
    text = reference.read_text(encoding="utf-8")
    mistakes = folder / "mistakes.json"
    mistakes.write_text(json.dumps(mistakes_rules(), indent=1), encoding="utf-8")
    order = [*rules_file.group_names(text), "grader_mistakes"]
    names = [*answers, "grader_mistake_.*", "ALERTS"]
    return rules_promtool.test_files([reference, mistakes], order, "reference", names)


def stand_ins(reference_text, yours_text):
    """The reference's recording rules that the learner has not written yet."""
    written = {name for _, name, _ in rules_file.rules(yours_text)}
    return [
        name
        for kind, name, _ in rules_file.rules(reference_text)
        if kind == "record"
        and (name not in written or rules_file.is_placeholder(rules_file.block(yours_text, name)))
    ]


def yours_tests(reference, yours, folder, answers):
    """The learner's test files, and the names the reference stands in for."""
    reference_text = reference.read_text(encoding="utf-8")
    yours_text = yours.read_text(encoding="utf-8")
    names = stand_ins(reference_text, yours_text)
    rule_files, order = [], []
    if names:
        blocks = [line for name in names for line in rules_file.block(reference_text, name)]
        header = f"groups:\n  - name: {STAND_INS}\n    rules:\n"
        rule_files.append(folder / "stand_ins.yml")
        rule_files[0].write_text(header + "\n".join(blocks) + "\n", encoding="utf-8")
        order.append(STAND_INS)
        yours_text = rules_file.renamed(yours_text, set(names))
    copy = folder / "yours.yml"
    copy.write_text(yours_text, encoding="utf-8")
    rule_files.append(copy)
    order += [name for name in rules_file.group_names(yours_text) if name != STAND_INS]
    tests = rules_promtool.test_files(rule_files, order, "yours", [*answers, "ALERTS"])
    return tests, set(names)


@functools.cache
def fixed_digest():
    """A digest of what the reference run depends on that no file holds: the mistakes
    and the scenarios (computed once)."""
    scenarios = [
        (rules_scenarios.input_series(scenario), scenario.checks, scenario.step)
        for scenario in rules_scenarios.SCENARIOS
    ]
    return hashlib.sha256(json.dumps([mistakes_rules(), scenarios]).encode()).hexdigest()


def cache_file(promtool, reference, answers):
    """Where the reference run's results are kept: named by everything they depend on."""
    stat = os.stat(promtool)
    key = json.dumps(
        [
            [os.path.realpath(promtool), stat.st_size, stat.st_mtime_ns],
            reference.read_text(encoding="utf-8"),
            fixed_digest(),
            answers,
        ]
    )
    return CACHE / f"rules-reference-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"


def load_cached(path):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    results = rules_promtool.Results()
    for run, scenario, minute, samples in data:
        results.samples[(run, scenario, minute)] = [(labels, value) for labels, value in samples]
    return results


def complete(results):
    """Whether every scenario answered every query, and no rule failed."""
    asked = {
        ("reference", scenario.name, minute)
        for scenario in rules_scenarios.SCENARIOS
        for minute in scenario.checks
    }
    return not results.rule_errors and asked <= results.samples.keys()


def save_cached(path, results):
    """Keep a complete reference run; never fail."""
    if not complete(results):
        return
    data = [[*where, samples] for where, samples in results.samples.items()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, path)
        for stale in path.parent.glob("rules-reference-*.json"):  # another solution's
            if stale != path:
                stale.unlink()
    except OSError:
        pass  # a read-only checkout: the next grade runs the reference again


@dataclass
class Evaluation:
    loads: bool  # whether `promtool check rules` accepts the learner's file
    messages: list  # what it said
    reference: rules_promtool.Results = None
    yours: rules_promtool.Results = None
    stood_in: set = field(default_factory=set)  # the answers the reference stood in for


def evaluate(promtool, reference, yours, answers, timeout):
    """Check the learner's file and run both, every promtool side by side: an Evaluation."""
    deadline = time.monotonic() + timeout
    cached = cache_file(promtool, reference, answers)
    reference_results = load_cached(cached)
    started = []
    with tempfile.TemporaryDirectory(prefix="workshop-rules-") as tmp:
        folder = Path(tmp)
        try:
            check = rules_promtool.start(promtool, "check", "rules", yours)
            started.append(check)
            yours_files, stood_in = yours_tests(reference, yours, folder, answers)
            yours_runs = rules_promtool.start_tests(promtool, folder, yours_files)
            started += yours_runs
            if reference_results is None:
                reference_files = reference_tests(reference, folder, answers)
                reference_runs = rules_promtool.start_tests(promtool, folder, reference_files)
                started += reference_runs
            output = rules_promtool.finish(check, deadline)
            evaluation = Evaluation(check.returncode == 0, rules_promtool.check_messages(output))
            if not evaluation.loads:
                return evaluation
            evaluation.yours = rules_promtool.finish_tests(yours_runs, deadline)
            evaluation.stood_in = stood_in
            if reference_results is None:
                reference_results = rules_promtool.finish_tests(reference_runs, deadline)
                save_cached(cached, reference_results)
            evaluation.reference = reference_results
            return evaluation
        finally:
            for process in started:  # done, or interrupted: nothing is left running
                rules_promtool.stop(process)
