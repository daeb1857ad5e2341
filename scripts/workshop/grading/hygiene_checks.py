"""Metric hygiene every lesson's code must keep, read with `ast` where the traffic
cannot show it: a label value taken from the request (a query parameter, a header,
the path, a view's URL arguments, with or without a default), labelnames given as
one string, and a metric registered in a registry that /metrics never shows.

Like code_checks, each check looks for the mistake itself whatever the names, and
says nothing when it cannot tell: a value the code chooses from the request (a
comparison, a lookup in its own table) is not taken from it.

Used by grading.lesson_checks (for every app lesson).
"""

import ast

from workshop.grading import code_checks
from workshop.grading.snippet_lines import Mismatch

# What a client sends and Flask hands over as it came: never a label value.
FROM_THE_CLIENT = {
    "args",
    "base_url",
    "cookies",
    "data",
    "files",
    "form",
    "full_path",
    "get_data",
    "get_json",
    "headers",
    "host",
    "host_url",
    "json",
    "path",
    "query_string",
    "referrer",
    "remote_addr",
    "url",
    "user_agent",
    "values",
    "view_args",
}
EXPORTED_BY = {"make_wsgi_app", "generate_latest", "start_http_server", "MultiProcessCollector"}


def request_part(node):
    """ "args" for request.args, request.args.get, request.headers["X"]; else None."""
    chain = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        else:
            node = node.func if isinstance(node, ast.Call) else node.value
    if (
        isinstance(node, ast.Name)
        and node.id == "request"
        and chain
        and chain[-1] in FROM_THE_CLIENT
    ):
        return chain[-1]
    return None


def from_the_client(node, tainted):
    """What of the request `node`'s value is, as the client sent it ("args", or a
    tainted variable's source), or None. A comparison (x if x in KNOWN else "other"),
    or a lookup in a table of the code's own (TABLE.get(...), TABLE[...]), chooses
    among the code's values."""
    if isinstance(node, ast.Compare):
        return None
    part = request_part(node)
    if part:
        return part
    if isinstance(node, ast.Name):
        return tainted.get(node.id)
    if isinstance(node, ast.IfExp):
        if isinstance(node.test, ast.Compare):  # city if city in CITIES else "other"
            return None
        return from_the_client(node.body, tainted) or from_the_client(node.orelse, tainted)
    method = node.func if isinstance(node, ast.Call) else None
    if getattr(method, "attr", None) == "get" and not from_the_client(method.value, tainted):
        return None
    if isinstance(node, ast.Subscript) and not from_the_client(node.value, tainted):
        return None
    for child in ast.iter_child_nodes(node):
        if found := from_the_client(child, tainted):
            return found
    return None


def tainted_names(function):
    """{variable: what of the request it holds} in a function Flask calls: its URL
    arguments (a view's parameters), and what it assigns from the request."""
    tainted = {}
    if any(code_checks.decorator_kind(d) == "route" for d in function.decorator_list):
        tainted = {arg.arg: "its URL" for arg in function.args.args}
    assignments = [n for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.NamedExpr))]
    for _ in range(3):  # page = request.path; name = page.strip("/")
        for node in assignments:
            part = from_the_client(node.value, tainted)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if part and isinstance(target, ast.Name):
                    tainted.setdefault(target.id, part)
    return tainted


def label_from_the_request(tree, variables):
    found = []
    for function in code_checks.functions(tree):
        tainted = tainted_names(function)
        for variable, call in code_checks.calls_in(function, "labels"):
            given = [*call.args, *(k.value for k in call.keywords)]
            part = next(filter(None, (from_the_client(g, tainted) for g in given)), None)
            if not part:
                continue
            source = part if part == "its URL" else f"request.{part}"
            hint = (
                f"{ast.unparse(call)}: the label value is taken from the request ({source}), "
                "and each value a client sends becomes a series of its own (a scanner sends "
                "thousands). Label with a few values your code chooses, or not at all"
            )
            family = variables.get(variable, (None,))[0]
            found.append((family, Mismatch(None, None, hint, rank=0)))
    return found


def labelnames_as_a_string(tree, variables):
    """Counter("c", "help", "page"): the client reads the string as labels p, a, g, e."""
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or code_checks.called_name(call) not in (
            code_checks.CONSTRUCTORS
        ):
            continue
        given = call.args[2] if len(call.args) > 2 else None
        given = next((k.value for k in call.keywords if k.arg == "labelnames"), given)
        if isinstance(given, ast.Constant) and isinstance(given.value, str):
            hint = (
                f"labelnames {given.value!r} is one string, which the client reads as a "
                f"label per letter: give a list, [{given.value!r}]"
            )
            found.append((code_checks.metric_family(call), Mismatch(None, None, hint, rank=0)))
    return found


def exported_registries(tree):
    """The variables holding a registry that the code shows on a page, or collects into."""
    shown = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and code_checks.called_name(call) in EXPORTED_BY:
            given = [*call.args, *(k.value for k in call.keywords)]
            shown |= {g.id for g in given if isinstance(g, ast.Name)}
    return shown


def registered_where_never_shown(tree, variables):
    """Counter(..., registry=CollectorRegistry()): a registry /metrics never reads."""
    shown = exported_registries(tree)
    found = []
    for family, call in variables.values():
        given = next((k.value for k in call.keywords if k.arg == "registry"), None)
        fresh = isinstance(given, ast.Call) and code_checks.called_name(given) == (
            "CollectorRegistry"
        )
        unseen = isinstance(given, ast.Name) and given.id not in shown | {"REGISTRY"}
        if fresh or unseen:
            hint = (
                f"{family} is registered in {ast.unparse(given)}, a registry /metrics never "
                "shows: leave out registry=, and the client's default registry, the one "
                "make_wsgi_app() shows, has it"
            )
            found.append((family, Mismatch(None, None, hint, rank=0)))
    return found


ALL = (label_from_the_request, labelnames_as_a_string, registered_where_never_shown)
