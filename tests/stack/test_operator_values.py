"""The operator's cdk.json values never reach the snapshots or the stack tests.

Deploy step 1 is filling in cdk.json (application id, public key, alarm e-mail, maybe account and
region). The stack tests and the committed snapshots synthesize with fixed values instead
(channelwright_stack.snapshots.TEST_OPERATOR_VALUES), so that step leaves ./scripts/test green.
"""

from __future__ import annotations

import json

from channelwright_stack.settings import STAGES_CONTEXT_KEY, read_cdk_json_context
from channelwright_stack.snapshots import (CDK_JSON, TEST_OPERATOR_VALUES, build_offline_stacks,
                                           snapshot_path)

from aws_cdk.assertions import Template

OPERATOR = {
    "dev": {"discordApplicationId": "1311111111111111111", "discordPublicKey": "ab" * 32,
            "alarmEmail": "dev-alarms@example.org"},
    "prod": {"discordApplicationId": "1322222222222222222", "discordPublicKey": "cd" * 32,
             "alarmEmail": "oncall@example.org", "account": "123456789012", "region": "eu-west-1"},
}


def test_stack_tests_use_the_fixed_values_not_cdk_jsons(stacks):
    for stage, values in TEST_OPERATOR_VALUES.items():
        settings = stacks[stage].stage_settings
        assert settings.discord_application_id == values["discordApplicationId"]
        assert settings.discord_public_key == values["discordPublicKey"]
        assert settings.alarm_email == values["alarmEmail"]
        assert settings.env is None


def test_a_filled_in_cdk_json_changes_no_template_the_tests_compare(tmp_path, templates):
    context = read_cdk_json_context(CDK_JSON)
    context[STAGES_CONTEXT_KEY] = {"//": context[STAGES_CONTEXT_KEY].get("//", ""), **OPERATOR}
    filled_in = tmp_path / "cdk.json"
    filled_in.write_text(json.dumps({**json.loads(CDK_JSON.read_text()), "context": context}))

    stacks = build_offline_stacks(filled_in)
    for stage in ("dev", "prod"):
        # The snapshot test holds the committed snapshots to exactly these templates.
        assert Template.from_stack(stacks[stage]).to_json() == templates[stage].to_json(), stage
        assert snapshot_path(stage).is_file()
