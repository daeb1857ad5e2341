"""A learner's lesson 07 tests, sound, but every one marked skip while they were
written, and never unmarked: tests that do not run catch nothing."""

import pytest

pytestmark = pytest.mark.skip(reason="not finished")

LOOKUPS = "forecast_lookups_total"
OK = {"city": "berlin", "outcome": "ok"}


def test_a_good_lookup_is_counted_once(client, registry):
    before = registry.get_sample_value(LOOKUPS, OK) or 0
    client.get("/forecast/berlin")
    assert registry.get_sample_value(LOOKUPS, OK) == before + 1
