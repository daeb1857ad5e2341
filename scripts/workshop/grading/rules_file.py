"""A rules file as text: its rules and groups by name, the lines of one rule, which
TODO a line belongs to, and a copy with some rules renamed. Without a YAML parser
(the lessons install none): a rule starts at its `- record:` or `- alert:` line and
ends where the indentation comes back to it, as in every rules file written by hand.
promtool, not this, decides whether a file is valid.

Used by grading.rules_grader, grading.rules_promtool and grading.rules_hints.
"""

import re

RULE_LINE = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?)(?P<kind>record|alert)(?P<sep>\s*:\s*)"
    r"(?P<quote>[\"']?)(?P<name>[^\"'\s#]+)(?P=quote)(?P<rest>\s*(?:#.*)?)$"
)
GROUP_LINE = re.compile(
    r"^\s*-\s+name\s*:\s*(?P<quote>[\"']?)(?P<name>[^\"'#]+?)(?P=quote)\s*(?:#.*)?$"
)
TODO_LINE = re.compile(r"^\s*#\s*TODO (\d+):")
PLACEHOLDER = re.compile(r"^\s*expr\s*:\s*todo\s*(?:#.*)?$")
PREFIX = "yours__"  # the learner's answers, renamed so that the reference's can stand in


def rules(text):
    """[(kind, name, line number)] of every rule, in file order."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if match := RULE_LINE.match(line):
            found.append((match["kind"], match["name"], number))
    return found


def renamed(text, names, prefix=PREFIX):
    """The text with each rule named in `names` renamed to prefix + name."""

    def rename(line):
        match = RULE_LINE.match(line)
        if not match or match["name"] not in names:
            return line
        new_name = f"{match['quote']}{prefix}{match['name']}{match['quote']}"
        return f"{match['lead']}{match['kind']}{match['sep']}{new_name}{match['rest']}"

    return "\n".join(rename(line) for line in text.splitlines()) + "\n"


def with_group_prefix(text, prefix):
    """The text with every group's name prefixed (so that two files' groups differ)."""
    lines = []
    for line in text.splitlines():
        if match := GROUP_LINE.match(line):
            start, end = match.span("name")
            line = line[:start] + prefix + line[start:end] + line[end:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def group_names(text):
    names = []
    for line in text.splitlines():
        match = GROUP_LINE.match(line)
        if match and match["name"] not in names:
            names.append(match["name"])
    return names


def indentation(line):
    return len(line) - len(line.lstrip(" "))


def block(text, name):
    """The lines of the rule named `name`, from its record/alert line to the next line
    indented no further than the rule's `-` (comments and blank lines inside kept); []
    when there is no such rule."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        match = RULE_LINE.match(line)
        if not match or match["name"] != name:
            continue
        dash = indentation(line)
        end = start + 1
        while end < len(lines):
            following = lines[end]
            content = following.strip()
            if content and not content.startswith("#") and indentation(following) <= dash:
                break
            end += 1
        return lines[start:end]
    return []


def is_placeholder(lines):
    """Whether the rule is still the starter's `expr: todo`."""
    return any(PLACEHOLDER.match(line) for line in lines)


def todo_at(text, line_number, todo_of_name):
    """The TODO that line `line_number` belongs to: the last TODO comment or answer
    rule at or above it (todo_of_name: {answer name: TODO number}); None if none."""
    todo = None
    for line in text.splitlines()[:line_number]:
        if comment := TODO_LINE.match(line):
            todo = int(comment[1])
        elif (match := RULE_LINE.match(line)) and match["name"] in todo_of_name:
            todo = todo_of_name[match["name"]]
        elif (match := RULE_LINE.match(line)) or GROUP_LINE.match(line):
            todo = None  # a rule of the learner's own, or the given one
    return todo
