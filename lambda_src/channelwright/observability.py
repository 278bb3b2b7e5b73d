"""Logs and metrics for both Lambdas: Powertools Logger (JSON lines) and Metrics (CloudWatch EMF).

Every log line carries the interaction id and guild id once they are known (`logger.append_keys`),
and nothing logged ever holds a bot token or an interaction token: routes are logged as templates
(`/webhooks/{id}/{token}/...`), and errors as Discord's code and message. Metrics are flushed once
per invocation by the handlers; the names are what the CloudWatch dashboard and alarms watch.
"""

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Channelwright")

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "channelwright"))
metrics = Metrics(namespace=NAMESPACE)


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def discord_error(code: int | None, status: int) -> None:
    """Discord errors by code, in their own EMF blob: a dimension per code would split every metric."""
    with single_metric(name="DiscordErrors", unit=MetricUnit.Count, value=1,
                       namespace=NAMESPACE) as metric:
        metric.add_dimension(name="code", value=str(code if code is not None else f"http-{status}"))


__all__ = ["logger", "metrics", "count", "discord_error", "MetricUnit"]
