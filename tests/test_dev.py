"""scripts/dev.py: its commands as a learner types them, in a copy of the repository;
then a few of the pieces behind them, alone.

Every command runs in its own copy under tmp_path (tests run in parallel and must
not touch the repository). `learn` runs for real: the copy's .venv links to this
one's (tests/learn_driver.py), and the grader grades the copy's exercise.py.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import processes_carrying
from learn_driver import LearnLoop, copy_repository, learning_copy, venv_install_of
from workshop import lessons, processes
from workshop.learn.exercise_check import read_grade
from workshop.learn.lesson_done import pass_message, slug, solution_section
from workshop.learn.progress import Progress
from workshop.lessons import Lesson

pytestmark = pytest.mark.skipif(
    os.name == "nt", reason="links a .venv and sends POSIX signals; CI runs on Linux"
)
LESSON = "01_counters"
NEXT_COMMAND = "python3 scripts/dev.py learn 02"
ANCHOR = f"{LESSON}/README.md#step-3-counting-what-goes-wrong"
FAKE_PYTHON = """#!/bin/sh
# Stands in for .venv's python: notes how it was called, installs nothing.
echo "$@" >> "$(dirname "$0")/../calls.log"
exit 1
"""


@pytest.fixture
def copy(tmp_path):
    """A copy of the repository where `dev.py learn` runs without installing anything."""
    return learning_copy(tmp_path / "repo")


@pytest.fixture
def repo(tmp_path):
    """A copy of the repository without a .venv, for the commands that need none."""
    return copy_repository(tmp_path / "repo")


@pytest.fixture
def bare_copy(repo):
    """A copy whose .venv/bin/python only notes its calls: any install attempt shows."""
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return repo


def calls(repo):
    log = repo / ".venv" / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def run_dev(repo, *args, timeout=60):
    """`python3 scripts/dev.py ARGS` in the copy; stopped with its group whatever happens."""
    process = subprocess.Popen(
        [sys.executable, repo / "scripts" / "dev.py", *args],
        cwd=repo,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=processes.environment(),
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        processes.stop_process(process)
    return process.returncode, stdout, stderr


def exercise(repo):
    return repo / LESSON / "exercise.py"


def starter(repo):
    return repo / "scripts" / "starters" / f"{LESSON}.py"


def saved_progress(repo):
    """Lesson 01's part of the copy's .workshop/progress.json."""
    text = (repo / ".workshop" / "progress.json").read_text(encoding="utf-8")
    return json.loads(text)["lessons"]["01"]


def hints_of(repo, todo):
    """The bullets under "## TODO k:" in the copy's hints.md, each as one string."""
    text = (repo / LESSON / "hints.md").read_text(encoding="utf-8")
    section = re.search(rf"^## TODO {todo}:.*?\n(.*?)(?=^## |\Z)", text, re.M | re.S)[1]
    return [" ".join(bullet.split()) for bullet in re.split(r"^- ", section, flags=re.M)[1:]]


def only_todo_2_done(repo):
    """The starter with TODO 2 written (the /health counter) and nothing else."""
    code = starter(repo).read_text(encoding="utf-8")
    assert "app = Flask(__name__)\n" in code and "def health():\n" in code
    code = code.replace(
        "app = Flask(__name__)\n",
        "from prometheus_client import Counter\n\n"
        'HEALTH_CHECK_CALLS = Counter("health_check_calls", '
        '"Times the /health endpoint was called.")\n\n'
        "app = Flask(__name__)\n",
    )
    return code.replace("def health():\n", "def health():\n    HEALTH_CHECK_CALLS.inc()\n")


def flat(text):
    return " ".join(text.split())


# --- issue 9: the lesson argument is checked before anything is installed ------------


@pytest.mark.parametrize(
    "args",
    [
        ("start", "*"),
        ("start", "?"),
        ("start", "99"),
        ("start", "1x"),
        ("learn", "99"),
        ("learn", "*"),
        ("hint", "99"),
        ("reset", "99"),
        ("reset", "../01_counters"),
    ],
    ids=" ".join,
)
def test_a_wrong_lesson_is_one_line_and_exit_2_before_installing(bare_copy, args):
    code, stdout, stderr = run_dev(bare_copy, *args)
    assert (code, stdout) == (2, ""), stdout + stderr
    [line] = stderr.splitlines()
    numbers = ", ".join(lesson.number for lesson in lessons.all_lessons(bare_copy))
    if args[1] == "99":
        assert line == f"dev.py: no lesson 99: try one of {numbers}"
    else:
        assert line == f"dev.py: {args[1]!r} is not a lesson number: try one of {numbers}"
    assert calls(bare_copy) == [], "dev.py ran .venv's python (pip) before checking the lesson"


@pytest.mark.parametrize("args", [(), ("bogus",), ("start", "01", "02"), ("reset",)], ids=repr)
def test_a_wrong_command_line_is_one_line_and_exit_2(bare_copy, args):
    code, stdout, stderr = run_dev(bare_copy, *args)
    assert (code, stdout, len(stderr.splitlines())) == (2, "", 1), stderr
    assert "Traceback" not in stderr and calls(bare_copy) == []


def test_the_dev_stamp_counts_for_the_lessons_requirements(bare_copy):
    """`dev.py test` installs requirements-dev.txt, which includes requirements.txt:
    `start` and `learn` then need no pip (no network) either."""
    setup = venv_install_of(bare_copy)
    setup.stamp("requirements-dev.txt").write_text(setup.requirements_hash())
    code, _, stderr = run_dev(bare_copy, "start", "1")
    assert code == 1, stderr  # the stand-in python exits 1
    assert calls(bare_copy) == [str(bare_copy / LESSON / "app.py")]


def test_a_lesson_without_an_exercise_is_not_ready(bare_copy):
    course = lessons.all_lessons(bare_copy)
    number = f"{max(int(lesson.number) for lesson in course if lesson.number.isdigit()) + 1:02}"
    (bare_copy / f"{number}_not_yet").mkdir()
    (bare_copy / f"{number}_not_yet" / "app.py").write_text("")
    code, stdout, stderr = run_dev(bare_copy, "learn", number)
    assert code == 1 and "Traceback" not in stdout + stderr
    assert re.search(rf"^  not ready +{number}_not_yet", stdout, re.M), stdout
    assert re.search(rf"^  to do +{LESSON}", stdout, re.M), stdout
    assert stderr == f"dev.py: lesson {number} has no exercise yet (not ready).\n"
    assert calls(bare_copy) == []


def test_learn_after_every_exercise_says_so_without_installing(bare_copy):
    all_done = {lesson.number: {"done": True} for lesson in lessons.all_lessons(bare_copy)}
    (bare_copy / ".workshop").mkdir()
    (bare_copy / ".workshop" / "progress.json").write_text(json.dumps({"lessons": all_done}))
    code, stdout, stderr = run_dev(bare_copy, "learn")
    assert code == 0, stdout + stderr
    assert re.search(rf"^  done +{LESSON}$", stdout, re.M), stdout
    assert "To do one again: python3 scripts/dev.py learn NN" in stdout
    assert calls(bare_copy) == []


@pytest.mark.parametrize("text", ['{"lessons": [', "[1, 2]", '{"lessons": 3}', "\udcff"], ids=repr)
def test_a_broken_progress_file_is_kept_aside_and_the_learner_told(tmp_path, capsys, text):
    path = tmp_path / "progress.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert Progress.load(path).data == {"lessons": {}}
    [aside] = tmp_path.glob("progress.json.broken-*")
    assert aside.read_bytes() == text.encode("utf-8", "surrogateescape"), "nothing lost"
    assert re.fullmatch(r"progress\.json\.broken-\d{8}-\d{6}", aside.name)
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"dev.py: {path} was ") and f"kept it as {aside}" in line
    assert not path.exists(), "the next save starts a new file"


@pytest.mark.parametrize("value", [-4, -1, True, "2", 1.5])
def test_a_hint_count_edited_by_hand_counts_as_none_seen(tmp_path, value):
    path = tmp_path / "progress.json"
    lesson = lessons.lesson_named("01")
    path.write_text(json.dumps({"lessons": {"01": {"hints_shown": {"1": value}}}}))
    progress = Progress.load(path)
    assert progress.hints_shown(lesson, 1) == 0
    progress.count_hint(lesson, 1)
    assert progress.hints_shown(lesson, 1) == 1


def test_hint_after_a_negative_count_shows_the_first_hint(copy):
    """-4 was an IndexError, -1 "Hint 0 of 3"."""
    (copy / ".workshop").mkdir()
    for count in (-4, -1):
        saved = {"lessons": {"01": {"hints_shown": {"1": count}}}}
        (copy / ".workshop" / "progress.json").write_text(json.dumps(saved))
        code, stdout, stderr = run_dev(copy, "hint", "01")
        assert code == 0 and "Traceback" not in stdout + stderr, stdout + stderr
        assert f"Hint 1 of {len(hints_of(copy, 1))} for TODO 1" in stdout
        assert saved_progress(copy)["hints_shown"] == {"1": 1}


# --- files and folders in the way: one line each, nothing lost ----------------------

IN_THE_WAY = {
    "progress.json is a folder": (".workshop/progress.json", "is a folder"),
    ".workshop is a file": (".workshop", "is a file"),
}


def put_in_the_way(repo, case):
    path, _ = IN_THE_WAY[case]
    if case == "progress.json is a folder":
        (repo / path).mkdir(parents=True)
        (repo / path / "kept.txt").write_text("mine")
    else:
        (repo / path).write_text("mine")


@pytest.mark.parametrize("case", IN_THE_WAY)
@pytest.mark.parametrize("command", [("learn",), ("hint", "01"), ("reset", "01")], ids=" ".join)
def test_a_file_or_folder_in_the_progress_files_way_is_one_line(bare_copy, case, command):
    put_in_the_way(bare_copy, case)
    mine = only_todo_2_done(bare_copy)
    exercise(bare_copy).write_text(mine, encoding="utf-8")
    code, stdout, stderr = run_dev(bare_copy, *command)
    path, problem = IN_THE_WAY[case]
    assert "Traceback" not in stdout + stderr
    assert code == 2 and len(stderr.splitlines()) == 1, stdout + stderr
    assert stderr.startswith(f"dev.py: {path} {problem}, ") and "rename or remove" in stderr
    assert calls(bare_copy) == [], "nothing installed"
    assert exercise(bare_copy).read_text(encoding="utf-8") == mine, "the exercise was touched"
    if case == "progress.json is a folder":
        assert (bare_copy / path / "kept.txt").read_text() == "mine"
    else:
        assert (bare_copy / path).read_text() == "mine"


def test_a_file_in_the_backup_folders_way_stops_reset_with_the_exercise_untouched(repo):
    (repo / ".workshop").mkdir()
    (repo / ".workshop" / "backup").write_text("mine")
    mine = only_todo_2_done(repo)
    exercise(repo).write_text(mine, encoding="utf-8")
    code, stdout, stderr = run_dev(repo, "reset", "01")
    assert (code, len(stderr.splitlines())) == (1, 1), stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert stderr.startswith(f"dev.py: cannot reset {LESSON}/exercise.py: a file is in the way")
    assert stderr.rstrip().endswith("(.workshop/backup)")
    assert exercise(repo).read_text(encoding="utf-8") == mine
    assert (repo / ".workshop" / "backup").read_text() == "mine"


@pytest.mark.parametrize("made", ["a folder", "a link"])
def test_reset_keeps_a_folder_or_link_made_in_the_exercises_place(repo, tmp_path, made):
    """Moved into the backup folder as it is (a link is not followed: reset never
    writes through it), and the starter put back as a file."""
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("not the workshop's")
    exercise(repo).unlink()
    if made == "a folder":
        exercise(repo).mkdir()
        (exercise(repo) / "notes.txt").write_text("mine")
    else:
        exercise(repo).symlink_to(elsewhere)
    code, stdout, stderr = run_dev(repo, "reset", "01")
    assert code == 0 and "Traceback" not in stdout + stderr, stdout + stderr
    kept = re.search(rf"^Kept what was at {LESSON}/exercise.py \({made}\) in (\S+)$", stdout, re.M)
    assert kept, stdout
    assert not exercise(repo).is_symlink()
    assert exercise(repo).read_bytes() == starter(repo).read_bytes()
    if made == "a folder":
        assert (repo / kept[1] / "notes.txt").read_text() == "mine"
    else:
        assert (repo / kept[1]).resolve() == elsewhere.resolve()
    assert elsewhere.read_text() == "not the workshop's"


@pytest.mark.parametrize("command", ["learn", "hint"])
def test_a_folder_in_the_exercises_place_is_one_line_and_kept(copy, command):
    """learn and hint copy the starter when the exercise is missing, never over a folder."""
    exercise(copy).unlink()
    exercise(copy).mkdir()
    (exercise(copy) / "notes.txt").write_text("mine")
    code, stdout, stderr = run_dev(copy, command, "01")
    assert code == 1 and "Traceback" not in stdout + stderr, stdout + stderr
    assert (
        stderr == f"{LESSON}/exercise.py is there but is not a file: move it aside, then "
        "run this again (the starter is copied in its place).\n"
    )
    assert (exercise(copy) / "notes.txt").read_text() == "mine"


def test_a_corrupt_progress_file_is_kept_aside_by_any_command(repo):
    (repo / ".workshop").mkdir()
    (repo / ".workshop" / "progress.json").write_text('{"lessons": {"01": {"done": tru')
    code, stdout, stderr = run_dev(repo, "reset", "01")
    assert code == 0 and "Traceback" not in stdout + stderr, stdout + stderr
    [aside] = (repo / ".workshop").glob("progress.json.broken-*")
    assert aside.read_text() == '{"lessons": {"01": {"done": tru'
    assert f"kept it as .workshop/{aside.name}" in stdout


# --- reset ---------------------------------------------------------------------


def reset_and_check(repo):
    mine = only_todo_2_done(repo)
    exercise(repo).write_text(mine, encoding="utf-8")
    code, stdout, stderr = run_dev(repo, "reset", "01")
    assert code == 0, stdout + stderr
    assert exercise(repo).read_bytes() == starter(repo).read_bytes()
    kept = re.search(r"^Kept your version in (\.workshop/backup/\S+\.py)$", stdout, re.M)
    assert kept, stdout
    assert (repo / kept[1]).read_text(encoding="utf-8") == mine
    assert f"Restored {LESSON}/exercise.py from scripts/starters/{LESSON}.py." in stdout
    assert not (repo / ".venv").exists(), "reset installed something"
    # Again: nothing to keep, nothing to do.
    code, stdout, _ = run_dev(repo, "reset", "01")
    assert code == 0 and "already the starter" in stdout
    assert len(list((repo / ".workshop" / "backup").iterdir())) == 1


def test_reset_restores_the_starter_without_git(repo):
    assert not (repo / ".git").exists()
    reset_and_check(repo)


def test_reset_restores_the_starter_with_git_not_the_last_commit(repo):
    git = ["git", "-c", "user.name=Learner", "-c", "user.email=learner@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    exercise(repo).write_text(only_todo_2_done(repo), encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "my work"], cwd=repo, check=True)
    reset_and_check(repo)


def test_reset_brings_back_a_deleted_exercise(repo):
    exercise(repo).unlink()
    code, stdout, _ = run_dev(repo, "reset", "1")
    assert code == 0 and "Kept" not in stdout
    assert exercise(repo).read_bytes() == starter(repo).read_bytes()


# --- learn ---------------------------------------------------------------------


def test_learn_grades_each_save_gives_hints_and_points_at_the_next_lesson(copy):
    with LearnLoop(copy) as loop:
        first = loop.verdict_after(0)
        assert f"{LESSON}: 0/4 snippets pass" in first
        shown = loop.output()
        assert re.search(rf"^  current +{LESSON}$", shown, re.M), shown
        for lesson in lessons.all_lessons(copy)[1:]:
            assert re.search(rf"^  (to do|not ready) +{lesson.name}", shown, re.M), shown

        # TODO 2 done alone: its snippet turns green, the others stay red.
        mark, saved = loop.mark(), time.monotonic()
        exercise(copy).write_text(only_todo_2_done(copy), encoding="utf-8")
        partial = loop.verdict_after(mark, passing=1)
        latency = time.monotonic() - saved
        assert "  PASS  health_check_calls_total" in partial
        for pattern in ("page_visits_total", "page_not_found_total", "divide_exceptions_total"):
            assert f"  FAIL  {pattern}" in partial
        # Generous: the benchmark (scripts/bench/bench_learn.py) measures the 1 s goal.
        assert latency < 5, f"{latency:.2f} s from save to verdict"

        # h: the first hint of the first failing TODO (1), and only that one.
        mark = loop.mark()
        loop.press("h")
        answer = flat(loop.output_after(mark, "Hint 1 of"))
        first_hint, second_hint, *_ = hints_of(copy, 1)
        assert "Hint 1 of 3 for TODO 1 (page_visits_total):" in answer
        assert first_hint in answer and second_hint not in answer
        assert not any(hint in answer for hint in hints_of(copy, 2))
        assert saved_progress(copy)["hints_shown"] == {"1": 1}

        # The reference solution passes: done, with where to read on and go next.
        mark = loop.mark()
        exercise(copy).write_bytes((copy / LESSON / "app.py").read_bytes())
        loop.verdict_after(mark, passing=4)
        message = loop.output_after(mark, NEXT_COMMAND)
        for where in (f"{LESSON}/app.py", ANCHOR):
            assert where in message
        assert saved_progress(copy)["done"] is True

        loop.press("q")
        assert loop.process.wait(timeout=10) == 0
    assert "Traceback" not in loop.output()


def test_learn_ignores_a_touch_keeps_watching_without_stdin_and_stops_on_ctrl_c(copy):
    with LearnLoop(copy, stdin=subprocess.DEVNULL) as loop:
        loop.verdict_after(0)
        loop.output_after(0, "keys are off; still watching")
        mark = loop.mark()
        later = time.time() + 10
        os.utime(exercise(copy), (later, later))  # saved without a change
        time.sleep(1.0)  # ten polls
        assert "grading" not in loop.output()[mark:], "a touch was graded again"
        exercise(copy).write_text(only_todo_2_done(copy), encoding="utf-8")
        assert "PASS  health_check_calls_total" in loop.verdict_after(mark)
        loop.process.send_signal(signal.SIGINT)
        assert loop.process.wait(timeout=10) == 0
    output = loop.output()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert output.rstrip().endswith("Stopped. Run python3 scripts/dev.py learn to carry on.")


def processes_running(path):
    """The command lines of running processes that mention `path`: the grader grading
    it (check.py ... --file PATH) and the app it started (python PATH)."""
    ps = ["ps", "-A", "-ww", "-o", "args="]  # -ww: whole lines, whatever COLUMNS says
    listing = subprocess.run(ps, capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if str(path) in line]


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"], ids=["ctrl-c", "kill"])
def test_stopping_learn_while_it_grades_leaves_no_app_behind(copy, stop):
    with LearnLoop(copy) as loop:
        loop.verdict_after(0)
        mark = loop.mark()
        loop.press("")  # Enter: grade again
        loop.output_after(mark, "grading again")
        loop.wait_for(
            lambda _: len(processes_running(exercise(copy))) >= 2, 10, "the grader and its app"
        )
        loop.process.send_signal(getattr(signal, stop))
        assert loop.process.wait(timeout=15) == 0
        # dev.py waits for its grader to stop the app: when dev.py is gone, so are they.
        assert processes_running(exercise(copy)) == []
    assert "Traceback" not in loop.output()


SLOW_HOME = "def home():\n    time.sleep(9.5)  # every visit takes longer than the test\n"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop", ["ctrl-c", "q"])
def test_stopping_learn_during_a_slow_grade_ends_every_process_of_it_within_2_s(copy, stop):
    """Issue 22: the grader, the app and the stand-in-like reference all end with it,
    within 2 s, and q does not wait for the grade to finish."""
    app = (copy / LESSON / "app.py").read_text(encoding="utf-8")
    slow = "import time\n" + app.replace("def home():\n", SLOW_HOME)
    exercise(copy).write_text(slow, encoding="utf-8")
    marker = uuid.uuid4().hex
    with LearnLoop(copy, env={"SLOW_GRADE": marker}) as loop:
        # dev.py, check.py, the learner's app and the lesson's own app beside it
        started = processes.wait_for(lambda: len(processes_carrying("SLOW_GRADE", marker)) >= 4, 30)
        assert started, loop.output()
        time.sleep(1.5)  # the traffic waits on the slow home page now
        stopped = time.monotonic()
        if stop == "q":
            loop.press("q")
        else:
            loop.process.send_signal(signal.SIGINT)
        gone = processes.wait_for(lambda: not processes_carrying("SLOW_GRADE", marker), 10)
        seconds = time.monotonic() - stopped
        assert gone and seconds <= 2, f"{seconds:.1f} s: {processes_carrying('SLOW_GRADE', marker)}"
        assert loop.process.wait(timeout=5) == 0
    assert "Traceback" not in loop.output()


def test_a_grade_whose_app_does_not_start_still_finishes(copy):
    """The grader says why, and ends with its summary: the loop does not say that it
    did not finish."""
    exercise(copy).write_text("import flask\nPAGE_VISITS = Counter(\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, copy / "scripts" / "check.py", "01", "--file", exercise(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    grade = read_grade(result.stdout, result.returncode)
    assert grade.finished and not grade.passed and grade.score == "0/4 snippets pass"
    assert "line 2" in result.stdout and "SyntaxError" in result.stdout, result.stdout


def course_of(tmp_path, *names):
    """A course of lessons (folders with an exercise) in tmp_path, and its progress."""
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "exercise.py").write_text("")
    return [Lesson(tmp_path / name) for name in names], Progress(
        tmp_path / "p.json", {"lessons": {}}
    )


def test_the_last_lessons_pass_message_ends_the_course_and_offers_no_next(tmp_path):
    (first, last), progress = course_of(tmp_path, "01_first", "02_last")
    message = "\n".join(pass_message(first, True, progress))
    assert "python3 scripts/dev.py learn 02" in message and "n + Enter goes on" in message
    message = "\n".join(pass_message(last, True, progress))
    assert "n + Enter" not in message and "Next lesson" not in message
    assert "That was the last lesson. Still to do: 01_first." in message
    progress.mark_done(first)
    message = "\n".join(pass_message(last, True, progress))
    assert "That was the last lesson: you have done the whole workshop." in message


def test_reset_while_learn_runs_is_not_undone_by_the_loops_next_save(copy):
    """The loop kept the progress it read at start and saved all of it again: the hints
    that reset had forgotten came back."""
    with LearnLoop(copy) as loop:
        loop.verdict_after(0)
        mark = loop.mark()
        loop.press("h")
        loop.output_after(mark, "Hint 1 of")
        assert saved_progress(copy)["hints_shown"] == {"1": 1}
        exercise(copy).write_text(only_todo_2_done(copy), encoding="utf-8")
        loop.verdict_after(mark, passing=1)
        code, stdout, _ = run_dev(copy, "reset", "01")  # beside the running loop
        assert code == 0 and "Restored" in stdout
        assert saved_progress(copy)["hints_shown"] == {}
        mark = loop.mark()
        loop.verdict_after(mark, passing=0)  # the loop sees the starter back
        loop.press("h")
        assert "Hint 1 of" in loop.output_after(mark, "Hint ")
        assert saved_progress(copy)["hints_shown"] == {"1": 1}
        loop.press("q")
        assert loop.process.wait(timeout=10) == 0
    assert "Traceback" not in loop.output()


def test_hint_gives_the_next_hint_each_time(copy):
    hints = hints_of(copy, 1)
    for number, hint in enumerate(hints, start=1):
        code, stdout, stderr = run_dev(copy, "hint", "01")
        assert code == 0, stdout + stderr
        assert f"Hint {number} of {len(hints)} for TODO 1" in stdout and hint in flat(stdout)
    _, stdout, _ = run_dev(copy, "hint", "01")
    assert f"No hints left for TODO 1 (page_visits_total): here are the {len(hints)} again" in (
        stdout
    )
    run_dev(copy, "reset", "01")  # a fresh start: the hints start over
    _, stdout, _ = run_dev(copy, "hint", "01")
    assert "Hint 1 of" in stdout


# --- the pieces ----------------------------------------------------------------


def test_anchors_follow_githubs_rules():
    assert slug("Step 3: counting what goes wrong") == "step-3-counting-what-goes-wrong"
    assert slug("Limits & Retries") == "limits--retries"
    assert slug("The metric type: `Counter`") == "the-metric-type-counter"
    assert slug("See [the docs](https://example.com)") == "see-the-docs"


def test_the_pass_message_names_the_step_that_runs_app_py(tmp_path):
    lesson = Lesson(tmp_path / LESSON)
    lesson.folder.mkdir()
    text = (lessons.ROOT / LESSON / "README.md").read_text(encoding="utf-8")
    (lesson.folder / "README.md").write_text(text, encoding="utf-8")
    assert solution_section(lesson) == ANCHOR
    # A second heading with the same words gets GitHub's "-1".
    doubled = text.replace("## Step 3:", "## Step 3: counting what goes wrong\n\n## Step 3:")
    (lesson.folder / "README.md").write_text(doubled, encoding="utf-8")
    assert solution_section(lesson) == f"{ANCHOR}-1"
