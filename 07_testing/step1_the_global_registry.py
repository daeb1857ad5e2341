"""Lesson 07, step 1: a first test, on the client's global registry.

app.py's module-level `app` keeps its metrics where lessons 01 to 06 kept
theirs: in prometheus_client.REGISTRY, which every test in this process
shares. So the test reads the counter before and after its request, and
checks the difference, not the value.

Run:  python -m pytest 07_testing/step1_the_global_registry.py
"""

from app import app
from prometheus_client import REGISTRY

BERLIN_OK = {"city": "berlin", "outcome": "ok"}


def test_a_good_lookup_adds_one_to_its_counter():
    before = REGISTRY.get_sample_value("forecast_lookups_total", BERLIN_OK)
    response = app.test_client().get("/forecast/berlin")
    assert response.status_code == 200
    assert REGISTRY.get_sample_value("forecast_lookups_total", BERLIN_OK) - before == 1


def test_an_unknown_city_adds_one_to_other_not_found():
    other = {"city": "other", "outcome": "not_found"}
    before = REGISTRY.get_sample_value("forecast_lookups_total", other)
    response = app.test_client().get("/forecast/atlantis")
    assert response.status_code == 404
    assert REGISTRY.get_sample_value("forecast_lookups_total", other) - before == 1
