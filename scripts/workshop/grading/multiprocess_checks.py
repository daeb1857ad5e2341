"""Lesson 06's multiprocess mistakes that its traffic cannot show, read with `ast`:
the in-progress gauge counted in one view, or down in after_request; its mode not
"livesum"; and (ALL, whatever the names) a MultiProcessCollector on the client's
default REGISTRY, a metric created in the WSGI app that answers /metrics (at every
scrape), a request counted out only when it did not raise, and the old lowercase
name of PROMETHEUS_MULTIPROC_DIR.

Like code_checks, each check looks for the mistake itself whatever the names, and
says nothing when it cannot tell.

Used by grading.lesson_checks (for lesson 06).
"""

import ast

from workshop.grading import code_checks
from workshop.grading.snippet_lines import Mismatch

TEARDOWNS = {"teardown_request", "teardown_appcontext"}


def found(family, hint):
    return (family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK))


def collector_on_the_default_registry(tree, variables):
    """MultiProcessCollector(REGISTRY): the worker's own metrics are there too."""
    mistakes = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and code_checks.called_name(call) == "MultiProcessCollector":
            given = [*call.args, *(k.value for k in call.keywords)]
            if any(getattr(g, "id", getattr(g, "attr", None)) == "REGISTRY" for g in given):
                hint = (
                    "MultiProcessCollector(REGISTRY) adds every worker's files to the client's "
                    "default registry, which holds this worker's own metrics already: the "
                    "same series twice, and a failed scrape. Give it a new CollectorRegistry()"
                )
                mistakes.append(found(None, hint))
    return mistakes


def mounted_functions(tree):
    """The functions DispatcherMiddleware(app, {"/metrics": metrics}) calls per request."""
    names = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and code_checks.called_name(call) == "DispatcherMiddleware":
            for mounts in call.args[1:2]:
                values = mounts.values if isinstance(mounts, ast.Dict) else []
                names |= {value.id for value in values if isinstance(value, ast.Name)}
    return [f for f in code_checks.functions(tree) if f.name in names]


def created_at_each_scrape(tree, variables):
    mistakes = []
    for function in mounted_functions(tree):
        for call in ast.walk(function):
            if isinstance(call, ast.Call) and code_checks.called_name(call) in (
                code_checks.CONSTRUCTORS
            ):
                family = code_checks.metric_family(call)
                hint = (
                    f"{family or 'a metric'} is created inside {function.name}(), which runs "
                    "at every scrape of /metrics: create each metric once, at the top of the file"
                )
                mistakes.append(found(family, hint))
    return mistakes


def counted_out_only_without_error(tree, variables):
    """@app.teardown_request def finish(error): if error is None: GAUGE.dec()"""
    mistakes = []
    for function in code_checks.functions(tree):
        kinds = {getattr(d, "attr", None) for d in function.decorator_list}
        arguments = {argument.arg for argument in function.args.args}
        if not kinds & TEARDOWNS or not arguments:
            continue
        for branch in (n for n in ast.walk(function) if isinstance(n, ast.If)):
            tested = {n.id for n in ast.walk(branch.test) if isinstance(n, ast.Name)}
            if not tested & arguments:
                continue
            for variable, _ in code_checks.calls_in(branch, "dec"):
                hint = (
                    f"{variable}.dec() in {function.name}() depends on the error: a request "
                    "that raised would stay in progress for good. Count every request out, "
                    "whatever happened"
                )
                mistakes.append(found(variables.get(variable, (None,))[0], hint))
    return mistakes


def old_variable_name(tree, variables):
    """ "prometheus_multiproc_dir": the client's deprecated name, which gunicorn_conf.py
    does not set (on Linux and macOS, another variable than the one in capitals)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "prometheus_multiproc_dir":
            hint = (
                '"prometheus_multiproc_dir" is the old, deprecated name, which '
                "gunicorn_conf.py does not set: check PROMETHEUS_MULTIPROC_DIR, in capitals"
            )
            return [found(None, hint)]
    return []


def summed_over_live_workers(family):
    """06: the in-progress gauge's mode, when the code writes it out, is "livesum"."""

    def check(tree, variables):
        found = []
        for given, call in variables.values():
            mode = code_checks.keyword(call, "multiprocess_mode") or "all"
            if given == family and mode != "livesum":
                hint = (
                    f'{family} has multiprocess_mode="{mode}": requests in progress are '
                    'the sum over the workers alive now, "livesum"'
                )
                found.append((family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK)))
        return found

    return check


def counts_every_request(family):
    """06: the in-progress gauge goes up and down for every request: not in one view,
    and down in teardown_request, which Flask calls even when a view raises."""

    def check(tree, variables):
        names = set(code_checks.variables_of(variables, family))
        found = []
        for function, kinds in code_checks.handlers(tree):
            after = any(
                getattr(d, "attr", None) == "after_request" for d in function.decorator_list
            )
            for method in ("inc", "dec", "track_inprogress"):
                for variable, _ in code_checks.calls_in(function, method):
                    if variable not in names:
                        continue
                    if "route" in kinds:
                        hint = (
                            f"{variable}.{method}() is in {function.name}(), one view: count "
                            "every request, up in the before_request hook and down in a "
                            "teardown_request function"
                        )
                    elif after and method == "dec":
                        hint = (
                            f"{variable}.dec() is in an after_request function, which Flask "
                            "skips when a view raises: put it in a teardown_request function"
                        )
                    else:
                        continue
                    found.append((family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK)))
        return found

    return check


ALL = (
    collector_on_the_default_registry,
    created_at_each_scrape,
    counted_out_only_without_error,
    old_variable_name,
)
