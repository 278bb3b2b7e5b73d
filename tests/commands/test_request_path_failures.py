"""Every way the interactions handler fails a user is counted as RequestPathFailures, which pages:
AWS errors answered politely included. A request that went fine, or a forged one, counts nothing.

Each case goes through `interactions.handler` (the Lambda entry point) and reads the metrics it
flushes, as CloudWatch would receive them (EMF on stdout).
"""

import json
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from channelwright import interactions
from channelwright.discord import permissions as p
from channelwright.aws.metric_catalog import MALFORMED_INTERACTIONS, REQUEST_PATH_FAILURES
from channelwright.campaigns.store import CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from channelwright_local.worker_loop import LambdaContext



def context() -> LambdaContext:
    """Lambda's context object as it passes it to the interactions handler."""
    return LambdaContext("Interactions", timeout_s=3)


MISSING_TABLE = "channelwright-table-that-is-not-there"


@pytest.fixture
def guild(emu):
    return emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL
                         | p.SEND_MESSAGES)


@pytest.fixture
def gm(emu, guild):
    return emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)


def handle(bot, payload, deps, monkeypatch, capsys) -> tuple[dict, float]:
    """What API Gateway returns for `payload` handled with `deps`, and the RequestPathFailures
    the invocation flushed."""
    monkeypatch.setattr(interactions, "default_deps", lambda: deps)
    capsys.readouterr()
    try:
        result = interactions.handler(bot.signer.api_gateway_event(payload), context())
    except Exception:  # a crash: API Gateway answers 500; the metrics were still flushed
        result = {"statusCode": 500}
    failures = 0.0
    for line in capsys.readouterr().out.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            value = blob.get(REQUEST_PATH_FAILURES.name, 0)
            failures += sum(value) if isinstance(value, list) else value
    return result, failures


def flushed(capsys) -> dict[str, float]:
    """Every metric in the EMF blobs printed since the last read, summed by name."""
    totals: dict[str, float] = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = blob[metric["Name"]]
                    totals[metric["Name"]] = totals.get(metric["Name"], 0) + (
                        sum(value) if isinstance(value, list) else value)
    return {name: value for name, value in totals.items() if name != "AckLatency"}


def broken_store(bot):
    return replace(bot.front, store=CampaignStore(bot.aws.dynamodb, MISSING_TABLE),
                   templates=TemplateLibrary(bot.aws.dynamodb, MISSING_TABLE))


def broken_queue(bot):
    return replace(bot.front, tasks=TaskQueue(bot.aws.sqs, bot.aws.queue_url + "-gone"))


def content(result) -> str:
    return json.loads(result["body"])["data"]["content"]


def test_a_missing_table_is_answered_politely_and_counted(bot, emu, guild, gm, monkeypatch, capsys):
    # /add-campaign's own branch: the answer says a re-run carries on from where this stopped.
    payload = emu.create_interaction(guild, gm, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert result["statusCode"] == 200 and "couldn't start building" in content(result)
    assert failures == 1


def test_a_lost_note_that_the_steps_were_sent_is_counted_and_the_build_goes_ahead(
        bot, emu, guild, gm, monkeypatch, capsys):
    class NoteRefused(CampaignStore):
        def mark_tasks_sent(self, campaign):
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "UpdateItem")

    payload = emu.create_interaction(guild, gm, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    deps = replace(bot.front, store=NoteRefused(bot.aws.dynamodb, bot.aws.table_name))
    result, failures = handle(bot, payload, deps, monkeypatch, capsys)
    assert json.loads(result["body"])["type"] == 5  # deferred: the steps are on their way
    assert failures == 1


def test_a_queue_that_refuses_the_campaigns_steps_is_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    result, failures = handle(bot, payload, broken_queue(bot), monkeypatch, capsys)
    assert "couldn't start building" in content(result)
    assert failures == 1


def test_a_lifecycle_command_whose_task_cannot_be_queued_is_counted(bot, emu, guild, gm, monkeypatch,
                                                                      capsys):
    bot.add_campaign(guild, gm, "Strahd")
    payload = emu.create_interaction(guild, gm, "campaign-info",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    result, failures = handle(bot, payload, broken_queue(bot), monkeypatch, capsys)
    assert "couldn't start that" in content(result)
    assert failures == 1


def test_list_campaigns_without_its_table_is_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "list-campaigns")
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert result["statusCode"] == 200
    assert failures == 1


def test_template_commands_without_their_storage_are_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "campaign-template", options=[{"type": 1, "name": "list"}])
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert "template storage" in content(result)
    assert failures == 1


def test_template_suggestions_without_storage_still_come_and_are_counted(bot, emu, guild, gm,
                                                                           monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "campaign-template", options=[
        {"type": 1, "name": "show", "options": [{"type": 3, "name": "name", "value": "", "focused": True}]}])
    payload["type"] = interactions.AUTOCOMPLETE
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert json.loads(result["body"])["data"]["choices"], "the built-in templates are offered"
    assert failures == 1


def test_a_command_this_version_does_not_know_is_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "add-campaign")
    payload["data"]["name"] = "retired-command"
    result, failures = handle(bot, payload, bot.front, monkeypatch, capsys)
    assert "don't know the command" in content(result)
    assert failures == 1


def test_campaign_suggestions_without_storage_are_empty_and_counted(bot, emu, guild, gm, monkeypatch,
                                                                    capsys):
    payload = emu.create_interaction(guild, gm, "list-campaigns")
    payload["type"] = interactions.AUTOCOMPLETE
    payload["data"]["options"] = [{"type": 3, "name": "name", "value": "", "focused": True}]
    payload["data"]["name"] = "campaign-info"
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert json.loads(result["body"]) == {"type": 8, "data": {"choices": []}}
    assert failures == 1


def test_a_button_without_storage_is_answered_and_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = {**emu.create_interaction(guild, gm, "list-campaigns"), "type": interactions.MESSAGE_COMPONENT,
               "data": {"custom_id": "delete:786008729715212338", "component_type": 2}}
    result, failures = handle(bot, payload, broken_store(bot), monkeypatch, capsys)
    assert "couldn't handle that" in content(result)
    assert failures == 1


def test_a_malformed_payload_is_answered_and_counted(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    payload["member"]["permissions"] = "-1"
    monkeypatch.setattr(interactions, "default_deps", lambda: bot.front)
    capsys.readouterr()
    result = interactions.handler(bot.signer.api_gateway_event(payload), context())
    metrics = flushed(capsys)
    assert "couldn't read that request" in content(result)
    assert metrics == {REQUEST_PATH_FAILURES.name: 1, MALFORMED_INTERACTIONS.name: 1}


def test_an_interaction_type_this_version_does_not_handle_is_counted(bot, emu, guild, gm, monkeypatch,
                                                                      capsys):
    payload = {**emu.create_interaction(guild, gm, "add-campaign"), "type": 5}  # a modal submit
    result, failures = handle(bot, payload, bot.front, monkeypatch, capsys)
    assert "don't handle that kind of interaction" in content(result)
    assert failures == 1


def test_a_signed_body_that_is_not_json_is_counted(bot, monkeypatch, capsys):
    event = bot.signer.api_gateway_event(b"not json")
    monkeypatch.setattr(interactions, "default_deps", lambda: bot.front)
    capsys.readouterr()
    assert interactions.handler(event, context())["statusCode"] == 400
    assert flushed(capsys) == {REQUEST_PATH_FAILURES.name: 1}


def test_a_crash_is_counted_before_api_gateway_answers_500(bot, emu, guild, gm, monkeypatch, capsys):
    def bug(invocation, deps):
        raise KeyError("a bug")

    monkeypatch.setitem(interactions.COMMANDS, "list-campaigns", bug)
    payload = emu.create_interaction(guild, gm, "list-campaigns")
    result, failures = handle(bot, payload, bot.front, monkeypatch, capsys)
    assert result["statusCode"] == 500
    assert failures == 1


def test_requests_that_went_well_and_forged_ones_count_nothing(bot, emu, guild, gm, monkeypatch, capsys):
    payload = emu.create_interaction(guild, gm, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    result, failures = handle(bot, payload, bot.front, monkeypatch, capsys)
    assert json.loads(result["body"])["type"] == 5 and failures == 0

    forged = bot.signer.api_gateway_event(payload)
    forged["headers"]["x-signature-ed25519"] = "00" * 64
    monkeypatch.setattr(interactions, "default_deps", lambda: bot.front)
    capsys.readouterr()
    assert interactions.handler(forged, context())["statusCode"] == 401
    assert REQUEST_PATH_FAILURES.name not in capsys.readouterr().out
