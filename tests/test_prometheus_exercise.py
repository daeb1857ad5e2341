"""The Prometheus lesson's exercise is honest: the untouched starter fails every
answer, the reference passes, each TODO turns its own answers green and no other,
a wrong-but-plausible answer fails with a hint that names its mistake, and a right
answer written differently passes. Graded by the real grader, with promtool."""

import re
from collections import defaultdict

import pytest
from conftest import require_binary
from solutions import prometheus as corpus
from workshop import lessons
from workshop.grading import rules_grader
from workshop.learn.hints import read_hints

LESSON = lessons.lesson_named("prometheus")
TODOS = {todo.number: todo.patterns for todo in read_hints(LESSON)}
ANSWERS = [name for names in TODOS.values() for name in names]


def grade(path):
    """({answer: "PASS" | "FAIL"}, {answer: its lines}, the whole output)."""
    require_binary("promtool")
    lines, _ = rules_grader.grade(LESSON, path, 60)
    verdicts, shown, current = {}, defaultdict(list), None
    for line in lines:
        if match := re.match(r"  (PASS|FAIL)  (\S+)", line):
            current = match[2]
            verdicts[current] = match[1]
        elif current and line.startswith("        "):
            shown[current].append(line.strip())
    return verdicts, shown, "\n".join(lines)


def starter():
    return LESSON.starter.read_text(encoding="utf-8")


def reference():
    return LESSON.reference.read_text(encoding="utf-8")


def written(tmp_path, answers, instead=None):
    path = tmp_path / "exercise.yml"
    path.write_text(corpus.solve(starter(), reference(), answers, instead), encoding="utf-8")
    return path


def test_every_answer_is_a_placeholder_rule_of_the_starter_and_a_rule_of_the_solution():
    for name in ANSWERS:
        assert corpus.rules_file.is_placeholder(corpus.rules_file.block(starter(), name)), name
        block = corpus.rules_file.block(reference(), name)
        assert block and not corpus.rules_file.is_placeholder(block), name
    todo_comments = [int(n) for n in re.findall(r"# TODO (\d+):", starter())]
    assert todo_comments == sorted(TODOS)


def test_the_untouched_starter_fails_every_answer_as_not_written_yet():
    verdicts, shown, output = grade(LESSON.starter)
    assert verdicts == dict.fromkeys(ANSWERS, "FAIL"), output
    for name in ANSWERS:
        assert "hint:     not written yet: replace `todo` with your PromQL" in shown[name], output
    assert output.endswith(f"prometheus: 0/{len(ANSWERS)} answers pass", 0, output.rindex(" (")), (
        output
    )


def test_the_reference_passes():
    verdicts, _, output = grade(LESSON.reference)
    assert verdicts == dict.fromkeys(ANSWERS, "PASS"), output


@pytest.mark.parametrize("number", sorted(TODOS), ids=lambda number: f"TODO{number}")
def test_each_todo_alone_turns_its_own_answers_green_and_no_other(number, tmp_path):
    verdicts, _, output = grade(written(tmp_path, TODOS[number]))
    assert {name for name, verdict in verdicts.items() if verdict == "PASS"} == set(
        TODOS[number]
    ), output


def rounds(cases):
    """The cases in rounds: each round one case per answer at most, recording rules
    and alerts apart (an alert is graded on the reference's recording rules)."""
    by_answer = defaultdict(list)
    for case in cases:
        by_answer[case[1]].append(case)
    found = []
    for alerts in (False, True):
        answers = [a for a in by_answer if (":" not in a) == alerts]
        for index in range(max(len(by_answer[a]) for a in answers)):
            found.append([by_answer[a][index] for a in answers if index < len(by_answer[a])])
    return found


@pytest.mark.parametrize(
    "cases", rounds(corpus.WRONG), ids=lambda cases: "+".join(c[0] for c in cases)
)
def test_a_wrong_answer_fails_with_a_hint_that_names_its_mistake(cases, tmp_path):
    instead = {answer: lines for _, answer, lines, _ in cases}
    verdicts, shown, output = grade(written(tmp_path, ANSWERS, instead))
    problems = []
    for what, answer, _, hint in cases:
        hints = [line for line in shown[answer] if line.startswith("hint:")]
        if verdicts.get(answer) != "FAIL" or not any(hint in line for line in hints):
            problems.append(
                f"{answer} written with {what}: {verdicts.get(answer)} {hints}, not {hint!r}"
            )
    others = {name for name, verdict in verdicts.items() if verdict == "FAIL"} - set(instead)
    assert all(":" not in name for name in others) or not problems
    assert not problems, "\n".join(problems) + "\n" + output


@pytest.mark.parametrize(
    "cases", rounds(corpus.RIGHT), ids=lambda cases: "+".join(c[0] for c in cases)
)
def test_a_right_answer_written_differently_passes(cases, tmp_path):
    instead = {answer: lines for _, answer, lines in cases}
    verdicts, _, output = grade(written(tmp_path, ANSWERS, instead))
    assert verdicts == dict.fromkeys(ANSWERS, "PASS"), output


def test_the_hints_nudge_but_never_give_a_whole_answer():
    hints = {todo.number: todo.hints for todo in read_hints(LESSON)}
    assert sorted(hints) == sorted(TODOS) and all(len(h) >= 3 for h in hints.values())
    text = " ".join(" ".join(line for hint in h for line in hint) for h in hints.values())
    text = " ".join(text.replace("`", " ").split())
    for name in ANSWERS:
        block = "\n".join(corpus.rules_file.block(reference(), name))
        expr = re.search(r"expr: \|?\n?(.*?)(?:\n\s*(?:for|labels):|$)", block, re.DOTALL)[1]
        assert " ".join(expr.split()) not in text, f"hints.md gives {name}'s answer away"
