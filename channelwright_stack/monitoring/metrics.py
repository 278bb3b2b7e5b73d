"""The metrics monitoring reads: the business metrics the runtime emits (its catalogue), and the
periods alarms and graphs sum them over."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw

from channelwright.aws.metric_catalog import INTERACTIONS, NAMESPACE, SERVICE, WORKER, Metric

# The runtime's own names (lambda_src/channelwright/aws/metric_catalog.py): the stack sets them as
# POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME, and the alarms watch them.
METRICS_NAMESPACE = NAMESPACE
INTERACTIONS_SERVICE = INTERACTIONS
WORKER_SERVICE = WORKER

# Queue metrics arrive once a minute; one bad minute is enough for these (a dead letter is never
# noise, a 5-minute-old task already is late). Lambda, API and business metrics are summed over
# 5 minutes, so a burst of failures is one e-mail, not one per minute.
QUEUE_PERIOD = Duration.minutes(1)
PERIOD = Duration.minutes(5)


def business_metric(
    metric: Metric, *, statistic: str = "Sum", period: Duration = PERIOD, label: str | None = None,
) -> cw.Metric:
    """One of the runtime's metrics, with the service dimension of the function that emits it."""
    if metric.dimensions != (SERVICE,):
        raise ValueError(f"{metric.name} has dimensions {metric.dimensions}; graph it with a search")
    return cw.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=metric.name,
        dimensions_map={SERVICE: metric.service},
        statistic=statistic,
        period=period,
        label=label,
    )
