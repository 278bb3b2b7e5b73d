"""Everything that differs between the dev and prod stacks, in one typed place.

Two kinds of values meet here:

* operator values (the Discord application's id and public key, the alarm e-mail, optionally the
  AWS account/region) come from cdk.json, under the context key ``channelwright:stages``;
* sizing and data-safety choices are code, in ``stages_from_context`` below, so that a change to
  them is reviewed like any other change and shows up in the template snapshots.

Constructs receive a ``StageSettings`` and never test the stage's name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Environment, RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Node

STAGES_CONTEXT_KEY = "channelwright:stages"
STAGE_NAMES = ("dev", "prod")

# cdk.json ships these placeholders so that synth works out of the box; the operator replaces
# them with the values from the Discord Developer Portal (General Information page).
PLACEHOLDER_APPLICATION_ID = "0" * 18
PLACEHOLDER_PUBLIC_KEY = "0" * 64

# Discord ids are snowflakes: 64-bit integers written in decimal (17-20 digits in practice).
_SNOWFLAKE = re.compile(r"^[0-9]{17,20}$")
# The application's Ed25519 public key, as the portal shows it: 32 bytes in hex.
_PUBLIC_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_WORKER_CONCURRENCY = 20


@dataclass(frozen=True)
class StageSettings:
    name: str
    discord_application_id: str
    discord_public_key: str
    retain_data: bool
    point_in_time_recovery: bool
    log_retention: logs.RetentionDays
    worker_max_concurrency: int
    api_throttle_rate: float
    api_throttle_burst: int
    # Where the stage's alarm topic e-mails (AWS asks the address to confirm once). Empty: the
    # topic exists but has no subscription; subscribe to its AlarmTopicArn output by hand.
    alarm_email: str = ""
    account: str | None = None
    region: str | None = None
    # Signature verification (Ed25519) is CPU work and Lambda's CPU share grows with memory;
    # Discord's 3 s deadline holds on a cold start only with a full share of a vCPU or close.
    ingress_memory_mb: int = 512
    # Longer than Discord's 3 s deadline on purpose: a slow request should still finish
    # recording and enqueueing (so the record and the queue agree) rather than be cut midway.
    ingress_timeout_seconds: int = 5
    worker_memory_mb: int = 256
    # One step makes a few rate-limited Discord calls; 30 s leaves room for a 429 wait or two.
    worker_timeout_seconds: int = 30

    def __post_init__(self) -> None:
        problems = self._identity_problems() + self._capacity_problems()
        if problems:
            raise ValueError(f"Invalid settings for stage {self.name!r}: " + "; ".join(problems))

    def _identity_problems(self) -> list[str]:
        """What is wrong with the stage's name, the Discord application's ids and the alarm address."""
        problems = []
        if self.name not in STAGE_NAMES:
            problems.append(f"unknown stage {self.name!r}; expected one of {STAGE_NAMES}")
        if not _SNOWFLAKE.match(self.discord_application_id):
            problems.append("discordApplicationId must be the application's numeric id (17-20 digits)")
        if not _PUBLIC_KEY.match(self.discord_public_key):
            problems.append("discordPublicKey must be the application's public key: 64 hex characters")
        if self.alarm_email and not _EMAIL.match(self.alarm_email):
            problems.append(f"alarmEmail {self.alarm_email!r} is not an e-mail address")
        return problems

    def _capacity_problems(self) -> list[str]:
        """What is wrong with the functions' memory and timeouts, concurrency and API throttling."""
        problems = []
        if not 128 <= self.ingress_memory_mb <= 10240 or not 128 <= self.worker_memory_mb <= 10240:
            problems.append("Lambda memory must be between 128 and 10240 MB")
        if not 1 <= self.ingress_timeout_seconds <= 30:
            problems.append("ingress_timeout_seconds must be between 1 and 30 (API Gateway's cap)")
        # Up to 120 s the task queue still fits a retry inside the 15-minute interaction token
        # (see task_queue.max_receive_count: visibility is 6 x timeout, attempts end by 900 s).
        if not 1 <= self.worker_timeout_seconds <= 120:
            problems.append("worker_timeout_seconds must be between 1 and 120")
        # Lambda's SQS event source takes 2-1000, but the workers split one rate budget under
        # Discord's global limit (lambda_src/channelwright/discord/rate_budget.py: 40 requests/s): past
        # 20 instances each would get under 2 a second, and a build would crawl.
        if not 2 <= self.worker_max_concurrency <= MAX_WORKER_CONCURRENCY:
            problems.append(f"worker_max_concurrency must be between 2 and {MAX_WORKER_CONCURRENCY}")
        if self.api_throttle_rate <= 0 or self.api_throttle_burst <= 0:
            problems.append("API throttling rate and burst must be positive")
        return problems

    @property
    def ingress_timeout(self) -> Duration:
        return Duration.seconds(self.ingress_timeout_seconds)

    @property
    def worker_timeout(self) -> Duration:
        return Duration.seconds(self.worker_timeout_seconds)

    @property
    def removal_policy(self) -> RemovalPolicy:
        """What happens to data and logs when the stack is deleted."""
        return RemovalPolicy.RETAIN if self.retain_data else RemovalPolicy.DESTROY

    @property
    def env(self) -> Environment | None:
        """Pinned account/region when the operator set them, else an environment-agnostic stack."""
        if self.account is None and self.region is None:
            return None
        return Environment(account=self.account, region=self.region)

    @property
    def uses_placeholder_discord_identity(self) -> bool:
        return (
            self.discord_application_id == PLACEHOLDER_APPLICATION_ID
            or self.discord_public_key == PLACEHOLDER_PUBLIC_KEY
        )


def stages_from_context(node: Node) -> list[StageSettings]:
    """The dev and prod settings: operator values from context, sizing side by side here."""
    dev = _operator_values(node, "dev")
    prod = _operator_values(node, "prod")
    return [
        StageSettings(
            name="dev",
            **dev,
            retain_data=False,
            point_in_time_recovery=False,
            log_retention=logs.RetentionDays.ONE_WEEK,
            worker_max_concurrency=2,
            api_throttle_rate=10,
            api_throttle_burst=20,
        ),
        StageSettings(
            name="prod",
            **prod,
            retain_data=True,
            point_in_time_recovery=True,
            log_retention=logs.RetentionDays.THREE_MONTHS,
            # Five guilds built at once. Whatever the number, the workers split one budget
            # under Discord's global limit (lambda_src/channelwright/discord/rate_budget.py), so more
            # concurrency means more guilds in parallel, never more than 44 requests a second.
            worker_max_concurrency=5,
            api_throttle_rate=50,
            api_throttle_burst=100,
        ),
    ]


def read_cdk_json_context(cdk_json: Path) -> dict[str, Any]:
    """The ``context`` block of cdk.json, for apps that run without the CDK CLI (tests, python3 app.py)."""
    return json.loads(cdk_json.read_text(encoding="utf-8")).get("context", {})


def _operator_values(node: Node, stage: str) -> dict[str, Any]:
    stages = node.try_get_context(STAGES_CONTEXT_KEY)
    if not isinstance(stages, dict) or not isinstance(stages.get(stage), dict):
        raise ValueError(
            f'cdk.json context "{STAGES_CONTEXT_KEY}" must hold a "{stage}" object with '
            '"discordApplicationId" and "discordPublicKey"'
        )
    values = stages[stage]
    missing = [k for k in ("discordApplicationId", "discordPublicKey") if k not in values]
    if missing:
        raise ValueError(f'cdk.json context "{STAGES_CONTEXT_KEY}.{stage}" lacks {", ".join(missing)}')
    return {
        "discord_application_id": str(values["discordApplicationId"]),
        "discord_public_key": str(values["discordPublicKey"]),
        "alarm_email": str(values.get("alarmEmail") or ""),
        "account": _optional_str(values.get("account")),
        "region": _optional_str(values.get("region")),
    }


def _optional_str(value: Any) -> str | None:
    return str(value) if value else None
