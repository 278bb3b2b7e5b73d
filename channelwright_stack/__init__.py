"""Channelwright's infrastructure: one Construct per unit, composed by ChannelwrightStack."""

from __future__ import annotations

from aws_cdk import App

from .settings import StageSettings, read_cdk_json_context, stages_from_context
from .stack import ChannelwrightStack

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
