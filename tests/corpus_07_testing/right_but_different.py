"""A learner's lesson 07 tests, right and written their own way: unittest's
TestCase instead of pytest's fixtures, a clock and a provider of their own, and
every value read from the /metrics page, parsed as Prometheus reads it, instead
of from the registry. They catch every mutant."""

import unittest

import forecasts
from app import create_app
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

CITIES = ("berlin", "lima", "tokyo", "other")
OUTCOMES = ("ok", "not_found", "error")


class ForecastMetrics(unittest.TestCase):
    def setUp(self):
        self.now, self.delay, self.failure, self.in_progress = 0.0, 0.0, None, []
        self.registry = CollectorRegistry()
        app = create_app(fetch=self.fetch, registry=self.registry, clock=lambda: self.now)
        self.client = app.test_client()

    def fetch(self, city):
        self.now += self.delay
        self.in_progress.append(self.registry.get_sample_value("forecast_lookups_in_progress"))
        if self.failure:
            raise self.failure
        return forecasts.fetch(city)

    def page(self):
        """{(sample name, labels as a sorted tuple): value}, from /metrics."""
        response = self.client.get("/metrics")
        self.assertEqual(
            response.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8"
        )
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    def lookups(self):
        return {
            dict(labels)["city"] + "/" + dict(labels)["outcome"]: value
            for (name, labels), value in self.page().items()
            if name == "forecast_lookups_total"
        }

    def bucket(self, le):
        return self.page().get(("forecast_lookup_duration_seconds_bucket", (("le", le),)))

    def test_every_lookup_is_counted_once_in_its_own_series(self):
        self.client.get("/forecast/berlin")
        self.client.get("/forecast/atlantis")
        self.failure = ConnectionError("down")
        self.client.get("/forecast/tokyo")
        expected = {f"{city}/{outcome}": 0.0 for city in CITIES for outcome in OUTCOMES}
        expected.update({"berlin/ok": 1.0, "other/not_found": 1.0, "tokyo/error": 1.0})
        self.assertEqual(self.lookups(), expected)

    def test_odd_names_add_no_series(self):
        before = set(self.lookups())
        for city in ("Lima", "nairobi", "a" * 50):
            self.client.get(f"/forecast/{city}")
        self.assertEqual(set(self.lookups()), before)

    def test_durations_land_in_their_buckets(self):
        self.delay = 0.4
        self.client.get("/forecast/lima")
        self.delay, self.failure = 1.2, TimeoutError("slow")
        self.client.get("/forecast/lima")
        counts = [self.bucket(le) for le in ("0.25", "0.5", "1.0", "2.5", "+Inf")]
        self.assertEqual(counts, [0.0, 1.0, 1.0, 2.0, 2.0])

    def test_in_progress_is_1_while_waiting_and_0_after_any_end(self):
        self.client.get("/forecast/berlin")
        self.client.get("/forecast/atlantis")
        self.failure = TimeoutError("slow")
        self.client.get("/forecast/berlin")
        self.assertEqual(self.in_progress, [1.0, 1.0, 1.0])
        self.assertEqual(self.page()[("forecast_lookups_in_progress", ())], 0.0)

    def test_the_page_is_this_apps_registry(self):
        registry = {sample.name for metric in self.registry.collect() for sample in metric.samples}
        self.assertEqual({name for name, _ in self.page()}, registry)
