"""One bad task never takes another server's tasks down with it: a batch holding a crashing, a
malformed or a hostile task still completes everyone else's work, and only the bad task's own
records go back to the queue."""

import json
import time

import pytest

from channelwright.campaigns.store import CampaignStore
from channelwright.discord import permissions as p
from channelwright.tasks.payloads import MemberChange, TemplateImport
from channelwright.tasks.queue import BuildStep, Task
from channelwright.worker import process_tasks
from channelwright_local.sqs_event_source import SqsEventSource
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS, assert_complete_and_private
from tests.templates.test_template_files import billion_laughs


def record(message_id, body, group):
    return {"messageId": message_id, "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"MessageGroupId": group, "ApproximateReceiveCount": "1"}}


def campaign_records(bot, emu, name="Barovia"):
    """A server with /add-campaign answered: (guild, the interaction, its build records)."""
    guild = emu.add_guild(name=name, bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    payload = bot.add_campaign(guild, gm)
    records = [record(f"{guild}-{m['body']['step']}", m["body"], m["group"]) for m in bot.aws.drain()]
    return guild, payload, records


def import_record(bot, emu, filename, content):
    guild = emu.add_guild(name="Importers", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    att = emu.add_attachment(filename, content)
    payload = emu.create_interaction(guild, gm, "campaign-template", attachments=[att], options=[
        {"type": 1, "name": "import", "options": [{"type": 11, "name": "file", "value": att["id"]}]}])
    bot.interact(payload)
    [message] = bot.aws.drain()
    return payload, record(f"import-{guild}", message["body"], message["group"])


def completed(bot, emu, guild, payload):
    return (bot.store.get(guild, "curse of strahd").status == "completed"
            and emu.original_message(payload["token"])["content"].startswith("✅ Campaign ready"))


MALFORMED = [
    "not json", "[1, 2]", '{"guild_id": "1"}', '{"guild_id": "1", "run": "x", "step": "two"}',
    json.dumps({"guild_id": "1", "campaign_key": "k", "run": "1", "kind": "nonsense"}),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_a_malformed_task_fails_alone(bot, emu, body):
    guild, payload, records = campaign_records(bot, emu)
    bad = record("bad", body, "other-server")
    result = process_tasks({"Records": [bad] + records + [{"not": "a record"}]}, bot.worker)
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert set(failed) <= {"bad"}
    assert completed(bot, emu, guild, payload)


def test_a_crashing_import_fails_alone(bot, emu, monkeypatch):
    guild, payload, records = campaign_records(bot, emu)
    import_payload, bad = import_record(bot, emu, "west.yaml", b"id: t\ntitle: T\nchannels: [{name: a, type: text}]\n")
    monkeypatch.setattr(type(bot.templates), "put", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("bug")))
    result = process_tasks({"Records": [bad] + records}, bot.worker)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [bad["messageId"]]
    assert completed(bot, emu, guild, payload)
    assert "Something went wrong on my side" in emu.original_message(import_payload["token"])["content"]


@pytest.mark.parametrize("filename, content", [
    ("laughs.yaml", billion_laughs().encode()),
    ("deep.json", b"[" * 60_000),
    ("wide.yaml", "\n".join(f"k{i}: v" for i in range(6000)).encode()),
])
def test_a_hostile_import_is_answered_and_the_others_go_on(bot, emu, filename, content):
    guild, payload, records = campaign_records(bot, emu)
    import_payload, hostile = import_record(bot, emu, filename, content)
    result = process_tasks({"Records": records[:5] + [hostile] + records[5:]}, bot.worker)
    assert result["batchItemFailures"] == []
    assert completed(bot, emu, guild, payload)
    assert emu.original_message(import_payload["token"])["content"].startswith("❌ **I couldn't import")


def test_tasks_left_when_time_runs_short_go_back_untouched(bot, emu):
    guild, payload, records = campaign_records(bot, emu)
    bot.rest.deadline = time.monotonic() + 1.0  # less than MIN_TASK_TIME_S left
    result = process_tasks({"Records": records}, bot.worker)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [r["messageId"] for r in records]
    assert emu.count(method="POST") == 0, "no task was started"
    bot.rest.deadline = float("inf")
    assert process_tasks({"Records": records}, bot.worker)["batchItemFailures"] == []
    assert completed(bot, emu, guild, payload)


def test_a_build_whose_progress_cannot_be_saved_fails_alone(bot, emu, monkeypatch):
    first, first_payload, first_records = campaign_records(bot, emu, "First")
    second, second_payload, second_records = campaign_records(bot, emu, "Second")
    store_record = type(bot.store).record

    def record_fails_for_first(self, campaign, resources):
        if campaign.guild_id == first and resources:
            raise RuntimeError("DynamoDB unavailable")
        return store_record(self, campaign, resources)

    monkeypatch.setattr(type(bot.store), "record", record_fails_for_first)
    first_steps = first_records[:3]  # roles and the GM assignment: nothing saved until the end
    result = process_tasks({"Records": first_steps + second_records}, bot.worker)
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed <= {r["messageId"] for r in first_steps} and failed
    assert completed(bot, emu, second, second_payload)


def test_a_build_ends_in_the_first_invocation_and_its_later_batch_sends_nothing(bot, emu, guild, gm, player):
    payload = bot.add_campaign(guild, gm)  # 15 steps: SQS hands the worker ten of them at once
    assert bot.events.poll_once() == 10
    assert completed(bot, emu, guild, payload)
    emu.clear_requests()
    delivery = bot.run_worker()
    assert emu.requests == [], "the later steps' records found them done"
    assert delivery.failed == 0 and bot.aws.drain(bot.aws.dlq_url) == []
    assert_complete_and_private(emu, guild, gm, player)


def test_an_invocation_that_dies_after_the_first_batch_steps_is_finished_exactly_once(
        bot, emu, guild, gm, player, monkeypatch):
    """Discord made everything, then the invocation died before any id was saved (Lambda hands
    the whole batch back): the records that return find the creates through their pending marks."""
    payload = bot.add_campaign(guild, gm)

    save = CampaignStore.record

    def never_saved(self, campaign, resources):
        if resources:
            raise ConnectionError("the invocation ended before the write")
        save(self, campaign, resources)

    def dies(event, context):
        with monkeypatch.context() as unsaved:
            unsaved.setattr(CampaignStore, "record", never_saved)
            process_tasks(event, bot.worker, context)
        raise RuntimeError("the invocation died")

    SqsEventSource(bot.aws.sqs, bot.aws.queue_url, dies).poll_once()
    assert len(emu.guild_channels(guild)) > 10, "Discord made the campaign's channels"
    assert bot.campaign(guild).resources == {}, "no id was saved"
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.count(method="POST", path_regex=r"^/guilds/\d+/channels$") == 11, "each channel made once"
    assert emu.count(method="POST", path_regex=r"^/guilds/\d+/roles$") == 2, "each role made once"
    assert completed(bot, emu, guild, payload)
    assert bot.aws.drain(bot.aws.dlq_url) == []


def test_task_bodies_round_trip():
    for task in (Task("1", "k", "2", BuildStep(3), campaign_run="2"),
                 Task("1", "k", "4", MemberChange(token="t"), campaign_run="2"),
                 Task("1", "", "5", TemplateImport(url="u"))):
        assert Task.from_body(task.to_body()) == task
