"""The alarms that page the operator, and the SNS topic they page through (one per stage).

Every alarm is e-mailed when the stage has an alarm e-mail, says both when it fires and when it
recovers, and describes what it means, what to do and where the runbook is.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ..ingress import Ingress
from ..settings import StageSettings
from ..task_queue import TaskQueue
from ..worker import Worker
from .metrics import PERIOD, QUEUE_PERIOD, WORKER_SERVICE, business_metric

# Discord waits 3 s for the first answer; p99 above 2 s leaves no margin for a slow cold start.
# https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
DISCORD_ACK_DEADLINE_MS = 3000
INTERACTIONS_P99_THRESHOLD_MS = 2000
# A task waiting 5 minutes has used a third of the 15-minute interaction token: the user's
# progress bar is stuck, and there is still time to act before edits start failing.
OLDEST_TASK_THRESHOLD = Duration.minutes(5)

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


def stage_alarms(
    scope: Construct, topic: sns.ITopic, *, ingress: Ingress, tasks: TaskQueue, worker: Worker,
    stage: StageSettings,
) -> dict[str, cw.Alarm]:
    """The seven alarms, created in `scope` and keyed by their construct ids, each paging `topic`."""
    notify = cw_actions.SnsAction(topic)
    alarms: dict[str, cw.Alarm] = {}

    def add_alarm(
        id: str, short_name: str, metric: cw.IMetric, *, threshold: float, meaning: str, action: str,
    ) -> None:
        alarm = cw.Alarm(
            scope,
            id,
            alarm_name=alarm_name(short_name, stage.name),
            alarm_description=f"{meaning} {action} Runbook: {RUNBOOK}",
            metric=metric,
            threshold=threshold,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            # Every metric here is absent when nothing happens (no invocations, no failed
            # campaigns, an idle queue), and nothing happening is healthy.
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        # OK as well as ALARM, so the inbox also hears when it is over.
        alarm.add_alarm_action(notify)
        alarm.add_ok_action(notify)
        alarms[id] = alarm

    interactions, worker_fn = ingress.function, worker.function
    add_alarm(
        "DeadLetters", "dead-letters",
        tasks.dead_letter_queue.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD),
        threshold=0,
        meaning="A campaign step failed every attempt and is waiting in the dead-letter queue.",
        action=f"List it with `python -m channelwright.ops dlq list --stage {stage.name}`, "
               "fix the cause (worker logs), then redrive it.",
    )
    add_alarm(
        "TaskQueueAge", "task-queue-age",
        tasks.queue.metric_approximate_age_of_oldest_message(period=QUEUE_PERIOD),
        threshold=OLDEST_TASK_THRESHOLD.to_seconds(),
        meaning="A campaign step has waited over 5 minutes; users' progress bars are stuck "
                "and the 15-minute interaction token is running out.",
        action="Check the worker's errors and throttles, and Discord's status.",
    )
    add_alarm(
        "WorkerErrors", "worker-errors",
        worker_fn.metric_errors(period=PERIOD),
        threshold=0,
        meaning="Worker invocations failed as a whole (not a single step reported as failed).",
        action="Read the worker's log group for the error; its steps are retried, then dead-lettered.",
    )
    add_alarm(
        "WorkerThrottles", "worker-throttles",
        worker_fn.metric_throttles(period=PERIOD),
        threshold=0,
        meaning="Lambda throttled the worker, so steps wait in the queue.",
        action="Check the account's concurrency (other functions may use it all).",
    )
    add_alarm(
        "InteractionsSlow", "interactions-slow",
        interactions.metric_duration(statistic="p99", period=PERIOD),
        threshold=INTERACTIONS_P99_THRESHOLD_MS,
        meaning="The interactions function's p99 duration is near Discord's 3-second deadline; "
                "users may see 'The application did not respond'.",
        action="Look at cold starts (Init Duration in REPORT log lines), DynamoDB and SQS "
               "latency; more memory (settings.py) gives more CPU.",
    )
    add_alarm(
        "Api5xx", "api-5xx",
        ingress.api.metric_server_error(period=PERIOD),
        threshold=0,
        meaning="The API answered Discord with 5xx: the interactions function failed or timed out.",
        action="Read the interactions function's log group; Discord removes an endpoint "
               "that keeps failing.",
    )
    add_alarm(
        "CampaignsFailed", "campaigns-failed",
        business_metric("CampaignsFailed", WORKER_SERVICE, period=PERIOD),
        threshold=0,
        meaning="A campaign ended as failed (the user was told why and what to fix).",
        action="Read the worker's log group; one server's missing permission is the user's "
               "to fix, failures across servers are ours.",
    )
    return alarms
