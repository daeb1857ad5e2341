"""What each lesson checks besides its snippets and the reference's behaviour:
its phases while the app runs, its properties of values that depend on the clock,
the requirements only its code can show, and the variants of the learner's app
it starts.

    02  two requests to /work held in flight: the in-progress gauge shows 2;
        the list gauge uses set_function(), as TODO 1 asks
    03  the lookups' durations add up to at least what the stand-in took to
    04  answer them (and are not milliseconds)
    05  the info-style gauge has multiprocess_mode="max", for lesson 06
    06  a request held in flight counts 1; a worker killed while it holds it is
        forgotten (livesum); the app serves with MULTIPROC=off too; the
        in-progress gauge counts every request (not in one view), goes down in
        teardown_request, and its mode (when written out) is livesum; multiprocess_checks
    all no label from the request, labelnames a list, metrics on the shown registry,
        a gauge's dec() in a finally, Unix times, no quantiles, Info values strings

Used by grading.app_grader.
"""

import re
import time
from dataclasses import dataclass, field

from workshop.grading import (
    code_checks,
    hygiene_checks,
    lesson_phases,
    multiprocess_checks,
    value_checks,
)
from workshop.grading.behaviour import samples
from workshop.grading.snippet_lines import Mismatch

SERVED = re.compile(r"^GET /repos/\S* -> \d+ after (\d+\.\d+) s$", re.MULTILINE)


@dataclass
class LessonChecks:
    phases: tuple = ()  # functions (handles, run) -> [(family, Mismatch)]
    properties: tuple = ()  # functions (run) -> [((sample, labels), Mismatch)]
    code: tuple = ()  # functions (ast tree, metric variables) -> [(family, Mismatch)]
    variants: dict = field(default_factory=dict)  # {name: environment}: see phases.launch


def durations_cover_the_delays(family):
    """A property: the lookups' _sum is at least the time the stand-in took to answer
    them (its log says how long each took), and not a thousand times more."""
    name, count = f"{family}_sum", f"{family}_count"

    def check(run):
        served = sum(float(seconds) for seconds in SERVED.findall(run.stand_in_output))
        total = samples(run.after, {name}).get((name, frozenset()))
        observed = samples(run.after, {count}).get((count, frozenset()))
        if total is None or not served:
            return []
        hint = durations_hint(total, served, observed)
        if not hint:
            return []
        expected = f"{name} {served:.3g} or a little more"
        return [((name, frozenset()), Mismatch(expected, f"{name} {total!r}", hint, rank=2))]

    return check


def durations_hint(total, served, observed):
    """Why durations adding up to `total` cannot be lookups that took `served` s, or None.
    A clock reading observed as it is (perf_counter(), not end minus start) is about
    the grader's own time.perf_counter(): the same clock, since the machine started."""
    mean = total / observed if observed else None
    if total < 0:
        return (
            f"the lookups add up to {total:.3g} s, less than nothing: the start minus the "
            "end? observe the end minus the start, or use .time()"
        )
    if total < served - 0.01:
        return (
            f"the lookups add up to {total:.3g} s, but the stand-in alone took {served:.3g} s "
            "to answer them: is the whole lookup inside the timed block?"
        )
    if mean and total > 2 * served + 2 and abs(mean - time.perf_counter()) < 120:
        return (
            f"the lookups add up to {total:.4g}: readings of the clock, not durations? "
            "observe the end minus the start (time.perf_counter() - started), or use .time()"
        )
    if mean and total > 1e6 * served and abs(mean - time.time()) > 86400:
        unit = "nanoseconds (perf_counter_ns())" if total > 1e8 * served else "microseconds"
        return (
            f"the lookups add up to {total:.4g}, {total / served:.2g} times the {served:.3g} s "
            f"they took: in {unit}? Prometheus durations are in seconds"
        )
    if total > 1e6 * served:
        return (
            f"the lookups add up to {total:.4g}: Unix times, not durations? observe the "
            "seconds each lookup took (its end minus its start), or use .time()"
        )
    if total > 2 * served + 2:
        return (
            f"the lookups add up to {total:.4g}, and the stand-in took {served:.3g} s to "
            "answer them: in milliseconds? Prometheus durations are in seconds"
        )
    return None


def needs_set_function(family):
    def check(tree, variables):
        names = code_checks.variables_of(variables, family)
        used = {variable for variable, _ in code_checks.calls_in(tree, "set_function")}
        if not names or used & set(names):
            return []
        hint = (
            f"the lesson asks for set_function(): {family} then reads the list's size at "
            "each scrape, instead of set() after each change, which a new way to change the "
            "list would forget"
        )
        return [(family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK))]

    return check


# The gauge modes that give a gauge of workers' identical values more than one series,
# or their sum: wrong for an info-style gauge, which must stay one series at 1.
NOT_ONE_SERIES = {"all", "liveall", "sum", "livesum"}


def one_series_across_workers(family):
    """05: the info-style gauge says how multiprocess mode combines the workers' 1s."""

    def check(tree, variables):
        found = []
        for given, call in variables.values():
            mode = code_checks.keyword(call, "multiprocess_mode") or "all"
            if given == family and mode in NOT_ONE_SERIES:
                hint = (
                    f'{family} needs multiprocess_mode="max", as the lesson asks: with '
                    f'"{mode}", gunicorn\'s workers (lesson 06) would export '
                    + ("their sum" if "sum" in mode else "one series each, labelled pid")
                )
                found.append((family, Mismatch(None, None, hint, rank=code_checks.CODE_RANK)))
        return found

    return check


def mode_given(app_file, family):
    """A function that says which multiprocess_mode the learner's code gives `family`."""

    def mode():
        tree = code_checks.parse(app_file)
        variables = code_checks.metric_variables(tree) if tree else {}
        for given, call in variables.values():
            if given == family:
                return code_checks.keyword(call, "multiprocess_mode") or "all"
        return None

    return mode


def all_workers_answer(run):
    """Whether /metrics adds up every worker's files: never with _created lines, which
    only one worker's own registry shows (and which cannot show another's request)."""
    return "_created" not in run.after


def checks_for(lesson, app_file):
    """The LessonChecks of the lesson, for grading app_file: its own, and the metric
    hygiene every lesson's code keeps (hygiene_checks, value_checks)."""
    checks = own_checks(lesson, app_file)
    checks.code = (*hygiene_checks.ALL, *value_checks.ALL, *checks.code)
    return checks


def own_checks(lesson, app_file):
    """The LessonChecks of the lesson (by its folder's name), for grading app_file."""
    number = lesson.name[:2]
    if number == "02":
        in_flight = lesson_phases.held_in_flight(
            "/work?ms=3000", 2, "work_requests_in_progress", held=3.0
        )
        return LessonChecks(phases=(in_flight,), code=(needs_set_function("list_size"),))
    if number == "05":
        return LessonChecks(code=(one_series_across_workers("workshop_build_info"),))
    if number in ("03", "04"):
        durations = durations_cover_the_delays("github_lookup_duration_seconds")
        return LessonChecks(properties=(durations,))
    if number == "06":
        gauge = "http_inprogress_requests"
        killed = lesson_phases.worker_killed(mode_given(app_file, gauge))
        off = lesson_phases.serves_with(
            "MULTIPROC=off",
            "http_requests",
            "http_requests_total",
            {"route": "/", "status": "200"},
            "with MULTIPROC=off (no PROMETHEUS_MULTIPROC_DIR), the app must serve /metrics "
            "from its own registry: keep the line that does so for that case",
        )
        held = lesson_phases.held_in_flight(
            "/work?ms=4000", 1, gauge, 4.0, then=killed, only_if=all_workers_answer
        )
        return LessonChecks(
            phases=(off, held),
            code=(
                multiprocess_checks.counts_every_request(gauge),
                multiprocess_checks.summed_over_live_workers(gauge),
                *multiprocess_checks.ALL,
            ),
            variants={"MULTIPROC=off": {"MULTIPROC": "off"}},
        )
    return LessonChecks()
