"""The phases some lessons add once their traffic has run, while their app still
runs: requests held in flight while /metrics is read (02, 06), a gunicorn worker
killed while it holds one (06), and the learner's app started again with other
settings (06 with MULTIPROC=off).

Each phase is a function (handles, run) -> [(family, Mismatch)] (see
grading.phases). A request held in flight sleeps for `held` seconds; /metrics is
read until it shows the expected value, for at most `held` - MARGIN seconds: the
check never looks at a request that could have ended.

Used by grading.lesson_checks.
"""

import os
import signal
import threading
import time
from contextlib import suppress
from pathlib import Path

from workshop.grading.behaviour import samples
from workshop.grading.phases import read_page
from workshop.grading.snippet_lines import Mismatch
from workshop.processes import ServerFailed, children_of, wait_for

MARGIN = 0.5  # seconds between the last look at a held request and its earliest end
SETTLE_SECONDS = 3.0  # how long the new workers' answers are read after a worker is killed
# How long the request held by a killed worker takes to end for its client (the
# connection is reset at once): if it does not, that worker was another one.
KILLED_SECONDS = 0.5
PHASE_RANK = 2


def hold(url, path, count, held):
    """`count` requests to url+path sent at once in daemon threads: a list that gets a
    True for each one that has ended (answered or failed)."""
    import requests

    from workshop.metrics_page import local_get

    ended = []

    def send():
        # The app is stopped, or its worker killed, while it holds the request: no answer.
        with suppress(requests.RequestException):
            local_get(url + path, timeout=held + 10)
        ended.append(True)

    for _ in range(count):
        threading.Thread(target=send, daemon=True).start()
    return ended


def value_of(page, sample, labels=None):
    return samples(page, {sample}).get((sample, frozenset((labels or {}).items())))


def watch(handle, sample, wanted, until, over=None, when=""):
    """Read /metrics until wanted(the value of `sample`), until `until` or until over()
    (the held requests have all ended): (whether it was, the values seen)."""
    seen = []
    while True:
        seen.append(value_of(read_page(handle, when), sample))
        if seen[-1] is not None and wanted(seen[-1]):
            return True, seen
        if time.time() >= until or (over and over()):
            return False, seen
        time.sleep(0.02)


def in_flight_hint(sample, count, path, highest, page):
    if any(label == "pid" for _, labels in samples(page, {sample}) for label, _ in labels):
        return None  # one series per worker: the snippet says so, with its mode
    requests_were = "a request was" if count == 1 else f"{count} requests were"
    if highest is None:
        return None  # it vanished: the snippets say what the page shows
    if highest == 0:
        return (
            f"while {requests_were} in progress on {path.split('?')[0]}, {sample} "
            "stayed 0: is it counted up when a request starts, for every such request?"
        )
    return (
        f"{count} requests to {path.split('?')[0]} were in progress at once, and {sample} "
        f"showed {highest:g}: count each one up and down (inc() and dec(), or "
        "track_inprogress()), not set(1) and set(0)"
    )


def held_in_flight(path, count, sample, held, then=None, only_if=None):
    """A phase: `count` requests to `path` (each held `held` seconds) in flight at once;
    /metrics must show `count` more in `sample` than after the traffic. then(handles,
    sample, value after the traffic): what to do while they are still held, once they
    have shown (06 kills a worker). only_if(run): whether the page can show them at all.
    """

    def phase(handles, run):
        app = handles["app"]
        if only_if and not only_if(run):
            return []
        before = value_of(run.after, sample)
        if before is None:
            return []  # no such series at all: its snippet says so
        requests_were = "a request was" if count == 1 else f"{count} requests were"
        when = f"while {requests_were} in progress on {path}"
        until = time.time() + held - MARGIN  # a right app shows it within milliseconds
        ended = hold(app.url, path, count, held)

        def all_ended():
            return len(ended) == count

        def counted(value):
            return value == before + count

        shown, seen = watch(app, sample, counted, until, all_ended, when)
        if shown:
            return then(handles, sample, before, ended) if then else []
        highest = max((value - before for value in seen if value is not None), default=None)
        hint = in_flight_hint(sample, count, path, highest, run.after)
        if hint is None:
            return []
        expected = f"{sample} {before + count!r}"
        actual = f"{sample} {before + highest!r}"
        return [(sample, Mismatch(expected, actual, hint, when, PHASE_RANK))]

    return phase


def asleep(pid):
    """Whether the process sleeps in time.sleep() (Linux says so in /proc): the worker
    that holds a /work request. Elsewhere, or when unsure: False."""
    try:
        return "sleep" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def worker_killed(mode_of):
    """What held_in_flight's `then` does in lesson 06: SIGKILL the gunicorn worker that
    holds the request (one after the other, until the request ends); then the gauge
    must have forgotten the dead worker's share, held request included. mode_of():
    the multiprocess_mode the code gives the gauge, or None."""

    def then(handles, sample, before, ended):
        app = handles["app"]
        for pid in sorted(children_of(app.server.process.pid), key=lambda pid: not asleep(pid)):
            os.kill(pid, signal.SIGKILL)
            if wait_for(lambda: ended, KILLED_SECONDS):
                break  # it was the one holding the request: the others answer at once
        when = "after a worker was killed (SIGKILL) while it held a request"
        read_page(app, when)  # answered once gunicorn has started a new worker

        def forgotten(value):
            """At most what it showed before the request: the dead worker's share is
            gone (that of a worker that never counts down was more: its snippet says so)."""
            return value <= before

        dropped, seen = watch(app, sample, forgotten, time.time() + SETTLE_SECONDS, when=when)
        if dropped:
            return []
        mode = mode_of()
        named = f'multiprocess_mode="{mode}"' if mode else "its multiprocess_mode"
        hint = (
            f"{sample} still counts the request of a worker that died while holding it: "
            f'{named} keeps the value a dead worker left; "livesum" adds up the workers '
            "alive now"
        )
        actual = f"{sample} {seen[-1]!r}" if seen[-1] is not None else None
        return [(sample, Mismatch(f"{sample} {before!r}", actual, hint, when, PHASE_RANK))]

    return then


def serves_with(variant, family, sample, labels, explain):
    """A phase: the learner's app started with other settings (the variant's handle)
    must serve too, and count one request to / in `sample` with `labels`."""

    def phase(handles, run):
        import requests

        from workshop.metrics_page import local_get

        handle = handles[variant]
        when = f"with {variant}"
        try:
            handle.wait()
            local_get(handle.url + "/", timeout=10)
            shown = wait_for(lambda: value_of(read_page(handle, "after GET /"), sample, labels), 2)
        except (ServerFailed, requests.RequestException) as error:
            details = getattr(error, "details", [])
            failed = Mismatch(
                "it serves /metrics", str(error).splitlines()[0], explain, when, 2, details
            )
            return [(family, failed)]
        if shown == 1:
            return []
        hint = f"{explain} (after one GET /, it shows {shown})"
        return [(family, Mismatch(f"{sample} 1.0", f"{sample} {shown!r}", hint, when, 2))]

    return phase
