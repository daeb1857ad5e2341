"""What an app printed, made fit to show a learner: the last frame of its newest
traceback and the error (a syntax error with its line and caret), or its last
lines; colour codes and control characters removed, very long lines trimmed.

Used by processes (why a server did not come up) and the grader (the app's own
exception, whenever an answer or a scrape went wrong). Standard library only.
"""

import re

LONGEST_LINE = 240  # characters of one line of the app's output that are shown
# Terminal escape sequences (colours, cursor moves), then any other control character.
ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)")
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The last line of a traceback: "KeyError: 'PORT'", "ValueError: Duplicated timeseries ...",
# "SyntaxError: '(' was never closed", "json.decoder.JSONDecodeError: ...".
ERROR_LINE = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt)\b.*$")
FRAME_LINE = re.compile(r'^  File "(?P<path>[^"]+)", line \d+')


def clean(line, longest=LONGEST_LINE):
    """One line as it may be shown: no colour codes or control characters, at most
    `longest` characters (and how many more there were)."""
    line = CONTROL_CHARACTER.sub("", ESCAPE_SEQUENCE.sub("", line.replace("\t", "    ")))
    line = line.rstrip()
    if len(line) > longest:
        return f"{line[:longest]}... ({len(line) - longest:,} more characters)"
    return line


def last_error(output):
    """The newest error line of the output ("TypeError: ..."), cleaned, or None."""
    lines = [clean(line) for line in output.splitlines()]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    return errors[-1] if errors else None


def traceback_summary(output, own_file=None):
    """[frame lines..., error line] of the newest traceback in the output, or [].

    The frame shown is the last one in `own_file` (the learner's file) when the
    traceback passes through it, else the last one: where the error was raised.
    A syntax error's frame holds its code line and caret.
    """
    lines = [clean(line) for line in output.splitlines()]
    ends = [index for index, line in enumerate(lines) if ERROR_LINE.match(line)]
    if not ends:
        return []
    end = ends[-1]
    start = max(
        (index for index, line in enumerate(lines[:end]) if line.startswith("Traceback (")),
        default=0,
    )
    frames = [i for i in range(start, end) if FRAME_LINE.match(lines[i])]
    if not frames:
        return [lines[end]]
    own = [
        i for i in frames if own_file and same_file(FRAME_LINE.match(lines[i])["path"], own_file)
    ]
    first = (own or frames)[-1]
    following = [i for i in [*frames, end] if i > first]
    body = [line for line in lines[first + 1 : following[0]] if line.startswith("    ")]
    return [lines[first].strip(), *body, lines[end]]


def same_file(shown, own_file):
    return str(shown).replace("\\", "/").endswith(str(own_file).replace("\\", "/"))


def what_it_printed(output, own_file=None, count=3):
    """The lines that say best why an app stopped: its traceback's summary, else
    its last `count` lines; ["(it printed nothing)"] when it printed nothing."""
    summary = traceback_summary(output, own_file)
    if summary:
        return summary
    lines = [clean(line) for line in output.splitlines()]
    lines = [line for line in lines if line.strip()]
    return lines[-count:] or ["(it printed nothing)"]
