"""A learner's lesson 07 tests, three of which fail on the correct app: a bucket
read as le="1" where /metrics writes le="1.0", and two tests that assert absolute
values of the global registry, which the first of them already moved. They fail
on the mutants too, and catch nothing: only the first test counts."""

from app import app
from prometheus_client import REGISTRY

BERLIN_OK = {"city": "berlin", "outcome": "ok"}


def test_a_lookup_is_counted_once(client, registry):
    client.get("/forecast/berlin")
    assert registry.get_sample_value("forecast_lookups_total", BERLIN_OK) == 1


def test_a_lookup_of_0_7_s_lands_in_the_1_s_bucket(client, registry, provider):
    provider.seconds = 0.7
    client.get("/forecast/berlin")
    bucket = {"le": "1"}
    assert registry.get_sample_value("forecast_lookup_duration_seconds_bucket", bucket) == 1


def test_the_global_app_counts_one_lookup():
    app.test_client().get("/forecast/berlin")
    assert REGISTRY.get_sample_value("forecast_lookups_total", BERLIN_OK) == 1


def test_the_global_app_counts_another_lookup():
    app.test_client().get("/forecast/berlin")
    assert REGISTRY.get_sample_value("forecast_lookups_total", BERLIN_OK) == 1
