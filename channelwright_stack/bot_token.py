"""The Discord bot token, kept in Secrets Manager and set by the operator, never by the template."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .nag import acknowledge


class BotToken(Construct):
    """A secret whose value the operator replaces with the bare bot token after the first deploy.

    CloudFormation only creates the secret with a random placeholder (32 letters and digits, no
    dots, so never a valid Discord token); the token itself never passes through the template,
    cdk.out or git.
    """

    def __init__(self, scope: Construct, id: str, *, retain: bool) -> None:
        super().__init__(scope, id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description=(
                "Discord bot token for Channelwright: the bare token string, set with "
                "aws secretsmanager put-secret-value"
            ),
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.secret.node.default_child,
            "AwsSolutions-SMG4",
            "A Discord bot token cannot be rotated by AWS: only the Discord Developer Portal can "
            "reset it, and there is no API a rotation function could call. The operator rotates "
            "it by resetting it there and running put-secret-value (docs/operations.md); the "
            "worker reads the new value on its next cold start.",
        )
