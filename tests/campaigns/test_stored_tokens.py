"""Interaction tokens are stored only in items that expire with Discord's 15 minutes (the table's
TTL), and each function calls only the AWS actions the stack grants it."""

import time

import boto3
import pytest

from channelwright.discord import permissions as p
from channelwright.discord.rest import DiscordRest
from channelwright.discord.global_pause import GlobalPause
from channelwright.interactions import Deps
from channelwright.discord.rate_budget import RateBudget
from channelwright.discord.signature import SignatureVerifier
from channelwright.campaigns.store import TOKEN_PREFIX, TTL_ATTRIBUTE, CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from tests.support.bot import Bot
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS

DISCORD_EPOCH_MS = 1420070400000


@pytest.fixture
def server(emu):
    guild = emu.add_guild(name="Tokens", bot_permissions=BOT_PERMISSIONS)
    return guild, emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)


def table_items(aws):
    return aws.dynamodb.scan(TableName=aws.table_name)["Items"]


def test_the_token_is_kept_in_an_item_that_expires_after_15_minutes(bot, emu, server):
    guild, gm = server
    payload = bot.add_campaign(guild, gm)
    items = table_items(bot.aws)
    [campaign] = [i for i in items if i["campaign_key"]["S"].startswith("campaign#")]
    [token] = [i for i in items if i["campaign_key"]["S"].startswith(TOKEN_PREFIX)]
    assert "interaction_token" not in campaign and payload["token"] not in str(campaign)
    assert token["token"]["S"] == payload["token"]
    created_s = ((int(payload["id"]) >> 22) + DISCORD_EPOCH_MS) // 1000
    assert int(token[TTL_ATTRIBUTE]["N"]) == created_s + 15 * 60

    bot.run_worker()  # the worker finds the token: the answer is edited into the summary
    assert emu.original_message(payload["token"])["content"].startswith("✅ Campaign ready")


def test_an_expired_token_is_not_used_even_before_ttl_deletes_it(bot, emu, server):
    guild, gm = server
    payload = bot.add_campaign(guild, gm)
    [token] = [i for i in table_items(bot.aws) if i["campaign_key"]["S"].startswith(TOKEN_PREFIX)]
    bot.aws.dynamodb.update_item(TableName=bot.aws.table_name,
                                 Key={"guild_id": token["guild_id"], "campaign_key": token["campaign_key"]},
                                 UpdateExpression="SET #e = :past", ExpressionAttributeNames={"#e": TTL_ATTRIBUTE},
                                 ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    bot.run_worker()
    assert emu.count(method="PATCH", path_regex=payload["token"]) == 0
    general = next(c for c in emu.guild_channels(guild) if c["name"] == "announcements")
    assert emu.channel_messages(general["id"])[0]["content"].startswith("✅ Campaign ready")


# -- every AWS call a function makes is one the stack grants it ---------------------------------------


class Recorder:
    """The IAM actions one function's clients call (SendMessageBatch is authorised as SendMessage)."""

    IAM_ACTION = {"SendMessageBatch": "SendMessage"}

    def __init__(self, *clients):
        self.actions: set[str] = set()
        for client in clients:
            client.meta.events.register("before-call", self._record)

    def _record(self, model, **kwargs):
        service = model.service_model.signing_name  # "dynamodb", "sqs": IAM's action prefixes
        self.actions.add(f"{service}:{self.IAM_ACTION.get(model.name, model.name)}")


def command(bot, emu, guild, user, name, options=(), resolved=None):
    payload = emu.create_interaction(guild, user, name, options=list(options), resolved=resolved)
    reply = bot.interact(payload)
    bot.run_worker()
    return payload, reply


def test_each_function_calls_only_what_the_stack_grants_it(aws, emu, server):
    from channelwright_stack.grants import (INGRESS_QUEUE_ACTIONS, INGRESS_TABLE_ACTIONS,
                                            WORKER_TABLE_ACTIONS)

    guild, gm = server
    bot = Bot(aws, emu)
    front_db, front_sqs, worker_db = (boto3.client("dynamodb"), boto3.client("sqs"),
                                      boto3.client("dynamodb"))
    front, worker = Recorder(front_db, front_sqs), Recorder(worker_db)
    bot.front = Deps(SignatureVerifier(bot.signer.public_key_hex), CampaignStore(front_db, aws.table_name),
                     TaskQueue(front_sqs, aws.queue_url), TemplateLibrary(front_db, aws.table_name))
    bot.worker.store = CampaignStore(worker_db, aws.table_name)
    bot.worker.templates = TemplateLibrary(worker_db, aws.table_name)
    # The worker's rate budget as deployed (worker.default_deps): its bot-wide pause after a global
    # 429 is read and written through a client of its own, to tell its calls apart.
    pause_db = boto3.client("dynamodb")
    pause = Recorder(pause_db)
    bot.rest = bot.worker.rest = DiscordRest(
        emu.base_url, emu.bot_token, timeout=(1.0, 2.0),
        budget=RateBudget.share(1, pause=GlobalPause(pause_db, aws.table_name)))
    emu.faults.rate_limit_storm(1, method="POST", path_regex=r"/roles$", retry_after=0.05, is_global=True)

    # Everything a user can do: build, list, look, change members, templates, autocomplete, delete.
    bot.add_campaign(guild, gm)
    bot.run_worker()
    player = emu.add_member(guild, name="bob")
    name = [{"type": 3, "name": "name", "value": "Curse of Strahd"}]
    command(bot, emu, guild, gm, "list-campaigns")
    command(bot, emu, guild, gm, "campaign-info", name)
    command(bot, emu, guild, gm, "add-player", [{"type": 3, "name": "campaign", "value": "Curse of Strahd"},
                                                {"type": 6, "name": "user", "value": player}],
            resolved={"users": {player: {"id": player, "username": "bob"}}})
    att = emu.add_attachment("t.yaml", b"id: mine\ntitle: Mine\nchannels: [{name: a, type: text}]\n")
    command(bot, emu, guild, gm, "campaign-template", [{"type": 1, "name": "import", "options": [
        {"type": 11, "name": "file", "value": att["id"]}]}], resolved={"attachments": {att["id"]: att}})
    for sub in ("list", "show", "remove"):
        command(bot, emu, guild, gm, "campaign-template",
                [{"type": 1, "name": sub, "options": [] if sub == "list" else [
                    {"type": 3, "name": "name", "value": "mine"}]}])
    auto = emu.create_interaction(guild, gm, "delete-campaign", options=[
        {"type": 3, "name": "name", "value": "Cur", "focused": True}])
    bot.interact_raw({**auto, "type": 4})
    delete, reply = command(bot, emu, guild, gm, "delete-campaign", name)
    click = emu.click(delete["token"], gm, reply["data"]["components"][0]["components"][0]["custom_id"])
    bot.interact(click)
    bot.run_worker()
    # The rare paths: a name freed (and a resumed run marked failed) when the queue refuses.
    bot.front = Deps(bot.front.verifier, bot.front.store, TaskQueue(front_sqs, aws.queue_url + "-gone"),
                     bot.front.templates)
    bot.add_campaign(guild, gm, name="Queue Down")
    store = CampaignStore(aws.dynamodb, aws.table_name)
    assert bot.campaign(guild, "Curse of Strahd") is None  # deleted above
    assert bot.campaign(guild, "Queue Down") is None  # its name was freed
    bot.front = Deps(bot.front.verifier, bot.front.store, TaskQueue(front_sqs, aws.queue_url), bot.front.templates)
    bot.add_campaign(guild, gm, name="Resumed")
    resumed = store.get(guild, "resumed")
    store.set_status(resumed, "failed", failure={"what": "x", "why": "y", "fix": "z"})
    aws.drain()
    bot.front = Deps(bot.front.verifier, bot.front.store, TaskQueue(front_sqs, aws.queue_url + "-gone"),
                     bot.front.templates)
    bot.add_campaign(guild, gm, name="Resumed")

    ingress = set(INGRESS_TABLE_ACTIONS) | set(INGRESS_QUEUE_ACTIONS)
    assert front.actions == ingress, "the interactions function uses exactly its grants"
    assert worker.actions == set(WORKER_TABLE_ACTIONS), "the worker uses exactly its table grants"
    assert bot.rest.stats["global_rate_limited"] == 1
    assert pause.actions == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert pause.actions <= set(WORKER_TABLE_ACTIONS), "the shared pause is granted to the worker"
