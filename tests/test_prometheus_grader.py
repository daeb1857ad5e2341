"""The rules grader around the answers: a file that does not load, a rule that is
missing or fails, no promtool, a promtool too slow, the reference run's cache, the
known mistakes it names, its output as the learn loop reads it, and the loop itself
on the prometheus lesson, from the starter to the lesson done."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import test_prometheus_exercise as exercise
from conftest import processes_of_this_run, require_binary
from learn_driver import LearnLoop, copy_repository, learning_copy
from workshop import lessons, processes
from workshop.grading import rules_compare, rules_mistakes, rules_promtool, rules_runs
from workshop.learn.exercise_check import read_grade

LESSON = exercise.LESSON
ANSWERS = exercise.ANSWERS
CHECK = lessons.ROOT / "scripts" / "check.py"


def write(tmp_path, text):
    path = tmp_path / "exercise.yml"
    path.write_text(text, encoding="utf-8")
    return path


def solved(**instead):
    return exercise.corpus.solve(exercise.starter(), exercise.reference(), ANSWERS, instead)


# --- a file that does not load: promtool check rules, with the line and the TODO ----


@pytest.mark.parametrize(
    "answer, lines, where, message",
    [
        (
            exercise.corpus.P95,
            "expr: histogram_quantile(0.95,\n  sum by (job, le) (",
            "TODO 3",
            "parse error",
        ),
        (exercise.corpus.FAILED, "expr: sum by (job) (rate(x[5m])) / ", "TODO 2", "parse error"),
        (
            exercise.corpus.FAILING,
            f"expr: {exercise.corpus.FAILED} > 0.1\nfor: 2x",
            "TODO 6",
            "duration",
        ),
        (
            exercise.corpus.PAGES,
            "expr: sum by (job, page) (rate(page_visits_total[5m]))\n\tfor: 1m",
            "TODO 1",
            "yaml",
        ),
    ],
    ids=["yaml", "promql", "duration", "tab"],
)
def test_a_file_that_does_not_load_shows_promtools_error_with_its_line_and_todo(
    tmp_path, answer, lines, where, message
):
    verdicts, _, output = exercise.grade(write(tmp_path, solved(**{answer: lines})))
    [failure] = [line for line in output.splitlines() if line.startswith("  FAIL  ")]
    assert failure.startswith("  FAIL  promtool check rules:"), output
    assert set(verdicts) == {"promtool"}, output  # no answer is graded
    errors = [line for line in output.splitlines() if line.startswith("        line ")]
    assert errors and where in errors[0] and message in errors[0].lower(), output
    assert str(tmp_path) not in errors[0], "the message repeats the file's path"
    assert output.splitlines()[-1].startswith(f"prometheus: 0/{len(ANSWERS)} answers pass")


def test_a_renamed_rule_fails_with_the_name_the_grader_looks_for(tmp_path):
    text = solved().replace(f"record: {exercise.corpus.INPROGRESS}", "record: job:inprogress:sum")
    verdicts, shown, output = exercise.grade(write(tmp_path, text))
    assert verdicts[exercise.corpus.INPROGRESS] == "FAIL", output
    assert f"hint:     no rule named {exercise.corpus.INPROGRESS} in your file" in "\n".join(
        shown[exercise.corpus.INPROGRESS]
    )
    assert [name for name, verdict in verdicts.items() if verdict == "FAIL"] == [
        exercise.corpus.INPROGRESS
    ]


def test_a_rule_prometheus_cannot_evaluate_says_why(tmp_path):
    # Two series with the same labels once `outcome` is dropped: many-to-many.
    lines = "expr: github_lookups_total / ignoring (outcome) github_lookups_total"
    verdicts, shown, output = exercise.grade(
        write(tmp_path, solved(**{exercise.corpus.FAILED: lines}))
    )
    assert verdicts[exercise.corpus.FAILED] == "FAIL", output
    hint = shown[exercise.corpus.FAILED][-1]
    assert hint.startswith("hint:     Prometheus could not evaluate it:"), output
    assert "many-to-many" in hint or "duplicate" in hint, output
    assert "Traceback" not in output


def test_an_alert_on_a_failing_rule_says_to_fix_that_todo_first(tmp_path):
    wrong = (
        'expr: sum by (job) (rate(github_lookups_total{outcome="error"}[5m]))'
        " / job:github_lookups:rate5m"
    )
    verdicts, shown, output = exercise.grade(
        write(tmp_path, solved(**{exercise.corpus.FAILED: wrong}))
    )
    assert verdicts[exercise.corpus.FAILING] == "FAIL", output
    assert shown[exercise.corpus.FAILING][-1] == (
        f"hint:     it uses {exercise.corpus.FAILED}, which does not pass yet: fix TODO 2 first"
    )


# --- promtool missing, or too slow -------------------------------------------------


def test_without_promtool_the_grader_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no promtool
    lines, passed = exercise.rules_grader.grade(LESSON, LESSON.reference, 60)
    assert not passed
    assert lines[1] == f"  FAIL  {exercise.rules_grader.NO_PROMTOOL}"
    assert "sudo apt install prometheus" in lines[1] and "brew install prometheus" in lines[1]


def promtools_running():
    """The promtool processes this test started that still run (Linux only): children
    of this process (other tests run promtools of their own meanwhile)."""
    found = []
    for pid in processes_of_this_run():
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue  # gone meanwhile
        if comm == "promtool" and parent == os.getpid():
            found.append(pid)
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_a_promtool_too_slow_is_one_fail_line_and_is_stopped_at_once(tmp_path):
    require_binary("promtool")
    lines, passed = exercise.rules_grader.grade(LESSON, LESSON.starter, 0.001)
    assert not passed
    assert "  FAIL  promtool did not finish within 0.001 s" in lines, lines
    assert promtools_running() == [], "the grader returned with promtool still running"


def test_a_missing_file_is_one_fail_line():
    missing = LESSON.folder / "no-such-exercise.yml"
    lines, passed = exercise.rules_grader.grade(LESSON, missing, 60)
    assert (lines[1:], passed) == ([f"  FAIL  there is no {lessons.display(missing)}"], False)


# --- the reference run: cached, and the mistakes it names told apart ---------------


@pytest.fixture(scope="module")
def reference_run():
    promtool = require_binary("promtool")
    return rules_runs.evaluate(promtool, LESSON.reference, LESSON.reference, ANSWERS, 60)


def test_every_known_mistake_is_wrong_and_told_apart_from_the_others(reference_run):
    """A mistake whose results equal the reference's, or another mistake's of the same
    answer, would name a mistake the scenarios cannot see."""
    for answer in ANSWERS:
        expected = rules_compare.points(
            reference_run.reference, "reference", answer, ":" not in answer
        )
        mistakes = rules_compare.mistake_points(reference_run.reference, answer)
        for mistake, points in mistakes:
            assert points.keys() == expected.keys(), mistake.hint
            assert rules_compare.differences(expected, points), f"right after all: {mistake.hint}"
        for index, (mistake, points) in enumerate(mistakes):
            for other, other_points in mistakes[index + 1 :]:
                assert rules_compare.differences(points, other_points), (mistake.hint, other.hint)


def test_every_mistake_is_of_an_answer_and_every_scenario_was_evaluated(reference_run):
    assert {mistake.answer for mistake in rules_mistakes.MISTAKES} <= set(ANSWERS)
    assert not reference_run.reference.rule_errors and not reference_run.reference.other
    asked = {
        (scenario.name, minute)
        for scenario in rules_runs.rules_scenarios.SCENARIOS
        for minute in scenario.checks
    }
    assert {where[1:] for where in reference_run.reference.samples} == asked


def same(samples, other):
    """The same samples, their values equal but for the last bits: promtool adds up the
    series of a sum() in no fixed order."""
    return samples.keys() == other.keys() and all(
        [labels for labels, _ in samples[where]] == [labels for labels, _ in other[where]]
        and all(
            rules_promtool.same_value(a, b)
            for (_, a), (_, b) in zip(samples[where], other[where], strict=True)
        )
        for where in samples
    )


def test_the_reference_run_is_kept_and_a_broken_cache_is_run_again(tmp_path, monkeypatch):
    promtool = require_binary("promtool")
    monkeypatch.setattr(rules_runs, "CACHE", tmp_path / "cache")
    started = []
    real_start = rules_promtool.start_tests

    def counting(promtool, folder, files):
        started.append(next(iter(files)).split("_every_")[0])
        return real_start(promtool, folder, files)

    monkeypatch.setattr(rules_promtool, "start_tests", counting)
    (tmp_path / "cache").mkdir()
    stale = tmp_path / "cache" / "rules-reference-of-an-older-solution.json"
    stale.write_text("[]", encoding="utf-8")
    cached = rules_runs.cache_file(promtool, LESSON.reference, ANSWERS)
    cached.write_text("[[", encoding="utf-8")  # broken: an interrupted write, say
    first = rules_runs.evaluate(promtool, LESSON.reference, LESSON.starter, ANSWERS, 60)
    assert started == ["yours", "reference"]
    assert json.loads(cached.read_text(encoding="utf-8")), "the cache was not written again"
    assert not stale.exists(), "the cache of an older solution was left behind"
    second = rules_runs.evaluate(promtool, LESSON.reference, LESSON.starter, ANSWERS, 60)
    assert started == ["yours", "reference", "yours"]
    assert same(second.reference.samples, first.reference.samples)


# --- as the learn loop reads it -----------------------------------------------------


def check_py(*arguments):
    require_binary("promtool")
    result = subprocess.run(
        [sys.executable, CHECK, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env=processes.environment(),
    )
    return read_grade(result.stdout + result.stderr, result.returncode)


def test_check_py_prints_what_the_learn_loop_reads():
    starter = check_py("prometheus", "--file", str(LESSON.starter))
    assert (starter.passed, starter.finished) == (False, True), starter.output
    assert starter.score == f"0/{len(ANSWERS)} answers pass"
    assert starter.verdicts == dict.fromkeys(ANSWERS, False)
    reference = check_py("prometheus")
    assert (reference.passed, reference.finished) == (True, True), reference.output
    assert reference.verdicts == dict.fromkeys(ANSWERS, True)
    assert "prometheus: grading prometheus/solution.yml" in reference.output


@pytest.mark.skipif(os.name == "nt", reason="links a .venv and sends POSIX signals")
def test_learn_prometheus_turns_the_answers_green_one_by_one_and_records_the_pass(tmp_path):
    require_binary("promtool")
    copy = learning_copy(tmp_path / "repo")
    lesson = lessons.lesson_named("prometheus", copy)
    with LearnLoop(copy, "prometheus") as loop:
        first = loop.verdict_after(0, timeout=60)
        assert f"prometheus: 0/{len(ANSWERS)} answers pass" in first
        mark = loop.mark()
        todo_1 = exercise.corpus.solve(exercise.starter(), exercise.reference(), exercise.TODOS[1])
        lesson.exercise.write_text(todo_1, encoding="utf-8")
        assert f"  PASS  {exercise.TODOS[1][0]}" in loop.verdict_after(mark, passing=1)
        mark = loop.mark()
        lesson.exercise.write_bytes(lesson.reference.read_bytes())
        loop.verdict_after(mark, passing=len(ANSWERS))
        message = loop.output_after(mark, "The reference solution: prometheus/solution.yml")
        assert "lesson prometheus is done" in message
        loop.press("q")
        assert loop.process.wait(timeout=10) == 0
    progress = json.loads((copy / ".workshop" / "progress.json").read_text(encoding="utf-8"))
    assert progress["lessons"]["prometheus"]["done"] is True
    assert "Traceback" not in loop.output()


def test_a_lesson_is_found_in_the_given_repository_not_in_the_current_folder(tmp_path):
    """`prometheus` is both a lesson and a folder of the current directory when the
    tools run from the repository: a copy's lesson must be the copy's (bench_learn
    once wrote into the real prometheus/exercise.yml)."""
    (tmp_path / "06_multiprocess").mkdir()
    (tmp_path / "prometheus").mkdir()
    assert lessons.lesson_named("prometheus", tmp_path).folder == tmp_path / "prometheus"
    assert lessons.lesson_named("prometheus").folder == lessons.ROOT / "prometheus"


def test_reset_keeps_the_learners_rules_as_a_yml_file_and_restores_the_starter(tmp_path):
    repo = copy_repository(tmp_path / "repo")
    exercise_file = repo / "prometheus" / "exercise.yml"
    mine = exercise_file.read_text(encoding="utf-8").replace("expr: todo", "expr: up", 1)
    exercise_file.write_text(mine, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, repo / "scripts" / "dev.py", "reset", "prometheus"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        env=processes.environment(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [kept] = (repo / ".workshop" / "backup").iterdir()
    assert kept.suffix == ".yml" and kept.read_text(encoding="utf-8") == mine
    assert (
        exercise_file.read_bytes()
        == (repo / "scripts" / "starters" / "prometheus.yml").read_bytes()
    )


def test_a_rule_of_the_learners_own_that_fails_is_named_above_the_answers(tmp_path):
    helper = (
        "      - record: my:helper:ratio\n"
        "        expr: github_lookups_total / ignoring (outcome) github_lookups_total\n\n"
    )
    text = solved().replace("      # TODO 1:", helper + "      # TODO 1:", 1)
    verdicts, shown, output = exercise.grade(write(tmp_path, text))
    lines = output.splitlines()
    assert lines[1].startswith("  note  your rule my:helper:ratio could not be evaluated at "), (
        output
    )
    assert "many-to-many" in lines[1] or "duplicate" in lines[1], output
    for answer in ANSWERS:  # promtool stopped every scenario at that rule
        assert verdicts[answer] == "FAIL", output
        assert shown[answer][-1] == f"hint:     {exercise.rules_grader.rules_hints.STOPPED}", output


def test_a_reference_that_does_not_run_is_one_fail_line_not_eight(tmp_path, monkeypatch):
    """A promtool that cannot run the solution (a version that lacks a function, say):
    the grader says so once, and blames no answer of the learner's."""
    require_binary("promtool")
    monkeypatch.setattr(rules_runs, "CACHE", tmp_path / "cache")
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "hints.md").write_bytes((LESSON.folder / "hints.md").read_bytes())
    broken = exercise.reference().replace(
        "      # TODO 1:",
        "      - record: reference:broken:ratio\n"
        "        expr: github_lookups_total / ignoring (outcome) github_lookups_total\n"
        "      # TODO 1:",
        1,
    )
    (folder / "solution.yml").write_text(broken, encoding="utf-8")
    lines, passed = exercise.rules_grader.grade(lessons.Lesson(folder), LESSON.reference, 60)
    assert not passed
    [failure] = [line for line in lines if "FAIL" in line]
    assert failure.startswith("  FAIL  the reference solution did not run on this promtool:")
    assert "reference:broken:ratio" in failure
