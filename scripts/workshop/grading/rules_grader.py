"""Grading the rules lesson (prometheus/): the learner's recording and alerting
rules, evaluated by promtool on synthetic scenarios next to the reference's, answer
by answer: PASS, or FAIL with one difference shown and a hint that names the likely
mistake. The answers are the names hints.md lists after "## TODO k:".

First `promtool check rules`: a file that does not load gets its errors, each with
its line and the TODO it belongs to, and nothing else.

Used by scripts/check.py (for lessons of kind "rules"); the tests call grade() directly.
"""

import re
import subprocess
import time

from workshop.grading import (
    rules_compare,
    rules_file,
    rules_hints,
    rules_promtool,
    rules_runs,
    rules_scenarios,
)
from workshop.learn.hints import read_hints
from workshop.lessons import display

NO_PROMTOOL = (
    "promtool is not installed: it comes with Prometheus (Debian/Ubuntu: sudo apt install "
    "prometheus; macOS: brew install prometheus; or https://prometheus.io/download, "
    "with promtool on your PATH)"
)
LINE = re.compile(r"(?:\bline (\d+)\b|^(\d+):\d+:)")
RULE_IN_MESSAGE = re.compile(r'rule \d+, "([^"]+)"')


def answers_of(lesson):
    """{answer name: TODO number}, in the order of hints.md."""
    return {name: todo.number for todo in read_hints(lesson) for name in todo.patterns}


def without_path(message, path):
    for shown in (str(path), path.name):
        if message.startswith(f"{shown}: "):
            return message[len(shown) + 2 :]
    return message


def where(message, text, todos):
    """ "line 12, TODO 2" for a promtool message, from its line or its rule's name."""
    found = LINE.search(message)
    line = int(found[1] or found[2]) if found else None
    named = RULE_IN_MESSAGE.search(message)
    todo = todos.get(named[1]) if named else None
    if todo is None and line:
        todo = rules_file.todo_at(text, line, todos)
    if line is None:  # no line: where the message's quoted value stands in the file
        quoted = re.findall(r'"([^"]+)"', message)
        lines = text.splitlines()
        hits = [n for n, content in enumerate(lines, 1) for value in quoted if value in content]
        line = hits[0] if hits else None
        if line and todo is None:
            todo = rules_file.todo_at(text, line, todos)
    parts = ([f"line {line}"] if line else []) + ([f"TODO {todo}"] if todo else [])
    return ", ".join(parts) or "the file"


def syntax_lines(path, text, messages, todos):
    lines = [f"  FAIL  promtool check rules: {display(path)} does not load"]
    for message in list(dict.fromkeys(messages))[:5]:  # promtool may say one twice
        message = without_path(message, path)
        lines.append(f"        {where(message, text, todos)}: {message}")
    lines.append(
        "        hint:     fix this first: the answers are graded once the file loads "
        "(YAML: spaces, not tabs, and `expr: |` before a query on several lines)"
    )
    return lines


def verdict_lines(answer, todo, failed, example, hint, scenarios):
    alert = rules_compare.is_alert(answer)
    if not failed:
        return [f"  PASS  {answer} (TODO {todo}, {scenarios} scenarios)"]
    if hint == rules_hints.NOT_WRITTEN:
        return [f"  FAIL  {answer} (TODO {todo}: not written yet)", f"        hint:     {hint}"]
    lines = [f"  FAIL  {answer} (TODO {todo}: {failed} of {scenarios} scenarios differ)"]
    if example is not None:
        lines += rules_compare.example_lines(example, alert)
    return [*lines, f"        hint:     {hint}"]


def known_names(text):
    names = {name for _, name, _ in rules_file.rules(text)}
    for scenario in rules_scenarios.SCENARIOS:
        names |= {line["series"].split("{")[0] for line in rules_scenarios.input_series(scenario)}
    return names | {"ALERTS"}


def rule_error_notes(results, todos):
    """A note for each rule of the learner's own (not an answer) that failed: promtool
    stopped the scenario there, so the answers are not graded on it."""
    failed = {}
    for rule, at, error in results.rule_errors:
        failed.setdefault(rule.removeprefix(rules_file.PREFIX), f"at {at}: {error}")
    return [
        f"  note  your rule {rule} could not be evaluated {why}"
        for rule, why in failed.items()
        if rule not in todos
    ]


def compared(evaluation, todos):
    """{answer: (the reference's points, yours, their differences)}."""
    outcome = {}
    for answer in todos:
        alert = rules_compare.is_alert(answer)
        expected = rules_compare.points(evaluation.reference, "reference", answer, alert)
        actual = rules_compare.points(evaluation.yours, "yours", answer, alert)
        if answer in evaluation.stood_in:  # the reference's rule stood in: yours is not written
            actual = {where: {} for where in actual}
        outcome[answer] = (expected, actual, rules_compare.differences(expected, actual))
    return outcome


def answer_lines(evaluation, text, todos):
    """The lines of every answer, and how many pass."""
    lines = [f"  note  {line}" for line in evaluation.yours.other[:3]]
    lines += rule_error_notes(evaluation.yours, todos)
    outcome = compared(evaluation, todos)
    failing = {answer: todos[answer] for answer, (_, _, diffs) in outcome.items() if diffs}
    context = {"known": known_names(text), "failing": failing}
    for answer, (expected, actual, diffs) in outcome.items():
        hint, block = None, rules_file.block(text, answer)
        if diffs:
            errors = [e for rule, _, e in evaluation.yours.rule_errors if rule == answer]
            mistakes = rules_compare.mistake_points(evaluation.reference, answer)
            hint = rules_hints.diagnose(
                answer, block, diffs, (expected, actual), mistakes, {**context, "errors": errors}
            )
        shown = diffs[0] if diffs and block and not rules_file.is_placeholder(block) else None
        scenarios = len({scenario for scenario, _ in expected})
        failed = len({difference.scenario for difference in diffs})
        lines += verdict_lines(answer, todos[answer], failed, shown, hint, scenarios)
    return lines, len(todos) - len(failing)


def grade(lesson, rules_path, timeout):
    """(lines to print, whether every answer passes) for the rules lesson."""
    started = time.monotonic()
    lines = [f"{lesson.name}: grading {display(rules_path)}"]
    todos = answers_of(lesson)
    if not rules_path.is_file():
        return [*lines, f"  FAIL  there is no {display(rules_path)}"], False
    promtool = rules_promtool.find_promtool()
    if promtool is None:
        return [*lines, f"  FAIL  {NO_PROMTOOL}"], False
    try:
        text = rules_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [*lines, f"  FAIL  cannot read {display(rules_path)}: {error}"], False
    passed = 0
    try:
        evaluation = rules_runs.evaluate(
            promtool, lesson.reference, rules_path, list(todos), timeout
        )
        if not evaluation.loads:
            lines += syntax_lines(rules_path, text, evaluation.messages, todos)
        elif not rules_runs.complete(evaluation.reference):
            said = [f"{rule}: {error}" for rule, _, error in evaluation.reference.rule_errors]
            said = (said + evaluation.reference.other + ["no output"])[0]
            lines.append(f"  FAIL  the reference solution did not run on this promtool: {said}")
        else:
            lines += [f"  note  promtool check rules: {line}" for line in evaluation.messages[:3]]
            answers, passed = answer_lines(evaluation, text, todos)
            lines += answers
    except subprocess.TimeoutExpired:
        lines.append(f"  FAIL  promtool did not finish within {timeout:g} s")
    seconds = time.monotonic() - started
    lines.append(f"{lesson.name}: {passed}/{len(todos)} answers pass ({seconds:.1f} s)")
    return lines, passed == len(todos)
