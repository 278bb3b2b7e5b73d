"""The invocation's deadline bounds the build: nothing is sent past it, however slow Discord is,
and what a request cut off there did is found by the next invocation, exactly once."""

import time

from channelwright.discord.rest import DiscordRest
from tests.campaigns.test_campaign_build import assert_complete_and_private, campaign_state
from tests.support.servers import final_text


def discord_done(emu, within_s: float = 10.0) -> None:
    """Wait until the emulator has answered every request it received (a synchronisation)."""
    give_up = time.monotonic() + within_s
    while any(r.finished is None for r in emu.requests) and time.monotonic() < give_up:
        time.sleep(0.05)


def test_nothing_is_sent_past_the_deadline_and_the_next_invocation_finishes_exactly_once(
        bot, emu, guild, gm, player):
    payload = bot.add_campaign(guild, gm)
    rest = bot.worker.rest = DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 10.0))
    emu.latency = 3.0  # each answer takes longer than the time the first role's create has left
    deadline = rest.deadline = time.monotonic() + 5.5  # enough to start the first step only
    try:
        assert bot.events.poll_once() == 10
    finally:
        emu.latency, rest.deadline = 0.0, float("inf")
    first = list(emu.requests)
    assert first and all(r.started <= deadline for r in first), "nothing sent past the deadline"
    assert bot.events.stats.failed == 10, "every record went back to the queue"
    discord_done(emu)  # Discord finishes the create it was given, as it would
    assert [r["name"] for r in emu.guild_roles(guild) if r["name"].startswith("Curse")] == \
        ["Curse of Strahd Players"], "Discord made the role whose answer was cut off"

    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.count(method="POST", path_regex=r"^/guilds/\d+/roles$") == 2, "each role made once"
    assert len(campaign_state(emu, guild)[0]) == 2
    assert final_text(emu, payload["token"]).startswith("✅ Campaign ready")
    assert bot.aws.drain(bot.aws.dlq_url) == []


def test_the_invocation_after_one_stopped_early_lists_the_server_once_for_all_its_pending_steps(
        bot, emu, guild, gm, player):
    """The stopped invocation marked every step of its batch pending; the next one reconciles
    them all from one channel listing and one role listing, not one per step (the final check,
    which reads the server once more, judges what the earlier invocation recorded)."""
    payload = bot.add_campaign(guild, gm)
    rest = bot.worker.rest = DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 10.0))
    emu.latency = 3.0
    rest.deadline = time.monotonic() + 5.5
    try:
        bot.events.poll_once()
    finally:
        emu.latency, rest.deadline = 0.0, float("inf")
    discord_done(emu)
    emu.clear_requests()

    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.count(method="GET", path_regex=r"^/guilds/\d+/roles$") <= 2
    assert emu.count(method="GET", path_regex=r"^/guilds/\d+/channels$") <= 2
    assert emu.count(method="POST", path_regex=r"^/guilds/\d+/roles$") == 1, "the cut-off role adopted"
    assert len(campaign_state(emu, guild)[2]) == 10
    assert final_text(emu, payload["token"]).startswith("✅ Campaign ready")
