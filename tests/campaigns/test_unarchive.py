"""/unarchive-campaign end to end against the emulator: archive then unarchive puts back the
overwrites, names and positions exactly, also after a partial archive, with the server's counts."""

import pytest

from channelwright.discord import permissions as p

from tests.campaigns.test_archive import (
    CATEGORY,
    NAME,
    archive,
    build,
    campaign_channels,
    give_back,
    server_layout,
    take_from_server,
    unarchive,
)


@pytest.fixture
def other_category(emu, guild):
    return emu.add_channel(guild, "Lobby", type=CATEGORY)


@pytest.mark.parametrize("reveal", [False, True])
def test_archive_then_unarchive_restores_the_server_exactly(
        bot, emu, guild, gm, player, other_category, reveal):
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    archive(bot, guild, gm, reveal=reveal)
    assert server_layout(emu, guild) != before

    _, reply, text = unarchive(bot, guild, gm)
    assert reply["type"] == 5 and reply["data"]["flags"] == 64
    assert server_layout(emu, guild) == before
    campaign = bot.campaign(guild)
    assert campaign.status == "completed" and campaign.archive is None
    assert text.startswith(f"📂 Unarchived **{NAME}**: its channels' permissions and its "
                           "category's name and position are back")
    channels = len(emu.guild_channels(guild))
    roles = len(emu.guild_roles(guild))
    assert (f"**This server:** {channels} of 500 channels (2 of them categories) · "
            f"{roles} of 250 roles") in text

    # Archived again, the snapshot is taken afresh from the server as it now is.
    archive(bot, guild, gm)
    assert bot.campaign(guild).status == "archived"
    unarchive(bot, guild, gm)
    assert server_layout(emu, guild) == before


def test_unarchive_after_a_partial_archive_restores_everything(
        bot, emu, guild, gm, player, other_category):
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    # Discord fails every edit after the first four, on every attempt: the archive stops part
    # way and the GM is told on the last one.
    from channelwright.discord.api import DiscordApi
    from channelwright.discord.errors import DiscordUnavailable

    original, sent = DiscordApi.edit_channel_permissions, []

    def failing(self, channel_id, overwrite, *, reason):
        if len(sent) >= 4:
            raise DiscordUnavailable("503 from Discord")
        sent.append(channel_id)
        return original(self, channel_id, overwrite, reason=reason)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DiscordApi, "edit_channel_permissions", failing)
        _, _, text = archive(bot, guild, gm)
    assert bot.campaign(guild).status == "archiving", text
    assert "Discord kept failing" in text
    assert server_layout(emu, guild) != before, "some edits were made"

    _, _, text = unarchive(bot, guild, gm)
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"
    assert text.startswith(f"📂 Unarchived **{NAME}**")


def test_a_stopped_archive_is_finished_by_archiving_again(bot, emu, guild, gm, player, other_category):
    build(bot, guild, gm, player)
    emu.faults.fail_next(1000, status=503, method="PUT", path_regex=r"/permissions/\d+$")
    archive(bot, guild, gm)
    emu.faults.clear()
    first = bot.campaign(guild).archive
    _, _, text = archive(bot, guild, gm)
    campaign = bot.campaign(guild)
    assert campaign.status == "archived" and text.startswith(f"📦 Archived **{NAME}**")
    assert campaign.archive == first, "the snapshot taken before the first edit is kept"


def test_faults_mid_unarchive_still_restore_exactly(bot, emu, guild, gm, player, other_category):
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    archive(bot, guild, gm, reveal=True)
    emu.faults.lose_reply(2, method="PUT", path_regex=r"/permissions/\d+$")
    emu.faults.fail_next(2, status=500, method="PATCH", path_regex=r"/channels/\d+$")
    emu.faults.rate_limit_storm(2, method="PUT", path_regex=r"/permissions/\d+$")
    unarchive(bot, guild, gm)
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"


def test_a_channel_deleted_while_archived_is_skipped_and_named(bot, emu, guild, gm):
    build(bot, guild, gm)
    archive(bot, guild, gm)
    emu.delete_channel(campaign_channels(emu, bot.campaign(guild))["general"]["id"])
    _, _, text = unarchive(bot, guild, gm)
    assert "⚠️ Deleted by someone, so skipped: #general." in text
    assert bot.campaign(guild).status == "completed"


def test_unarchive_refuses_what_is_not_archived_and_a_redelivery_answers_again(bot, emu, guild, gm):
    build(bot, guild, gm)
    _, reply, _ = unarchive(bot, guild, gm)
    assert f"“{NAME}” isn't archived." in reply["data"]["content"]
    archive(bot, guild, gm)
    payload = emu.create_interaction(guild, gm, "unarchive-campaign",
                                     options=[{"type": 3, "name": "name", "value": NAME}])
    bot.interact(payload)
    bot.run_worker(deliver_twice=True)
    assert bot.campaign(guild).status == "completed"
    assert emu.original_message(payload["token"])["content"].startswith(f"📂 Unarchived **{NAME}**")


def test_changes_someone_made_while_archived_are_put_back_and_named(bot, emu, guild, gm):
    """A moderator renames the category and #general and rewrites the Players role's overwrite
    on #general while the campaign is archived: the unarchive puts back the server as it was
    before the archive, and says which of those changes it undid. A lock's own edits aren't
    named."""
    build(bot, guild, gm)
    before = server_layout(emu, guild)
    archive(bot, guild, gm)
    campaign = bot.campaign(guild)
    category, players = campaign.resources["category"]["id"], campaign.resources["role:players"]["id"]
    general = campaign_channels(emu, campaign)["general"]["id"]
    api = bot.worker.api
    api.modify_channel(category, {"name": "Old games"}, reason="a moderator tidies up")
    api.modify_channel(general, {"name": "general-old"}, reason="a moderator tidies up")
    api.edit_channel_permissions(general, {"id": players, "type": 0, "allow": "1024", "deny": "0"},
                                 reason="a moderator tidies up")

    _, _, text = unarchive(bot, guild, gm)

    assert server_layout(emu, guild) == before
    assert ("✏️ Changed by someone while archived, and put back as before the archive: #general "
            "(its name and permissions), the category (its name).") in text, text
    assert "session-notes" not in text and "announcements" not in text


def test_an_unarchive_after_an_untouched_archive_names_no_change(bot, emu, guild, gm):
    build(bot, guild, gm)
    archive(bot, guild, gm, reveal=True)
    _, _, text = unarchive(bot, guild, gm)
    assert "Changed by someone" not in text, text


def test_unarchive_is_refused_before_any_change_when_my_role_lost_a_permission_to_put_back(
        bot, emu, guild, gm, player):
    """The snapshot's Players overwrites allow Add Reactions; with it taken from the bot's role
    while archived, Discord would refuse to put them back (403 50013): the unarchive says which
    permission and changes nothing; given back, the unarchive restores the server exactly."""
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    archive(bot, guild, gm)
    take_from_server(emu, guild, p.ADD_REACTIONS)
    archived = server_layout(emu, guild)
    _, _, text = unarchive(bot, guild, gm)
    assert f"I can't unarchive “{NAME}”: my role is missing Add Reactions in this server." in text
    assert "Nothing was changed." in text
    assert server_layout(emu, guild) == archived
    assert bot.campaign(guild).status == "archived"
    give_back(emu, guild)
    _, _, text = unarchive(bot, guild, gm)
    assert text.startswith(f"📂 Unarchived **{NAME}**")
    assert server_layout(emu, guild) == before
