"""From the outcome of each test on the correct app and on each mutant (see
tests_runner) to the lines check.py prints: what went wrong on the correct app,
then one PASS or FAIL line per mutant.

A mutant is caught by a test that passes on the correct app and fails on the
mutant. A test that fails on the correct app catches nothing: it fails whatever
the app does. So a file that asserts nothing, or only `assert True`, catches
nothing either.

Used by grading.tests_grader.
"""

import ast
from dataclasses import dataclass

MOST_NAMES = 1  # tests named on a PASS line; the others are counted
NO_TESTS_COLLECTED = 5  # pytest's exit code


@dataclass
class Verdicts:
    lines: list  # the lines to print, without the header and the summary
    caught: int  # how many mutants are caught
    trouble: bool  # True when the tests cannot be trusted on the correct app


def verdicts(correct, mutant_results, mutants, file_name, seconds, source=""):
    """Verdicts from the results of the correct app and of each mutant (by name), and
    the test file's source (for the tests that can never fail)."""
    trouble = [*trouble_on_the_correct_app(correct, file_name, seconds), *never_failing(source)]
    trusted = [name for name, test in correct["tests"].items() if test["outcome"] == "passed"]
    lines, caught = list(trouble), 0
    for mutant in mutants:
        how = how_caught(mutant_results[mutant.name], trusted, seconds)
        if how:
            caught += 1
            lines.append(f"  PASS  {mutant.name} ({how})")
        else:
            todo = f"TODO {mutant.todo}'s tests should catch it" if mutant.todo else "no test did"
            lines += [f"  FAIL  {mutant.name} (not caught: {todo})", f"        {mutant.what}"]
    return Verdicts(lines, caught, trouble=bool(trouble))


def trouble_on_the_correct_app(correct, file_name, seconds):
    """FAIL lines for whatever went wrong on the correct app; [] when every test ran."""
    if correct["status"] == "timed out":
        return [f"  FAIL  {file_name} (did not finish within {seconds:g} s on the correct app)"]
    if correct["status"] == "stopped":
        return [f"  FAIL  {file_name} (stopped pytest itself, exit code {correct['exit']})"]
    if correct["errors"]:
        return [f"  FAIL  {file_name} (does not run)", f"        {why(correct['errors'][0])}"]
    if not correct["tests"] and correct["exit"] == NO_TESTS_COLLECTED:
        return [f"  FAIL  {file_name} (has no tests: pytest runs the functions named test_...)"]
    if not correct["tests"]:
        return [f"  FAIL  {file_name} (pytest could not run it, exit code {correct['exit']})"]
    lines = []
    for name, test in correct["tests"].items():
        if test["outcome"] == "failed":
            lines.append(f"  FAIL  {name} (fails on the correct app, so it catches nothing)")
            lines.append(f"        {why(test)}")
    outcomes = {test["outcome"] for test in correct["tests"].values()}
    if outcomes == {"skipped"}:  # skipped, or marked xfail: none of them ever ran to the end
        lines.append(f"  FAIL  {file_name} (every test was skipped, so it catches nothing)")
        lines.append("        skipped, or marked xfail: remove the mark, and the test runs")
    return lines


def never_failing(source):
    """FAIL lines for the tests whose checks cannot fail: `assert (x, "message")` (a
    tuple, always true) and `return x == 1` (pytest ignores what a test returns)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []  # pytest says why, on the correct app
    lines = []
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("test"):
            continue
        for node in own_nodes(function):
            if isinstance(node, ast.Assert) and isinstance(node.test, ast.Tuple) and node.test.elts:
                why = 'asserts a tuple, which is always true: assert x == y, "why", without ( )'
            elif isinstance(node, ast.Return) and node.value is not None:
                why = "returns its check: pytest ignores what a test returns; assert it instead"
            else:
                continue
            lines.append(f"  FAIL  {function.name} (can never fail, so it catches nothing)")
            lines.append(f"        line {node.lineno}: it {why}")
            break
    return lines


def own_nodes(function):
    """The nodes of a function's body, not those of the functions defined inside it."""
    pending = list(function.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))


def why(failure):
    """ "exercise.py:12: assert 2.0 == 1": where it failed, and why."""
    return f"{failure['where']}: {failure['why']}" if failure["where"] else failure["why"]


def how_caught(result, trusted, seconds):
    """How the mutant was caught, for its PASS line; None when it was not."""
    if not trusted:
        return None
    if result["status"] == "timed out":
        return f"caught: the tests did not finish within {seconds:g} s"
    if result["status"] == "stopped":
        return f"caught: pytest stopped, exit code {result['exit']}"
    if result["errors"]:
        return f"caught: the tests cannot load it ({result['errors'][0]['why']})"
    if not result["tests"]:  # pytest stopped before any test: the app's conftest, say
        return f"caught: pytest could not run the tests on it (exit code {result['exit']})"
    failed = [name for name in trusted if result["tests"].get(name, {}).get("outcome") == "failed"]
    if not failed:
        return None
    named = ", ".join(failed[:MOST_NAMES])
    more = len(failed) - MOST_NAMES
    return f"caught by {named}" + (f" and {more} more" if more > 0 else "")
