"""The Discord bot token, kept in Secrets Manager and set by the operator, never by the template."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct


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
