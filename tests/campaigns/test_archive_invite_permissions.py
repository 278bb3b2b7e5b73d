"""Archive (both modes), unarchive and adopt with a bot holding exactly what the invite asks for
(ops/invite.py INVITE_PERMISSIONS), not the roomier or narrower set the other tests give it.

Discord refuses an overwrite that allows or denies a permission the bot lacks
(developers/resources/channel.mdx, "Edit Channel Permissions"), and the emulator models that
refusal; the lock denies thread bits the invite lacks (Create Private Threads), so each run here
must finish with the campaign locked as promised and put back exactly."""

import pytest

from channelwright.discord import permissions as p
from channelwright.discord.rest import DiscordRest
from channelwright.ops.invite import INVITE_PERMISSIONS
from tests.campaigns import test_adopt as adopting
from tests.campaigns.test_archive import (
    GM_ONLY,
    archive,
    assert_locked,
    build,
    campaign_channels,
    server_layout,
    unarchive,
)
from tests.campaigns.test_collapse import GM_TRANSCRIPT, TRANSCRIPT, collapse, files_in, kept_channels, played
from tests.support.servers import final_text, set_everyone_permissions


@pytest.fixture
def guild(emu):
    """A server whose @everyone holds nothing, so the bot holds exactly the invite's permissions
    (a server's default @everyone holds thread and reaction bits the invite doesn't ask for)."""
    guild = emu.add_guild(name="Barovia", bot_permissions=INVITE_PERMISSIONS)
    set_everyone_permissions(DiscordRest(emu.base_url, emu.bot_token), guild, 0)
    return guild


@pytest.mark.parametrize("reveal", [False, True])
def test_lock_and_unarchive_with_the_invites_permissions(bot, emu, guild, gm, player, reveal):
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    _, _, text = archive(bot, guild, gm, reveal=reveal)
    assert text.startswith("📦 Archived **Curse of Strahd**"), text
    campaign = bot.campaign(guild)
    assert campaign.status == "archived"
    assert_locked(emu, guild, gm, player, campaign, revealed=reveal)
    for name, channel in campaign_channels(emu, campaign).items():
        if name not in GM_ONLY or reveal:
            assert not emu.permissions_in(channel["id"], player) & p.CREATE_PUBLIC_THREADS, name

    _, _, text = unarchive(bot, guild, gm)
    assert text.startswith("📂 Unarchived **Curse of Strahd**"), text
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"


def test_collapse_and_rebuild_with_the_invites_permissions(bot, emu, guild, gm, player):
    played(bot, emu, guild, gm, player)
    _, _, text = collapse(bot, guild, gm)
    assert text.startswith("🗜️ Collapsed **Curse of Strahd**"), text
    kept = kept_channels(emu, guild)
    assert set(files_in(emu, kept["curse-of-strahd-archive"]["id"])) == {TRANSCRIPT}
    assert set(files_in(emu, kept["curse-of-strahd-gm-archive"]["id"])) == {GM_TRANSCRIPT}
    readable = emu.permissions_in(kept["curse-of-strahd-archive"]["id"], player)
    assert readable & p.VIEW_CHANNEL and not readable & p.SEND_MESSAGES
    assert not emu.visible_to(kept["curse-of-strahd-gm-archive"]["id"], player)

    _, _, text = unarchive(bot, guild, gm)
    assert text.startswith("📂 Unarchived **Curse of Strahd**: its layout is rebuilt."), text
    assert len(campaign_channels(emu, bot.campaign(guild))) == 10
    assert bot.campaign(guild).status == "completed"


def test_adopt_then_archive_and_unarchive_with_the_invites_permissions(bot, emu, guild, gm, player):
    category, channels, masters = adopting.table.__wrapped__(emu, guild, gm, player)
    payload = adopting.adopt(bot, guild, gm, category, gm_role=masters)
    assert "Nothing changes until you press Confirm" in final_text(emu, payload["token"])
    adopting.confirm(bot, payload, gm)
    assert emu.original_message(payload["token"])["content"].startswith("✅ Adopted")
    campaign = bot.campaign(guild, adopting.NAME)
    emu.give_role(guild, player, campaign.resources["role:players"]["id"])
    before = server_layout(emu, guild)

    _, _, text = archive(bot, guild, gm, name=adopting.NAME)
    assert text.startswith(f"📦 Archived **{adopting.NAME}**"), text
    for name, closed in (("general", p.SEND_MESSAGES), ("table-talk", p.CONNECT)):
        held = emu.permissions_in(channels[name], player)
        assert held & p.VIEW_CHANNEL and not held & closed, name
    assert not emu.visible_to(channels["gm-notes"], player)

    unarchive(bot, guild, gm, name=adopting.NAME)
    assert server_layout(emu, guild) == before
