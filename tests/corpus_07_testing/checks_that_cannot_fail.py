"""A learner's lesson 07 tests whose checks cannot fail: a check returned instead of
asserted (pytest ignores what a test returns), an assert of a tuple (always true),
beside one sound test, which alone catches what it catches."""

LOOKUPS = "forecast_lookups_total"
OK = {"city": "berlin", "outcome": "ok"}


def test_a_good_lookup_is_counted_once(client, registry):
    before = registry.get_sample_value(LOOKUPS, OK) or 0
    client.get("/forecast/berlin")
    return registry.get_sample_value(LOOKUPS, OK) == before + 1


def test_an_unknown_city_is_counted_as_not_found(client, registry):
    series = {"city": "other", "outcome": "not_found"}
    before = registry.get_sample_value(LOOKUPS, series) or 0
    client.get("/forecast/atlantis")
    assert (registry.get_sample_value(LOOKUPS, series) == before + 1, "one not_found")  # noqa: F631


def test_a_good_lookup_is_counted(client, registry):
    before = registry.get_sample_value(LOOKUPS, OK) or 0
    client.get("/forecast/berlin")
    assert registry.get_sample_value(LOOKUPS, OK) == before + 1
