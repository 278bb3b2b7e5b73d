"""The stage's dashboard: the alarms, the business metrics the code emits and the AWS metrics
behind them on one screen, with a note beside each row saying what to do when it turns red."""

from __future__ import annotations

from typing import Any, ClassVar

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from channelwright.aws.metric_catalog import (
    ACK_LATENCY,
    BUILD_SECONDS,
    CAMPAIGNS_COMPLETED,
    CAMPAIGNS_FAILED,
    CAMPAIGNS_PAUSED,
    CAMPAIGNS_REFUSED,
    CAMPAIGNS_STARTED,
    CHANNELS_CREATED,
    DISCORD_GLOBAL_RATE_LIMITED,
    DISCORD_LONG_RATE_LIMITS,
    DISCORD_RATE_LIMITED,
    MALFORMED_INTERACTIONS,
    REQUEST_PATH_FAILURES,
    TASK_ATTEMPTS_FAILED,
)

from ..ingress import Ingress
from ..task_queue import TaskQueue
from ..worker import Worker
from .alarms import DISCORD_ACK_DEADLINE_MS, RUNBOOK, alarm_name, dead_letter_arrivals
from .metrics import PERIOD, QUEUE_PERIOD, business_metric


def stage_dashboard(
    scope: Construct, alarms: dict[str, cw.Alarm], *, ingress: Ingress, tasks: TaskQueue,
    worker: Worker, stage: str,
) -> cw.Dashboard:
    """The dashboard "Channelwright-<stage>", created in `scope` as "Dashboard"."""
    return cw.Dashboard(
        scope,
        "Dashboard",
        dashboard_name=f"Channelwright-{stage}",
        default_interval=Duration.hours(3),
        widgets=_DashboardLayout(alarms, stage, ingress, tasks, worker).rows(),
    )


def console_url(dashboard: cw.Dashboard) -> str:
    return (
        f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
        f"#dashboards:name={dashboard.dashboard_name}"
    )


class _DashboardLayout:
    """One screen, 24 columns: a header with the alarm states, then one row per part of the
    system, each with its graphs and a note on what to do when they turn red."""

    GRAPH: ClassVar[dict[str, Any]] = {"width": 6, "height": 6}

    def __init__(self, alarms: dict[str, cw.Alarm], stage: str, ingress: Ingress, tasks: TaskQueue,
                 worker: Worker):
        self.alarms, self.stage = alarms, stage
        self.ingress, self.tasks, self.worker = ingress, tasks, worker

    def rows(self) -> list[list[cw.IWidget]]:
        return [self.header(), self.campaigns(), self.interactions(), self.queue(), self.worker_row()]

    def _graph(self, title: str, left: list[cw.IMetric], *, right: list[cw.IMetric] | None = None,
               alarms: tuple[str, ...] = (), annotations: list[cw.HorizontalAnnotation] | None = None,
               left_label: str | None = None) -> cw.GraphWidget:
        return cw.GraphWidget(
            title=title,
            left=left,
            right=right or [],
            # The alarm's threshold drawn on the graph: the area past it is what pages.
            left_annotations=[self.alarms[a].to_annotation() for a in alarms] + (annotations or []),
            left_y_axis=cw.YAxisProps(label=left_label, min=0, show_units=False),
            period=PERIOD,
            **self.GRAPH,
        )

    @staticmethod
    def _note(markdown: str) -> cw.TextWidget:
        return cw.TextWidget(markdown=markdown.strip(), width=6, height=6)

    def header(self) -> list[cw.IWidget]:
        return [
            cw.TextWidget(
                markdown=(
                    f"# Channelwright {self.stage}\n"
                    "Discord → HTTP API → interactions λ → FIFO task queue → worker λ → Discord. "
                    "Every alarm e-mails the stage's alarm topic when it fires and when it "
                    f"recovers. Runbook: `{RUNBOOK}`."
                ),
                width=6, height=4,
            ),
            cw.AlarmStatusWidget(
                title="Alarms",
                alarms=list(self.alarms.values()),
                sort_by=cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
                width=18, height=4,
            ),
        ]

    def campaigns(self) -> list[cw.IWidget]:
        return [
            self._graph("Campaigns", [
                business_metric(CAMPAIGNS_STARTED, label="started"),
                business_metric(CAMPAIGNS_COMPLETED, label="completed"),
                business_metric(CAMPAIGNS_FAILED, label="failed (ours or Discord's)"),
            ], right=[business_metric(CHANNELS_CREATED, label="channels created")],
                alarms=("CampaignsFailed",)),
            self._graph("Refused or paused: no page", [
                business_metric(CAMPAIGNS_REFUSED, label="refused: for server admins to fix"),
                business_metric(CAMPAIGNS_PAUSED, label="paused: Discord's long limits"),
            ]),
            self._graph("Campaign build time (s)", [
                business_metric(BUILD_SECONDS, statistic="p50", label="p50"),
                business_metric(BUILD_SECONDS, statistic="p90", label="p90"),
                business_metric(BUILD_SECONDS, statistic="Maximum", label="max"),
            ], left_label="seconds"),
            self._note(f"""
### Campaigns failing
**{alarm_name("campaigns-failed", self.stage)}**: a build stopped for a reason that is ours or
Discord's (it kept failing to its last attempt, or Discord refused our token or a request). Find
the error in the worker's log group (Logs Insights: `level = "ERROR"`), check discordstatus.com.

**Refused** builds never page: the server's admin must act (a missing permission, the role
order, the 500-channel or 250-role limit) and the user was told how. Many at once across
servers may still mean a bad release. **Paused** builds met one of Discord's long limits;
the user was told when to run the command again.
"""),
        ]

    def interactions(self) -> list[cw.IWidget]:
        fn, api = self.ingress.function, self.ingress.api
        return [
            self._graph("What Discord waits for (ms)", [
                api.metric_integration_latency(statistic="p50", period=PERIOD, label="p50"),
                api.metric_integration_latency(statistic="p99", period=PERIOD, label="p99"),
            ], alarms=("InteractionsSlow",), annotations=[cw.HorizontalAnnotation(
                value=DISCORD_ACK_DEADLINE_MS, label="Discord's 3 s deadline", color=cw.Color.RED,
            )], left_label="ms"),
            self._graph("Interactions function (ms)", [
                fn.metric_duration(statistic="p99", period=PERIOD, label="Duration p99 (no init)"),
                business_metric(ACK_LATENCY, statistic="p99", label="handler p99 (AckLatency)"),
            ], left_label="ms"),
            self._graph("Request path failures", [
                business_metric(REQUEST_PATH_FAILURES, label="failures (polite answers included)"),
                business_metric(MALFORMED_INTERACTIONS, label="of them, payloads we can't read"),
                api.metric_server_error(period=PERIOD, label="5xx"),
                api.metric_client_error(period=PERIOD, label="4xx (401: bad signatures)"),
                fn.metric_errors(period=PERIOD, label="function errors"),
                fn.metric_throttles(period=PERIOD, label="function throttles"),
            ], right=[api.metric_count(statistic="Sum", period=PERIOD, label="requests")],
                alarms=("RequestPathFailures", "Api5xx")),
            self._note(f"""
### Interactions slow or failing
**{alarm_name("interactions-slow", self.stage)}**: API Gateway's p99 wait for the function (cold
starts included) is past 2 s, near Discord's 3 s. If the function's Duration is low, it is cold
starts: `Init Duration` in its REPORT lines; more `ingress_memory_mb` means more CPU.

**{alarm_name("request-path-failures", self.stage)}**, **{alarm_name("api-5xx", self.stage)}**:
commands failed on our side. Interactions log group, `level = "ERROR"`. 4xx are normal: Discord
probes the endpoint with bad signatures.
"""),
        ]

    def queue(self) -> list[cw.IWidget]:
        queue, dlq = self.tasks.queue, self.tasks.dead_letter_queue
        return [
            self._graph("Task queue depth", [
                queue.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD, label="waiting"),
                queue.metric_approximate_number_of_messages_not_visible(
                    period=QUEUE_PERIOD, label="in flight"),
            ]),
            self._graph("Oldest task age (s)", [
                queue.metric_approximate_age_of_oldest_message(period=QUEUE_PERIOD, label="oldest"),
            ], alarms=("TaskQueueAge",), left_label="seconds"),
            self._graph("Dead letters", [
                dlq.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD, label="waiting"),
                dead_letter_arrivals(self.tasks),
            ], alarms=("DeadLetters", "DeadLetterArrivals")),
            self._note(f"""
### Dead letters, stuck tasks
**{alarm_name("dead-letters", self.stage)}** (waiting) and
**{alarm_name("dead-letter-arrivals", self.stage)}** (each new one): steps failed every attempt.
`python -m channelwright.ops dlq list --stage {self.stage}`; fix the cause (worker logs), then
`python -m channelwright.ops dlq redrive --stage {self.stage}`. Redrives never duplicate.

**{alarm_name("task-queue-age", self.stage)}**: a step has waited over 5 min. Check the worker
row below and discordstatus.com.
"""),
        ]

    def worker_row(self) -> list[cw.IWidget]:
        fn = self.worker.function
        timeout = fn.timeout
        assert timeout is not None, "the worker function is always made with a timeout"
        return [
            self._graph("Worker failures", [
                fn.metric_errors(period=PERIOD, label="invocation errors"),
                fn.metric_throttles(period=PERIOD, label="throttles"),
                business_metric(TASK_ATTEMPTS_FAILED, label="failed step attempts"),
            ], alarms=("WorkerErrors", "WorkerThrottles", "StepsFailing")),
            self._graph("Worker duration (ms)", [
                fn.metric_duration(statistic="p50", period=PERIOD, label="p50"),
                fn.metric_duration(statistic="Maximum", period=PERIOD, label="max"),
            ], annotations=[cw.HorizontalAnnotation(
                value=timeout.to_milliseconds(), label="timeout", color=cw.Color.RED,
            )], left_label="ms"),
            self._graph("Discord rate limits", [
                business_metric(DISCORD_RATE_LIMITED, label="429s (any scope)"),
                business_metric(DISCORD_GLOBAL_RATE_LIMITED, label="global 429s"),
                business_metric(DISCORD_LONG_RATE_LIMITS, label="long limits (paused)"),
            ], alarms=("DiscordRateLimited",)),
            self._note(f"""
### Worker failing
**{alarm_name("worker-errors", self.stage)}**: whole invocations failed (crash or timeout).
**{alarm_name("worker-throttles", self.stage)}**: no concurrency left for the worker.
**{alarm_name("steps-failing", self.stage)}**: steps keep failing and being retried. Worker log
group: `"task failed"` lines.

**{alarm_name("discord-rate-limited", self.stage)}**: 429s for 15 minutes. Global ones mean
something else uses the bot token; otherwise lower `worker_max_concurrency`. Long limits
(hours, per server) pause a build and page no one.
"""),
        ]
