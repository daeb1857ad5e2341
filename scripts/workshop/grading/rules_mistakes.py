"""Known mistakes in the rules lesson's answers, each written as a rule next to the
reference's and evaluated on the same scenarios: an answer whose results equal a
mistake's everywhere gets that mistake's hint (the alerts' mistakes are in
grading.rules_alert_mistakes). What is not on this list is
diagnosed from the differences themselves (grading.rules_hints).

Used by grading.rules_runs (the mistakes' rule file) and grading.rules_compare.
"""

from dataclasses import dataclass

from workshop.grading import rules_alert_mistakes

PAGES = "job_page:page_visits:rate5m"
FAILED = "job:github_lookups_failed_per_github_lookups:ratio_rate5m"
P95 = "job:github_lookup_duration_seconds:p95_rate5m"
WITHIN_5M = "job:github_lookups_within_1s_per_github_lookups:ratio_rate5m"
WITHIN_1H = "job:github_lookups_within_1s_per_github_lookups:ratio_rate1h"
INPROGRESS = "job:http_inprogress_requests:sum"
ALL = "job:github_lookups:rate5m"
BAD = 'github_lookups_total{outcome=~"error|timeout|rate_limited"}'
BUCKET = "github_lookup_duration_seconds_bucket"
COUNT = "github_lookup_duration_seconds_count"


@dataclass(frozen=True)
class Mistake:
    answer: str  # the recording rule or alert it is a wrong version of
    hint: str
    expr: str
    for_: str = ""  # alerts only: the `for` it is written with


def within(bound="1.0", window="5m", denominator=COUNT):
    return (
        f'sum by (job) (rate({BUCKET}{{le="{bound}"}}[{window}])) '
        f"/ sum by (job) (rate({denominator}[{window}]))"
    )


IRATE = "irate() takes the last two samples only: rate() averages the whole window"
INCREASE = "increase() counts the events of the whole window: rate() gives them per second"

MISTAKES = (
    # TODO 1: a rate by label
    Mistake(
        PAGES,
        "only the last minute counts: irate() (the last two samples) or a 1m window; the name "
        "promises rate() over 5 minutes",
        "sum by (job, page) (irate(page_visits_total[5m]))",
    ),
    Mistake(PAGES, INCREASE, "sum by (job, page) (increase(page_visits_total[5m]))"),
    Mistake(
        PAGES,
        "per minute, not per second: rate() is always per second, whatever the window",
        "sum by (job, page) (rate(page_visits_total[5m]) * 60)",
    ),
    Mistake(
        PAGES,
        "delta() is for gauges: on a counter it goes wrong at every restart; rate() knows resets",
        "sum by (job, page) (delta(page_visits_total[5m])) / 300",
    ),
    # TODO 2: a ratio of two rates
    Mistake(
        FAILED,
        "not_found counts as a failure here: it is a correct answer (the repository does not "
        "exist); only error, timeout and rate_limited failed",
        f'sum by (job) (rate(github_lookups_total{{outcome!="ok"}}[5m])) / {ALL}',
    ),
    Mistake(
        FAILED,
        "only outcome=error counts: timeout and rate_limited failed too",
        f'sum by (job) (rate(github_lookups_total{{outcome="error"}}[5m])) / {ALL}',
    ),
    Mistake(
        FAILED,
        "the average of each instance's ratio: add up each side over the instances first, "
        "then divide (a busy instance counts more than a quiet one)",
        f"avg by (job) (sum by (job, instance) (rate({BAD}[5m])) "
        "/ sum by (job, instance) (rate(github_lookups_total[5m])))",
    ),
    Mistake(
        FAILED,
        "the share of lookups that succeeded (ok): the rule asks for the share that failed",
        f'sum by (job) (rate(github_lookups_total{{outcome="ok"}}[5m])) / {ALL}',
    ),
    Mistake(
        FAILED,
        "a percentage: ratios go from 0 to 1 (0.1 is 10 %)",
        f"sum by (job) (rate({BAD}[5m])) / {ALL} * 100",
    ),
    Mistake(
        FAILED,
        "a ratio of the counters themselves: the share since the app started, not over the "
        "last 5 minutes; take rate() of each side",
        'sum by (job) (github_lookups_total{outcome=~"error|timeout|rate_limited"}) '
        "/ sum by (job) (github_lookups_total)",
    ),
    # TODO 3: a quantile from a histogram
    Mistake(
        P95,
        "the average of each instance's p95: quantiles do not average; add up the buckets "
        "with sum by (job, le) first, then take histogram_quantile",
        f"avg by (job) (histogram_quantile(0.95, sum by (job, instance, le) (rate({BUCKET}[5m]))))",
    ),
    Mistake(
        P95,
        "0.9 is the 90th percentile: p95 is histogram_quantile(0.95, ...)",
        f"histogram_quantile(0.9, sum by (job, le) (rate({BUCKET}[5m])))",
    ),
    Mistake(
        P95,
        "without rate() the buckets hold every lookup since the app started: take rate() of "
        "the buckets for the last 5 minutes",
        f"histogram_quantile(0.95, sum by (job, le) ({BUCKET}))",
    ),
    Mistake(P95, IRATE, f"histogram_quantile(0.95, sum by (job, le) (irate({BUCKET}[5m])))"),
    # TODO 4: the exact SLO ratio from a bucket
    Mistake(
        WITHIN_5M,
        "the share of slow lookups (1 minus the answer): the rule asks for the share that "
        "took at most 1 s",
        f"1 - ({within()})",
    ),
    Mistake(
        WITHIN_5M,
        "divided by _sum, the seconds all lookups took together: _count is the number of lookups",
        within(denominator="github_lookup_duration_seconds_sum"),
    ),
    Mistake(
        WITHIN_5M,
        'the bucket le="0.75": the threshold of the SLO is 1 s, le="1.0"',
        within(bound="0.75"),
    ),
    Mistake(
        WITHIN_5M,
        'the bucket le="1.5": the threshold of the SLO is 1 s, le="1.0"',
        within(bound="1.5"),
    ),
    Mistake(
        WITHIN_5M,
        "a window of 1h: this one is rate5m, the 5-minute window",
        within(window="1h"),
    ),
    Mistake(
        WITHIN_1H,
        "a window of 5m: this one is rate1h, the 1-hour window",
        within(window="5m"),
    ),
    # TODO 5: an aggregation across instances
    Mistake(
        INPROGRESS,
        "rate() of a gauge: a gauge is a value now, not a count that grows; add it up as it is",
        "sum by (job) (rate(http_inprogress_requests[5m]))",
    ),
    Mistake(
        INPROGRESS,
        "avg: the requests in progress of all instances add up, sum them",
        "avg by (job) (http_inprogress_requests)",
    ),
    Mistake(
        INPROGRESS,
        "max: the requests in progress of all instances add up, sum them",
        "max by (job) (http_inprogress_requests)",
    ),
    Mistake(
        INPROGRESS,
        "an average over time: the rule asks for the value now, all instances together",
        "sum by (job) (avg_over_time(http_inprogress_requests[5m]))",
    ),
    # Found by trying wrong answers (TODO 2 to 5)
    Mistake(
        WITHIN_5M,
        "divided by every bucket added up: a lookup is counted in each bucket at or above "
        'its duration; divide by _count (or the le="+Inf" bucket), all the lookups',
        within(denominator=BUCKET),
    ),
    Mistake(
        FAILED,
        "divided by the ok lookups only: the share is of all lookups, job:github_lookups:rate5m",
        f"sum by (job) (rate({BAD}[5m])) "
        '/ sum by (job) (rate(github_lookups_total{outcome="ok"}[5m]))',
    ),
    Mistake(
        P95,
        "0.99 is the 99th percentile: p95 is histogram_quantile(0.95, ...)",
        f"histogram_quantile(0.99, sum by (job, le) (rate({BUCKET}[5m])))",
    ),
    Mistake(
        P95,
        "the average duration (_sum over _count), not the 95th percentile: histogram_quantile",
        "sum by (job) (rate(github_lookup_duration_seconds_sum[5m])) "
        f"/ sum by (job) (rate({COUNT}[5m]))",
    ),
    Mistake(
        P95,
        "a window of 1h: this one is rate5m, the 5-minute window",
        f"histogram_quantile(0.95, sum by (job, le) (rate({BUCKET}[1h])))",
    ),
    Mistake(
        INPROGRESS,
        "count: how many instances answer, not how many requests are in progress; sum them",
        "count by (job) (http_inprogress_requests)",
    ),
    *(Mistake(*alert) for alert in rules_alert_mistakes.ALERTS),
)


def name_of(index, mistake):
    """The rule name mistake number `index` is recorded or alerted under."""
    return f"GraderMistake{index}" if ":" not in mistake.answer else f"grader_mistake_{index}"
