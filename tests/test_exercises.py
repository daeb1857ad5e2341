"""The exercises are honest: an untouched starter fails, the reference passes,
each TODO turns its own snippets green and no other, every wrong solution of
the corpus (tests/solutions/) fails with a hint that names its mistake, and
every right one written differently passes. Graded by the real grader, on the
real app started from the learner's file. (Lesson 07, graded by the bugs its
tests catch, has its own: tests/test_07_testing.py; the checks of the starter and
of the README at the bottom hold for it too.)

Every test starts from the pristine starter in scripts/starters/, never from the
learner's exercise.py, which may be solved, or half-solved, by now."""

import re
import shutil
import subprocess

import pytest
import solutions
from workshop import lessons, readme_commands
from workshop.grading import app_grader

LESSONS = [lesson for lesson in lessons.app_lessons() if lesson.starter.is_file()]
WRONG_PER_LESSON, RIGHT_PER_LESSON = 8, 2
# The lessons whose README and starter follow the app lessons' frame: 07 too.
FRAMED = [
    lesson
    for lesson in lessons.all_lessons()
    if lesson.kind in ("app", "tests") and lesson.starter.is_file()
]
# Every lesson with an exercise, whatever grades it: the rules, the tests, the scrape config.
WITH_A_STARTER = [lesson for lesson in lessons.all_lessons() if lesson.starter.is_file()]
TODO_HEADING = re.compile(r"^## TODO (\d+): (.+)$", re.MULTILINE)
lesson_params = pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
framed_params = pytest.mark.parametrize("lesson", FRAMED, ids=lambda lesson: lesson.name)


def grade(lesson, path):
    """{pattern: "PASS" | "FAIL"} and the grader's whole output, for the app file at path."""
    lines, passed = app_grader.grade(lesson, path, traffic_timeout=60)
    verdicts = {}
    for line in lines:
        if match := re.match(r"  (PASS|FAIL)  ([\w:/]+)(?: \(|$)", line):
            verdicts[match[2]] = match[1]
    return verdicts, "\n".join(lines), passed


def todo_patterns(lesson):
    """{TODO number: the snippet patterns it turns green}, from the lesson's hints.md."""
    text = (lesson.folder / "hints.md").read_text(encoding="utf-8")
    return {
        int(number): [pattern.strip() for pattern in patterns.split(",")]
        for number, patterns in TODO_HEADING.findall(text)
    }


def solved(lesson, tmp_path, todos, instead=None):
    """The lesson's starter with `todos` written, saved as a file to grade."""
    module = solutions.load(lesson)
    starter = lesson.starter.read_text(encoding="utf-8")
    path = tmp_path / "exercise.py"
    path.write_text(solutions.solve(starter, module, todos, instead), encoding="utf-8")
    return path


def committed_with_the_starter(lesson):
    """exercise.py as committed with the last change of its starter, or None without git."""
    git = shutil.which("git")
    starter = lesson.starter.relative_to(lessons.ROOT).as_posix()
    exercise = lesson.exercise.relative_to(lessons.ROOT).as_posix()
    if not git or not (lessons.ROOT / ".git").exists():
        return None
    last = subprocess.run(
        [git, "log", "-1", "--format=%H", "--", starter],
        cwd=lessons.ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    shown = subprocess.run(
        [git, "show", f"{last or 'HEAD'}:{exercise}"], cwd=lessons.ROOT, capture_output=True
    )
    return shown.stdout if shown.returncode == 0 else b""


@pytest.mark.parametrize("lesson", WITH_A_STARTER, ids=lambda lesson: lesson.name)
def test_the_exercise_is_committed_as_the_starter_that_reset_restores(lesson):
    """Committed, not as it is now: the learner's exercise is theirs to change."""
    suffix = lesson.exercise.suffix
    assert lesson.starter == lessons.ROOT / "scripts" / "starters" / f"{lesson.name}{suffix}"
    committed = committed_with_the_starter(lesson)
    if committed is None:
        pytest.skip("not a git checkout: no committed exercise.py to compare")
    assert committed == lesson.starter.read_bytes()


@lesson_params
def test_the_starter_has_no_constructor_of_the_lessons_metric_type(lesson):
    starter = lesson.starter.read_text(encoding="utf-8")
    for constructor in solutions.load(lesson).LESSON_TYPES:
        assert constructor not in starter


@lesson_params
def test_every_todo_has_hints_and_turns_known_snippets_green(lesson):
    starter = lesson.starter.read_text(encoding="utf-8")
    patterns = todo_patterns(lesson)
    assert sorted(patterns) == solutions.todo_numbers(starter)
    assert sorted(solutions.load(lesson).TODOS) == sorted(patterns)
    every_pattern = [pattern for todo in patterns.values() for pattern in todo]
    assert sorted(every_pattern) == lesson.snippet_patterns(), "each snippet belongs to one TODO"


@lesson_params
def test_the_untouched_starter_runs_and_fails_every_snippet(lesson, tmp_path):
    copy = tmp_path / "exercise.py"
    copy.write_bytes(lesson.starter.read_bytes())
    verdicts, output, _ = grade(lesson, copy)
    assert set(verdicts) == set(lesson.snippet_patterns()), output  # it ran the traffic
    assert set(verdicts.values()) == {"FAIL"}, output


def todo_cases():
    return [
        pytest.param(lesson, number, id=f"{lesson.name}-TODO{number}")
        for lesson in LESSONS
        for number in sorted(todo_patterns(lesson))
    ]


@pytest.mark.parametrize("lesson, number", todo_cases())
def test_each_todo_alone_turns_its_own_snippets_green_and_no_other(lesson, number, tmp_path):
    verdicts, output, _ = grade(lesson, solved(lesson, tmp_path, [number]))
    own = set(todo_patterns(lesson)[number])
    assert {pattern for pattern, verdict in verdicts.items() if verdict == "PASS"} == own, output
    # Nothing is renamed here: another TODO's metric (its _created too) is not a guess.
    assert "was the metric renamed?" not in output, output


def wrong_cases():
    return [
        pytest.param(lesson, changes, hint, id=f"{lesson.name}-{what}")
        for lesson in LESSONS
        for what, changes, hint in solutions.load(lesson).WRONG
    ]


def right_cases():
    return [
        pytest.param(lesson, changes, id=f"{lesson.name}-{what}")
        for lesson in LESSONS
        for what, changes in solutions.load(lesson).RIGHT
    ]


@lesson_params
def test_the_corpus_has_enough_wrong_and_right_solutions(lesson):
    module = solutions.load(lesson)
    assert len(module.WRONG) >= WRONG_PER_LESSON and len(module.RIGHT) >= RIGHT_PER_LESSON


def what_it_says(output):
    """The grader's output without its PASS lines: the FAILs, the differences, the hints."""
    return "\n".join(line for line in output.splitlines() if not line.startswith("  PASS"))


@pytest.mark.parametrize("lesson, changes, hint", wrong_cases())
def test_a_wrong_solution_fails_with_a_hint_naming_its_mistake(lesson, changes, hint, tmp_path):
    path = solved(lesson, tmp_path, todo_patterns(lesson), changes)
    _, output, passed = grade(lesson, path)
    assert not passed, output
    assert hint in what_it_says(output), output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("lesson, changes", right_cases())
def test_a_right_solution_written_differently_passes(lesson, changes, tmp_path):
    path = solved(lesson, tmp_path, todo_patterns(lesson), changes)
    verdicts, output, passed = grade(lesson, path)
    assert passed and set(verdicts.values()) == {"PASS"}, output


@framed_params
def test_the_readmes_grader_commands_are_the_ones_graded_here(lesson):
    """The README runs the grader on app.py and on the untouched starter: the tests
    of the reference and of the starter above grade exactly those two (the README
    walk does not run them a second time)."""
    lines = {
        command.line
        for command in readme_commands.commands(lesson.readme.read_text(encoding="utf-8"))
        if command.kind == "check"
    }
    assert lines == {
        f"python scripts/check.py {lesson.number}",
        f"python scripts/check.py {lesson.number} --file {lesson.name}/exercise.py",
    }


@framed_params
def test_the_readme_ends_with_the_exercise_and_the_command_to_check_it(lesson):
    readme = lesson.readme.read_text(encoding="utf-8")
    last_section = readme[readme.rindex("\n## ") :]
    assert last_section.startswith("\n## Exercise\n")
    assert (
        f"python scripts/check.py {lesson.number} --file {lesson.name}/exercise.py" in last_section
    )
