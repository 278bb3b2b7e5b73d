"""Full-template snapshots: any infrastructure change shows up as a reviewable JSON diff.

Regenerate after an intended change with
    pytest tests/stack/test_snapshots.py --snapshot-update
and review the diff of tests/stack/__snapshots__/ like code.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

ASSET_KEY_PLACEHOLDER = "<asset hash>.zip"


def masked(value):
    """The template with asset object keys masked: they change with every lambda_src edit."""
    if isinstance(value, dict):
        return {
            key: ASSET_KEY_PLACEHOLDER if key == "S3Key" and isinstance(item, str) else masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_template_matches_snapshot(stage, templates, json_snapshot):
    assert masked(templates[stage].to_json()) == json_snapshot
