"""Lesson 07: the tests of app.py's metrics (the exercise, solved).

Each test builds the app on a registry of its own, with a fake provider and a
fake clock (the fixtures are in conftest.py): every value it reads starts at
0, no other test moves it, and no test waits for real time to pass.

Run:    python -m pytest 07_testing/test_app.py
Grade:  python scripts/check.py 07   (these tests, against the bugs it plants in app.py)
"""

import pytest
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.parser import text_string_to_metric_families

LOOKUPS = "forecast_lookups_total"
DURATION = "forecast_lookup_duration_seconds"
IN_PROGRESS = "forecast_lookups_in_progress"


def lookups(registry):
    """{(city, outcome): value} for every series of forecast_lookups_total."""
    return {
        (sample.labels["city"], sample.labels["outcome"]): sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if sample.name == LOOKUPS
    }


def bucket(registry, le):
    return registry.get_sample_value(f"{DURATION}_bucket", {"le": le})


def test_a_good_lookup_is_counted_once(client, registry):
    assert client.get("/forecast/berlin").status_code == 200
    assert registry.get_sample_value(LOOKUPS, {"city": "berlin", "outcome": "ok"}) == 1


def test_each_outcome_is_counted_in_its_own_series(client, registry, provider):
    assert client.get("/forecast/atlantis").status_code == 404
    provider.failure = TimeoutError("the provider did not answer")
    assert client.get("/forecast/lima").status_code == 502
    counted = {labels: value for labels, value in lookups(registry).items() if value}
    assert counted == {("other", "not_found"): 1, ("lima", "error"): 1}


def test_no_series_is_counted_from_what_a_client_sends(client, registry):
    exported = set(lookups(registry))  # 4 cities x 3 outcomes, exported at 0 at start
    for city in ("atlantis", "oslo", "Berlin", "x" * 100):
        client.get(f"/forecast/{city}")
    assert set(lookups(registry)) == exported


def test_a_lookup_is_timed_in_seconds(client, registry, provider):
    provider.seconds = 0.3
    client.get("/forecast/berlin")
    assert bucket(registry, "0.25") == 0
    assert bucket(registry, "0.5") == 1
    assert registry.get_sample_value(f"{DURATION}_sum") == pytest.approx(0.3)


def test_a_failed_lookup_is_timed_too(client, registry, provider):
    provider.seconds = 2.0
    provider.failure = TimeoutError("the provider did not answer")
    client.get("/forecast/berlin")
    assert bucket(registry, "1.0") == 0
    assert bucket(registry, "2.5") == 1


def test_a_lookup_is_in_progress_while_the_provider_answers(client, registry, provider):
    seen = []
    provider.during = lambda: seen.append(registry.get_sample_value(IN_PROGRESS))
    client.get("/forecast/berlin")
    assert seen == [1]
    assert registry.get_sample_value(IN_PROGRESS) == 0


def test_a_failed_lookup_is_no_longer_in_progress(client, registry, provider):
    client.get("/forecast/atlantis")
    provider.failure = ConnectionError("the provider is down")
    client.get("/forecast/berlin")
    assert registry.get_sample_value(IN_PROGRESS) == 0


def test_metrics_serves_this_apps_registry_as_prometheus_text(client, registry):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type == CONTENT_TYPE_PLAIN_0_0_4
    families = text_string_to_metric_families(response.text)
    served = {sample.name for family in families for sample in family.samples}
    assert served == {sample.name for metric in registry.collect() for sample in metric.samples}
