"""Discord's long limits are not outages: the build stops at once (no retry, no dead letter), the
user is told which action is limited and until when, and the same command resumes it then."""

import re
import time
from dataclasses import replace

import pytest

from channelwright.discord import permissions as p
from channelwright.discord.rest import DiscordRest
from channelwright.discord.global_pause import GlobalPause
from channelwright.discord.rate_budget import RateBudget
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS, assert_complete_and_private

ROLES, CHANNELS = r"POST /guilds/\{guild_id\}/roles", r"POST /guilds/\{guild_id\}/channels"
HOUR = 3600


def limit(emu, how, route):
    """A one-per-hour bucket on `route`, or a single 429 asking for an hour and a half."""
    if how == "bucket":
        emu.set_bucket(route, 1, HOUR)
    else:
        path = r"/roles$" if route == ROLES else r"/channels$"
        emu.faults.rate_limit_storm(1, method="POST", path_regex=path, retry_after=1.5 * HOUR)


def said_until(text: str) -> int:
    [stamp] = set(re.findall(r"<t:(\d+):R>", text))
    return int(stamp)


@pytest.mark.parametrize("how", ["bucket", "429"])
@pytest.mark.parametrize("route, action", [(ROLES, "create roles"), (CHANNELS, "create channels")])
def test_a_long_limit_stops_the_build_and_says_until_when(bot, emu, guild, gm, how, route, action):
    limit(emu, how, route)
    started = time.time()
    payload = bot.add_campaign(guild, gm)
    delivery = bot.run_worker()

    text = emu.original_message(payload["token"])["content"]
    assert f"Discord is limiting how fast I can {action} in this server." in text
    assert "Everything created so far is kept." in text
    assert "Run `/add-campaign` again with the same name after that time" in text
    assert "HTTP" not in text and "would wait" not in text
    until = said_until(text)
    assert started + HOUR - 5 <= until <= time.time() + 1.5 * HOUR + 5

    campaign = bot.campaign(guild)
    assert campaign.status == "failed" and campaign.failure["transient"] is False
    assert campaign.failure["retry_at"] == until
    # Stopped at once: nothing handed back, nothing left to retry, nothing dead-lettered.
    assert delivery.failed == 0
    assert bot.aws.drain() == [] and bot.aws.drain(bot.aws.dlq_url) == []
    limited = "roles" if route == ROLES else "channels"
    # One request to the limited route: the one that succeeded (bucket: the next would have to
    # wait an hour, so it is never sent) or the one answered 429 (never sent again).
    assert emu.count(method="POST", path_regex=rf"/guilds/\d+/{limited}$") == 1


def test_the_same_command_answers_at_once_until_then_and_resumes_after(bot, emu, guild, gm):
    limit(emu, "bucket", ROLES)
    first = bot.add_campaign(guild, gm)
    bot.run_worker()
    until = said_until(emu.original_message(first["token"])["content"])

    # Before the time: answered at once, from the store; nothing is queued.
    early = emu.create_interaction(guild, gm, "add-campaign",
                                   options=[{"type": 3, "name": "name", "value": "Curse of Strahd"}])
    reply = bot.interact(early)
    assert reply["type"] == 4 and reply["data"]["flags"] == 64
    assert said_until(reply["data"]["content"]) == until
    assert bot.aws.drain() == []

    # After it: Discord's window is over (and a new worker container knows nothing of it).
    bot.front = replace(bot.front, now_ms=lambda: (until + 1) * 1000)
    emu.rate_limiter.reset(overrides=True)
    bot.rest = bot.worker.rest = DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 2.0))
    later = bot.add_campaign(guild, gm)
    assert bot.run_worker().failed == 0
    assert emu.original_message(later["token"])["content"].startswith("✅ Campaign ready: Curse of Strahd")
    player = emu.add_member(guild, name="bob", permissions=0)
    assert_complete_and_private(emu, guild, gm, player)
    assert len(emu.guild_roles(guild)) == len({r["name"] for r in emu.guild_roles(guild)}), "no duplicates"


def test_member_changes_under_a_long_limit_say_until_when_and_are_not_retried(bot, emu, guild, gm):
    bot.add_campaign(guild, gm)
    bot.run_worker()
    emu.set_bucket(r"PUT /guilds/\{guild_id\}/members/\{user_id\}/roles/\{role_id\}", 1, HOUR)
    emu.rate_limiter.reset()
    texts = []
    for name in ("bob", "carol"):
        player = emu.add_member(guild, name=name, permissions=0)
        payload = emu.create_interaction(guild, gm, "add-player", options=[
            {"type": 3, "name": "campaign", "value": "Curse of Strahd"}, {"type": 6, "name": "user", "value": player}])
        payload["data"]["resolved"] = {"users": {player: {"id": player, "username": name}}}
        bot.interact(payload)
        assert bot.run_worker().failed == 0
        texts.append(emu.original_message(payload["token"])["content"])
    assert texts[0].startswith("✅")
    assert "Discord is limiting how fast I can give members roles in this server." in texts[1]
    assert said_until(texts[1]) > time.time() + HOUR - 60
    assert bot.aws.drain(bot.aws.dlq_url) == []


def test_a_long_global_limit_pauses_every_instance_and_blames_no_server(bot, emu, guild, gm, aws):
    # The worker as deployed: its budget's pause is shared through the campaign table, so a long
    # global 429 met by one instance stops the next instance's build too, before it sends.
    def instance() -> DiscordRest:
        return DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 2.0),
                           budget=RateBudget.share(2, pause=GlobalPause(aws.dynamodb, aws.table_name)))

    bot.rest = bot.worker.rest = instance()
    emu.faults.rate_limit_storm(1, method="POST", path_regex=r"/roles$", retry_after=1.5 * HOUR,
                                is_global=True)
    first = bot.add_campaign(guild, gm)
    assert bot.run_worker().failed == 0
    text = emu.original_message(first["token"])["content"]
    assert "Discord is limiting how fast I can send anything to Discord, in this server or any other." in text
    assert "create roles" not in text
    assert said_until(text) >= time.time() + HOUR

    other = emu.add_guild(name="Elsewhere", bot_permissions=BOT_PERMISSIONS)
    bot.rest = bot.worker.rest = instance()  # another container: it knows only the shared item
    sent_before = emu.count(method="POST", path_regex=r"/guilds/\d+/roles$")
    second = bot.add_campaign(other, emu.add_member(other, name="bea", permissions=p.MANAGE_CHANNELS))
    assert bot.run_worker().failed == 0
    assert "in this server or any other" in emu.original_message(second["token"])["content"]
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/roles$") == sent_before, "it sent no create"
    assert emu.count(status=429) == 1, "the second instance met no 429 of its own"
    assert bot.campaign(other).failure["retry_at"] >= time.time() + HOUR
