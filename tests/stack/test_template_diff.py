"""scripts/template_diff: the credential-free review diff between snapshots and a fresh synth."""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import json
import os
import sys

import pytest

from channelwright_stack.snapshots import ROOT, masked, snapshot_path

SCRIPT = ROOT / "scripts" / "template_diff"


@pytest.fixture(scope="module")
def template_diff():
    loader = importlib.machinery.SourceFileLoader("template_diff", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("template_diff", loader))
    sys.modules["template_diff"] = module  # dataclasses look their module up while it loads
    try:
        loader.exec_module(module)
        yield module
    finally:
        del sys.modules["template_diff"]


def test_script_is_executable():
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env python3\n")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_committed_snapshot_and_a_fresh_synth_compare_equal_when_nothing_changed(
    stage, templates, template_diff
):
    committed = json.loads(snapshot_path(stage).read_text())
    diff = template_diff.compare(f"Channelwright-{stage}", committed, masked(templates[stage].to_json()))
    assert diff.changed == {}
    assert diff.summary() == f"Channelwright-{stage}: no changes"


def test_changes_are_counted_per_resource_and_shown_as_a_unified_diff(prod, template_diff):
    committed = masked(prod.to_json())
    fresh = copy.deepcopy(committed)
    alarm_id = next(k for k, v in fresh["Resources"].items()
                    if v["Type"] == "AWS::CloudWatch::Alarm")
    threshold = fresh["Resources"][alarm_id]["Properties"]["Threshold"]
    fresh["Resources"][alarm_id]["Properties"]["Threshold"] = threshold + 3
    fresh["Resources"]["NewTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    del fresh["Outputs"]["DashboardUrl"]

    diff = template_diff.compare("Channelwright-prod", committed, fresh)
    assert diff.summary() == (
        "Channelwright-prod: 2 resources changed (1 added, 1 modified); "
        "1 output changed (1 removed)"
    )
    text = template_diff.render(diff, committed_label="snapshot at HEAD")
    assert f"--- Channelwright-prod Resources/{alarm_id} (AWS::CloudWatch::Alarm) modified" in text
    assert f'-    "Threshold": {threshold},' in text.splitlines()
    assert f'+    "Threshold": {threshold + 3},' in text.splitlines()
    assert "+++ Channelwright-prod Resources/NewTopic (AWS::SNS::Topic) added  [fresh synth]" in text
    assert "Outputs/DashboardUrl removed" in text


def test_dashboard_bodies_are_diffed_as_the_json_they_render(prod, template_diff):
    committed = masked(prod.to_json())
    dashboard_id = next(k for k, v in committed["Resources"].items()
                        if v["Type"] == "AWS::CloudWatch::Dashboard")
    fresh = copy.deepcopy(committed)
    parts = fresh["Resources"][dashboard_id]["Properties"]["DashboardBody"]["Fn::Join"][1]
    parts[0] = parts[0].replace('"title":"Alarms"', '"title":"Alarm states"')

    text = template_diff.render(template_diff.compare("Channelwright-prod", committed, fresh),
                                committed_label="snapshot at HEAD")
    changed = [line for line in text.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-            "title": "Alarms"', '+            "title": "Alarm states"']
