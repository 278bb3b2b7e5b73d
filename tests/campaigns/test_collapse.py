"""/archive-campaign mode:collapse end to end against the emulator: the transcript (downloaded from
the emulator's CDN), the channels deleted and the slots counted, GM-only privacy, faults mid
collapse, and /unarchive-campaign rebuilding the layout (or refusing, with numbers)."""

import re

import pytest
import requests

from channelwright.discord import permissions as p
from tests.campaigns.test_archive import (
    GM_ONLY,
    NAME,
    build,
    campaign_channels,
    name_option,
    server_layout,
    take_from_server,
)
from tests.support.servers import final_text, run

CATEGORY = 4
TRANSCRIPT = "transcript-curse-of-strahd.md"
GM_TRANSCRIPT = "transcript-curse-of-strahd-gm.md"


def collapse(bot, guild, user, *, reveal=None):
    options = [name_option(), {"type": 3, "name": "mode", "value": "collapse"}]
    if reveal is not None:
        options.append({"type": 5, "name": "reveal-gm-channels", "value": reveal})
    return run(bot, guild, user, "archive-campaign", options)


def unarchive(bot, guild, user):
    return run(bot, guild, user, "unarchive-campaign", [name_option()])


def say(bot, channel_id, *lines):
    for line in lines:
        bot.worker.api.create_message(channel_id, line)


def played(bot, emu, guild, gm, player):
    """A built campaign with a history: 3 messages in #general, 2 in #dice-rolls, a secret in
    #gm-notes. Returns {channel name: id} as built."""
    build(bot, guild, gm, player)
    ids = {name: c["id"] for name, c in campaign_channels(emu, bot.campaign(guild)).items()}
    say(bot, ids["general"], "We enter Barovia.", "The mists close behind us.", "Ireena joins.")
    say(bot, ids["dice-rolls"], "d20: 17", "d20: 3")
    say(bot, ids["gm-notes"], "SECRET: Strahd is watching.")
    return ids


def files_in(emu, channel_id):
    """{filename: downloaded text} of the transcript files posted in the channel."""
    found = {}
    for message in emu.channel_messages(channel_id):
        for attachment in message["attachments"]:
            response = requests.get(attachment["url"], timeout=10)
            assert response.status_code == 200
            found[attachment["filename"]] = response.content.decode()
    return found


def kept_channels(emu, guild):
    return {c["name"]: c for c in emu.guild_channels(guild) if "archive" in c["name"]}


def test_collapse_keeps_every_message_in_a_transcript_and_gives_the_slots_back(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    before = len(emu.guild_channels(guild))
    _, _, text = collapse(bot, guild, gm)

    campaign = bot.campaign(guild)
    assert campaign.status == "archived" and campaign.archive["mode"] == "collapse"
    kept = kept_channels(emu, guild)
    assert sorted(kept) == ["curse-of-strahd-archive", "curse-of-strahd-gm-archive"]
    assert kept["curse-of-strahd-archive"]["id"] == ids["announcements"], "the first text channel stays"
    assert all(c["parent_id"] is None for c in kept.values())
    # 11 channels (10 and the category) less the 2 kept: 9 slots back.
    assert len(emu.guild_channels(guild)) == before - 9
    assert not [c for c in emu.guild_channels(guild) if c["type"] == CATEGORY and NAME in c["name"]]

    players_file = files_in(emu, ids["announcements"])[TRANSCRIPT]
    said = ["We enter Barovia.", "The mists close behind us.", "Ireena joins.", "d20: 17", "d20: 3"]
    positions = [players_file.index(line) for line in said]
    assert positions == sorted(positions), "every message, oldest first, channel by channel"
    assert players_file.index("## #general") < positions[0] < players_file.index("## #dice-rolls") < positions[3]
    assert re.search(r"\*\*\S+\*\* · \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nWe enter Barovia\.", players_file)
    assert "SECRET" not in players_file
    assert "SECRET: Strahd is watching." in files_in(emu, ids["gm-notes"])[GM_TRANSCRIPT]

    assert text.startswith(f"🗜️ Collapsed **{NAME}**")
    assert f"**Transcript:** 5 messages in <#{ids['announcements']}>" in text
    assert f"**Transcript:** 1 message in <#{ids['gm-notes']}> (GMs only" in text
    assert "**Channel slots back:** 9 (8 channels and 1 category)." in text
    assert "**This server:**" in text


def test_players_read_the_transcript_but_never_the_gm_only_one_and_cannot_post(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    collapse(bot, guild, gm)
    theirs = emu.permissions_in(ids["announcements"], player)
    assert theirs & p.VIEW_CHANNEL and theirs & p.READ_MESSAGE_HISTORY
    assert not theirs & p.SEND_MESSAGES
    assert not emu.permissions_in(ids["gm-notes"], player) & p.VIEW_CHANNEL
    assert emu.permissions_in(ids["gm-notes"], gm) & p.READ_MESSAGE_HISTORY


def test_revealed_gm_channels_go_into_the_players_transcript_and_only_one_channel_stays(
        bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    _, _, text = collapse(bot, guild, gm, reveal=True)
    assert sorted(kept_channels(emu, guild)) == ["curse-of-strahd-archive"]
    assert "SECRET: Strahd is watching." in files_in(emu, ids["announcements"])[TRANSCRIPT]
    assert "**Channel slots back:** 10 (9 channels and 1 category)." in text


def test_a_long_history_is_read_page_by_page(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    emu.set_global_limit(None)
    emu.set_bucket(r"^POST /channels/", 500, 1.0)
    say(bot, ids["session-notes"], *[f"note {n:03}" for n in range(230)])
    collapse(bot, guild, gm)
    players_file = files_in(emu, ids["announcements"])[TRANSCRIPT]
    positions = [players_file.index(f"note {n:03}") for n in range(230)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("fault", ["5xx", "lost reply"])
def test_a_fault_on_the_transcript_post_still_gives_exactly_one_transcript(bot, emu, guild, gm, player, fault):
    ids = played(bot, emu, guild, gm, player)
    path = rf"/channels/{ids['announcements']}/messages$"
    if fault == "5xx":
        emu.faults.fail_next(1, status=502, method="POST", path_regex=path)
    else:
        emu.faults.lose_reply(1, method="POST", path_regex=path)
    _, _, text = collapse(bot, guild, gm)
    assert bot.campaign(guild).status == "archived", text
    transcripts = [m for m in emu.channel_messages(ids["announcements"]) if m["attachments"]]
    assert len(transcripts) == 1
    assert "Ireena joins." in files_in(emu, ids["announcements"])[TRANSCRIPT]
    assert text.startswith(f"🗜️ Collapsed **{NAME}**")


def test_a_crash_between_deletes_then_the_retry_finishes(bot, emu, guild, gm, player, monkeypatch):
    ids = played(bot, emu, guild, gm, player)
    from channelwright.discord.api import DiscordApi

    original, deleted = DiscordApi.delete_channel, []

    def crashing(self, channel_id, *, reason):
        if len(deleted) == 3:
            deleted.append("crash")
            raise RuntimeError("the worker died here")
        deleted.append(channel_id)
        return original(self, channel_id, reason=reason)

    monkeypatch.setattr(DiscordApi, "delete_channel", crashing)
    _, _, text = collapse(bot, guild, gm)
    assert "crash" in deleted, "the first try stopped part way"
    assert bot.campaign(guild).status == "archived"
    assert len([m for m in emu.channel_messages(ids["announcements"]) if m["attachments"]]) == 1
    assert sorted(kept_channels(emu, guild)) == ["curse-of-strahd-archive", "curse-of-strahd-gm-archive"]
    assert "**Channel slots back:** 9 (8 channels and 1 category)." in text


def test_a_redelivered_collapse_task_changes_nothing_more_and_answers_again(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    payload = emu.create_interaction(guild, gm, "archive-campaign",
                                     options=[name_option(), {"type": 3, "name": "mode", "value": "collapse"}])
    bot.interact(payload)
    bot.run_worker(deliver_twice=True)
    assert bot.campaign(guild).status == "archived"
    assert len([m for m in emu.channel_messages(ids["announcements"]) if m["attachments"]]) == 1
    assert final_text(emu, payload["token"]).startswith(f"🗜️ Collapsed **{NAME}**")


def test_collapse_is_refused_when_the_bot_cannot_read_a_channel(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    from tests.support.servers import EDIT_CHANNEL_PERMISSIONS, overwrite

    bot_id = emu.bot_user_id
    bot.rest.request(EDIT_CHANNEL_PERMISSIONS.compile(channel_id=ids["dice-rolls"], overwrite_id=bot_id),
                     json={k: v for k, v in overwrite(bot_id, kind=1, allow=p.VIEW_CHANNEL,
                                                      deny=p.READ_MESSAGE_HISTORY).items() if k != "id"})
    before = sorted(c["id"] for c in emu.guild_channels(guild))
    _, _, text = collapse(bot, guild, gm)
    assert "I can't collapse “Curse of Strahd”: I lack Read Message History in #dice-rolls." in text
    assert "Nothing was changed." in text
    assert sorted(c["id"] for c in emu.guild_channels(guild)) == before
    assert bot.campaign(guild).status == "completed"


def test_unarchive_rebuilds_a_collapsed_campaign(bot, emu, guild, gm, player):
    ids = played(bot, emu, guild, gm, player)
    before = len(emu.guild_channels(guild))
    collapse(bot, guild, gm)
    _, _, text = unarchive(bot, guild, gm)

    campaign = bot.campaign(guild)
    assert campaign.status == "completed" and campaign.archive is None
    assert len(emu.guild_channels(guild)) == before
    channels = campaign_channels(emu, campaign)
    assert len(channels) == 10
    category = campaign.resources["category"]["id"]
    assert all(c["parent_id"] == category for c in channels.values())
    assert channels["announcements"]["id"] == ids["announcements"], "the kept channel is back, with its history"
    assert TRANSCRIPT in files_in(emu, ids["announcements"])
    assert emu.permissions_in(ids["announcements"], player) & p.SEND_MESSAGES, "players post again"
    for name, channel in channels.items():
        sees = emu.permissions_in(channel["id"], player) & p.VIEW_CHANNEL
        assert bool(sees) == (name not in GM_ONLY), name
    assert text.startswith(f"📂 Unarchived **{NAME}**: its layout is rebuilt.")
    assert "**Made again:** #general, #session-notes" in text
    assert "**This server:**" in text


def test_a_lost_reply_while_rebuilding_makes_each_channel_once(bot, emu, guild, gm, player):
    played(bot, emu, guild, gm, player)
    before = len(emu.guild_channels(guild))
    collapse(bot, guild, gm)
    emu.faults.lose_reply(2, method="POST", path_regex=r"/guilds/\d+/channels$")
    _, _, text = unarchive(bot, guild, gm)
    assert bot.campaign(guild).status == "completed", text
    assert len(emu.guild_channels(guild)) == before
    assert len(campaign_channels(emu, bot.campaign(guild))) == 10


def test_a_server_too_full_to_unarchive_is_refused_with_numbers_and_nothing_is_created(
        bot, emu, guild, gm, player):
    played(bot, emu, guild, gm, player)
    collapse(bot, guild, gm)
    have = len(emu.guild_channels(guild))
    for n in range(500 - have - 3):  # room for 3 channels; the campaign needs 9
        emu.add_channel(guild, f"filler-{n}")
    full = sorted(c["id"] for c in emu.guild_channels(guild))
    _, _, text = unarchive(bot, guild, gm)
    assert "This server has no room for the campaign's channels." in text
    assert "This server has 497 of 500 channels; the campaign needs 9. Nothing new was created." in text
    assert sorted(c["id"] for c in emu.guild_channels(guild)) == full
    assert bot.campaign(guild).status == "archived"


def test_a_collapsed_campaign_is_shown_as_such(bot, emu, guild, gm, player):
    played(bot, emu, guild, gm, player)
    collapse(bot, guild, gm)
    _, listed, _ = run(bot, guild, gm, "list-campaigns")
    assert f"**{NAME}** — 🗜️ archived, collapsed into a transcript" in listed["data"]["content"]
    _, _, info = run(bot, guild, gm, "campaign-info", [name_option()])
    assert info.startswith(f"**{NAME}** — 🗜️ archived, collapsed into a transcript "
                           "(`/unarchive-campaign` rebuilds it)")
    assert "⚠️ Missing (9), deleted by the collapse:" in info


def test_a_forum_that_may_hold_posts_is_never_collapsed_away(bot, emu, guild, gm, player, monkeypatch):
    # A forum's posts are threads; Discord sets a forum's last_message_id to its last thread's id
    # (developers/resources/channel.mdx, "Channel Object"). The emulator models no threads, so
    # the listing shows a forum with a post the way Discord would.
    played(bot, emu, guild, gm, player)
    from channelwright.discord.api import DiscordApi

    original = DiscordApi.guild_channels

    def listing(self, guild_id):
        return [{**c, "last_message_id": c["id"]} if c["name"] == "lore-and-worldbuilding" else c
                for c in original(self, guild_id)]

    monkeypatch.setattr(DiscordApi, "guild_channels", listing)
    before = sorted(c["id"] for c in emu.guild_channels(guild))
    _, _, text = collapse(bot, guild, gm)
    assert "I can't collapse “Curse of Strahd”: its forum #lore-and-worldbuilding may hold posts." in text
    assert "Use `/archive-campaign` with mode lock instead" in text
    assert sorted(c["id"] for c in emu.guild_channels(guild)) == before
    assert bot.campaign(guild).status == "completed"


def test_a_transcript_past_the_file_limit_goes_on_in_numbered_files_and_messages_of_ten():
    from channelwright.campaigns import transcript

    messages = [{"id": str(n), "author": {"username": "bob"}, "timestamp": "2026-11-30T01:02:03+00:00",
                 "content": f"line {n:04} " + "x" * 80} for n in range(600)]
    files = transcript.files("Transcript", "transcript-x",
                             [transcript.Section("general", "text", messages)], limit=4000)
    assert len(files) > 10 and all(len(f.content) <= 4000 for f in files)
    assert [f.filename for f in files[:2]] == ["transcript-x-1.md", "transcript-x-2.md"]
    text = "".join(f.content.decode() for f in files)
    positions = [text.index(f"line {n:04} ") for n in range(600)]
    assert positions == sorted(positions), "every message once, in order, across the files"
    assert "## #general (text, continued)" in files[1].content.decode()
    batches = transcript.batches(files)
    assert [len(b) for b in batches[:-1]] == [10] * (len(batches) - 1)
    assert sum(map(len, batches)) == len(files)
    one = transcript.files("Transcript", "transcript-x", [transcript.Section("general", "text", messages[:3])])
    assert [f.filename for f in one] == ["transcript-x.md"]


def test_collapse_is_refused_before_any_change_when_my_role_lost_a_permission_the_lock_puts(
        bot, emu, guild, gm, player):
    played(bot, emu, guild, gm, player)
    before = server_layout(emu, guild)
    take_from_server(emu, guild, p.EMBED_LINKS)
    _, _, text = collapse(bot, guild, gm)
    assert f"I can't collapse “{NAME}”: my role is missing Embed Links in this server." in text
    assert "Nothing was changed." in text
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"


def test_a_redelivered_unarchive_of_a_collapsed_campaign_answers_truly(bot, emu, guild, gm, player):
    """The first delivery rebuilds the layout and forgets the snapshot; the second finds the
    campaign unarchived already and says so, never in a lock's words."""
    played(bot, emu, guild, gm, player)
    collapse(bot, guild, gm)
    payload = emu.create_interaction(guild, gm, "unarchive-campaign", options=[name_option()])
    bot.interact(payload)
    bot.run_worker(deliver_twice=True)
    campaign = bot.campaign(guild)
    assert campaign.status == "completed"
    assert len(campaign_channels(emu, campaign)) == 10
    text = final_text(emu, payload["token"])
    assert text.startswith(f"📂 Unarchived **{NAME}**: it was unarchived already, so nothing "
                           "more was changed.")
    assert "permissions and its category's name and position are back" not in text
