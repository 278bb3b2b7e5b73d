"""Channelwright's infrastructure: one Construct per unit, composed by ChannelwrightStack."""

from __future__ import annotations

import sys
from pathlib import Path

from aws_cdk import App

# The stack reads the runtime's metric catalogue (lambda_src/channelwright/aws/metric_catalog.py,
# standard library only), so alarms watch exactly what the code emits. lambda_src is the
# runtime's import root, as in the Lambda asset.
_LAMBDA_SRC = str(Path(__file__).resolve().parent.parent / "lambda_src")
if _LAMBDA_SRC not in sys.path:
    sys.path.append(_LAMBDA_SRC)


from .settings import StageSettings, read_cdk_json_context, stages_from_context  # noqa: E402
from .stack import ChannelwrightStack  # noqa: E402

__all__ = [
    "ChannelwrightStack",
    "StageSettings",
    "add_stage_stacks",
    "read_cdk_json_context",
    "stages_from_context",
    "stack_name",
]


def stack_name(stage: StageSettings) -> str:
    return f"Channelwright-{stage.name}"


def add_stage_stacks(app: App) -> dict[str, ChannelwrightStack]:
    """One ChannelwrightStack per stage, as app.py deploys them (tests build the same)."""
    stacks = {}
    for stage in stages_from_context(app.node):
        stack = ChannelwrightStack(
            app,
            stack_name(stage),
            stage=stage,
            env=stage.env,
            description=f"Channelwright Discord bot ({stage.name})",
            # Stack tags: CloudFormation propagates them to every resource it creates.
            tags={"project": "channelwright", "stage": stage.name},
        )
        stacks[stage.name] = stack
    return stacks
