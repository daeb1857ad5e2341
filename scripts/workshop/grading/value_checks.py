"""What every lesson's code gives its metrics, read with `ast` where the traffic
cannot show it: a gauge counted up and down with no finally, a naive utcnow() as a
Unix time, a Summary given quantiles (which the Python client does not compute),
an Info given a value that is not a string, CPU time taken for a duration, and an
Enum's states given as a set.

Like code_checks, each check looks for the mistake itself whatever the names, and
says nothing when it cannot tell.

Used by grading.lesson_checks (for every app lesson).
"""

import ast

from workshop.grading import code_checks
from workshop.grading.snippet_lines import Mismatch

CPU_CLOCKS = {"process_time", "thread_time", "process_time_ns", "thread_time_ns"}


def in_cleanup(function):
    """The nodes of `function` that run when its work raises: finally and except blocks."""
    found = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Try):
            for block in [node.finalbody, *(handler.body for handler in node.handlers)]:
                found |= {id(inner) for statement in block for inner in ast.walk(statement)}
    return found


def up_without_a_way_down(tree, variables):
    """GAUGE.inc() ... GAUGE.dec() in one function, the dec() in no finally: an
    exception between them leaves the gauge up for good."""
    found = []
    for function in code_checks.functions(tree):
        cleanup = in_cleanup(function)
        ups = {variable for variable, _ in code_checks.calls_in(function, "inc")}
        downs = code_checks.calls_in(function, "dec")
        for variable in sorted(ups & {variable for variable, _ in downs}):
            if any(id(call) in cleanup for name, call in downs if name == variable):
                continue
            hint = (
                f"{variable}.inc() and {variable}.dec() are in {function.name}(), the dec() in "
                "no finally: an exception between them would leave it up for good. Use "
                f"{variable}.track_inprogress(), or dec() in a finally"
            )
            family = variables.get(variable, (None,))[0]
            found.append((family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK)))
    return found


def utc_now_as_a_timestamp(tree, variables):
    """GAUGE.set(datetime.utcnow().timestamp()): timestamp() reads the naive UTC time
    as local time, off by the time zone's offset (right only where it is UTC)."""
    found = []
    for variable, call in code_checks.calls_in(tree, "set"):
        naive = [
            inner
            for inner in ast.walk(call)
            if isinstance(inner, ast.Call) and code_checks.called_name(inner) == "utcnow"
        ]
        if naive:
            hint = (
                f"{variable}.set({ast.unparse(call.args[0]) if call.args else ''}) is off by "
                "the time zone's offset wherever it is not UTC: utcnow() has no time zone, "
                "and timestamp() reads it as local time. Use set_to_current_time()"
            )
            family = variables.get(variable, (None,))[0]
            found.append((family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK)))
    return found


def quantiles_asked_for(tree, variables):
    """Summary(..., quantiles=...): other clients take it; the Python client has none."""
    found = []
    for call in ast.walk(tree):
        named = isinstance(call, ast.Call) and code_checks.called_name(call) == "Summary"
        if named and any(k.arg in ("quantiles", "objectives") for k in call.keywords):
            hint = (
                "the Python client's Summary takes no quantiles: it exports _count and _sum "
                "only. For percentiles, use a Histogram and histogram_quantile() in PromQL"
            )
            found.append((code_checks.metric_family(call), Mismatch(None, None, hint, rank=0)))
    return found


def info_value_not_a_string(tree, variables):
    """INFO.info({"version": 1.2}): every scrape fails on the value that is no string."""
    found = []
    for variable, call in code_checks.calls_in(tree, "info"):
        given = call.args[0] if call.args else None
        values = given.values if isinstance(given, ast.Dict) else []
        for value in values:
            if isinstance(value, ast.Constant) and not isinstance(value.value, str):
                hint = (
                    f"{variable}.info() is given {ast.unparse(value)}, not a string: an "
                    f'Info\'s values are label values, strings ("{value.value}"), and '
                    "a scrape fails on any other"
                )
                family = variables.get(variable, (None,))[0]
                found.append((family, Mismatch(None, None, hint, rank=0)))
    return found


def cpu_time_as_a_duration(tree, variables):
    """time.process_time() or thread_time(): the CPU this process used, not the time a
    request waited for an answer (the wait uses no CPU at all)."""
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and code_checks.called_name(call) in CPU_CLOCKS:
            hint = (
                f"{code_checks.called_name(call)}() counts the CPU this process used, not the "
                "time that went by: waiting for an answer uses none. Use time.perf_counter(), "
                "or .time()"
            )
            return [(None, Mismatch(None, None, hint, rank=code_checks.CODE_RANK))]
    return []


def states_as_a_set(tree, variables):
    """Enum(..., states={...}): a set has no order, and the Enum needs one (its first
    state is the state at start-up; state() looks the name up by its place)."""
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or code_checks.called_name(call) != "Enum":
            continue
        states = next((k.value for k in call.keywords if k.arg == "states"), None)
        unordered = isinstance(states, (ast.Set, ast.SetComp)) or (
            isinstance(states, ast.Call) and code_checks.called_name(states) == "set"
        )
        if unordered:
            hint = (
                f"states={ast.unparse(states)} is a set, which has no order: give the Enum a "
                "list, its first state the one it starts in"
            )
            found.append((code_checks.metric_family(call), Mismatch(None, None, hint, rank=0)))
    return found


ALL = (
    states_as_a_set,
    cpu_time_as_a_duration,
    up_without_a_way_down,
    utc_now_as_a_timestamp,
    quantiles_asked_for,
    info_value_not_a_string,
)
