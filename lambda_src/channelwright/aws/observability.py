"""Logs and metrics for both Lambdas: Powertools Logger (JSON lines) and Metrics (CloudWatch EMF).

Both handlers are decorated with `@logger.inject_lambda_context(clear_state=True)`, so every log
line carries the Lambda context (function_request_id, cold_start...), and with `@metrics.log_metrics`,
which flushes the invocation's metrics once however it ends. Every log line carries the interaction
id and guild id too once they are known (`logger.append_keys`), and nothing logged ever holds a bot
token or an interaction token: routes are logged as templates (`/webhooks/{id}/{token}/...`), and
errors as Discord's code and message. Every metric name is listed in metric_catalog.py, which the
CloudWatch alarms and dashboard read too.
"""

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from channelwright.aws.metric_catalog import CATALOG, DISCORD_ERRORS, REQUEST_PATH_FAILURES

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Channelwright")

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "channelwright"))
metrics = Metrics(namespace=NAMESPACE)


def count(name: str, value: float = 1) -> None:
    """Add `value` to the counter `name`, which must be listed in metric_catalog.py (ValueError)."""
    if name not in CATALOG:
        raise ValueError(f"metric {name!r} is not in metric_catalog.py, so nothing would watch it")
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def discord_error(code: int | None, status: int) -> None:
    """Discord errors by code, in their own EMF blob: a dimension per code would split every metric."""
    with single_metric(name=DISCORD_ERRORS.name, unit=MetricUnit.Count, value=1,
                       namespace=NAMESPACE) as metric:
        metric.add_dimension(name="code", value=str(code if code is not None else f"http-{status}"))


def request_path_failure(what: str, error: BaseException | None = None, **fields) -> None:
    """An interaction we failed to handle properly, whatever the user was answered: logged at
    ERROR (with `fields`, which must hold no token) and counted as RequestPathFailures, which
    pages the operator."""
    logger.error(what, error=None if error is None else f"{type(error).__name__}: {error}", **fields)
    count(REQUEST_PATH_FAILURES.name)


__all__ = ["logger", "metrics", "count", "discord_error", "request_path_failure", "MetricUnit"]
