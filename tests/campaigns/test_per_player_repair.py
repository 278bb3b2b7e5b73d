"""`per-player` channels after something went wrong: the doctor finds players without their
private thread (deleted by hand, taken out of it, or the channel itself made again) and gives it
back once; a healthy campaign shows nothing; a collapse that would lose the threads is refused;
a locked campaign's players can't post in their threads."""

import pytest

from channelwright.discord import permissions as p
from tests.campaigns.test_doctor import click, doctor
from tests.campaigns.test_per_player import NAME, desk, guild, member_change  # noqa: F401 (fixtures)
from tests.support.servers import run

ALL_WELL = f"🩺 **{NAME}**: all as it should be."
FINDING = "🧵 **Players without their private thread**"
FIX = "Give players their threads"


def option(name, value, kind=3):
    return {"type": kind, "name": name, "value": value}


@pytest.fixture
def players(bot, emu, guild, gm, player, desk):
    """Two players in the campaign, each in their thread: {user id: thread id}."""
    carol = emu.add_member(guild, name="carol")
    for user in (player, carol):
        assert "is now a player" in member_change(bot, guild, gm, "add-player", user)
    return {u: next(t["id"] for t in emu.threads_in(desk) if u in t["member_ids"]) for u in (player, carol)}


def sees_only_own_thread(emu, channel, players):
    threads = emu.threads_in(channel)
    return all(sum(emu.visible_to(t["id"], user) for t in threads) == 1
               and any(user in t["member_ids"] for t in threads) for user in players)


def test_a_healthy_per_player_campaign_is_all_well(bot, guild, gm, players):
    _, _, text = doctor(bot, guild, gm)
    assert text == ALL_WELL


def test_a_thread_deleted_by_hand_is_found_and_made_again_once(bot, emu, guild, gm, player, desk, players):
    emu.delete_channel(players[player])
    payload, _, text = doctor(bot, guild, gm)
    assert FINDING in text and f"<@{player}> in #gm-desk" in text
    text = click(bot, payload["token"], gm, FIX, times=2)
    # The second click found it done already (doctor_fix.py: a fix reads the server again first).
    assert "Nothing needed fixing any more" in text and text.endswith("Doctor: all as it should be.")
    assert len(emu.threads_in(desk)) == 2 and sees_only_own_thread(emu, desk, players)


def test_a_player_taken_out_of_their_thread_is_put_back(bot, emu, guild, gm, player, desk, players):
    bot.worker.api.remove_thread_member(players[player], player)
    payload, _, text = doctor(bot, guild, gm)
    assert f"<@{player}> in #gm-desk" in text
    text = click(bot, payload["token"], gm, FIX)
    assert f"🧵 Back in their threads: <@{player}> in #gm-desk." in text
    assert emu.visible_to(players[player], player)
    assert [t["id"] for t in emu.threads_in(desk)].count(players[player]) == 1


def test_a_player_who_left_the_campaign_is_no_finding(bot, emu, guild, gm, player, players):
    member_change(bot, guild, gm, "remove-player", player)
    _, _, text = doctor(bot, guild, gm)
    assert text == ALL_WELL


def test_a_recreated_channel_gives_the_players_their_threads(bot, emu, guild, gm, desk, players):
    emu.delete_channel(desk)
    payload, _, text = doctor(bot, guild, gm)
    assert "❌ **Missing**" in text
    text = click(bot, payload["token"], gm, "Recreate missing")
    assert text.endswith("Doctor: all as it should be.")
    [made] = [c["id"] for c in emu.guild_channels(guild) if c["name"] == "gm-desk"]
    assert sorted(t["name"] for t in emu.threads_in(made)) == ["bob", "carol"]
    assert sees_only_own_thread(emu, made, players)


def test_collapse_is_refused_while_players_have_threads(bot, emu, guild, gm, desk, players):
    before = emu.guild_channels(guild)
    _, _, text = run(bot, guild, gm, "archive-campaign", [option("name", NAME), option("mode", "collapse")])
    assert "players' private threads in #gm-desk would be lost" in text
    assert "Nothing was changed" in text and "mode lock instead" in text
    assert emu.guild_channels(guild) == before
    assert len(emu.threads_in(desk)) == 2


def test_a_locked_campaigns_players_cannot_post_in_their_threads(bot, emu, guild, gm, player, desk, players):
    assert emu.permissions_in(desk, player) & p.SEND_MESSAGES_IN_THREADS
    _, _, text = run(bot, guild, gm, "archive-campaign", [option("name", NAME), option("mode", "lock")])
    assert not emu.permissions_in(desk, player) & p.SEND_MESSAGES_IN_THREADS
    assert emu.visible_to(players[player], player)  # they still read it



def test_a_player_added_while_collapsed_gets_their_thread_when_unarchived(bot, emu, guild, gm, player, desk):
    _, _, text = run(bot, guild, gm, "archive-campaign", [option("name", NAME), option("mode", "collapse")])
    assert emu.channel(desk) is None
    assert "is now a player" in member_change(bot, guild, gm, "add-player", player)
    run(bot, guild, gm, "unarchive-campaign", [option("name", NAME)])
    [made] = [c["id"] for c in emu.guild_channels(guild) if c["name"] == "gm-desk"]
    [thread] = emu.threads_in(made)
    assert thread["name"] == "bob" and emu.visible_to(thread["id"], player)


def test_both_roles_deleted_are_recreated_once_and_everyone_sees_their_threads_again(
        bot, emu, guild, gm, player, desk, players):
    for key in ("role:players", "role:gm"):
        emu.delete_role(guild, bot.campaign(guild, NAME).resources[key]["id"])
    assert not any(emu.visible_to(thread, user) for thread in players.values() for user in players)
    payload, _, text = doctor(bot, guild, gm)
    assert f"🎭 **Campaign roles deleted**: @{NAME} Players, @{NAME} GM — deleting a role drops" in text
    assert "Fix: I create each again" in text
    click(bot, payload["token"], gm, "Recreate roles", times=2)
    assert sorted(r["name"] for r in emu.guild_roles(guild) if r["name"].startswith(NAME)) == [
        f"{NAME} GM", f"{NAME} Players"]
    assert sees_only_own_thread(emu, desk, players)
    assert all(emu.visible_to(thread, gm) for thread in players.values())
    assert doctor(bot, guild, gm)[2] == ALL_WELL


def test_a_recreated_channel_gives_threads_to_those_still_here_when_a_player_left_the_server(
        bot, emu, guild, gm, player, desk, players):
    emu.remove_member(guild, player)
    emu.delete_channel(desk)
    payload, _, text = doctor(bot, guild, gm)
    assert "👋 **Left the server**" in text
    text = click(bot, payload["token"], gm, "Recreate missing")
    assert "🧱 Recreated" in text and "couldn't" not in text and "404" not in text
    [made] = [c["id"] for c in emu.guild_channels(guild) if c["name"] == "gm-desk"]
    [carol] = [u for u in players if u != player]
    assert [(t["name"], emu.visible_to(t["id"], carol)) for t in emu.threads_in(made)] == [("carol", True)]


def test_unarchiving_gives_threads_to_those_still_here_when_a_player_left_the_server(
        bot, emu, guild, gm, player, desk):
    carol = emu.add_member(guild, name="carol")
    run(bot, guild, gm, "archive-campaign", [option("name", NAME), option("mode", "collapse")])
    for user in (player, carol):
        assert "is now a player" in member_change(bot, guild, gm, "add-player", user)
    emu.remove_member(guild, player)
    _, _, text = run(bot, guild, gm, "unarchive-campaign", [option("name", NAME)])
    assert "Unarchived" in text and "404" not in text
    [made] = [c["id"] for c in emu.guild_channels(guild) if c["name"] == "gm-desk"]
    assert [(t["name"], emu.visible_to(t["id"], carol)) for t in emu.threads_in(made)] == [("carol", True)]
