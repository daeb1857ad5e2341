"""A learner's lesson 07 tests that look right and assert too little: "went up"
instead of "went up by 1", one series instead of all of them, a count of
observations instead of their buckets, the gauge only after a lookup that
succeeded, the status of /metrics only; and one that asserts nothing at all."""

LOOKUPS = "forecast_lookups_total"


def test_a_lookup_is_counted(client, registry):
    client.get("/forecast/berlin")
    assert registry.get_sample_value(LOOKUPS, {"city": "berlin", "outcome": "ok"}) > 0


def test_an_unknown_city_is_counted_as_other(client, registry):
    client.get("/forecast/atlantis")
    assert registry.get_sample_value(LOOKUPS, {"city": "other", "outcome": "not_found"}) == 1


def test_a_lookup_is_timed(client, registry):
    client.get("/forecast/berlin")
    assert registry.get_sample_value("forecast_lookup_duration_seconds_count") == 1


def test_nothing_is_in_progress_after_a_lookup(client, registry):
    client.get("/forecast/berlin")
    assert registry.get_sample_value("forecast_lookups_in_progress") == 0


def test_metrics_answers(client):
    assert client.get("/metrics").status_code == 200


def test_every_path_answers(client, provider):
    client.get("/forecast/atlantis")
    provider.failure = TimeoutError("the provider did not answer")
    client.get("/forecast/lima")
    assert True
