"""Full-template snapshots: any infrastructure change shows up as a reviewable JSON diff.

Regenerate after an intended change with
    .venv/bin/pytest tests/stack --snapshot-update
and review the diff of tests/stack/__snapshots__/ like code (scripts/template_diff renders it
per resource, against the committed snapshots).
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from channelwright_stack.snapshots import masked, snapshot_path


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_template_matches_snapshot(stage, templates, json_snapshot):
    assert masked(templates[stage].to_json()) == json_snapshot
    # scripts/template_diff and local mode find the snapshot by this path.
    assert snapshot_path(stage).is_file()
