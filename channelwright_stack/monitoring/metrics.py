"""The metrics monitoring reads: the business metrics the runtime emits, and the periods
alarms and graphs sum them over."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw

# The business metrics the runtime emits with Powertools Metrics (EMF): the namespace comes from
# POWERTOOLS_METRICS_NAMESPACE and Powertools adds a "service" dimension from
# POWERTOOLS_SERVICE_NAME, so each metric is identified by (name, service).
METRICS_NAMESPACE = "Channelwright"
INTERACTIONS_SERVICE = "channelwright-interactions"
WORKER_SERVICE = "channelwright-worker"

# Queue metrics arrive once a minute; one bad minute is enough for these two (a dead letter is
# never noise, a 5-minute-old task already is late). Lambda, API and business metrics are
# summed over 5 minutes, so a burst of failures is one e-mail, not one per minute.
QUEUE_PERIOD = Duration.minutes(1)
PERIOD = Duration.minutes(5)


def business_metric(
    name: str, service: str, *, statistic: str = "Sum", period: Duration = PERIOD,
    label: str | None = None,
) -> cw.Metric:
    return cw.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service},
        statistic=statistic,
        period=period,
        label=label,
    )
