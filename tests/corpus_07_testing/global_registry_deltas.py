"""A learner's lesson 07 tests on app.py's module-level app and the global
registry, with before/after deltas (step 1's way). Right, as far as they go: the
global app asks the real provider, which never fails, with the real clock, and
already serves the global registry. So they catch the bugs of the counter and of
the content type, and none that needs a failure, a chosen duration, or an app
of the test's own."""

from app import app
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, REGISTRY


def lookups():
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == "forecast_lookups_total"
    }


def moved(before, after):
    """The series whose value changed, or that are new, and by how much."""
    return {
        labels: value - before.get(labels, 0)
        for labels, value in after.items()
        if value != before.get(labels)
    }


def test_a_good_lookup_adds_one_to_its_series_only():
    before = lookups()
    assert app.test_client().get("/forecast/berlin").status_code == 200
    assert moved(before, lookups()) == {(("city", "berlin"), ("outcome", "ok")): 1}


def test_an_unknown_city_adds_one_to_other_not_found_only():
    before = lookups()
    for city in ("atlantis", "Atlantis"):
        assert app.test_client().get(f"/forecast/{city}").status_code == 404
    assert moved(before, lookups()) == {(("city", "other"), ("outcome", "not_found")): 2}


def test_metrics_is_prometheus_text():
    response = app.test_client().get("/metrics")
    assert response.content_type == CONTENT_TYPE_PLAIN_0_0_4
