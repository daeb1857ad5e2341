"""The lines the grader prints (the contract is in grading/__init__.py): a PASS or
FAIL line for each snippet, the differences under a FAIL with the most specific
hint first and repeated lines collapsed, the app's own error when it failed,
and the summary line.

Used by grading.app_grader.
"""

from workshop.app_output import clean
from workshop.lessons import display

SHOWN_PER_HINT = 3  # expected/actual pairs shown for one hint; the rest are counted
INDENT = " " * 8


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def snippet_lines(pattern, expected_text, mismatches):
    """PASS, or FAIL and its differences grouped by hint, the lowest rank first."""
    count = len(expected_text.splitlines())
    if not mismatches:
        return [f"  PASS  {pattern} ({count} lines)"]
    lines = [f"  FAIL  {pattern} ({plural(len(mismatches), 'difference')})"]
    groups = {}  # (when, hint) -> mismatches, in the order of their first rank
    for mismatch in sorted(mismatches, key=lambda m: m.rank):
        groups.setdefault((mismatch.when, mismatch.hint), []).append(mismatch)
    for (when, hint), group in groups.items():
        if when:
            lines.append(f"{INDENT}{when}:")
        pairs = [m for m in group if m.expected is not None or m.actual is not None]
        for mismatch in pairs[:SHOWN_PER_HINT]:
            lines.append(f"{INDENT}expected: {mismatch.expected or '(nothing)'}")
            lines.append(f"{INDENT}actual:   {clean(mismatch.actual or '(nothing)')}")
            lines += [f"{INDENT}  {clean(line)}" for line in mismatch.details]
        if len(pairs) > SHOWN_PER_HINT:
            more = len(pairs) - SHOWN_PER_HINT
            lines.append(f"{INDENT}(and {plural(more, 'more line')} like these)")
        lines.append(f"{INDENT}hint:     {hint}")
    return lines


def failure_lines(message, details, app_file):
    """A FAIL line for what stopped the grade, and what the app printed about it."""
    lines = [f"  FAIL  {clean(message)}"]
    return lines + [f"{INDENT}{shown_path(line, app_file)}" for line in details]


def shown_path(line, app_file):
    """A line of the app's output with the learner's file named as they type it."""
    return clean(line.replace(str(app_file), display(app_file)))


def answers_lines(rows, error_lines, app_file):
    """A FAIL line for the rows of traffic.py the app answered otherwise, with its error."""
    wrong = [row for row in rows if not row.right]
    if not wrong:
        return []
    lines = [
        f"  FAIL  answers: {len(wrong)} of {plural(len(rows), 'row')} of traffic.py got "
        "other answers than the lesson's app gives"
    ]
    lines += [f"{INDENT}{clean(row.line)}" for row in wrong]
    if error_lines:
        lines.append(f"{INDENT}the app's error:")
        lines += [f"{INDENT}  {shown_path(line, app_file)}" for line in error_lines]
    return lines


def hint_lines(hints):
    return [f"{INDENT}hint:     {hint}" for hint in dict.fromkeys(hints)]


def summary_line(lesson, passed, total, seconds, others_fail=False):
    """The last line; others_fail: every snippet passes, but not another check (the
    app's answers, its code)."""
    also = ", but not every other check" if others_fail else ""
    return f"{lesson.name}: {passed}/{total} snippets pass{also} ({seconds:.1f} s)"
