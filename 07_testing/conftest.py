"""Lesson 07: what each test of app.py starts from. pytest hands these fixtures
to every test that names them as arguments, fresh for each test:

    registry  a registry of the test's own: every metric starts at 0
    clock     a clock that moves only when the test moves it
    provider  the forecast provider, but each lookup takes the time the test
              chooses, on that clock, and fails when the test says so
    client    Flask's test client for an app built on those three
"""

import forecasts
import pytest
from app import create_app
from prometheus_client import CollectorRegistry


class FakeClock:
    """Stands in for time.perf_counter(): it moves only when advance() is called."""

    def __init__(self):
        self.now = 0.0  # like perf_counter(), it means nothing alone: the app subtracts two

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class FakeProvider:
    """Stands in for forecasts.fetch(): each lookup takes `seconds` on the fake clock,
    then calls `during()` (a test's look at the app while it waits), then raises
    `failure` if the test set one, or answers as the real provider does."""

    def __init__(self, clock):
        self.clock = clock
        self.seconds = 0.0
        self.during = lambda: None
        self.failure = None

    def __call__(self, city):
        self.clock.advance(self.seconds)
        self.during()
        if self.failure is not None:
            raise self.failure
        return forecasts.fetch(city)


@pytest.fixture
def registry():
    return CollectorRegistry()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def provider(clock):
    return FakeProvider(clock)


@pytest.fixture
def client(registry, provider, clock):
    app = create_app(fetch=provider, registry=registry, clock=clock)
    app.testing = True  # an exception in a view reaches the test instead of becoming a 500
    return app.test_client()
