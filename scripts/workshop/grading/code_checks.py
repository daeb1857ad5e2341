"""What the learner's code shows that its /metrics cannot, read with `ast` (as
Exercism's analyzers do): a metric created in a view, a decorator above the
route's (so it never runs), a constant observed as a duration, and the lessons'
own requirements (grading.lesson_checks).

A check finds only what is wrong whatever the names, helpers or style: it looks
for the mistake itself, and says nothing when it cannot tell. Each finding is
(the metric family it concerns or None, a Mismatch whose hint is one line).

Used by grading.app_grader and grading.lesson_checks.
"""

import ast

from workshop.grading.snippet_lines import Mismatch

CONSTRUCTORS = {"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"}
ROUTES = {"route", "get", "post", "put", "delete", "patch"}
HOOKS = {"before_request", "after_request", "teardown_request", "errorhandler"}
WRAPPERS = {"count_exceptions", "track_inprogress", "time"}
CODE_RANK = 1  # a mistake read in the code: more specific than any value that differs


def parse(path):
    """The learner's module, or None when it cannot be parsed (its start says why)."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def called_name(call):
    """ "Counter" for Counter(...) and prometheus_client.Counter(...); else None."""
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def metric_family(call):
    """The name given to a metric's constructor call, when it is written out."""
    if called_name(call) not in CONSTRUCTORS:
        return None
    given = call.args[0] if call.args else None
    given = next((k.value for k in call.keywords if k.arg == "name"), given)
    return given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else None


def base_name(node):
    """COUNTER for COUNTER, COUNTER.labels(...), COUNTER.labels(...).inc."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def module_level(node):
    """The statements run at import: the module's, and those of its if/for/with/try
    blocks, never a function's or a class's."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield child
        yield from module_level(child)


def metric_variables(tree):
    """{variable: (family, constructor call)} for the metrics assigned at module level."""
    found = {}
    for node in module_level(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            family = metric_family(node.value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if family and isinstance(target, ast.Name):
                    found[target.id] = (family, node.value)
    return found


def decorator_kind(decorator):
    """ "route" for @app.get(...), "hook" for @app.before_request, else None."""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = getattr(func, "attr", None)
    if name in ROUTES and isinstance(decorator, ast.Call):
        return "route"
    return "hook" if name in HOOKS else None


def functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def handlers(tree, kinds=("route", "hook")):
    """The functions Flask calls on requests: (function, the kinds of its decorators)."""
    found = []
    for function in functions(tree):
        decorated = {decorator_kind(d) for d in function.decorator_list} - {None}
        if decorated & set(kinds):
            found.append((function, decorated))
    return found


def calls_in(node, method):
    """The calls X.method(...) in node, as (X's variable name, the call)."""
    return [
        (base_name(call.func.value), call)
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == method
    ]


def created_in_a_handler(tree, variables):
    found = []
    for function, _ in handlers(tree):
        for call in ast.walk(function):
            if isinstance(call, ast.Call) and called_name(call) in CONSTRUCTORS:
                family = metric_family(call)
                hint = (
                    f"{family or 'a metric'} is created inside {function.name}(), which Flask "
                    "runs on every request it handles: create each metric once, at the top of "
                    "the file"
                )
                found.append((family, Mismatch(None, None, hint, rank=CODE_RANK)))
    return found


def wrapper_above_the_route(tree, variables):
    found = []
    for function in functions(tree):
        kinds = [decorator_kind(d) for d in function.decorator_list]
        if "route" not in kinds:
            continue
        for decorator in function.decorator_list[: kinds.index("route")]:
            func = decorator.func if isinstance(decorator, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr in WRAPPERS:
                variable = base_name(func.value)
                hint = (
                    f"@{variable}.{func.attr}() is above the route's decorator: Flask has "
                    f"registered {function.name}() without it, so it never runs. Put it "
                    f"right above def {function.name}"
                )
                family = variables.get(variable, (None,))[0]
                found.append((family, Mismatch(None, None, hint, rank=CODE_RANK)))
    return found


def wrapper_not_called(tree, variables):
    """@COUNTER.count_exceptions without its (): the method that makes the decorator,
    used as the decorator itself."""
    found = []
    for function in functions(tree):
        for decorator in function.decorator_list:
            if isinstance(decorator, ast.Attribute) and decorator.attr in WRAPPERS:
                variable = base_name(decorator.value)
                hint = (
                    f"@{variable}.{decorator.attr} without (): it is the method that makes "
                    f"the decorator; write @{variable}.{decorator.attr}()"
                )
                family = variables.get(variable, (None,))[0]
                found.append((family, Mismatch(None, None, hint, rank=CODE_RANK)))
    return found


def constant_observed(tree, variables):
    found = []
    for variable, call in calls_in(tree, "observe"):
        value = call.args[0] if len(call.args) == 1 else None
        if isinstance(value, ast.UnaryOp):
            value = value.operand
        if isinstance(value, ast.Constant) and isinstance(value.value, (int, float)):
            number = ast.unparse(call.args[0])
            hint = (
                f"{variable}.observe({number}) records {number} whatever happened: time "
                f"what it measures, with {variable}.time() or the seconds it took"
            )
            family = variables.get(variable, (None,))[0]
            found.append((family, Mismatch(None, None, hint, rank=CODE_RANK)))
    return found


NUMBERS = {"len", "sum", "int", "float", "max", "min", "abs", "round", "time"}


def number_given_as_function(tree, variables):
    """set_function(len(my_list)): the client calls what it is given at each scrape."""
    found = []
    for variable, call in calls_in(tree, "set_function"):
        given = call.args[0] if call.args else None
        number = isinstance(given, ast.Constant) or (
            isinstance(given, ast.Call) and called_name(given) in NUMBERS
        )
        if number:
            hint = (
                f"set_function({ast.unparse(given)}) hands it a number, once, and every "
                "scrape then fails calling it: pass a function, such as lambda: ..."
            )
            family = variables.get(variable, (None,))[0]
            found.append((family, Mismatch(None, None, hint, rank=CODE_RANK)))
    return found


GENERAL_CHECKS = (
    created_in_a_handler,
    wrapper_above_the_route,
    wrapper_not_called,
    constant_observed,
    number_given_as_function,
)


def findings(path, lesson_checks=()):
    """[(family or None, Mismatch)] for the learner's file: the general checks, then
    the lesson's own (functions of (tree, metric variables))."""
    tree = parse(path)
    if tree is None:
        return []
    variables = metric_variables(tree)
    return [
        found for check in (*GENERAL_CHECKS, *lesson_checks) for found in check(tree, variables)
    ]


def variables_of(variables, family):
    return [name for name, (given, _) in variables.items() if given == family]


def keyword(call, name):
    """The constant value of keyword `name` in the call, or None."""
    for given in call.keywords:
        if given.arg == name and isinstance(given.value, ast.Constant):
            return given.value.value
    return None
