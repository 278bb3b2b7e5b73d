"""Finding a stage's task queue, dead-letter queue and campaign table.

A deployed stage is the CloudFormation stack `Channelwright-<stage>`, whose outputs name the
resources. Flags override outputs one by one, and when every resource a command needs comes from
flags (local mode, or a stack that predates the outputs) CloudFormation is not asked at all.
"""

from dataclasses import dataclass

from botocore.exceptions import ClientError

from .errors import OpsError, UsageError

STACK_PREFIX = "Channelwright-"

QUEUE, DLQ, TABLE = "queue_url", "dlq_url", "table_name"
# Resource -> (stack output key, flag that overrides it).
OUTPUTS = {
    QUEUE: ("TaskQueueUrl", "--queue-url"),
    DLQ: ("DeadLetterQueueUrl", "--dlq-url"),
    TABLE: ("CampaignTableName", "--table"),
}


@dataclass(frozen=True)
class StageResources:
    queue_url: str | None = None
    dlq_url: str | None = None
    table_name: str | None = None
    source: str = "command-line flags"

    def missing(self, needed: set[str]) -> list[str]:
        return [name for name in OUTPUTS if name in needed and not getattr(self, name)]

    def required(self, name: str) -> str:
        """The resource `name` (QUEUE, DLQ or TABLE), which resolve() found for a command that
        needs it; UsageError naming its flag when it is missing."""
        value = getattr(self, name)
        if not value:
            raise UsageError(f"No {OUTPUTS[name][0]} was found: pass {OUTPUTS[name][1]}.")
        return value


def stack_name(stage: str) -> str:
    return f"{STACK_PREFIX}{stage}"


def resolve(stage: str | None, overrides: StageResources, needed: set[str],
            cloudformation) -> StageResources:
    """The resources a command needs; `cloudformation` is a client, or a callable returning one.

    Passing a callable lets a caller with every flag set never build a CloudFormation client.
    """
    if not overrides.missing(needed):
        return overrides
    if not stage:
        flags = "/".join(OUTPUTS[name][1] for name in overrides.missing(needed))
        raise UsageError(f"Which stage? Pass --stage (for example --stage dev), or {flags}.")
    client = cloudformation() if callable(cloudformation) else cloudformation
    found = _stack_outputs(client, stack_name(stage))
    resources = StageResources(
        **{name: getattr(overrides, name) or found.get(output) for name, (output, _) in OUTPUTS.items()},
        source=f"stack {stack_name(stage)} in {client.meta.region_name}",
    )
    missing = resources.missing(needed)
    if missing:
        names = ", ".join(OUTPUTS[name][0] for name in missing)
        flags = ", ".join(OUTPUTS[name][1] for name in missing)
        present = ", ".join(sorted(found)) or "none"
        raise OpsError(f"Stack {stack_name(stage)} has no output {names} (its outputs: {present}). "
                       f"Deploy the current version of the app (npx cdk deploy {stack_name(stage)}) "
                       f"or pass {flags}.")
    return resources


def _stack_outputs(cloudformation, name: str) -> dict[str, str]:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        detail = error.response.get("Error", {})
        if detail.get("Code") == "ValidationError" and "does not exist" in detail.get("Message", ""):
            raise OpsError(
                f"Stack {name} not found in region {cloudformation.meta.region_name}. Check --stage "
                "(the app deploys Channelwright-dev and Channelwright-prod) and the region "
                "(--region or AWS_REGION).") from None
        raise
    if not stacks:  # not seen in practice: DescribeStacks by name raises instead
        raise OpsError(f"Stack {name} not found in region {cloudformation.meta.region_name}.")
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
