"""A server's room under Discord's limits, shown before it bites: /list-campaigns states the
server's counts, and a build that would not fit is refused with the numbers before anything is
created. End to end (signed interactions in, the worker on moto's SQS, Discord emulated)."""

import re

from channelwright.campaigns.capacity import Counts, shortfall, totals_text
from tests.support.servers import final_text, run

NAME = "Curse of Strahd"
CATEGORY = 4
TOTALS = re.compile(r"\*\*This server:\*\* (\d+) of 500 channels \((\d+) of them (?:a category|categories)\) · "
                    r"(\d+) of 250 roles · room for about (\d+) more full campaigns? \(counted <t:(\d+):R>\)")


def list_text(bot, guild, user) -> str:
    _, reply, _ = run(bot, guild, user, "list-campaigns")
    return reply["data"]["content"]


def totals(text):
    found = TOTALS.search(text)
    assert found, text
    return tuple(int(n) for n in found.groups()[:4])


def server(emu, guild):
    channels = emu.guild_channels(guild)
    return len(channels), sum(c["type"] == CATEGORY for c in channels), len(emu.guild_roles(guild))


def test_the_build_states_the_servers_totals_and_list_campaigns_shows_them(bot, emu, guild, gm):
    assert "This server:" not in list_text(bot, guild, gm)  # nothing counted yet, nothing claimed
    before = server(emu, guild)
    payload = bot.add_campaign(guild, gm, name=NAME)
    bot.run_worker()
    assert bot.campaign(guild, NAME).status == "completed"
    after = server(emu, guild)
    assert after == (before[0] + 11, before[1] + 1, before[2] + 2)

    # The summary states the server with the campaign in it, and /list-campaigns shows the same.
    stated = totals(final_text(emu, payload["token"]))
    channels, categories, roles, left = totals(list_text(bot, guild, gm))
    assert (channels, categories, roles) == after and stated == (channels, categories, roles, left)
    assert left == min((500 - channels) // 11, (250 - roles) // 2)


def test_a_server_without_room_refuses_the_build_with_numbers_and_creates_nothing(bot, emu, guild, gm):
    for i in range(495 - len(emu.guild_channels(guild))):
        emu.add_channel(guild, f"hall-{i}")
    payload = bot.add_campaign(guild, gm, name=NAME)  # queued: the worker has not run
    before = server(emu, guild)
    bot.run_worker()

    text = final_text(emu, payload["token"])
    assert "This server has no room for the campaign's channels." in text, text
    assert "This server has 495 of 500 channels; the campaign needs 11. Nothing new was created." in text
    assert "Delete unused channels, then run `/add-campaign` again." in text
    assert server(emu, guild) == before
    assert totals(list_text(bot, guild, gm))[::3] == (495, 0)


def test_a_server_without_room_for_two_roles_is_refused_before_any_channel(bot, emu, guild, gm):
    for i in range(249 - len(emu.guild_roles(guild))):
        emu.add_role(guild, f"guild-{i}")
    payload = bot.add_campaign(guild, gm, name=NAME)  # queued: the worker has not run
    before = server(emu, guild)
    bot.run_worker()

    text = final_text(emu, payload["token"])
    assert "This server has 249 of 250 roles; the campaign needs 2. Nothing new was created." in text, text
    assert server(emu, guild) == before
    assert totals(list_text(bot, guild, gm))[2:] == (249, 0)


def test_the_rule_counts_what_is_still_to_make_and_says_hidden_channels_may_leave_less():
    full = Counts(channels=490, categories=3, roles=10)
    assert shortfall(full, channels=10, roles=2, may_miss_hidden=False, command="/add-campaign") is None
    problem = shortfall(full, channels=11, roles=0, may_miss_hidden=True, command="/unarchive-campaign")
    assert problem.text().startswith("❌ **This server has no room for the campaign's channels.**")
    assert "490 of 500 channels; the campaign needs 11." in problem.text()
    assert "Channels hidden from me aren't in that count, so there may be even less room." in problem.text()
    assert "run `/unarchive-campaign` again" in problem.text()
    assert "room for about 0 more full campaigns" in totals_text(full)
