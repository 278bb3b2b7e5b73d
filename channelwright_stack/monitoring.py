"""Monitoring: the alarms that page the operator, the topic they page through, and one dashboard.

Every alarm goes to one SNS topic per stage (e-mailed when the stage has an alarm e-mail) and
says both when it fires and when it recovers. The dashboard puts the alarms, the business
metrics the code emits and the AWS metrics behind them on one screen, with a note beside each
row saying what to do when it turns red. docs/operations.md has the longer runbook.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .ingress import Ingress
from .settings import StageSettings
from .task_queue import TaskQueue
from .worker import Worker

# The business metrics the runtime emits with Powertools Metrics (EMF): the namespace comes from
# POWERTOOLS_METRICS_NAMESPACE and Powertools adds a "service" dimension from
# POWERTOOLS_SERVICE_NAME, so each metric is identified by (name, service).
METRICS_NAMESPACE = "Channelwright"
INTERACTIONS_SERVICE = "channelwright-interactions"
WORKER_SERVICE = "channelwright-worker"

# Discord waits 3 s for the first answer; p99 above 2 s leaves no margin for a slow cold start.
# https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
DISCORD_ACK_DEADLINE_MS = 3000
INTERACTIONS_P99_THRESHOLD_MS = 2000
# A task waiting 5 minutes has used a third of the 15-minute interaction token: the user's
# progress bar is stuck, and there is still time to act before edits start failing.
OLDEST_TASK_THRESHOLD = Duration.minutes(5)

# Queue metrics arrive once a minute; one bad minute is enough for these two (a dead letter is
# never noise, a 5-minute-old task already is late). Lambda, API and business metrics are
# summed over 5 minutes, so a burst of failures is one e-mail, not one per minute.
QUEUE_PERIOD = Duration.minutes(1)
PERIOD = Duration.minutes(5)

RUNBOOK = "docs/operations.md#alarms"


class Monitoring(Construct):
    """Alarms -> one SNS topic per stage, and the stage's dashboard."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ingress: Ingress,
        tasks: TaskQueue,
        worker: Worker,
        stage: StageSettings,
    ) -> None:
        super().__init__(scope, id)
        self.stage = stage
        self.topic = self._alarm_topic(stage)
        self._action = cw_actions.SnsAction(self.topic)
        self.alarms: dict[str, cw.Alarm] = {}

        interactions, worker_fn = ingress.function, worker.function
        self._alarm(
            "DeadLetters", "dead-letters",
            tasks.dead_letter_queue.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD),
            threshold=0,
            meaning="A campaign step failed every attempt and is waiting in the dead-letter queue.",
            action=f"List it with `python -m channelwright.ops dlq list --stage {stage.name}`, "
                   "fix the cause (worker logs), then redrive it.",
        )
        self._alarm(
            "TaskQueueAge", "task-queue-age",
            tasks.queue.metric_approximate_age_of_oldest_message(period=QUEUE_PERIOD),
            threshold=OLDEST_TASK_THRESHOLD.to_seconds(),
            meaning="A campaign step has waited over 5 minutes; users' progress bars are stuck "
                    "and the 15-minute interaction token is running out.",
            action="Check the worker's errors and throttles, and Discord's status.",
        )
        self._alarm(
            "WorkerErrors", "worker-errors",
            worker_fn.metric_errors(period=PERIOD),
            threshold=0,
            meaning="Worker invocations failed as a whole (not a single step reported as failed).",
            action="Read the worker's log group for the error; its steps are retried, then dead-lettered.",
        )
        self._alarm(
            "WorkerThrottles", "worker-throttles",
            worker_fn.metric_throttles(period=PERIOD),
            threshold=0,
            meaning="Lambda throttled the worker, so steps wait in the queue.",
            action="Check the account's concurrency (other functions may use it all).",
        )
        self._alarm(
            "InteractionsSlow", "interactions-slow",
            interactions.metric_duration(statistic="p99", period=PERIOD),
            threshold=INTERACTIONS_P99_THRESHOLD_MS,
            meaning="The interactions function's p99 duration is near Discord's 3-second deadline; "
                    "users may see 'The application did not respond'.",
            action="Look at cold starts (Init Duration in REPORT log lines), DynamoDB and SQS "
                   "latency; more memory (settings.py) gives more CPU.",
        )
        self._alarm(
            "Api5xx", "api-5xx",
            ingress.api.metric_server_error(period=PERIOD),
            threshold=0,
            meaning="The API answered Discord with 5xx: the interactions function failed or timed out.",
            action="Read the interactions function's log group; Discord removes an endpoint "
                   "that keeps failing.",
        )
        self._alarm(
            "CampaignsFailed", "campaigns-failed",
            business_metric("CampaignsFailed", WORKER_SERVICE, period=PERIOD),
            threshold=0,
            meaning="A campaign ended as failed (the user was told why and what to fix).",
            action="Read the worker's log group; one server's missing permission is the user's "
                   "to fix, failures across servers are ours.",
        )

        self.dashboard = cw.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"Channelwright-{stage.name}",
            default_interval=Duration.hours(3),
            widgets=_DashboardLayout(self, ingress, tasks, worker).rows(),
        )
        self.dashboard_url = (
            f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
            f"#dashboards:name={self.dashboard.dashboard_name}"
        )

    def _alarm_topic(self, stage: StageSettings) -> sns.Topic:
        topic = sns.Topic(
            self,
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
                    "ArnLike": {"aws:SourceArn": Stack.of(self).format_arn(
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

    def _alarm(
        self, id: str, short_name: str, metric: cw.IMetric, *, threshold: float, meaning: str,
        action: str,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            id,
            alarm_name=alarm_name(short_name, self.stage.name),
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
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms[id] = alarm
        return alarm


def alarm_name(short_name: str, stage: str) -> str:
    """E.g. "channelwright-dead-letters-prod": what the e-mail subject and the console show."""
    return f"channelwright-{short_name}-{stage}"


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


class _DashboardLayout:
    """One screen, 24 columns: a header with the alarm states, then one row per part of the
    system, each with its graphs and a note on what to do when they turn red."""

    GRAPH = {"width": 6, "height": 6}

    def __init__(self, monitoring: Monitoring, ingress: Ingress, tasks: TaskQueue, worker: Worker):
        self.m, self.ingress, self.tasks, self.worker = monitoring, ingress, tasks, worker
        self.stage = monitoring.stage.name

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
            left_annotations=[self.m.alarms[a].to_annotation() for a in alarms] + (annotations or []),
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
                alarms=list(self.m.alarms.values()),
                sort_by=cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
                width=18, height=4,
            ),
        ]

    def campaigns(self) -> list[cw.IWidget]:
        return [
            self._graph("Campaigns", [
                business_metric("CampaignsStarted", INTERACTIONS_SERVICE, label="started"),
                business_metric("CampaignsCompleted", WORKER_SERVICE, label="completed"),
                business_metric("CampaignsFailed", WORKER_SERVICE, label="failed"),
            ], alarms=("CampaignsFailed",)),
            self._graph("Channels created", [
                business_metric("ChannelsCreated", WORKER_SERVICE, label="channels"),
            ]),
            self._graph("Campaign build time (s)", [
                business_metric("BuildSeconds", WORKER_SERVICE, statistic="p50", label="p50"),
                business_metric("BuildSeconds", WORKER_SERVICE, statistic="p90", label="p90"),
                business_metric("BuildSeconds", WORKER_SERVICE, statistic="Maximum", label="max"),
            ], left_label="seconds"),
            self._note(f"""
### Campaigns failing
**{alarm_name("campaigns-failed", self.stage)}**: a campaign ended as failed; its user was
told what happened and what to fix.

1. Find the error in the worker's log group (Logs Insights: `level = "ERROR"`).
2. Failures in one server are usually that server's (a missing permission, Discord's 500-channel
   or 250-role limit) and the user's to fix.
3. Failures across many servers are ours, or Discord's: check discordstatus.com.
"""),
        ]

    def interactions(self) -> list[cw.IWidget]:
        fn, api = self.ingress.function, self.ingress.api
        return [
            self._graph("Interactions duration (ms)", [
                fn.metric_duration(statistic="p50", period=PERIOD, label="p50"),
                fn.metric_duration(statistic="p99", period=PERIOD, label="p99"),
            ], alarms=("InteractionsSlow",), annotations=[cw.HorizontalAnnotation(
                value=DISCORD_ACK_DEADLINE_MS, label="Discord's 3 s deadline", color=cw.Color.RED,
            )], left_label="ms"),
            self._graph("Ack latency (ms)", [
                business_metric("AckLatency", INTERACTIONS_SERVICE, statistic="p50", label="p50"),
                business_metric("AckLatency", INTERACTIONS_SERVICE, statistic="p99", label="p99"),
            ], left_label="ms"),
            self._graph("API errors", [
                api.metric_server_error(period=PERIOD, label="5xx"),
                api.metric_client_error(period=PERIOD, label="4xx (401: bad signatures)"),
                fn.metric_errors(period=PERIOD, label="function errors"),
                fn.metric_throttles(period=PERIOD, label="function throttles"),
            ], right=[api.metric_count(period=PERIOD, label="requests")], alarms=("Api5xx",)),
            self._note(f"""
### Interactions slow or failing
**{alarm_name("interactions-slow", self.stage)}**: p99 above 2 s, near Discord's 3 s deadline
(users see "The application did not respond"). Check cold starts (`Init Duration` in the
function's REPORT lines) and slow DynamoDB/SQS calls; more `ingress_memory_mb` means more CPU.

**{alarm_name("api-5xx", self.stage)}**: the interactions function failed or timed out. Read its
log group. 4xx are normal: Discord probes the endpoint with bad signatures.
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
                dlq.metric_approximate_number_of_messages_visible(period=QUEUE_PERIOD, label="dead letters"),
            ], alarms=("DeadLetters",)),
            self._note(f"""
### Dead letters, stuck tasks
**{alarm_name("dead-letters", self.stage)}**: a step failed every attempt. List:
`python -m channelwright.ops dlq list --stage {self.stage}`; fix the cause (worker logs), then
`python -m channelwright.ops dlq redrive --stage {self.stage}`. Steps are idempotent: a redrive
never duplicates a channel. Dead letters are kept 14 days.

**{alarm_name("task-queue-age", self.stage)}**: a step has waited over 5 min. Check the worker
row below (errors, throttles, Discord rate limits) and discordstatus.com.
"""),
        ]

    def worker_row(self) -> list[cw.IWidget]:
        fn = self.worker.function
        return [
            self._graph("Worker errors and throttles", [
                fn.metric_errors(period=PERIOD, label="errors"),
                fn.metric_throttles(period=PERIOD, label="throttles"),
            ], alarms=("WorkerErrors", "WorkerThrottles")),
            self._graph("Worker duration (ms)", [
                fn.metric_duration(statistic="p50", period=PERIOD, label="p50"),
                fn.metric_duration(statistic="Maximum", period=PERIOD, label="max"),
            ], annotations=[cw.HorizontalAnnotation(
                value=fn.timeout.to_milliseconds(), label="timeout", color=cw.Color.RED,
            )], left_label="ms"),
            self._graph("Discord rate limits", [
                business_metric("DiscordRateLimited", WORKER_SERVICE, label="rate-limited requests"),
            ]),
            self._note(f"""
### Worker failing
**{alarm_name("worker-errors", self.stage)}**: whole invocations failed (crash or timeout);
their steps are retried, then dead-lettered. Read the worker's log group.

**{alarm_name("worker-throttles", self.stage)}**: Lambda had no concurrency for the worker;
check the account's concurrency.

Rate limits climbing: Discord is slowing the bot down. The worker waits as told; if it
persists, lower `worker_max_concurrency` in settings.py.
"""),
        ]
