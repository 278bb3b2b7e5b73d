"""Channelwright's stack: the units of the system and how they are allowed to talk to each other."""

from __future__ import annotations

from aws_cdk import Annotations, CfnOutput, Stack
from constructs import Construct

from .bot_token import BotToken
from .campaign_store import CampaignStore
from .ingress import Ingress
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

        # The environment is the runtime's contract (DESIGN.md); resource values are Refs.
        ingress = Ingress(self, "Ingress", runtime=runtime, stage=stage, environment={
            "DISCORD_PUBLIC_KEY": stage.discord_public_key,
            "DISCORD_APPLICATION_ID": stage.discord_application_id,
            "TASK_QUEUE_URL": tasks.queue.queue_url,
            "CAMPAIGN_TABLE_NAME": store.table.table_name,
            "POWERTOOLS_SERVICE_NAME": "channelwright-interactions",
        })
        worker = Worker(self, "Worker", runtime=runtime, tasks=tasks, stage=stage, environment={
            "DISCORD_APPLICATION_ID": stage.discord_application_id,
            "DISCORD_BOT_TOKEN_SECRET_ARN": token.secret.secret_arn,
            "CAMPAIGN_TABLE_NAME": store.table.table_name,
            "TASK_MAX_RECEIVE_COUNT": str(tasks.max_receive_count),
            "POWERTOOLS_SERVICE_NAME": "channelwright-worker",
        })

        # Least privilege: the public-facing function can enqueue and keep records, nothing
        # more (no token, no consuming); the worker's queue rights come with its event source.
        tasks.queue.grant_send_messages(ingress.function)
        store.table.grant_read_write_data(ingress.function)
        store.table.grant_read_write_data(worker.function)
        token.secret.grant_read(worker.function)

        CfnOutput(self, "InteractionsEndpointUrl", value=ingress.endpoint_url,
                  description="Paste into the Discord Developer Portal: General Information > "
                              "Interactions Endpoint URL")
        CfnOutput(self, "BotTokenSecretArn", value=token.secret.secret_arn,
                  description="Set the bot token: aws secretsmanager put-secret-value "
                              "--secret-id <this ARN> --secret-string <token>")

        if stage.uses_placeholder_discord_identity:
            Annotations.of(self).add_warning_v2(
                "channelwright:placeholder-discord-identity",
                f'cdk.json "channelwright:stages.{stage.name}" still holds the placeholder Discord '
                "application id or public key; every request will fail verification until it "
                "holds the values from the Discord Developer Portal.",
            )

        # Kept for the units that come next (monitoring), which watch these, and for tests.
        self.stage_settings = stage
        self.ingress, self.tasks, self.worker, self.store, self.token = (
            ingress, tasks, worker, store, token,
        )
