"""The committed template snapshots: how they are synthesized, masked and found.

Shared by the snapshot test (tests/stack/test_snapshots.py), which keeps them current, and by
scripts/template_diff, which compares them with a fresh synth for review. Both must build and
mask the templates the same way, or the diff would show noise. Both synthesize with fixed operator
values (TEST_OPERATOR_VALUES), never the ones in cdk.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CDK_JSON = ROOT / "cdk.json"
# Where syrupy keeps tests/stack/test_snapshots.py::test_template_matches_snapshot[<stage>].
SNAPSHOT_DIR = ROOT / "tests" / "stack" / "__snapshots__" / "test_snapshots"

# Skipping bundling leaves each S3Key exactly as a real synth computes it; only the bundle itself
# (pip downloads) is not built, so a synth needs neither the network nor Docker.
NO_BUNDLING: dict[str, list[str]] = {"aws:cdk:bundling-stacks": []}
ASSET_KEY_PLACEHOLDER = "<asset hash>.zip"

# The operator values the snapshots and stack tests are synthesized with, whatever cdk.json holds:
# filling in cdk.json (the first deploy step) must change no snapshot and fail no test. dev keeps
# the placeholders cdk.json ships (synth warns about them); prod looks configured, with an alarm
# e-mail. No account or region: the templates stay environment-agnostic.
TEST_OPERATOR_VALUES = {
    "dev": {
        "discordApplicationId": "000000000000000000",
        "discordPublicKey": "0" * 64,
        "alarmEmail": "",
    },
    "prod": {
        "discordApplicationId": "1234567890123456789",
        "discordPublicKey": "c0ffee" * 10 + "abcd",
        "alarmEmail": "alarms@example.com",
    },
}


def snapshot_path(stage: str) -> Path:
    return SNAPSHOT_DIR / f"test_template_matches_snapshot[{stage}].json"


def offline_context(cdk_json: Path = CDK_JSON) -> dict[str, Any]:
    """cdk.json's context (the feature flags shape the templates) with the operator's stage values
    replaced by TEST_OPERATOR_VALUES, and bundling skipped."""
    from .settings import STAGES_CONTEXT_KEY, read_cdk_json_context

    return {**read_cdk_json_context(cdk_json), STAGES_CONTEXT_KEY: TEST_OPERATOR_VALUES, **NO_BUNDLING}


def build_offline_stacks(cdk_json: Path = CDK_JSON) -> dict:
    """The stacks app.py defines, with offline_context(), without bundling or cdk-nag.

    Stage name -> ChannelwrightStack. (cdk-nag runs in the real app; tests/stack/test_checks.py.)
    """
    import aws_cdk as cdk

    from . import add_stage_stacks

    return add_stage_stacks(cdk.App(context=offline_context(cdk_json)))


def masked(value: Any) -> Any:
    """The template with asset object keys masked: they change with every lambda_src edit, which
    the code review shows anyway."""
    if isinstance(value, dict):
        return {
            key: ASSET_KEY_PLACEHOLDER if key == "S3Key" and isinstance(item, str) else masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def joined(value: Any) -> str:
    """A string-valued property as text: an Fn::Join's parts joined, each intrinsic written as
    <LogicalId>, <LogicalId.Attribute> or <AWS::Region>. Makes a dashboard body readable JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(joined(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    raise ValueError(f"cannot render {value!r} as text")
