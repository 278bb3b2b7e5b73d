"""Stage settings: parsed from cdk.json, validated, and the only place dev and prod differ."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from channelwright_stack.settings import (
    PLACEHOLDER_APPLICATION_ID,
    PLACEHOLDER_PUBLIC_KEY,
    STAGES_CONTEXT_KEY,
    StageSettings,
    read_cdk_json_context,
    stages_from_context,
)
from channelwright_stack.task_queue import max_receive_count

from channelwright_stack.snapshots import ROOT

APP_ID = "1234567890123456789"
PUBLIC_KEY = "ab" * 32


def settings_from(stages_context) -> dict[str, StageSettings]:
    app = cdk.App(context={STAGES_CONTEXT_KEY: stages_context})
    return {stage.name: stage for stage in stages_from_context(app.node)}


def operator(**overrides) -> dict:
    return {"discordApplicationId": APP_ID, "discordPublicKey": PUBLIC_KEY, **overrides}


def test_cdk_json_defines_both_stages_and_documents_its_placeholders():
    context = read_cdk_json_context(ROOT / "cdk.json")
    assert context["@aws-cdk/core:validateAgainstDefaultRules"] is True
    assert "placeholder" in context[STAGES_CONTEXT_KEY]["//"]
    stages = settings_from(context[STAGES_CONTEXT_KEY])
    assert set(stages) == {"dev", "prod"}
    for stage in stages.values():
        # Holds for the shipped zeros and keeps holding once the operator fills in real values.
        assert stage.uses_placeholder_discord_identity == (
            stage.discord_application_id == PLACEHOLDER_APPLICATION_ID
            or stage.discord_public_key == PLACEHOLDER_PUBLIC_KEY
        )


def test_placeholders_are_recognised():
    stages = settings_from({
        "dev": operator(discordApplicationId=PLACEHOLDER_APPLICATION_ID),
        "prod": operator(discordPublicKey=PLACEHOLDER_PUBLIC_KEY),
    })
    assert all(stage.uses_placeholder_discord_identity for stage in stages.values())
    assert all(stage.env is None for stage in stages.values())  # environment-agnostic by default


def test_operator_values_are_read_per_stage():
    stages = settings_from({
        "dev": operator(),
        "prod": operator(alarmEmail="ops@example.com", account="123456789012", region="eu-west-1"),
    })
    assert stages["prod"].alarm_email == "ops@example.com"
    assert stages["prod"].env.account == "123456789012"
    assert stages["prod"].env.region == "eu-west-1"
    assert stages["dev"].alarm_email == ""
    assert not stages["dev"].uses_placeholder_discord_identity


def test_prod_keeps_data_and_dev_does_not():
    stages = settings_from({"dev": operator(), "prod": operator()})
    dev, prod = stages["dev"], stages["prod"]
    assert (dev.retain_data, dev.point_in_time_recovery) == (False, False)
    assert (prod.retain_data, prod.point_in_time_recovery) == (True, True)
    assert prod.log_retention == logs.RetentionDays.THREE_MONTHS
    assert dev.log_retention == logs.RetentionDays.ONE_WEEK
    # Sizing that Discord's deadlines depend on is the same everywhere.
    for field in ("ingress_memory_mb", "ingress_timeout_seconds", "worker_timeout_seconds"):
        assert getattr(dev, field) == getattr(prod, field)


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"discordPublicKey": "ab" * 31}, "discordPublicKey"),
        ({"discordPublicKey": "zz" * 32}, "discordPublicKey"),
        ({"discordApplicationId": "my-bot"}, "discordApplicationId"),
        ({"discordApplicationId": "12345"}, "discordApplicationId"),
        ({"alarmEmail": "not-an-address"}, "alarmEmail"),
    ],
)
def test_invalid_operator_values_are_rejected_with_the_key_to_fix(overrides, complaint):
    with pytest.raises(ValueError, match=complaint):
        settings_from({"dev": operator(**overrides), "prod": operator()})


def test_missing_stage_or_key_names_what_cdk_json_lacks():
    with pytest.raises(ValueError, match='"prod"'):
        settings_from({"dev": operator()})
    with pytest.raises(ValueError, match="discordPublicKey"):
        settings_from({"dev": {"discordApplicationId": APP_ID}, "prod": operator()})


def test_settings_are_immutable_and_bounded():
    stage = settings_from({"dev": operator(), "prod": operator()})["dev"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage.worker_timeout_seconds = 60  # type: ignore[misc]
    with pytest.raises(ValueError, match="worker_max_concurrency"):
        dataclasses.replace(stage, worker_max_concurrency=1)
    with pytest.raises(ValueError, match="worker_timeout_seconds"):
        dataclasses.replace(stage, worker_timeout_seconds=600)


@pytest.mark.parametrize("worker_timeout", [5, 10, 30, 60, 120])
def test_max_receive_count_is_the_most_attempts_that_end_inside_the_token_lifetime(worker_timeout):
    visibility = 6 * worker_timeout
    count = max_receive_count(
        worker_timeout_s=worker_timeout, visibility_timeout_s=visibility, deadline_s=900
    )
    assert count >= 2
    last_attempt_ends = (count - 1) * visibility + worker_timeout
    assert last_attempt_ends <= 900
    assert count * visibility + worker_timeout > 900  # one more would outlive the token


def test_thirty_second_worker_gets_five_attempts():
    assert max_receive_count(worker_timeout_s=30, visibility_timeout_s=180, deadline_s=900) == 5


def test_synth_warns_while_cdk_json_holds_placeholders(dev_stack):
    from aws_cdk.assertions import Annotations, Match

    annotations = Annotations.from_stack(dev_stack)
    warning = Match.string_like_regexp("placeholder Discord application id")
    if dev_stack.stage_settings.uses_placeholder_discord_identity:
        annotations.has_warning("/Channelwright-dev", warning)
    else:
        annotations.has_no_warning("*", warning)
