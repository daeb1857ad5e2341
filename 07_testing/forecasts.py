"""The forecast provider of lesson 07: a stand-in for a weather service across the network.

Not the lesson's subject: app.py counts, times and tracks every call of fetch(),
and the tests put a fake in its place, which takes the time a test chooses and
fails when a test says so.
"""

# Forecasts for a few cities; the provider has none for any other.
FORECASTS = {
    "berlin": {"sky": "cloudy", "celsius": 14},
    "lima": {"sky": "sunny", "celsius": 22},
    "nairobi": {"sky": "sunny", "celsius": 25},
    "oslo": {"sky": "snow", "celsius": -3},
    "tokyo": {"sky": "rain", "celsius": 18},
}


def fetch(city):
    """The forecast for `city`, as JSON; LookupError when the provider has none.

    A real provider answers over the network, in a tenth of a second or a few
    seconds, and now and then fails with a ConnectionError or a TimeoutError
    (both are OSError). This one answers at once, and never fails.
    """
    if city not in FORECASTS:
        raise LookupError(f"no forecast for {city!r}")
    return {"city": city, **FORECASTS[city]}
