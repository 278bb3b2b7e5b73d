"""Channelwright's stack: the units of the system and how they are allowed to talk to each other."""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Stack
from constructs import Construct

from .bot_token import BotToken
from .campaign_store import CampaignStore
from .grants import INGRESS_QUEUE_ACTIONS, INGRESS_TABLE_ACTIONS, WORKER_TABLE_ACTIONS
from .ingress import Ingress
from .monitoring import Monitoring
from .monitoring.metrics import INTERACTIONS_SERVICE, METRICS_NAMESPACE, WORKER_SERVICE
from .runtime_asset import RuntimeAsset
from .settings import StageSettings
from .task_queue import TaskQueue
from .worker import Worker


class ChannelwrightStack(Stack):
    """Discord -> HTTP API -> interactions Lambda -> SQS FIFO -> worker Lambda -> Discord."""

    def __init__(self, scope: Construct, id: str, *, stage: StageSettings, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        runtime = RuntimeAsset(self, "Runtime")
        store = CampaignStore(
            self, "Campaigns", retain=stage.retain_data,
            point_in_time_recovery=stage.point_in_time_recovery,
        )
        tasks = TaskQueue(self, "Tasks", worker_timeout=stage.worker_timeout)
        token = BotToken(self, "BotToken", retain=stage.retain_data)

        # The environment is the runtime's contract (docs/architecture.md, "Environment variables");
        # resource values are Refs.
        ingress = Ingress(self, "Ingress", runtime=runtime, stage=stage, environment={
            "DISCORD_PUBLIC_KEY": stage.discord_public_key,
            "DISCORD_APPLICATION_ID": stage.discord_application_id,
            "TASK_QUEUE_URL": tasks.queue.queue_url,
            "CAMPAIGN_TABLE_NAME": store.table.table_name,
            "POWERTOOLS_SERVICE_NAME": INTERACTIONS_SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        })
        worker = Worker(self, "Worker", runtime=runtime, tasks=tasks, stage=stage, environment={
            "DISCORD_APPLICATION_ID": stage.discord_application_id,
            "DISCORD_BOT_TOKEN_SECRET_ARN": token.secret.secret_arn,
            "CAMPAIGN_TABLE_NAME": store.table.table_name,
            "TASK_MAX_RECEIVE_COUNT": str(tasks.max_receive_count),
            # How many instances split the bot's share of Discord's global rate limit
            # (lambda_src/channelwright/discord/rate_budget.py): the event source never runs more.
            "WORKER_MAX_CONCURRENCY": str(stage.worker_max_concurrency),
            "POWERTOOLS_SERVICE_NAME": WORKER_SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        })

        # Least privilege: each function may make exactly the calls its code makes (grants.py);
        # the public-facing one can enqueue and keep records, nothing more (no bot token, no
        # consuming). The worker's queue rights come with its event source.
        tasks.queue.grant(ingress.function, *INGRESS_QUEUE_ACTIONS)
        store.table.grant(ingress.function, *INGRESS_TABLE_ACTIONS)
        store.table.grant(worker.function, *WORKER_TABLE_ACTIONS)
        token.secret.grant_read(worker.function)

        monitoring = Monitoring(
            self, "Monitoring", ingress=ingress, tasks=tasks, worker=worker, stage=stage
        )

        CfnOutput(self, "InteractionsEndpointUrl", value=ingress.endpoint_url,
                  description="Paste into the Discord Developer Portal: General Information > "
                              "Interactions Endpoint URL")
        CfnOutput(self, "BotTokenSecretArn", value=token.secret.secret_arn,
                  description="Set the bot token: aws secretsmanager put-secret-value "
                              "--secret-id <this ARN> --secret-string <token>")
        # What the operations CLI (python -m channelwright.ops) looks up by stack name, so no
        # one copies resource names by hand.
        CfnOutput(self, "TaskQueueUrl", value=tasks.queue.queue_url,
                  description="The FIFO queue of campaign steps")
        CfnOutput(self, "DeadLetterQueueUrl", value=tasks.dead_letter_queue.queue_url,
                  description="Steps that failed every attempt; list and redrive with "
                              "python -m channelwright.ops dlq")
        CfnOutput(self, "CampaignTableName", value=store.table.table_name,
                  description="The campaign store (DynamoDB)")
        CfnOutput(self, "AlarmTopicArn", value=monitoring.topic.topic_arn,
                  description="Every alarm of this stage publishes here; subscribe to be told")
        CfnOutput(self, "DashboardName", value=monitoring.dashboard.dashboard_name,
                  description="The stage's CloudWatch dashboard")
        CfnOutput(self, "DashboardUrl", value=monitoring.dashboard_url,
                  description="Open the stage's CloudWatch dashboard")

        if stage.uses_placeholder_discord_identity:
            Annotations.of(self).add_warning_v2(
                "channelwright:placeholder-discord-identity",
                f'cdk.json "channelwright:stages.{stage.name}" still holds the placeholder Discord '
                "application id or public key; every request will fail verification until it "
                "holds the values from the Discord Developer Portal.",
            )

        # For tests, which look resources up through the units that own them.
        self.stage_settings = stage
        self.ingress, self.tasks, self.worker, self.store, self.token, self.monitoring = (
            ingress, tasks, worker, store, token, monitoring,
        )
