"""prometheus/README.md's "Watch the alert reach you", run as a learner runs it,
in an alert_stack.AlertStack: the section's amtool commands as written (by
bash, with the stack's ports), the traffic, the app stopped and started, and
each notification waited for. Every output the section shows (its ```text
blocks, in order) comes from this walk:

    silence query      the silence of GitHubLookupsSlow
    FIRING             GitHubLookupsFailing, to team
    alert query        what Alertmanager holds
    FIRING             TargetDown, to on-call (the app stopped)
    alert query --inhibited
    RESOLVED           TargetDown (the app started again)
    RESOLVED           GitHubLookupsFailing (5 minutes after the traffic)

capture() walks it at the README's pace (about 6 minutes) and writes the
outputs into the README; the tests walk it fast and compare (normalized():
clock times, dates, durations, IDs and column widths differ from run to run).

Used by scripts/capture.py and tests/test_alerting_e2e.py.
"""

import re
import tempfile
import time
from dataclasses import dataclass, field

from workshop.alert_stack import AlertStack, wait_until
from workshop.lessons import ROOT

LESSON = "prometheus"
README = ROOT / LESSON / "README.md"
SECTION = "## Watch the alert reach you"
FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
TRAFFIC_RUNS = 3  # "Send lesson 03's traffic three times"
# Seconds to wait for each notification, at each pace. The README's: the alerts'
# `for` and Alertmanager's intervals, and 5 minutes for the failures to leave the window.
PATIENCE = {"fast": 30, "readme": 480}


@dataclass
class Block:
    lang: str
    body: str  # dedented
    start: int  # where the body starts in the README text
    end: int
    indent: str


@dataclass
class Walk:
    stack: AlertStack
    commands: dict  # the section's amtool commands, by what they do: "silence query"...
    outputs: list = field(default_factory=list)  # in the order of the section's text blocks
    fault_at: float = 0.0  # when the traffic ended (Unix time)
    notified_at: float = 0.0  # when the first notification came

    @property
    def patience(self):
        return PATIENCE["fast" if self.stack.fast else "readme"]

    def command(self, name):
        return self.stack.readme_ports(self.stack.shell(self.commands[name]))

    def notification(self, status, alertname):
        """Wait for the receiver's notification of `alertname` in `status`; its block."""

        def received():
            for index, (_, notification) in enumerate(self.stack.notifications()):
                names = {alert["labels"].get("alertname") for alert in notification["alerts"]}
                if notification["status"] == status and alertname in names:
                    return index + 1  # not 0: wait_until takes that for "not yet"
            return None

        index = wait_until(received, self.patience, f"the {status} notification of {alertname}")
        printed = wait_until(  # printed before it answered Alertmanager: at once, normally
            lambda: self.stack.receiver_blocks()[index - 1 : index],
            10,
            f"the receiver's block for the {status} notification of {alertname}",
        )
        return self.stack.readme_ports(printed[0])


def section(text):
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return start, end if end != -1 else len(text)


def blocks(text):
    """The fenced blocks of the section, bodies dedented."""
    start, end = section(text)
    found = []
    for fence in FENCE.finditer(text, start, end):
        indent = fence["indent"]
        body = "".join(line[len(indent) :] for line in fence["body"].splitlines(keepends=True))
        found.append(Block(fence["lang"], body, fence.start("body"), fence.end("body"), indent))
    return found


def amtool_commands(text):
    """{"silence add": the command line, ...}: what each amtool command of the section does."""
    found = {}
    for block in blocks(text):
        line = block.body.strip()
        if block.lang == "sh" and line.startswith("amtool "):
            words = [word for word in line.split()[1:] if not word.startswith("--alertmanager")]
            name = " ".join(words[:2] + [word for word in words[2:3] if word == "--inhibited"])
            found[name] = line
    return found


def walk(stack, text, before=None):
    """Run the section in `stack`: a Walk with its outputs. before[step](walk), when
    given, runs before that step ("stop app", "start app", "resolved"): the tests'
    own looks, and what stands for the 5 minutes of waiting at the fast pace."""
    before = before or {}
    state = Walk(stack, amtool_commands(text))
    stack.wait_for_scrape(after=0, timeout=60)  # rate() sees the lookups only after a scrape
    state.command("silence add")
    state.outputs.append(state.command("silence query"))
    stack.send_traffic(TRAFFIC_RUNS)
    state.fault_at = time.time()
    state.outputs.append(state.notification("firing", "GitHubLookupsFailing"))
    state.notified_at = time.time()
    state.outputs.append(state.command("alert query"))
    before.get("stop app", lambda walk: None)(state)
    stack.stop_app()
    state.outputs.append(state.notification("firing", "TargetDown"))
    state.outputs.append(state.command("alert query --inhibited"))
    before.get("start app", lambda walk: None)(state)
    stack.start_app()
    state.outputs.append(state.notification("resolved", "TargetDown"))
    before.get("resolved", lambda walk: None)(state)
    state.outputs.append(state.notification("resolved", "GitHubLookupsFailing"))
    state.command("silence expire")
    return state


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DURATION = r"(?:\d+h \d+m|\d+m \d+s|\d+s)"
VARYING = [
    (re.compile(UUID), "<id>"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"), "<date>"),
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "<time>"),
    (re.compile(rf"(?<=firing for ){DURATION}"), "<duration>"),
]


def normalized(text):
    """What stays the same from run to run: no clock times, dates, durations or IDs,
    and one space between columns."""
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return "\n".join(re.sub(r"\s+", " ", line).strip() for line in text.splitlines())


def shown(text):
    """The outputs the section shows: its ```text blocks, in order."""
    return [block.body for block in blocks(text) if block.lang == "text"]


def with_outputs(text, outputs):
    """The README with the section's text blocks replaced by `outputs`, indented as they were."""
    text_blocks = [block for block in blocks(text) if block.lang == "text"]
    if len(text_blocks) != len(outputs):
        raise ValueError(
            f"the section shows {len(text_blocks)} outputs, the walk has {len(outputs)}"
        )
    for block, output in sorted(
        zip(text_blocks, outputs, strict=True), key=lambda pair: -pair[0].start
    ):
        lines = [line.rstrip() for line in output.splitlines()]  # amtool pads its columns
        body = "".join((block.indent + line if line else line) + "\n" for line in lines)
        text = text[: block.start] + body + text[block.end :]
    return text


def capture():
    """Walk the section at the README's pace and write its outputs into it."""
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder, AlertStack(folder, fast=False) as stack:
        state = walk(stack, text)
    README.write_text(with_outputs(text, state.outputs), encoding="utf-8", newline="\n")
    seconds = state.notified_at - state.fault_at
    print(f"prometheus: captured {len(state.outputs)} outputs of '{SECTION[3:]}'")
    print(f"  from the traffic to the first notification: {seconds:.0f} s")
