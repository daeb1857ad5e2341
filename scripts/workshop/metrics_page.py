"""Reading an app's /metrics page as a plain curl does: scrape it, grep it, or
take its samples as {(name, labels): value}.

Used by lesson_run and the grader, readme_walk (the README's `curl | grep`
commands), and the tests. Standard library plus requests and prometheus_client.
"""

import requests
from prometheus_client.parser import text_string_to_metric_families

# The one form of command a lesson README uses to show a snippet of /metrics.
CURL_GREP = "curl -s http://127.0.0.1:5000/metrics | grep "


def is_prometheus_text(response):
    return response.ok and response.headers.get("Content-Type", "").startswith("text/plain")


def scrape(url):
    """The app's /metrics as a plain curl sees it (text format 0.0.4)."""
    return requests.get(f"{url}/metrics", timeout=5).text


def sample_values(url):
    """{(sample name, frozenset of labels): value} for every sample on the app's /metrics."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape(url))
        for sample in family.samples
    }


def grep(text, pattern):
    """What `grep pattern` prints for a plain-word pattern."""
    return "".join(line + "\n" for line in text.splitlines() if pattern in line)
