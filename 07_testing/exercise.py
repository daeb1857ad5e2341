"""Lesson 07 exercise: test app.py's metrics, so that no bug in them goes unnoticed.

app.py is complete and correct; the tests are not written yet. Write each TODO
with the fixtures of conftest.py (registry, client, provider, clock: name them
as arguments), run the tests, then let the grader plant its bugs in app.py, one
at a time, and see which ones your tests catch:

    python -m pytest 07_testing/exercise.py
    python scripts/check.py 07 --file 07_testing/exercise.py

Each test must pass on the correct app: one that fails there catches nothing.
"""

# (Import what you use: pytest, prometheus_client, prometheus_client.parser.)


def test_a_good_lookup_is_counted_once(client, registry):
    # TODO 1: ask the app for /forecast/berlin, then assert that the lookup added
    #         exactly 1 to forecast_lookups_total{city="berlin", outcome="ok"}.
    pass


def test_each_outcome_is_counted_in_its_own_series(client, registry, provider):
    # TODO 2: ask for a city the provider does not know (a 404), and for one while
    #         the provider fails (provider.failure = TimeoutError(): a 502); then
    #         assert which series of forecast_lookups_total went up, by how much,
    #         and that no other series did.
    pass


def test_no_series_is_counted_from_what_a_client_sends(client, registry):
    # TODO 2: ask for cities the app does not list (unknown, known only to the
    #         provider, capitalised, very long), and assert that the set of
    #         series of forecast_lookups_total is the same as before.
    pass


def test_a_lookup_is_timed_in_seconds(client, registry, provider):
    # TODO 3: make a lookup take 0.3 s on the test's clock (provider.seconds), and
    #         assert which buckets of forecast_lookup_duration_seconds it landed
    #         in, and in which not.
    pass


def test_a_failed_lookup_is_timed_too(client, registry, provider):
    # TODO 3: the same for a lookup that fails after 2 s: it is timed too.
    pass


def test_a_lookup_is_in_progress_while_the_provider_answers(client, registry, provider):
    # TODO 4: read forecast_lookups_in_progress while the provider answers
    #         (provider.during = a function the fake provider calls then), and
    #         after the lookup.
    pass


def test_a_failed_lookup_is_no_longer_in_progress(client, registry, provider):
    # TODO 4: after a lookup of an unknown city and one the provider fails,
    #         assert that forecast_lookups_in_progress is back to 0.
    pass


def test_metrics_serves_this_apps_registry_as_prometheus_text(client, registry):
    # TODO 5: read /metrics with the test client: assert its status, its content
    #         type (the text format Prometheus reads), and that it parses into the
    #         samples of the app's own registry, no more and no fewer.
    pass
