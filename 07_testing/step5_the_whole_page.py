"""Lesson 07, step 5: the whole of /metrics, compared as text.

Only a registry of the test's own makes that possible: the global one also
holds the client's default collectors (process_..., python_...), whose values
change from one scrape to the next. And the _created samples hold the time
each series was created, different on every run: the test switches them off
while it runs.

Run:  python -m pytest 07_testing/step5_the_whole_page.py
"""

import pytest
from prometheus_client import disable_created_metrics, enable_created_metrics

PAGE_AFTER_ONE_LOOKUP = """\
# HELP forecast_lookups_total Lookups, by city and outcome.
# TYPE forecast_lookups_total counter
forecast_lookups_total{city="berlin",outcome="ok"} 1.0
forecast_lookups_total{city="berlin",outcome="not_found"} 0.0
forecast_lookups_total{city="berlin",outcome="error"} 0.0
forecast_lookups_total{city="lima",outcome="ok"} 0.0
forecast_lookups_total{city="lima",outcome="not_found"} 0.0
forecast_lookups_total{city="lima",outcome="error"} 0.0
forecast_lookups_total{city="tokyo",outcome="ok"} 0.0
forecast_lookups_total{city="tokyo",outcome="not_found"} 0.0
forecast_lookups_total{city="tokyo",outcome="error"} 0.0
forecast_lookups_total{city="other",outcome="ok"} 0.0
forecast_lookups_total{city="other",outcome="not_found"} 0.0
forecast_lookups_total{city="other",outcome="error"} 0.0
# HELP forecast_lookup_duration_seconds Time spent asking the provider, failed lookups included.
# TYPE forecast_lookup_duration_seconds histogram
forecast_lookup_duration_seconds_bucket{le="0.1"} 0.0
forecast_lookup_duration_seconds_bucket{le="0.25"} 0.0
forecast_lookup_duration_seconds_bucket{le="0.5"} 1.0
forecast_lookup_duration_seconds_bucket{le="1.0"} 1.0
forecast_lookup_duration_seconds_bucket{le="2.5"} 1.0
forecast_lookup_duration_seconds_bucket{le="+Inf"} 1.0
forecast_lookup_duration_seconds_count 1.0
forecast_lookup_duration_seconds_sum 0.3
# HELP forecast_lookups_in_progress Lookups waiting for the provider now.
# TYPE forecast_lookups_in_progress gauge
forecast_lookups_in_progress 0.0
"""


@pytest.fixture
def without_created():
    """No _created samples while the test runs. The switch is the client's, for the
    whole process: the fixture turns them back on afterwards, for the next test."""
    disable_created_metrics()
    yield
    enable_created_metrics()


def test_the_page_after_one_lookup_of_0_3_s(client, provider, without_created):
    provider.seconds = 0.3
    client.get("/forecast/berlin")
    assert client.get("/metrics").text == PAGE_AFTER_ONE_LOOKUP
