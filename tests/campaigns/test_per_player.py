"""`per-player` channels end to end: each player added gets a private thread under the GM
channel, which only they and the GMs see (the emulator's model of topics/threads.mdx
"Permissions"); a player removed loses sight of it, the thread staying for the GMs; a lost reply
to the thread's create still leaves exactly one thread."""

import time

import pytest

from channelwright.discord import permissions as p
from channelwright.discord.errors import OutcomeUnknown
from channelwright.templates.schema import TemplateInvalid, validate
from tests.campaigns.test_access_modes import EVERYONE_DEFAULT, build, children_of, roles_of
from tests.support.bot import BOT_PERMISSIONS
from tests.support import servers
from tests.support.servers import run

NAME = "Curse of Strahd"
TEMPLATE = {"id": "letters", "title": "Letters", "channels": [
    {"name": "general", "type": "text"},
    {"name": "gm-desk", "type": "text", "access": "per-player"},
]}


@pytest.fixture
def guild(emu):
    """The bot also holds Manage Threads: only what it holds may go into the GM role's overwrite
    (access.py), and that is how GMs see the players' private threads."""
    gid = emu.add_guild(name="Barovia", bot_permissions=BOT_PERMISSIONS | p.MANAGE_THREADS)
    emu.set_everyone_permissions(gid, EVERYONE_DEFAULT | p.CREATE_PRIVATE_THREADS)
    return gid


def member_change(bot, guild, gm, command, user):
    return servers.member_change(bot, guild, gm, command, user, NAME)


@pytest.fixture
def desk(bot, emu, guild, gm):
    bot.templates.put(guild, validate(TEMPLATE), author_id=gm)
    build(bot, emu, guild, gm, "letters")
    return children_of(emu, guild)["gm-desk"]["id"]


def test_each_player_sees_only_their_own_thread_and_the_gm_sees_all(bot, emu, guild, gm, player, desk):
    carol, outsider = emu.add_member(guild, name="carol"), emu.add_member(guild, name="dave")
    assert "is now a player" in member_change(bot, guild, gm, "add-player", player)
    assert "is now a player" in member_change(bot, guild, gm, "add-player", carol)
    threads = {t["name"]: t for t in emu.threads_in(desk)}
    assert sorted(threads) == ["bob", "carol"]
    assert all(t["type"] == 12 and t["parent_id"] == desk for t in threads.values())
    bobs, carols = threads["bob"]["id"], threads["carol"]["id"]
    assert [emu.visible_to(bobs, u) for u in (player, carol, gm, outsider)] == [True, False, True, False]
    assert [emu.visible_to(carols, u) for u in (player, carol, gm, outsider)] == [False, True, True, False]
    # The channel itself: GMs post, players read and talk only in threads.
    assert emu.permissions_in(desk, player) & p.SEND_MESSAGES_IN_THREADS
    assert not emu.permissions_in(desk, player) & p.SEND_MESSAGES
    assert not emu.visible_to(desk, outsider)
    assert bot.campaign(guild, NAME).resources[f"thread:channel:1:{player}"]["id"] == bobs


def test_a_removed_player_no_longer_sees_their_thread_which_stays(bot, emu, guild, gm, player, desk):
    member_change(bot, guild, gm, "add-player", player)
    [thread] = emu.threads_in(desk)
    assert "is no longer a player" in member_change(bot, guild, gm, "remove-player", player)
    assert not emu.visible_to(thread["id"], player)
    assert emu.visible_to(thread["id"], gm)
    assert [t["id"] for t in emu.threads_in(desk)] == [thread["id"]]
    member_change(bot, guild, gm, "add-player", player)  # back: the same thread again
    assert [t["id"] for t in emu.threads_in(desk)] == [thread["id"]]
    assert emu.visible_to(thread["id"], player)


def test_adding_twice_makes_one_thread(bot, emu, guild, gm, player, desk):
    member_change(bot, guild, gm, "add-player", player)
    member_change(bot, guild, gm, "add-player", player)
    assert len(emu.threads_in(desk)) == 1


def test_a_lost_reply_on_the_threads_create_leaves_exactly_one(bot, emu, guild, gm, player, desk):
    emu.faults.lose_reply(method="POST", path_regex=r"/threads$")
    member_change(bot, guild, gm, "add-player", player)
    assert sum(r.reply_lost for r in emu.requests) == 1
    [thread] = emu.threads_in(desk)
    assert emu.visible_to(thread["id"], player)
    assert bot.campaign(guild, NAME).resources[f"thread:channel:1:{player}"]["id"] == thread["id"]


def test_players_role_cannot_talk_in_the_channel_itself(bot, emu, guild, gm, player, desk):
    emu.give_role(guild, player, roles_of(emu, guild, NAME)["Players"])
    held = emu.permissions_in(desk, player)
    assert held & p.VIEW_CHANNEL and not held & (p.SEND_MESSAGES | p.CREATE_PRIVATE_THREADS)


def test_per_player_needs_a_text_channel():
    with pytest.raises(TemplateInvalid, match="per-player needs a text channel"):
        validate({"id": "x", "title": "X", "channels": [{"name": "den", "type": "voice", "access": "per-player"}]})


def test_a_player_back_after_their_thread_was_archived_gets_into_it_again(bot, emu, guild, gm, player, desk):
    member_change(bot, guild, gm, "add-player", player)
    [thread] = emu.threads_in(desk)
    emu.archive_thread(thread["id"])  # a week without a message (topics/threads.mdx "Thread Archiving")
    assert "is no longer a player" in member_change(bot, guild, gm, "remove-player", player)
    assert not emu.visible_to(thread["id"], player)
    emu.archive_thread(thread["id"])
    assert "is now a player" in member_change(bot, guild, gm, "add-player", player)
    assert [t["id"] for t in emu.threads_in(desk)] == [thread["id"]]
    assert emu.visible_to(thread["id"], player)


def test_a_thread_deleted_by_hand_is_made_again_when_the_player_is_next_added(bot, emu, guild, gm, player, desk):
    member_change(bot, guild, gm, "add-player", player)
    [old] = emu.threads_in(desk)
    emu.delete_channel(old["id"])
    assert "is now a player" in member_change(bot, guild, gm, "add-player", player)
    [new] = emu.threads_in(desk)
    assert new["id"] != old["id"] and emu.visible_to(new["id"], player)
    assert bot.campaign(guild, NAME).resources[f"thread:channel:1:{player}"]["id"] == new["id"]


def test_a_lost_create_reply_found_later_among_archived_threads_is_kept(bot, emu, guild, gm, player, desk):
    """The create landed, its reply was lost, and the retry came after Discord archived it."""
    campaign = bot.campaign(guild, NAME)
    key = f"thread:channel:1:{player}"
    bot.store.mark_pending(campaign, [key], 0)
    made = bot.worker.api.start_private_thread(desk, "bob", reason="a create whose reply was lost")
    emu.archive_thread(made["id"])
    member_change(bot, guild, gm, "add-player", player)
    assert [t["id"] for t in emu.threads_in(desk)] == [made["id"]]
    assert emu.visible_to(made["id"], player)


def test_a_lost_create_reply_is_found_again_after_the_player_was_renamed(bot, emu, guild, gm, player, desk):
    """The first delivery marked the thread pending and made it under the name the player had
    then ("bobby"); its reply was lost. The retry, the player named "bob" now, takes that thread
    and makes no second one."""
    campaign = bot.campaign(guild, NAME)
    key = f"thread:channel:1:{player}"
    assert bot.store.claim_pending(campaign, key, int(time.time() * 1000))
    emu.faults.lose_reply(method="POST", path_regex=r"/threads$")
    with pytest.raises(OutcomeUnknown):
        bot.worker.api.start_private_thread(desk, "bobby", reason="the first delivery's create")
    [made] = emu.threads_in(desk)
    member_change(bot, guild, gm, "add-player", player)
    assert [t["id"] for t in emu.threads_in(desk)] == [made["id"]]
    assert emu.visible_to(made["id"], player)
    assert bot.campaign(guild, NAME).resources[key]["id"] == made["id"]


def test_a_renamed_players_lost_thread_is_not_taken_while_another_players_is_pending(
        bot, emu, guild, gm, player, desk):
    """Two players' creates pending in one channel: a thread not of this player's name may be the
    other's, so it is left to them and this player gets their own."""
    carol = emu.add_member(guild, name="carol")
    campaign = bot.campaign(guild, NAME)
    now = int(time.time() * 1000)
    assert bot.store.claim_pending(campaign, f"thread:channel:1:{player}", now)
    assert bot.store.claim_pending(campaign, f"thread:channel:1:{carol}", now)
    carols = bot.worker.api.start_private_thread(desk, "carol", reason="carol's create, its reply lost")
    member_change(bot, guild, gm, "add-player", player)
    bobs = bot.campaign(guild, NAME).resources[f"thread:channel:1:{player}"]["id"]
    assert bobs != carols["id"] and sorted(t["name"] for t in emu.threads_in(desk)) == ["bob", "carol"]
    assert not emu.visible_to(carols["id"], player)


def test_only_one_of_two_racing_deliveries_may_mark_a_thread_pending(bot, guild, gm, player, desk):
    campaign = bot.campaign(guild, NAME)
    key = f"thread:channel:1:{player}"
    assert bot.store.claim_pending(campaign, key, 1) is True
    assert bot.store.claim_pending(campaign, key, 2) is False
    bot.store.record(campaign, {key: {"id": "1"}})
    assert bot.store.claim_pending(campaign, key, 3) is False


def test_campaign_info_names_the_per_player_channel_and_its_threads(bot, emu, guild, gm, player, desk):
    carol = emu.add_member(guild, name="carol")
    member_change(bot, guild, gm, "add-player", player)
    member_change(bot, guild, gm, "add-player", carol)
    _, _, text = run(bot, guild, gm, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])
    assert "general (text), 🧵 gm-desk (text, 2 player threads)" in text


def test_a_player_who_moderates_the_server_sees_only_their_own_thread(bot, emu, guild, gm, player, desk):
    """A server-wide Manage Threads shows every private thread (topics/threads.mdx
    "Permissions"); the Players role's deny in the channel takes it back there, while a GM who
    also plays keeps it through the GM role's allow (topics/permissions.mdx "Permission
    Overwrites": role allows apply after role denies)."""
    moderators = emu.add_role(guild, "Moderators", permissions=p.MANAGE_THREADS)
    emu.give_role(guild, player, moderators)
    carol = emu.add_member(guild, name="carol")
    member_change(bot, guild, gm, "add-player", player)
    member_change(bot, guild, gm, "add-player", carol)
    threads = {t["name"]: t["id"] for t in emu.threads_in(desk)}
    assert not emu.visible_to(threads["carol"], player)
    assert emu.visible_to(threads["bob"], player)
    member_change(bot, guild, gm, "add-player", gm)  # a GM who plays too
    assert emu.visible_to(threads["carol"], gm) and emu.visible_to(threads["bob"], gm)
    _, _, text = run(bot, guild, gm, "campaign-doctor", [{"type": 3, "name": "name", "value": NAME}])
    assert text == f"🩺 **{NAME}**: all as it should be."


def test_a_gm_who_also_plays_gets_no_thread_of_their_own(bot, emu, guild, gm, desk):
    """GMs see every player's thread; one of their own would be a talk with themselves (and
    the doctor, like catch_up, passes GMs over)."""
    assert "is now a player" in member_change(bot, guild, gm, "add-player", gm)
    assert emu.threads_in(desk) == []
