"""`per-player` channels on a server whose admin didn't give the bot what private threads need:
Create Private Threads and Send Messages in Threads (to start each player's thread and add them:
developers/resources/channel.mdx "Start Thread without Message", "Add Thread Member") and Manage
Threads (which the GM role's overwrite can only carry if the bot holds it, and without which GMs
don't see private threads: topics/threads.mdx "Permissions"). A build stops before creating
anything and says which to give; the doctor names them when lost since."""

import pytest

from channelwright.discord import permissions as p
from channelwright.templates.schema import validate
from tests.campaigns.test_access_modes import EVERYONE_DEFAULT
from tests.campaigns.test_doctor import doctor
from tests.campaigns.test_per_player import NAME, TEMPLATE, desk, guild, member_change  # noqa: F401
from tests.campaigns.test_doctor import put_overwrite
from tests.support.bot import BOT_PERMISSIONS
from tests.support.servers import MEMBER, run

THREADS = p.CREATE_PRIVATE_THREADS | p.SEND_MESSAGES_IN_THREADS | p.MANAGE_THREADS


def start_build(bot, emu, guild, gm):
    bot.templates.put(guild, validate(TEMPLATE), author_id=gm)
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": NAME}, {"type": 3, "name": "template", "value": "letters"}])
    bot.interact(payload)
    bot.run_worker()
    return emu.original_message(payload["token"])["content"]


@pytest.mark.parametrize("lacking, named", [
    (p.MANAGE_THREADS, "Manage Threads"),
    (p.CREATE_PRIVATE_THREADS, "Create Private Threads"),
])
def test_a_build_without_what_private_threads_need_stops_before_creating_anything(
        bot, emu, guild, gm, lacking, named):
    emu.set_everyone_permissions(guild, EVERYONE_DEFAULT)  # which may grant none of them
    emu.set_bot_permissions(guild, (BOT_PERMISSIONS | THREADS) & ~lacking)
    text = start_build(bot, emu, guild, gm)
    assert f"My role is missing {named}" in text
    assert "per-player" in text and "private thread" in text
    assert f"give my role {named}" in text and "/add-campaign` again" in text
    assert not [c for c in emu.guild_channels(guild) if c["name"] in (NAME, "general", "gm-desk")]
    assert not [r for r in emu.guild_roles(guild) if r["name"].startswith(NAME)]


def test_with_them_the_gms_see_every_players_thread(bot, emu, guild, gm, player, desk):
    member_change(bot, guild, gm, "add-player", player)
    [thread] = emu.threads_in(desk)
    assert emu.visible_to(thread["id"], gm)


def test_the_doctor_names_manage_threads_taken_from_the_bot_since_the_build(bot, emu, guild, gm, desk):
    emu.set_bot_permissions(guild, (BOT_PERMISSIONS | THREADS) & ~p.MANAGE_THREADS)
    _, _, text = doctor(bot, guild, gm)
    assert "Manage Threads" in text



def refuse_threads_in(bot, emu, guild, desk):
    """An admin edits the bot's own overwrite on the per-player channel, dropping Create Private
    Threads, which @everyone doesn't give either."""
    emu.set_everyone_permissions(guild, EVERYONE_DEFAULT)
    put_overwrite(bot, desk, emu.bot_user_id,
                  kind=MEMBER, allow=p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY
                  | p.SEND_MESSAGES_IN_THREADS)


THREADLESS = "is a player in “Curse of Strahd” now, but has no private thread yet."
DOCTOR_FIX = "Run `/campaign-doctor` on “Curse of Strahd”"


def test_a_player_added_when_the_thread_cannot_be_made_is_told_so_and_what_to_do(
        bot, emu, guild, gm, player, desk):
    refuse_threads_in(bot, emu, guild, desk)
    text = member_change(bot, guild, gm, "add-player", player)
    assert f"<@{player}> {THREADLESS}" in text and DOCTOR_FIX in text
    assert "Manage Roles" not in text  # not what is in the way
    assert player in bot.campaign(guild, NAME).players and emu.threads_in(desk) == []


def test_a_player_who_joins_when_the_thread_cannot_be_made_is_told_so(bot, emu, guild, gm, player, desk):
    run(bot, guild, gm, "campaign-settings", [{"type": 3, "name": "name", "value": NAME},
                                              {"type": 3, "name": "joining", "value": "open"}])
    refuse_threads_in(bot, emu, guild, desk)
    text = run(bot, guild, player, "join-campaign", [{"type": 3, "name": "name", "value": NAME}])[2]
    assert f"<@{player}> {THREADLESS}" in text and DOCTOR_FIX in text
    assert player in bot.campaign(guild, NAME).players
