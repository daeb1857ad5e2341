"""Reading an app's /metrics page as a plain curl does: scrape it, grep it, or
take its samples as {(name, labels): value}; and local_get(), how the workshop's
tools ask their own servers on 127.0.0.1.

Used by lesson_run and the grader, processes (is it serving yet?), readme_walk
(the README's `curl | grep` commands), and the tests. Standard library plus
requests and prometheus_client.
"""

import threading

import requests

LOCAL = threading.local()  # each thread's own Session: requests does not promise to share one

# The one form of command a lesson README uses to show a snippet of /metrics.
CURL_GREP = "curl -s http://127.0.0.1:5000/metrics | grep "


def is_prometheus_text(response):
    return response.ok and response.headers.get("Content-Type", "").startswith("text/plain")


def local_get(url, **options):
    """GET a server on this machine, in a Session of this thread that ignores the proxy
    settings of the environment: an HTTP_PROXY in the learner's shell must not reach
    127.0.0.1 (and reading them on every request costs more than the request)."""
    if not hasattr(LOCAL, "session"):
        LOCAL.session = requests.Session()
        LOCAL.session.trust_env = False
    return LOCAL.session.get(url, **options)


def scrape(url):
    """The app's /metrics as a plain curl sees it (text format 0.0.4)."""
    return local_get(f"{url}/metrics", timeout=5).text


def sample_values(url):
    """{(sample name, frozenset of labels): value} for every sample on the app's /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape(url))
        for sample in family.samples
    }


def grep(text, pattern):
    """What `grep pattern` prints for a plain-word pattern."""
    return "".join(line + "\n" for line in text.splitlines() if pattern in line)
