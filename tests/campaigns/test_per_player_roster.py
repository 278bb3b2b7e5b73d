"""`per-player` channels and the self-served roster: whoever becomes a player by /join-campaign
(an open campaign, or a seat freed for the waitlist) gets their private thread as one added by a
GM does, and /leave-campaign takes them out of it."""

from tests.campaigns.test_per_player import NAME, desk, guild, member_change  # noqa: F401 (fixtures)
from tests.support.servers import run


def option(name, value, kind=3):
    return {"type": kind, "name": name, "value": value}


def settings(bot, guild, gm, **values):
    kinds = {"joining": 3, "seats": 4}
    return run(bot, guild, gm, "campaign-settings",
               [option("name", NAME)] + [option(k, v, kinds[k]) for k, v in values.items()])[2]


def join(bot, guild, user):
    return run(bot, guild, user, "join-campaign", [option("name", NAME)])[2]


def leave(bot, guild, user):
    return run(bot, guild, user, "leave-campaign", [option("name", NAME)])[2]


def threads_of(emu, desk, user):
    return [t["id"] for t in emu.threads_in(desk) if emu.visible_to(t["id"], user)]


def test_a_player_who_joins_an_open_campaign_gets_their_thread_and_loses_sight_of_it_leaving(
        bot, emu, guild, gm, player, desk):
    settings(bot, guild, gm, joining="open")
    assert "joined" in join(bot, guild, player)
    [thread] = threads_of(emu, desk, player)
    assert [t["name"] for t in emu.threads_in(desk)] == ["bob"]
    assert "no longer a player" in leave(bot, guild, player)
    assert threads_of(emu, desk, player) == [] and emu.visible_to(thread, gm)


def test_a_player_seated_from_the_waitlist_gets_their_thread(bot, emu, guild, gm, player, desk):
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player)
    assert "waitlist" in join(bot, guild, carol)
    assert threads_of(emu, desk, carol) == []
    leave(bot, guild, player)
    [thread] = threads_of(emu, desk, carol)
    assert sorted(t["name"] for t in emu.threads_in(desk)) == ["bob", "carol"]
