"""What `learn` says when every snippet of an exercise passes: the lesson is done,
where its reference solution is explained, and how to go on.

Used by learn.loop. Standard library only.
"""

import re

from workshop.lessons import all_lessons, next_lesson


def pass_message(lesson, first_time=True, progress=None):
    """The lines that say the lesson is done and what comes next, in the course order
    of all_lessons(): the next lesson, or the end of the course (and whether every
    lesson is done, when `progress` says)."""
    done = "is done. Well done!" if first_time else "was done already."
    lines = [
        "",
        f"All of {lesson.name} passes: lesson {lesson.number} {done}",
        f"  The reference solution: {reference(lesson)}",
        f"  Explained in:           {solution_section(lesson) or lesson.name + '/README.md'}",
    ]
    following = next_lesson(lesson)
    if following is None:
        lines += end_of_course(lesson, progress)
        lines.append("Still watching your file: tidy it if you like; q quits.")
        return lines
    lines.append(f"  Next lesson:            python3 scripts/dev.py learn {following.number}")
    if not following.ready:
        lines.append(
            f"  ({following.name} has no exercise yet: read {following.name}/README.md meanwhile.)"
        )
    lines.append("Still watching your file: tidy it if you like, n + Enter goes on, q quits.")
    return lines


def reference(lesson):
    """The lesson's reference solution as its README names it: "01_counters/app.py"."""
    return f"{lesson.name}/{lesson.reference.relative_to(lesson.folder).as_posix()}"


def end_of_course(lesson, progress):
    """After the last lesson: the whole workshop is done, or which lessons are not yet."""
    course = all_lessons(lesson.folder.parent)
    to_do = [
        other.name
        for other in course
        if other.ready and other != lesson and progress and not progress.is_done(other)
    ]
    if to_do:
        return [f"That was the last lesson. Still to do: {', '.join(to_do)}."]
    return ["That was the last lesson: you have done the whole workshop."]


def solution_section(lesson):
    """`NN_topic/README.md#step-k-...`: the "## Step K: " section whose ```sh block
    runs the reference solution, `python NN_topic/app.py` (or, for tests, `python -m
    pytest NN_topic/test_app.py`, all of it); None when there is none."""
    try:
        text = (lesson.folder / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    solution = re.escape(reference(lesson))
    run_app = re.compile(rf"(?:[A-Z_]+=\S+ )*python (?:-m pytest )?{solution}\s*$")  # 03: env first
    seen, section, fence, first_line = {}, None, None, False
    for line in text.splitlines():
        if fence is not None:  # inside a fenced block: no headings here
            starts_app = first_line and fence == "sh" and run_app.match(line)
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


def slug(heading):
    """The anchor GitHub gives a Markdown heading (as github-slugger does)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")
