"""`per-player` channels and the self-served roster: whoever becomes a player by /join-campaign
(an open campaign, or a seat freed for the waitlist) gets their private thread as one added by a
GM does, and /leave-campaign takes them out of it."""

from channelwright.templates.schema import validate
from tests.campaigns.test_access_modes import build, children_of, roles_of
from tests.campaigns.test_per_player import NAME, desk, guild, member_change  # noqa: F401 (fixtures)
from tests.campaigns.test_per_player_permissions import DOCTOR_FIX, refuse_threads_in
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


NOTES = {"id": "notes", "title": "Notes", "channels": [
    {"name": "general", "type": "text"},
    {"name": "gm-notes", "type": "text", "gm_only": True},
    {"name": "gm-desk", "type": "text", "access": "per-player"},
]}


def test_a_leave_that_seats_a_waiting_player_whose_thread_discord_refuses_still_succeeds(
        bot, emu, guild, gm, player):
    """The leaver leaves, in plain words; the waiting player keeps the seat it freed; the GMs read
    in their channel that the thread couldn't be made and that /campaign-doctor mends it."""
    bot.templates.put(guild, validate(NOTES), author_id=gm)
    build(bot, emu, guild, gm, "notes")
    desk = children_of(emu, guild)["gm-desk"]["id"]
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player)
    assert "waitlist" in join(bot, guild, carol)
    refuse_threads_in(bot, emu, guild, desk)

    assert leave(bot, guild, player) == f"You're no longer a player in **{NAME}**."
    campaign = bot.campaign(guild, NAME)
    assert campaign.players == {carol} and campaign.waitlist == []
    assert roles_of(emu, guild)["Players"] in emu.member_role_ids(guild, carol)
    assert threads_of(emu, desk, carol) == []
    told = [m["content"] for m in emu.channel_messages(children_of(emu, guild)["gm-notes"]["id"])]
    [seated] = [t for t in told if t.startswith(f"🪑 <@{carol}> got a seat in **{NAME}** from its waitlist.")]
    assert " They have no private thread yet: Discord refused to let me make or open it in the " \
           "per-player channel (HTTP 403, code 50013)" in seated
    assert DOCTOR_FIX in seated
