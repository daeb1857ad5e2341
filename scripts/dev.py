"""One command for each everyday job; each sets up .venv first if needed.

    python3 scripts/dev.py learn [NN]     the exercise loop (default: where you left off)
    python3 scripts/dev.py hint [NN]      grade once, then show your next hint
    python3 scripts/dev.py reset NN       put lesson NN's exercise back as it came
    python3 scripts/dev.py start [NN]     install, then run lesson NN's app (default 01)
    python3 scripts/dev.py test [ARGS]    install the test tools, then run pytest ARGS

`learn` shows your progress across the lessons (done / current / to do / not
ready), grades NN_topic/exercise.py with `scripts/check.py NN --file`, then
watches the file and grades it again on every save. Type a key, then Enter:

    h   the next hint for the first TODO that still fails (one at a time)
        Enter alone: grade again now
    n   go on to the next lesson's exercise
    q   quit (Ctrl-C quits too)

When every snippet passes, the lesson is marked done and the loop says where
the reference solution is and how to start the next lesson, then it keeps
watching: you may tidy your code (a later failing save shows its FAILs again,
the lesson stays done), or press n to go on. If stdin is not a terminal and
ends (`< /dev/null`, an IDE without a console), the keys are off and the loop
keeps watching until Ctrl-C; at a terminal, Ctrl-D quits like q.

Progress and hints shown are kept in .workshop/progress.json (git-ignored);
`reset` keeps your version in .workshop/backup/ before restoring the starter
from scripts/starters/, with or without git.

Standard library only: this is what runs before anything is installed.
"""

import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
WORKSHOP_DIR = ROOT / ".workshop"  # the learner's own state; in .gitignore
PROGRESS_FILE = WORKSHOP_DIR / "progress.json"
BACKUP_DIR = WORKSHOP_DIR / "backup"
STARTERS = ROOT / "scripts" / "starters"
CHECK = ROOT / "scripts" / "check.py"
OFFLINE_HINT = (
    "This lesson calls the real GitHub API. Offline, start the stand-in first "
    "(python3 scripts/fake_github.py) and then: "
    "GITHUB_API_URL=http://127.0.0.1:5050 python3 scripts/dev.py start {lesson}"
)
USAGE = (
    "usage: python3 scripts/dev.py learn [NN] | hint [NN] | reset NN | start [NN]"
    " | test [pytest arguments]"
)
POLL_SECONDS = 0.1  # how often `learn` looks at the exercise (a stat): grading 01 takes ~0.6 s
SETTLE_SECONDS = 0.03  # a save is a truncate, then writes (or a rename): let it finish
STOP_SECONDS = 5  # how long an interrupted grader may take to stop its app before it is killed
LESSON_FOLDER = re.compile(r"\d\d_\w+")
SUMMARY = re.compile(r"^\d\d_\w+: (\d+)/(\d+) snippets pass", re.MULTILINE)
VERDICT = re.compile(r"^  (PASS|FAIL)  (\S+)(?: \(|$)", re.MULTILINE)
KEYS_HELP = "Keys, then Enter: h = hint, Enter alone = grade again, n = next lesson, q = quit."


class UsageError(Exception):
    """A wrong command line: one line on stderr, exit code 2."""


# --- installing --------------------------------------------------------------


def venv_python():
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def requirements_hash():
    # requirements-dev.txt includes requirements.txt: a change to either counts.
    files = sorted(ROOT.glob("requirements*.txt"))
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def stamp(requirements):
    return VENV / f"installed-{requirements}.sha256"


def is_installed(requirements):
    """Whether `requirements` is installed in .venv as the requirements files are now.

    requirements-dev.txt includes requirements.txt, so its stamp counts for both.
    """
    wanted = requirements_hash()
    covering = [requirements, "requirements-dev.txt"]
    return venv_python().exists() and any(
        stamp(name).is_file() and stamp(name).read_text() == wanted for name in covering
    )


def install(requirements):
    """Create .venv and install `requirements` into it, unless already done."""
    if is_installed(requirements):
        return  # nothing changed: no network needed (workshop Wi-Fi is slow)
    if not venv_python().exists():
        print(f"Creating {VENV.name} ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = requirements_hash()
    print(f"Installing {requirements} ...", flush=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if subprocess.run([*pip, "-r", str(ROOT / requirements)]).returncode != 0:
        sys.exit(f"dev.py: installing {requirements} failed (see above): check the network")
    stamp(requirements).write_text(wanted)


def hand_over(command):
    """Become `command`, so that Ctrl-C and kill reach it directly."""
    os.chdir(ROOT)
    if os.name != "nt":
        os.execv(command[0], command)
    try:  # Windows has no real exec: wait for it instead
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 0


# --- lessons -------------------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    folder: Path

    @property
    def name(self):
        return self.folder.name

    @property
    def number(self):
        return self.name[:2]

    @property
    def exercise(self):
        return self.folder / "exercise.py"

    @property
    def starter(self):
        return STARTERS / f"{self.name}.py"

    @property
    def ready(self):
        """Whether the lesson has its exercise yet (they arrive one lesson at a time)."""
        return self.exercise.is_file() or self.starter.is_file()

    def show(self, path):
        return path.relative_to(ROOT).as_posix()


def all_lessons():
    folders = sorted(ROOT.glob("[0-9][0-9]_*"))
    return [
        Lesson(path) for path in folders if path.is_dir() and LESSON_FOLDER.fullmatch(path.name)
    ]


def lesson_numbers():
    return ", ".join(lesson.number for lesson in all_lessons())


def find_lesson(argument):
    """The lesson a command-line argument names: a number such as 1 or 01, nothing else."""
    if not re.fullmatch(r"\d{1,2}", argument):
        raise UsageError(f"{argument!r} is not a lesson number: try one of {lesson_numbers()}")
    for lesson in all_lessons():
        if lesson.number == argument.zfill(2):
            return lesson
    raise UsageError(f"no lesson {argument}: try one of {lesson_numbers()}")


def next_lesson(lesson):
    later = [other for other in all_lessons() if other.number > lesson.number]
    return later[0] if later else None


# --- start and test ------------------------------------------------------------


def start(lesson="01"):
    app = find_lesson(lesson).folder / "app.py"  # before installing: a typo needs no network
    install("requirements.txt")
    print(
        f"Starting {app.relative_to(ROOT)}; in another terminal, activate .venv first.", flush=True
    )
    calls_github = "GITHUB_API_URL" in app.read_text(encoding="utf-8")
    if calls_github and "GITHUB_API_URL" not in os.environ:
        print(OFFLINE_HINT.format(lesson=lesson), flush=True)
    return hand_over([str(venv_python()), str(app)])


def test(*pytest_args):
    install("requirements-dev.txt")
    return hand_over([str(venv_python()), "-m", "pytest", *pytest_args])


# --- progress ------------------------------------------------------------------


class Progress:
    """The learner's progress, in .workshop/progress.json:

    {"current": "01", "lessons": {"01": {"done": true, "hints_shown": {"1": 2}}}}
    """

    def __init__(self, data):
        self.data = data

    @classmethod
    def load(cls):
        try:
            data = json.loads(PROGRESS_FILE.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            print(
                f"dev.py: cannot read {PROGRESS_FILE.name} ({error}): starting afresh", flush=True
            )
            data = {}
        if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict):
            data = {"lessons": {}}
        return cls(data)

    def save(self):
        WORKSHOP_DIR.mkdir(exist_ok=True)
        partial = PROGRESS_FILE.with_suffix(".tmp")
        partial.write_text(json.dumps(self.data, indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(partial, PROGRESS_FILE)  # all or nothing, even when interrupted

    def of(self, lesson):
        entry = self.data["lessons"].setdefault(lesson.number, {})
        if not isinstance(entry, dict):
            entry = self.data["lessons"][lesson.number] = {}
        if not isinstance(entry.get("hints_shown"), dict):
            entry["hints_shown"] = {}
        return entry

    def is_done(self, lesson):
        return self.of(lesson).get("done") is True

    def mark_done(self, lesson):
        self.of(lesson)["done"] = True
        self.save()

    @property
    def current(self):
        return self.data.get("current")

    def set_current(self, lesson):
        self.data["current"] = lesson.number
        self.save()

    def hints_shown(self, lesson, todo):
        count = self.of(lesson)["hints_shown"].get(str(todo), 0)
        return count if isinstance(count, int) else 0

    def count_hint(self, lesson, todo):
        self.of(lesson)["hints_shown"][str(todo)] = self.hints_shown(lesson, todo) + 1
        self.save()

    def forget_hints(self, lesson):
        self.of(lesson)["hints_shown"] = {}
        self.save()


def status(progress, lesson, current):
    if not lesson.ready:
        return "not ready"
    if lesson == current:
        return "current"
    return "done" if progress.is_done(lesson) else "to do"


def print_progress(progress, current):
    print(f"Your progress ({PROGRESS_FILE.relative_to(ROOT).as_posix()}):")
    for lesson in all_lessons():
        state = status(progress, lesson, current)
        note = " (done before)" if state == "current" and progress.is_done(lesson) else ""
        note = " (no exercise yet)" if state == "not ready" else note
        print(f"  {state:<10} {lesson.name}{note}")
    print(flush=True)


def choose_lesson(progress):
    """Where the learner left off: the current lesson, else the first one not done."""
    lessons = {lesson.number: lesson for lesson in all_lessons()}
    current = lessons.get(progress.current)
    if current and current.ready and not progress.is_done(current):
        return current
    for lesson in lessons.values():
        if lesson.ready and not progress.is_done(lesson):
            return lesson
    return None


# --- grading -------------------------------------------------------------------


@dataclass
class Grade:
    passed: bool
    output: str
    verdicts: dict  # {pattern: True when it passes} for every snippet the grader compared
    finished: bool  # False: the grader itself did not end normally (see its output)


def run_grader(lesson, path):
    """Grade `path` as lesson NN with scripts/check.py, in the .venv's Python."""
    command = [str(venv_python()), str(CHECK), lesson.number, "--file", str(path)]
    # Its own process group: a Ctrl-C at the terminal reaches dev.py only, which then
    # asks the grader to stop, so that it stops the app it started.
    options = {"start_new_session": True}
    if os.name == "nt":
        options = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        **options,
    )
    try:
        output, _ = process.communicate()
    except BaseException:  # Ctrl-C or kill while grading
        stop_grader(process)
        raise
    text = output.decode("utf-8", errors="replace")
    verdicts = {match[2]: match[1] == "PASS" for match in VERDICT.finditer(text)}
    finished = process.returncode in (0, 1) and SUMMARY.search(text) is not None
    return Grade(process.returncode == 0, text, verdicts, finished)


def stop_grader(process):
    """Interrupt the grader as Ctrl-C would: it then stops its app before it exits."""
    if process.poll() is None:
        if os.name == "nt":
            process.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- hints ---------------------------------------------------------------------


@dataclass
class Todo:
    number: int
    patterns: list
    hints: list  # each hint a list of lines


def read_hints(lesson):
    """The TODOs of NN_topic/hints.md: "## TODO k: pattern[, pattern]", then "- " bullets."""
    try:
        text = (lesson.folder / "hints.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    todos = []
    for line in text.splitlines():
        heading = re.fullmatch(r"## TODO (\d+): (.+)", line.strip())
        if heading:
            patterns = [pattern.strip() for pattern in heading[2].split(",") if pattern.strip()]
            todos.append(Todo(int(heading[1]), patterns, []))
        elif line.startswith("#"):
            continue
        elif todos and line.startswith("- "):
            todos[-1].hints.append([line[2:].strip()])
        elif todos and todos[-1].hints and line.strip():
            todos[-1].hints[-1].append(line.strip())  # a bullet written over several lines
    return sorted(todos, key=lambda todo: todo.number)


def failing_todos(todos, grade):
    """The TODOs with a snippet that does not pass yet, lowest number first."""
    return [
        todo for todo in todos if not all(grade.verdicts.get(pattern) for pattern in todo.patterns)
    ]


def todo_title(todo):
    return f"TODO {todo.number} ({', '.join(todo.patterns)})"


def next_hint(lesson, grade, progress):
    """The lines that show the next unseen hint of the first TODO that still fails."""
    todos = read_hints(lesson)
    if not todos:
        return [f"There are no hints for {lesson.name} ({lesson.name}/hints.md)."]
    if grade.passed:
        return ["Every snippet passes: no hint needed."]
    failing = failing_todos(todos, grade) or todos[:1]
    todo = failing[0]
    shown = progress.hints_shown(lesson, todo.number)
    if shown >= len(todo.hints):
        lines = [f"No hints left for {todo_title(todo)}: here are the {len(todo.hints)} again."]
        for number, hint in enumerate(todo.hints, start=1):
            lines += [f"  {number}. {hint[0]}", *(f"     {line}" for line in hint[1:])]
        return [*lines, f"The lesson explains every step: {lesson.name}/README.md"]
    progress.count_hint(lesson, todo.number)
    hint = todo.hints[shown]
    return [
        f"Hint {shown + 1} of {len(todo.hints)} for {todo_title(todo)}:",
        *(f"  {line}" for line in hint),
    ]


# --- the reference solution -------------------------------------------------------


def slug(heading):
    """The anchor GitHub gives a Markdown heading (as github-slugger does)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def solution_section(lesson):
    """`NN_topic/README.md#step-k-...`: the "## Step K: " section whose ```sh block
    starts `python NN_topic/app.py`; None when there is none."""
    try:
        text = (lesson.folder / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    run_app = f"python {lesson.name}/app.py"
    seen, section, fence, first_line = {}, None, None, False
    for line in text.splitlines():
        if fence is not None:  # inside a fenced block: no headings here
            starts_app = first_line and fence == "sh" and line.startswith(run_app)
            if starts_app and section and section[0].startswith("Step "):
                return f"{lesson.name}/README.md#{section[1]}"
            if line.strip() == "```":
                fence = None
            first_line = False
            continue
        if line.startswith("```"):
            fence, first_line = line[3:].strip(), True
            continue
        heading = re.fullmatch(r"(#{1,6}) +(.+?)(?: +#+)? *", line)
        if heading:
            base = slug(heading[2])
            count = seen.get(base, 0)  # GitHub numbers repeated anchors: -1, -2, ...
            seen[base] = count + 1
            if len(heading[1]) <= 2:
                section = (heading[2], base if count == 0 else f"{base}-{count}")
    return None


def pass_message(lesson, first_time=True):
    done = "is done. Well done!" if first_time else "was done already."
    lines = [
        "",
        f"All of {lesson.name} passes: lesson {lesson.number} {done}",
        f"  The reference solution: {lesson.name}/app.py",
        f"  Explained in:           {solution_section(lesson) or lesson.name + '/README.md'}",
    ]
    following = next_lesson(lesson)
    if following is None:
        lines.append("That was the last lesson: you have done the whole workshop.")
    else:
        lines.append(f"  Next lesson:            python3 scripts/dev.py learn {following.number}")
        if not following.ready:
            lines.append(
                f"  ({following.name} has no exercise yet: read {following.name}/README.md "
                "meanwhile.)"
            )
    lines.append("Still watching your file: tidy it if you like, n + Enter goes on, q quits.")
    return lines


# --- the watch loop ------------------------------------------------------------------


EOF = object()  # put in the key queue when stdin ends


def read_keys(keys, fd):
    """Put each line typed on stdin into `keys`, lower-cased; EOF at the end.

    os.read, not sys.stdin: a thread blocked in sys.stdin.readline() holds its lock,
    and can make the interpreter abort at exit.
    """
    pending = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            chunk = b""
        if not chunk:
            keys.put(EOF)
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            keys.put(line.decode(errors="replace").strip().lower())


def start_key_reader():
    """A queue of the keys typed, and whether stdin is a terminal; None without stdin."""
    keys = queue.Queue()
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # no stdin at all (pythonw)
        keys.put(EOF)
        return keys, False
    threading.Thread(target=read_keys, args=(keys, fd), daemon=True).start()
    return keys, os.isatty(fd)


def signature(path):
    """What stat says about the file (cheap to ask 5 times a second); None if it is gone."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def snapshot(path):
    """(signature, the content's hash), or None when there is no such file."""
    try:
        before, content = signature(path), path.read_bytes()
    except OSError:
        return None
    return before, hashlib.sha256(content).hexdigest()


def settled(path):
    """snapshot(path) once its signature stays the same for SETTLE_SECONDS."""
    before = signature(path)
    for _ in range(30):  # an editor that never stops writing gets graded after ~1 s anyway
        time.sleep(SETTLE_SECONDS)
        after = signature(path)
        if after == before:
            break
        before = after
    return snapshot(path)


class Learner:
    """The `learn` loop on one lesson at a time."""

    def __init__(self, lesson, progress):
        self.progress = progress
        self.keys, self.at_terminal = start_key_reader()
        self.enter(lesson)

    def enter(self, lesson):
        self.lesson = lesson
        self.progress.set_current(lesson)
        print_progress(self.progress, lesson)
        path = lesson.show(lesson.exercise)
        print(f"Lesson {lesson.number}: write the TODOs in {path} (the README explains them).")
        print(f"Grading it now, and again each time you save it. {KEYS_HELP}", flush=True)
        self.last = None
        self.grade = None
        self.regrade()

    def regrade(self, reason="", current=None):
        self.last = current or snapshot(self.lesson.exercise)
        if self.last is None:
            self.say_missing()
            return
        stamp = time.strftime("%H:%M:%S")
        print(f"\n--- {stamp} {reason}".rstrip(), flush=True)
        self.grade = run_grader(self.lesson, self.lesson.exercise)
        print(self.grade.output.rstrip("\n"), flush=True)
        if not self.grade.finished:
            print("(the grader did not finish: its output is above)", flush=True)
        elif self.grade.passed:
            first_time = not self.progress.is_done(self.lesson)
            self.progress.mark_done(self.lesson)
            print("\n".join(pass_message(self.lesson, first_time)), flush=True)
        else:
            failing = failing_todos(read_hints(self.lesson), self.grade)
            work_on = f" Work on {todo_title(failing[0])} next." if failing else ""
            print(f"Not yet.{work_on} {KEYS_HELP}", flush=True)

    def run(self):
        while True:
            try:
                key = self.keys.get(timeout=POLL_SECONDS)
            except queue.Empty:
                key = None
            if key is not None and self.press(key) == "quit":
                return 0
            self.look()

    def look(self):
        """Grade again when the exercise's content changed: stat first, which is cheap;
        the hash then tells a save from a mere touch."""
        now = signature(self.lesson.exercise)
        if now is not None and self.last is not None and now == self.last[0]:
            return  # the usual case, 10 times a second
        if now is None and self.last is None:
            return  # still missing, and said so
        current = settled(self.lesson.exercise)
        if current is None:
            if self.last is not None:
                self.last = None
                self.say_missing()
        elif self.last is not None and current[1] == self.last[1]:
            self.last = current  # touched, not changed: nothing to grade
        else:
            reason = "saved: grading again" if self.last else "it is back: grading again"
            self.regrade(reason, current)

    def say_missing(self):
        print(
            f"\n{self.lesson.show(self.lesson.exercise)} is missing: "
            f"python3 scripts/dev.py reset {self.lesson.number} restores the starter.",
            flush=True,
        )

    def press(self, key):
        if key is EOF:
            if self.at_terminal:
                return "quit"  # Ctrl-D at a terminal: the usual way to say "I am done"
            print("\n(stdin ended: the keys are off; still watching. Ctrl-C quits.)", flush=True)
        elif key in ("q", "quit", "exit"):
            return "quit"
        elif key == "":
            self.regrade("grading again")
        elif key in ("h", "hint"):
            if self.grade is None:
                print("Grade your file first: save it, or press Enter.", flush=True)
            else:
                print("\n" + "\n".join(next_hint(self.lesson, self.grade, self.progress)))
                print(flush=True)
        elif key in ("n", "next"):
            self.go_on()
        else:
            print(f"Unknown key {key!r}. {KEYS_HELP}", flush=True)
        return None

    def go_on(self):
        following = next_lesson(self.lesson)
        if following is None:
            print("This is the last lesson: there is no next one.", flush=True)
        elif not following.ready:
            print(
                f"{following.name} has no exercise yet: read {following.name}/README.md "
                "meanwhile. Still watching this one.",
                flush=True,
            )
        else:
            prepare(following)
            print(flush=True)
            self.enter(following)


def prepare(lesson):
    """Make sure the lesson's exercise file is there: a new copy of the starter if not."""
    if not lesson.exercise.is_file() and lesson.starter.is_file():
        shutil.copyfile(lesson.starter, lesson.exercise)
        print(f"Copied {lesson.show(lesson.starter)} to {lesson.show(lesson.exercise)}.")


def interrupt_on_sigterm():
    """Turn `kill` into the same clean stop as Ctrl-C: the grader then stops its app."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def learn(lesson=None):
    chosen = find_lesson(lesson) if lesson is not None else None
    progress = Progress.load()
    if chosen is None:
        chosen = choose_lesson(progress)
        if chosen is None:
            print_progress(progress, None)
            if all(lesson.ready for lesson in all_lessons()):
                print("Every exercise passes: you have done the whole workshop.")
            else:
                print("You have done every exercise there is so far; more arrive soon.")
            print("To do one again: python3 scripts/dev.py learn NN")
            return 0
    if not chosen.ready:
        print_progress(progress, None)
        print(f"dev.py: lesson {chosen.number} has no exercise yet (not ready).", file=sys.stderr)
        return 1
    install("requirements.txt")
    interrupt_on_sigterm()
    try:
        prepare(chosen)
        return Learner(chosen, progress).run()
    except KeyboardInterrupt:
        print("\nStopped. Run python3 scripts/dev.py learn to carry on.", flush=True)
        return 0


def hint(lesson=None):
    """`hint [NN]`: grade the exercise once, then show the next hint, as h in `learn` does."""
    chosen = find_lesson(lesson) if lesson is not None else None
    progress = Progress.load()
    chosen = chosen or choose_lesson(progress)
    if chosen is None or not chosen.ready:
        print(
            "dev.py: no exercise to give a hint for: python3 scripts/dev.py learn NN",
            file=sys.stderr,
        )
        return 1
    install("requirements.txt")
    prepare(chosen)
    grade = run_grader(chosen, chosen.exercise)
    summary = SUMMARY.search(grade.output)
    if summary:
        print(f"{chosen.show(chosen.exercise)}: {summary[1]}/{summary[2]} snippets pass.")
    else:  # it could not be graded at all: say why first
        print(grade.output.rstrip("\n"))
    print("\n".join(next_hint(chosen, grade, progress)), flush=True)
    return 0


def reset(lesson=None):
    """Put lesson NN's exercise back as it came, keeping the learner's version in a backup."""
    if lesson is None:
        raise UsageError("reset needs a lesson number: python3 scripts/dev.py reset 01")
    chosen = find_lesson(lesson)
    if not chosen.starter.is_file():
        missing = "no exercise yet (not ready)"
        if chosen.exercise.is_file():
            missing = f"no starter to restore from ({chosen.show(chosen.starter)})"
        print(f"dev.py: lesson {chosen.number} has {missing}.", file=sys.stderr)
        return 1
    exercise, starter = chosen.show(chosen.exercise), chosen.show(chosen.starter)
    Progress.load().forget_hints(chosen)  # a fresh start: the hints start over too
    if chosen.exercise.is_file():
        if chosen.exercise.read_bytes() == chosen.starter.read_bytes():
            print(f"{exercise} is already the starter: nothing to do.")
            return 0
        backup = backup_path(chosen)
        shutil.copy2(chosen.exercise, backup)
        print(f"Kept your version in {backup.relative_to(ROOT).as_posix()}")
    shutil.copyfile(chosen.starter, chosen.exercise)
    print(f"Restored {exercise} from {starter}.", flush=True)
    return 0


def backup_path(lesson):
    BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{lesson.name}-exercise-{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, number = BACKUP_DIR / f"{stem}.py", 1
    while candidate.exists():
        number += 1
        candidate = BACKUP_DIR / f"{stem}-{number}.py"
    return candidate


COMMANDS = {  # name: (function, most arguments; None: any)
    "learn": (learn, 1),
    "hint": (hint, 1),
    "reset": (reset, 1),
    "start": (start, 1),
    "test": (test, None),
}


def main(args):
    if sys.version_info < (3, 10):  # noqa: UP036 (this runs before anything checks it)
        sys.exit("dev.py: the workshop needs Python 3.10 or newer")
    try:
        if not args or args[0] not in COMMANDS:
            raise UsageError(USAGE)
        command, most = COMMANDS[args[0]]
        if most is not None and len(args) - 1 > most:
            raise UsageError(USAGE)
        code = command(*args[1:])
    except UsageError as error:
        message = str(error)
        print(message if message.startswith("usage:") else f"dev.py: {message}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:  # Ctrl-C while installing: no traceback
        print("\ndev.py: stopped", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # the output went to a program that stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
