"""The alarms that page the operator, and the SNS topic they page through (one per stage).

Each alarm watches what a user would notice, says in its description what it means and what to
do, and is e-mailed when the stage has an alarm e-mail. State alarms say both when they fire and
when they recover; the dead-letter *arrivals* alarm is an event ("another step was given up on")
and says only that. Failures a server's admin must fix (a missing permission, a full server) are
graphed, never paged: the user was already told what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aws_cdk import ArnFormat, Aws, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from channelwright.aws.metric_catalog import (
    CAMPAIGNS_FAILED,
    DISCORD_RATE_LIMITED,
    REQUEST_PATH_FAILURES,
    TASK_ATTEMPTS_FAILED,
)

from ..ingress import Ingress
from ..settings import StageSettings
from ..task_queue import TaskQueue
from ..worker import Worker
from .metrics import PERIOD, QUEUE_PERIOD, business_metric

# Discord waits 3 s for the first answer, counted on its side: API Gateway's IntegrationLatency
# (which includes the Lambda cold start, unlike Lambda's Duration) plus API Gateway's own overhead
# and the network between Discord and the region. A p99 past 2 s leaves the slowest requests
# beyond it at or over the deadline.
# https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
DISCORD_ACK_DEADLINE_MS = 3000
INTEGRATION_P99_THRESHOLD_MS = 2000
# A task waiting 5 minutes has used a third of the 15-minute interaction token: the user's
# progress bar is stuck, and there is still time to act before edits start failing.
OLDEST_TASK_THRESHOLD = Duration.minutes(5)
# "Sustained" rate limiting: 429s in each of three 5-minute periods in a row. With the rate budget
# (lambda_src/channelwright/discord/rate_budget.py) a healthy bot meets none; a few in one period are
# Discord's hidden per-route limits, three periods running is a cause to find.
RATE_LIMITED_PERIODS = 3

RUNBOOK = "docs/operations.md#alarms"


def alarm_name(short_name: str, stage: str) -> str:
    """E.g. "channelwright-dead-letters-prod": what the e-mail subject and the console show."""
    return f"channelwright-{short_name}-{stage}"


def alarm_topic(scope: Construct, stage: StageSettings) -> sns.Topic:
    """The stage's alarm topic, created in `scope` as "AlarmTopic"."""
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        display_name=f"Channelwright {stage.name} alarms",
        # Publishers and subscribers must use TLS (a deny on aws:SecureTransport = false).
        enforce_ssl=True,
    )
    # A topic policy replaces SNS's default one, so say who may publish: CloudWatch, for
    # this stage's alarms in this account only (no confused deputy).
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsOfThisStage",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": Stack.of(scope).format_arn(
                    service="cloudwatch",
                    resource="alarm",
                    resource_name=alarm_name("*", stage.name),
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )},
            },
        )
    )
    # No e-mail configured: the topic still exists (and is an output), with no subscription.
    if stage.alarm_email:
        topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
    return topic


def retry_period(tasks: TaskQueue) -> Duration:
    """The period for per-attempt failures: at least the queue's visibility timeout, so a step
    that keeps failing fails again within every period, and whole minutes, as CloudWatch wants."""
    seconds = max(PERIOD.to_seconds(), tasks.visibility_timeout.to_seconds())
    return Duration.minutes(math.ceil(seconds / 60))


def dead_letter_arrivals(tasks: TaskQueue) -> cw.MathExpression:
    """How many messages reached the DLQ in the last minute: the growth of its depth.

    Not NumberOfMessagesSent: SQS does not count messages its redrive policy moves to a DLQ ("if a
    message is sent to a dead-letter queue as a result of a failed processing attempt, it isn't
    captured by this metric"), and those are the only way ours arrive.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
    """
    return cw.MathExpression(
        expression="DIFF(depth)",
        using_metrics={"depth": tasks.dead_letter_queue.metric_approximate_number_of_messages_visible(
            period=QUEUE_PERIOD)},
        period=QUEUE_PERIOD,
        label="new dead letters",
    )


@dataclass(frozen=True)
class _Rule:
    """When an alarm fires: `datapoints` of the last `periods` periods above `threshold`."""

    threshold: float
    periods: int = 1
    datapoints: int = 1
    # Every metric here is absent exactly when nothing happens (no invocations, no failures, an
    # idle queue, no requests), and nothing happening is healthy.
    missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING
    notify_recovery: bool = True


def stage_alarms(
    scope: Construct, topic: sns.ITopic, *, ingress: Ingress, tasks: TaskQueue, worker: Worker,
    stage: StageSettings,
) -> dict[str, cw.Alarm]:
    """The stage's alarms, created in `scope` and keyed by their construct ids, each paging `topic`."""
    notify = cw_actions.SnsAction(topic)
    alarms: dict[str, cw.Alarm] = {}

    def add_alarm(id: str, short_name: str, metric: cw.IMetric, rule: _Rule, *, meaning: str,
                  action: str) -> None:
        alarm = cw.Alarm(
            scope,
            id,
            alarm_name=alarm_name(short_name, stage.name),
            alarm_description=f"{meaning} What to do: {action} Runbook: {RUNBOOK}",
            metric=metric,
            threshold=rule.threshold,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=rule.periods,
            datapoints_to_alarm=rule.datapoints,
            treat_missing_data=rule.missing,
        )
        alarm.add_alarm_action(notify)
        if rule.notify_recovery:  # OK as well as ALARM, so the inbox also hears when it is over
            alarm.add_ok_action(notify)
        alarms[id] = alarm

    worker_fn, dlq = worker.function, tasks.dead_letter_queue
    dlq_list = f"`python -m channelwright.ops dlq list --stage {stage.name}`"

    # --- what users of the request path see -----------------------------------------------
    add_alarm(
        "InteractionsSlow", "interactions-slow",
        ingress.api.metric_integration_latency(statistic="p99", period=PERIOD),
        _Rule(threshold=INTEGRATION_P99_THRESHOLD_MS),
        meaning="The p99 time API Gateway waited for the interactions function (cold starts "
                "included) is past 2 s, near Discord's 3-second deadline: users may see 'The "
                "application did not respond'.",
        action="Compare with the function's Duration on the dashboard: if only IntegrationLatency "
               "is high, it is cold starts (Init Duration in the REPORT log lines); otherwise look "
               "for slow DynamoDB or SQS calls. More ingress_memory_mb (settings.py) gives more CPU.",
    )
    add_alarm(
        "Api5xx", "api-5xx",
        ingress.api.metric_server_error(period=PERIOD),
        _Rule(threshold=0),
        meaning="The API answered Discord with 5xx: the interactions function failed or timed out.",
        action="Read the interactions function's log group; Discord removes an endpoint "
               "that keeps failing.",
    )
    add_alarm(
        "RequestPathFailures", "request-path-failures",
        business_metric(REQUEST_PATH_FAILURES, period=PERIOD),
        _Rule(threshold=0),
        meaning="Commands failed on our side: an AWS call failed (the user got a polite 'try "
                "again'), the function crashed, or Discord sent a command this version does not "
                "know.",
        action="In the interactions log group, Logs Insights `level = \"ERROR\"` names the call "
               "and the error: a missing table or queue, missing IAM rights, throttling; for an "
               "unknown command, register the current commands.",
    )

    # --- campaign builds ------------------------------------------------------------------
    add_alarm(
        "CampaignsFailed", "campaigns-failed",
        business_metric(CAMPAIGNS_FAILED, period=PERIOD),
        _Rule(threshold=0),
        meaning="A campaign build stopped for a reason that is ours or Discord's: it kept failing "
                "until its last attempt, or Discord refused our token or a request. (Refusals a "
                "server's admin must fix are graphed as CampaignsRefused and do not page.)",
        action="Read the worker's log group (`level = \"ERROR\"` or `\"campaign failed\"`); check "
               "discordstatus.com and the bot token. The user was told to rerun /add-campaign, "
               "which resumes the build.",
    )
    add_alarm(
        "StepsFailing", "steps-failing",
        business_metric(TASK_ATTEMPTS_FAILED, period=retry_period(tasks)),
        # Two periods in a row: one failed attempt that the retry fixes is no page. Each period
        # is at least the visibility timeout, so a step that keeps failing fails in every one,
        # and the alarm stays in ALARM until it stops failing.
        _Rule(threshold=0, periods=2, datapoints=2),
        meaning="Campaign steps keep failing and being retried (counted per attempt). Unlike the "
                "queue's oldest-message age, this does not go quiet when SQS stops counting "
                "messages received three times or more.",
        action="Read the worker's log group (`\"task failed\"` lines give the error); check "
               "discordstatus.com. Steps that fail every attempt end in the dead-letter queue.",
    )
    add_alarm(
        "TaskQueueAge", "task-queue-age",
        tasks.queue.metric_approximate_age_of_oldest_message(period=QUEUE_PERIOD),
        _Rule(threshold=OLDEST_TASK_THRESHOLD.to_seconds()),
        meaning="A campaign step has waited over 5 minutes; users' progress bars are stuck "
                "and the 15-minute interaction token is running out.",
        action="Check the worker's errors and throttles, and Discord's status.",
    )
    add_alarm(
        "DeadLetters", "dead-letters",
        dlq.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD),
        _Rule(threshold=0),
        meaning="Campaign steps failed every attempt and wait in the dead-letter queue (kept 14 "
                "days); this stays in ALARM until the queue is empty.",
        action=f"List them with {dlq_list}, fix the cause (worker logs), then redrive them.",
    )
    add_alarm(
        "DeadLetterArrivals", "dead-letter-arrivals",
        dead_letter_arrivals(tasks),
        # An event, not a state: each new arrival e-mails again, also while dead-letters is
        # already in ALARM; going quiet the next minute means nothing, so no OK e-mail.
        _Rule(threshold=0, notify_recovery=False),
        meaning="More campaign steps arrived in the dead-letter queue in the last minute.",
        action=f"List them with {dlq_list}; new arrivals during an incident mean the cause is "
               "still there.",
    )

    # --- the worker and Discord -----------------------------------------------------------
    add_alarm(
        "WorkerErrors", "worker-errors",
        worker_fn.metric_errors(period=PERIOD),
        _Rule(threshold=0),
        meaning="Worker invocations failed as a whole (not a single step reported as failed).",
        action="Read the worker's log group for the error; its steps are retried, then dead-lettered.",
    )
    add_alarm(
        "WorkerThrottles", "worker-throttles",
        worker_fn.metric_throttles(period=PERIOD),
        _Rule(threshold=0),
        meaning="Lambda throttled the worker, so steps wait in the queue.",
        action="Check the account's concurrency (other functions may use it all).",
    )
    add_alarm(
        "DiscordRateLimited", "discord-rate-limited",
        business_metric(DISCORD_RATE_LIMITED, period=PERIOD),
        _Rule(threshold=0, periods=RATE_LIMITED_PERIODS, datapoints=RATE_LIMITED_PERIODS),
        meaning="Discord has answered 429 in each of the last three 5-minute periods. Each 429 also "
                "counts toward Discord's invalid-request limit (10,000 per 10 minutes bans the IP).",
        action="Look at DiscordGlobalRateLimited on the dashboard: global 429s mean something else "
               "sends with the bot token (a local `serve --discord real`, a second deployment); "
               "per-route ones, lower worker_max_concurrency in settings.py.",
    )
    return alarms
