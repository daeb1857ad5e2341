"""Lesson 07, graded by the bugs its tests catch (workshop/grading/tests_*): its
verdicts are true.

- Every mutant of 07_testing/mutants.py is a bug that the tests of one TODO catch,
  and no other TODO's: the reference catches them all, each TODO's tests exactly
  the mutants hints.md lists under it (TODO 1 written alone, in the learn loop, too),
  the starter none.
- The learner files of tests/corpus_07_testing/ get the verdicts a reviewer would
  give: weak ones miss what they miss, a test that fails on the correct app
  catches nothing, right ones written another way pass.
- A file that cannot be graded (broken, empty, hanging, exiting) is one FAIL line,
  and no mutant is run for it; a mutant that no longer applies is a FAIL line too.
- The learn loop shows the mutants caught as each TODO is written; runs without
  fork (Windows) end as forked ones do; stopping the grader stops every run.
"""

import ast
import re
import signal
import sys
import uuid
from pathlib import Path

import pytest
from conftest import processes_carrying
from learn_driver import LearnLoop, learning_copy
from workshop import lessons, processes
from workshop.grading import tests_grader, tests_mutants, tests_runner, tests_verdicts
from workshop.learn.exercise_check import read_grade
from workshop.learn.hints import read_hints
from workshop.learn.lesson_done import pass_message

LESSON = lessons.lesson_named("07")
MUTANTS = tests_mutants.read_mutants(LESSON)
NAMES = [mutant.name for mutant in MUTANTS]
ALL = set(NAMES)
CORPUS = Path(__file__).parent / "corpus_07_testing"
TODO = re.compile(r"# TODO (\d+):")


def grade(path, timeout=60, lesson=LESSON):
    """(the grader's verdicts as the learn loop reads them, its output, its RESULTs)."""
    lines, passed, results = tests_grader.grade_in_full(lesson, path, timeout)
    output = "\n".join(lines) + "\n"
    return read_grade(output, 0 if passed else 1), output, results


def caught(verdicts):
    return {name for name, passes in verdicts.items() if passes and name in ALL}


def todo_of_each_test():
    """{test function: the TODO number in its body}, from the starter."""
    source = LESSON.starter.read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            numbers = set(TODO.findall(ast.get_source_segment(source, node)))
            assert len(numbers) == 1, f"{node.name}: TODOs {numbers}"
            found[node.name] = int(numbers.pop())
    return found


def reference_keeping(todos, path):
    """The reference with only the tests of `todos`, written to path: as a learner's
    file with those TODOs written and no other."""
    source = LESSON.reference.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    todo_of = todo_of_each_test()
    for node in reversed(ast.parse(source).body):
        if isinstance(node, ast.FunctionDef) and todo_of.get(node.name) not in (*todos, None):
            del lines[node.lineno - 1 : node.end_lineno]
    path.write_text("".join(lines), encoding="utf-8")
    return path


# --- the mutants and the TODOs -----------------------------------------------------


def test_every_mutant_is_a_bug_listed_under_one_todo_and_in_the_readme():
    todos = read_hints(LESSON)
    assert [pattern for todo in todos for pattern in todo.patterns] == NAMES, "hints.md"
    assert [todo.number for todo in todos] == list(range(1, len(todos) + 1))
    source = LESSON.app.read_text(encoding="utf-8")
    readme = LESSON.readme.read_text(encoding="utf-8")
    for mutant in MUTANTS:
        assert tests_mutants.planted(source, mutant) != source  # it applies, and is Python
        assert re.search(rf"^\| `{mutant.name}` \| .+ \| TODO {mutant.todo} \|$", readme, re.M)
    assert f"The {len(MUTANTS)} bugs:" in readme


def test_the_starter_has_the_reference_tests_empty_with_one_todo_each():
    """So that a TODO's tests are the reference's tests of the same name."""
    starter = ast.parse(LESSON.starter.read_text(encoding="utf-8"))
    reference = ast.parse(LESSON.reference.read_text(encoding="utf-8"))
    functions = [node.name for node in reference.body if isinstance(node, ast.FunctionDef)]
    assert list(todo_of_each_test()) == [name for name in functions if name.startswith("test_")]
    assert not [node for node in ast.walk(starter) if isinstance(node, ast.Assert)]
    numbers = {todo.number for todo in read_hints(LESSON)}
    assert sorted(set(todo_of_each_test().values())) == sorted(numbers)


def test_the_reference_catches_every_mutant_and_each_todos_tests_only_their_own():
    """One grade of test_app.py gives how every test ended on every mutant: the tests
    of TODO k fail on the mutants of TODO k, and on no other."""
    verdicts, output, results = grade(LESSON.reference)
    assert verdicts.passed and caught(verdicts.verdicts) == ALL, output
    correct = results[tests_grader.CORRECT]["tests"]
    assert {test["outcome"] for test in correct.values()} == {"passed"}, output
    todo_of = todo_of_each_test()
    for mutant in MUTANTS:
        tests = results[mutant.name]["tests"]
        failing = [name for name, test in tests.items() if test["outcome"] == "failed"]
        assert {todo_of[name] for name in failing} == {mutant.todo}, (mutant.name, failing)


# --- the verdict rules, on results made up --------------------------------------------


def result(**outcomes):
    """A runner RESULT in which each test ended as given ("passed", "failed", ...)."""
    tests = {
        name: {"outcome": end, "why": "assert 2 == 1", "where": "x.py:3"}
        for name, end in outcomes.items()
    }
    return {"status": "ran", "exit": 0, "errors": [], "tests": tests}


def test_a_test_that_fails_on_the_correct_app_catches_nothing():
    [mutant] = MUTANTS[:1]
    verdicts = tests_verdicts.verdicts(
        result(test_wrong="failed", test_empty="passed"),
        {mutant.name: result(test_wrong="failed", test_empty="passed")},
        [mutant],
        "x.py",
        10,
    )
    assert verdicts.caught == 0 and verdicts.trouble
    assert verdicts.lines[:2] == [
        "  FAIL  test_wrong (fails on the correct app, so it catches nothing)",
        "        x.py:3: assert 2 == 1",
    ]
    assert verdicts.lines[2].startswith(f"  FAIL  {mutant.name} (not caught: TODO 1's tests")


def test_only_a_failure_catches_a_mutant_and_a_timeout_counts_as_one():
    first, second, third = MUTANTS[:3]
    stuck = {"status": "timed out", "exit": None, "errors": [], "tests": {}}
    verdicts = tests_verdicts.verdicts(
        result(test_a="passed", test_b="passed"),
        {
            first.name: result(test_a="skipped", test_b="passed"),  # skipped: not caught
            second.name: result(test_a="passed", test_b="failed"),
            third.name: stuck,
        },
        [first, second, third],
        "x.py",
        10,
    )
    assert verdicts.caught == 2 and not verdicts.trouble
    assert verdicts.lines[2] == f"  PASS  {second.name} (caught by test_b)"
    assert (
        verdicts.lines[3] == f"  PASS  {third.name} (caught: the tests did not finish within 10 s)"
    )


# --- learner files -------------------------------------------------------------------


EXPECTED = {  # file: (the mutants it catches, its tests that fail on the correct app)
    "weak_assertions.py": (
        {
            "ok_not_counted",
            "not_found_misspelt",
            "city_label_from_the_request",
            "histogram_renamed",
        },
        [],
    ),
    "fails_on_the_correct_app.py": (
        {"ok_not_counted", "ok_counted_twice"},
        [
            "test_a_lookup_of_0_7_s_lands_in_the_1_s_bucket",
            "test_the_global_app_counts_another_lookup",
        ],
    ),
    "global_registry_deltas.py": (
        {
            "ok_not_counted",
            "ok_counted_twice",
            "not_found_misspelt",
            "ok_counted_before_the_answer",
            "city_label_from_the_request",
            "metrics_route_by_hand",
        },
        [],
    ),
    "right_but_different.py": (ALL, []),
    "checks_that_cannot_fail.py": ({"ok_not_counted", "ok_counted_twice"}, []),
    "every_test_skipped.py": (set(), []),
}
# The files whose tests pass on the correct app but can never fail: what the grader says.
NAMED = {
    "checks_that_cannot_fail.py": [
        "  FAIL  test_a_good_lookup_is_counted_once (can never fail, so it catches nothing)\n"
        "        line 12: it returns its check",
        "  FAIL  test_an_unknown_city_is_counted_as_not_found (can never fail, so it catches "
        "nothing)\n        line 19: it asserts a tuple, which is always true",
    ],
    "every_test_skipped.py": ["(every test was skipped, so it catches nothing)"],
}


def test_the_corpus_is_the_files_expected():
    assert sorted(path.name for path in CORPUS.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_learners_file_catches_what_a_reviewer_says_it_catches(name):
    expected_caught, failing_on_the_app = EXPECTED[name]
    verdicts, output, _ = grade(CORPUS / name)
    assert caught(verdicts.verdicts) == expected_caught, output
    broken = re.findall(
        r"^  FAIL  (\S+) \(fails on the correct app, so it catches nothing\)$", output, re.M
    )
    assert broken == failing_on_the_app, output
    assert verdicts.passed == (expected_caught == ALL and not failing_on_the_app), output
    assert verdicts.score == f"{len(expected_caught)}/{len(ALL)} mutants caught"
    for said in NAMED.get(name, []):
        assert said in output, output


UNGRADABLE = {  # file content: the FAIL line it gets (within 1 s per run, for "hangs")
    "syntax": (
        "def test_x(:\n    pass\n",
        "  FAIL  {file} (does not run)\n        {file}:1: SyntaxError",
    ),
    "no tests": (
        "def helper():\n    pass\n",
        "  FAIL  {file} (has no tests: pytest runs the functions",
    ),
    "exits": (
        "import os\n\n\ndef test_x():\n    os._exit(3)\n",
        "  FAIL  {file} (stopped pytest itself, exit code 3)",
    ),
    "hangs": (
        "import threading\n\n\ndef test_x():\n    threading.Event().wait()\n",
        "  FAIL  {file} (did not finish within 1 s on the correct app)",
    ),
}


@pytest.mark.parametrize("case", list(UNGRADABLE))
def test_a_file_that_cannot_be_graded_is_one_fail_line_and_no_mutant_runs(case, tmp_path):
    content, line = UNGRADABLE[case]
    path = tmp_path / "exercise.py"
    path.write_text(content, encoding="utf-8")
    verdicts, output, results = grade(path, timeout=1 if case == "hangs" else 60)
    assert line.format(file=path) in output, output
    assert "Traceback" not in output and verdicts.score == f"0/{len(ALL)} mutants caught"
    # Once the correct app's run ends with nothing passed, no other run starts.
    started_beside_it = tests_grader.parallel_runs() - 1
    not_run = [name for name in NAMES if results[name]["status"] == "not run"]
    assert len(not_run) >= len(NAMES) - started_beside_it, results


def test_a_file_that_is_not_there_is_a_fail_line(tmp_path):
    verdicts, output, results = grade(tmp_path / "nothing.py")
    assert f"  FAIL  there is no {tmp_path / 'nothing.py'}" in output and not verdicts.passed


# --- broken mutants -------------------------------------------------------------------


def test_a_mutant_that_no_longer_applies_to_the_app_is_a_fail_line(tmp_path):
    folder = tmp_path / LESSON.name
    folder.mkdir()
    for path in LESSON.folder.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    app = folder / "app.py"
    app.write_text(app.read_text().replace('else "other"', 'else "elsewhere"'))
    verdicts, output, _ = grade(LESSON.reference, lesson=lessons.Lesson(folder))
    assert (
        "  FAIL  the grader cannot plant its bugs: mutant city_label_from_the_request: " in output
    )
    assert "0 times, not once" in output and not verdicts.passed


@pytest.mark.parametrize(
    "edits, why",
    [
        ({"started = clock()": "started = clock()"}, "changes nothing"),
        ({"try:": "try"}, "is not Python"),
    ],
)
def test_a_mutant_that_changes_nothing_or_breaks_python_is_refused(edits, why):
    mutant = tests_mutants.Mutant("broken", "a broken mutant", edits, 1)
    with pytest.raises(tests_mutants.BrokenMutant, match=why):
        tests_mutants.planted(LESSON.app.read_text(encoding="utf-8"), mutant)


# --- the runs -------------------------------------------------------------------------


def test_runs_without_fork_end_as_forked_ones_do(tmp_path):
    """Windows has no fork: each run is a new Python there. The same outcomes as the
    forked runs of the reference test above: on the mutant, TODO 1's test fails."""
    source = LESSON.app.read_text(encoding="utf-8")
    mutant = next(m for m in MUTANTS if m.name == "ok_counted_twice")
    apps = {tests_grader.CORRECT: source, mutant.name: tests_mutants.planted(source, mutant)}
    runs, _ = tests_grader.write_runs(LESSON, LESSON.reference, apps, tmp_path)
    results = tests_runner.run_all(runs, 30, 2, gate=tests_grader.CORRECT, fork=False)
    tests = todo_of_each_test()
    assert {name: r["outcome"] for name, r in results[tests_grader.CORRECT]["tests"].items()} == {
        name: "passed" for name in tests
    }
    assert {name: r["outcome"] for name, r in results[mutant.name]["tests"].items()} == {
        name: "failed" if todo == 1 else "passed" for name, todo in tests.items()
    }


HANGS = "import threading\n\n\ndef test_waits():\n    threading.Event().wait()\n"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize(
    "stop, seconds, gone_within",
    [(signal.SIGINT, "3", 30), (signal.SIGKILL, "10", 5)],
    ids=["ctrl-c", "kill-9"],
)
def test_stopping_the_grader_stops_every_run(stop, seconds, gone_within, tmp_path):
    """Ctrl-C: the grader finishes the run under way (the tests may take `seconds`),
    then stops. kill -9: the runner sees its grader gone, and stops every run at
    once, long before their `seconds` are up."""
    (tmp_path / "exercise.py").write_text(HANGS, encoding="utf-8")
    marker = uuid.uuid4().hex
    check = lessons.ROOT / "scripts" / "check.py"
    command = [
        sys.executable,
        check,
        "07",
        "--file",
        tmp_path / "exercise.py",
        "--timeout",
        seconds,
    ]
    log = tmp_path / "check.log"
    with open(log, "wb") as output:
        grader = processes.start_process(command, output, {"STOP_TEST": marker}, ctrl_c=True)
    try:
        started = processes.wait_for(  # the grader, the runner and a run
            lambda: len(processes_carrying("STOP_TEST", marker)) >= 3, 30
        )
        assert started, f"the grader did not start its runs: {log.read_text()}"
        grader.send_signal(stop)
        grader.wait(timeout=30)
        gone = processes.wait_for(lambda: not processes_carrying("STOP_TEST", marker), gone_within)
        assert gone, processes_carrying("STOP_TEST", marker)
        assert "Traceback" not in log.read_text()
    finally:
        processes.stop_process(grader)


# --- the learn loop -------------------------------------------------------------------


def test_the_learn_loop_shows_the_mutants_of_each_todo_caught_as_it_is_written(tmp_path):
    copy = learning_copy(tmp_path)
    exercise = copy / LESSON.name / "exercise.py"
    with LearnLoop(copy, lesson="07") as loop:
        first = loop.verdict_after(0)
        assert f"{LESSON.name}: 0/{len(ALL)} mutants caught" in first
        assert "fails on the correct app" not in first and "  PASS  " not in first
        for mutant in MUTANTS:
            assert f"  FAIL  {mutant.name} (not caught: TODO {mutant.todo}'s tests" in first

        mark = loop.mark()
        reference_keeping([1], exercise)
        second = loop.verdict_after(mark, passing=2)
        assert "  PASS  ok_not_counted (caught by test_a_good_lookup_is_counted_once)" in second
        assert "  PASS  ok_counted_twice (caught by test_a_good_lookup_is_counted_once)" in second
        todo_2 = next(todo for todo in read_hints(LESSON) if todo.number == 2)
        loop.output_after(mark, f"Work on {todo_2.title} next.")

        mark = loop.mark()
        loop.press("h")
        loop.output_after(mark, f"Hint 1 of {len(todo_2.hints)} for {todo_2.title}:")
        loop.press("q")
        assert loop.process.wait(timeout=10) == 0
    assert "Traceback" not in loop.output()


def test_the_pass_message_names_the_reference_tests_and_the_step_that_runs_them():
    message = "\n".join(pass_message(LESSON))
    assert "The reference solution: 07_testing/test_app.py" in message
    assert "07_testing/README.md#step-6-every-bug-your-tests-catch" in message


def test_the_exercise_says_how_to_run_it_and_grade_it():
    """Its tests pass as they are: the loop's first grade above has no test that
    fails on the correct app."""
    doc = ast.get_docstring(ast.parse(LESSON.starter.read_text(encoding="utf-8")))
    assert "python -m pytest 07_testing/exercise.py" in doc
    assert "python scripts/check.py 07 --file 07_testing/exercise.py" in doc
