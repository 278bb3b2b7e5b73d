"""The campaign store: one DynamoDB item per campaign, keyed by guild (plus server templates and
short-lived interaction tokens, which expire through the table's TTL)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from .nag import acknowledge

# The attribute DynamoDB's TTL reads (the runtime's channelwright.campaigns.store.TTL_ATTRIBUTE; the stack
# can't import the runtime, so tests/stack/test_data.py checks the two agree).
TTL_ATTRIBUTE = "expires_at"


class CampaignStore(Construct):
    """Every Discord id a campaign created, its status and progress; what makes steps idempotent."""

    def __init__(
        self, scope: Construct, id: str, *, retain: bool, point_in_time_recovery: bool
    ) -> None:
        super().__init__(scope, id)
        self.table = dynamodb.Table(
            self,
            "Table",
            # Partitioned by guild: list/info/delete are per-server queries, and one server's
            # campaigns stay together.
            partition_key=dynamodb.Attribute(name="guild_id", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="campaign_key", type=dynamodb.AttributeType.STRING),
            # Traffic is a few bursts a day; on-demand costs nothing when idle.
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            # Interaction tokens are kept in their own items, which DynamoDB deletes once their
            # 15 minutes are over (the runtime's store.TTL_ATTRIBUTE, Unix seconds).
            time_to_live_attribute=TTL_ATTRIBUTE,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=point_in_time_recovery
            ),
            # Losing the store orphans real roles and channels in users' servers (nothing
            # would know to delete them), so a kept stage guards the table twice.
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        if not point_in_time_recovery:
            acknowledge(
                self.table.node.default_child,
                "AwsSolutions-DDB3",
                "Point-in-time recovery is a per-stage choice (StageSettings): it is off only "
                "where the data is disposable (dev: test campaigns in test servers, table "
                "deleted with the stack). Stages that keep their data turn it on.",
            )
