"""The roster, self-served, end to end: /join-campaign (open, with the GMs' approval, past the
seat cap onto the waitlist), /leave-campaign, /campaign-settings, /transfer-campaign, and members
who left the server found when the roster is read."""

import pytest

from channelwright.discord.permissions import MANAGE_CHANNELS, VIEW_CHANNEL
from tests.support.bot import BOT_PERMISSIONS
from tests.support.servers import EDIT_CHANNEL_PERMISSIONS, MEMBER, final_text, member_change, run

NAME = "Curse of Strahd"
EPHEMERAL = 64


def name_option(name=NAME):
    return {"type": 3, "name": "name", "value": name}


def build(bot, guild, gm):
    bot.add_campaign(guild, gm, NAME)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"
    return bot.campaign(guild)


def settings(bot, guild, user, *, joining=None, seats=None):
    options = [name_option()]
    if joining is not None:
        options.append({"type": 3, "name": "joining", "value": joining})
    if seats is not None:
        options.append({"type": 4, "name": "seats", "value": seats})
    return run(bot, guild, user, "campaign-settings", options)[2]


def join(bot, guild, user):
    return run(bot, guild, user, "join-campaign", [name_option()])[2]


def leave(bot, guild, user):
    return run(bot, guild, user, "leave-campaign", [name_option()])[2]


def transfer(bot, guild, user, member):
    return run(bot, guild, user, "transfer-campaign",
               [name_option(), {"type": 6, "name": "member", "value": member}], users=[member])[2]


def role(emu, guild, suffix):
    return emu.find_role(guild, f"{NAME} {suffix}")["id"]


def holds(emu, guild, user, suffix):
    return role(emu, guild, suffix) in emu.member_role_ids(guild, user)


def channel(emu, guild, name):
    return emu.find_channel(guild, name)["id"]


def messages(emu, guild, name):
    return emu.channel_messages(channel(emu, guild, name))


def click_in_channel(bot, guild, channel_id, user, custom_id):
    """`user` clicks a button on a message the bot posted in a channel, as Discord POSTs it."""
    emu = bot.emulator
    message = next(m for m in emu.channel_messages(channel_id)
                   if any(b.get("custom_id") == custom_id
                          for row in m.get("components", []) for b in row.get("components", [])))
    payload = emu.click_channel_message(channel_id, message["id"], user, custom_id)
    return payload, bot.interact(payload)


def leaves_server(emu, guild, user):
    """The member leaves the server: Get Guild Member then answers 404 10007 Unknown Member."""
    emu.remove_member(guild, user)


def request_button(emu, guild, action):
    message = messages(emu, guild, "gm-notes")[-1]
    ids = [b["custom_id"] for row in message["components"] for b in row["components"]]
    return next(i for i in ids if i.startswith(f"roster-{action}:"))


# -- defaults ------------------------------------------------------------------------------------

def test_a_campaign_is_closed_to_requests_until_its_gms_open_it(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    text = join(bot, guild, player)
    assert "isn't open to requests" in text and "/add-player" in text
    assert not holds(emu, guild, player, "Players")
    campaign = bot.campaign(guild)
    assert (campaign.joining, campaign.seats, campaign.lead) == ("closed", 0, gm)


def test_only_its_gms_or_server_managers_change_the_settings(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    text = settings(bot, guild, player, joining="open")
    assert "Only the GMs" in text
    assert bot.campaign(guild).joining == "closed"


# -- open, with a seat cap and its waitlist -------------------------------------------------------

def test_open_join_seats_then_waitlists_in_order_and_promotes_when_a_seat_frees(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol, dave = emu.add_member(guild, name="carol"), emu.add_member(guild, name="dave")
    assert "anyone may `/join-campaign` · 0 of 1 seat taken" in settings(bot, guild, gm, joining="open", seats=1)

    assert join(bot, guild, player) == f"✅ <@{player}> joined **{NAME}**."
    assert holds(emu, guild, player, "Players")
    assert "number 1 on its waitlist" in join(bot, guild, carol)
    assert "number 2 on its waitlist" in join(bot, guild, dave)
    assert not holds(emu, guild, carol, "Players") and not holds(emu, guild, dave, "Players")
    assert "number 1 on" in join(bot, guild, carol)  # asking again changes nothing
    campaign = bot.campaign(guild)
    assert campaign.players == {player} and campaign.waitlist == [carol, dave]

    assert leave(bot, guild, player) == f"You're no longer a player in **{NAME}**."
    assert not holds(emu, guild, player, "Players")
    assert holds(emu, guild, carol, "Players") and not holds(emu, guild, dave, "Players")
    campaign = bot.campaign(guild)
    assert campaign.players == {carol} and campaign.waitlist == [dave]
    welcome = messages(emu, guild, "announcements")[-1]
    assert welcome["content"] == (f"🎲 Welcome <@{carol}>: a seat freed up, so you're now a player "
                                  f"in **{NAME}**.")
    assert welcome["allowed_mentions"] == {"parse": [], "users": [carol]}
    gm_notes = [m["content"] for m in messages(emu, guild, "gm-notes")]
    assert f"🚪 <@{player}> left **{NAME}** (was a player in it)." in gm_notes
    assert f"🪑 <@{carol}> got a seat in **{NAME}** from its waitlist." in gm_notes
    assert all(m["allowed_mentions"] == {"parse": []} for m in messages(emu, guild, "gm-notes"))


def test_remove_player_and_a_bigger_cap_promote_the_waitlist(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol, dave = emu.add_member(guild, name="carol"), emu.add_member(guild, name="dave")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player), join(bot, guild, carol), join(bot, guild, dave)
    member_change(bot, guild, gm, "remove-player", player, NAME)
    assert bot.campaign(guild).players == {carol}
    assert holds(emu, guild, carol, "Players")
    assert "2 of 2 seats taken · waitlist 0" in settings(bot, guild, gm, seats=2)
    assert holds(emu, guild, dave, "Players")
    assert bot.campaign(guild).players == {carol, dave}


def test_a_waitlisted_member_a_gm_removes_leaves_the_waitlist_and_never_gets_a_seat(
        bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player), join(bot, guild, carol)
    member_change(bot, guild, gm, "remove-player", carol, NAME)
    assert bot.campaign(guild).waitlist == []
    assert leave(bot, guild, player) == f"You're no longer a player in **{NAME}**."
    assert bot.campaign(guild).players == frozenset()
    assert not holds(emu, guild, carol, "Players"), "the GM removed her: the free seat isn't hers"


def test_a_one_seat_campaign_says_seat_not_seats(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player)
    assert join(bot, guild, carol) == (f"**{NAME}** is full (1 seat): <@{carol}> is number 1 on its "
                                       "waitlist, and gets the next free seat in turn.")


def test_the_settings_count_seats_and_players_in_the_right_number(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    assert "anyone may `/join-campaign` · 0 players, no seat cap" in settings(bot, guild, gm, joining="open")
    join(bot, guild, player)
    assert "· 1 player, no seat cap ·" in settings(bot, guild, gm)
    assert "· 1 of 1 seat taken ·" in settings(bot, guild, gm, seats=1)
    assert "· 1 of 2 seats taken ·" in settings(bot, guild, gm, seats=2)


def test_a_player_a_gm_adds_leaves_the_waitlist(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player), join(bot, guild, carol)
    member_change(bot, guild, gm, "add-player", carol, NAME)
    campaign = bot.campaign(guild)
    assert campaign.players == {player, carol} and campaign.waitlist == []
    assert holds(emu, guild, carol, "Players")


def test_leaving_the_waitlist_and_leaving_what_you_are_not_in(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player), join(bot, guild, carol)
    assert leave(bot, guild, carol) == f"You left **{NAME}**'s waitlist."
    assert bot.campaign(guild).waitlist == []
    assert leave(bot, guild, carol) == f"You're not in **{NAME}**."


def test_a_redelivered_join_seats_once(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    payload = emu.create_interaction(guild, player, "join-campaign", options=[name_option()])
    bot.interact(payload)
    bot.run_worker(deliver_twice=True)
    assert bot.campaign(guild).players == {player}
    assert final_text(emu, payload["token"]) == f"You're a player in **{NAME}** already."
    assert "number 1 on its waitlist" in join(bot, guild, carol)


# -- with the GMs' approval --------------------------------------------------------------------------

def test_a_request_is_posted_for_the_gms_and_a_gm_approves_it_once(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    text = join(bot, guild, player)
    assert text.startswith(f"📨 I asked **{NAME}**'s GMs to let you in.")
    assert not holds(emu, guild, player, "Players")
    request = messages(emu, guild, "gm-notes")[-1]
    assert request["content"] == f"🙋 <@{player}> asks to join **{NAME}**."
    assert request["allowed_mentions"] == {"parse": []}
    labels = [b["label"] for row in request["components"] for b in row["components"]]
    assert labels == ["Approve", "Decline"]
    assert "already" in join(bot, guild, player)
    assert len(messages(emu, guild, "gm-notes")) == 1 + 0  # no second request

    approve = request_button(emu, guild, "approve")
    gm_notes = channel(emu, guild, "gm-notes")
    click_in_channel(bot, guild, gm_notes, gm, approve)
    click_in_channel(bot, guild, gm_notes, gm, approve)  # a double click
    bot.run_worker(deliver_twice=True)
    assert holds(emu, guild, player, "Players")
    assert bot.campaign(guild).players == {player} and bot.campaign(guild).asking == {}
    decided = messages(emu, guild, "gm-notes")[-1]
    assert decided["content"] == f"✅ <@{player}> is now a player in **{NAME}**. (approved by alice)"
    assert decided["components"] == []
    welcomes = [m for m in messages(emu, guild, "announcements") if "Welcome" in m["content"]]
    assert [m["content"] for m in welcomes] == [
        f"🎲 Welcome <@{player}>: the GMs approved you: you're now a player in **{NAME}**."]
    assert welcomes[0]["allowed_mentions"] == {"parse": [], "users": [player]}


def test_someone_not_a_gm_cannot_approve(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    # Someone let carol see the GMs' channel by hand: seeing the request doesn't make her a GM.
    gm_notes = channel(emu, guild, "gm-notes")
    bot.rest.request(EDIT_CHANNEL_PERMISSIONS.compile(channel_id=gm_notes, overwrite_id=carol),
                     json={"type": MEMBER, "allow": str(VIEW_CHANNEL), "deny": "0"})
    payload, reply = click_in_channel(bot, guild, gm_notes, carol,
                                      request_button(emu, guild, "approve"))
    assert reply["data"]["flags"] == EPHEMERAL  # an answer only carol sees
    bot.run_worker()
    assert "Only the GMs" in final_text(emu, payload["token"])
    assert not holds(emu, guild, player, "Players")
    request = messages(emu, guild, "gm-notes")[-1]
    assert request["content"] == f"🙋 <@{player}> asks to join **{NAME}**."
    assert request["components"]  # still there for a GM to decide
    assert bot.campaign(guild).asking.keys() == {player}


def test_a_request_when_the_gm_channel_was_deleted_is_refused_in_plain_words(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    emu.delete_channel(channel(emu, guild, "gm-notes"))
    assert join(bot, guild, player) == (
        f"❌ **I couldn't post your request in “{NAME}”'s GM channel.**\n"
        "It was deleted, or I may no longer post there.\n"
        f"**What to do:** Ask one of its GMs directly: `/campaign-doctor` for “{NAME}” puts its "
        "channel back.")
    assert bot.campaign(guild).asking == {}, "no request is left waiting for a decision"

    payload, _, _ = run(bot, guild, gm, "campaign-doctor", [name_option()])  # what to do, done
    [recreate] = [b["custom_id"] for row in emu.original_message(payload["token"])["components"]
                  for b in row["components"] if b["label"] == "Recreate missing"]
    bot.interact(emu.click(payload["token"], gm, recreate))
    bot.run_worker()
    assert join(bot, guild, player).startswith(f"📨 I asked **{NAME}**'s GMs to let you in.")
    assert messages(emu, guild, "gm-notes")[-1]["content"] == f"🙋 <@{player}> asks to join **{NAME}**."


def test_a_gm_declines_a_request(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    click_in_channel(bot, guild, channel(emu, guild, "gm-notes"), gm, request_button(emu, guild, "decline"))
    bot.run_worker()
    decided = messages(emu, guild, "gm-notes")[-1]
    assert decided["content"] == f"❌ <@{player}>'s request to join **{NAME}** was declined by alice."
    assert decided["components"] == []
    assert not holds(emu, guild, player, "Players")
    campaign = bot.campaign(guild)
    assert campaign.asking == {} and campaign.players == frozenset()


def decline(bot, emu, guild, gm):
    click_in_channel(bot, guild, channel(emu, guild, "gm-notes"), gm, request_button(emu, guild, "decline"))
    bot.run_worker()
    return messages(emu, guild, "gm-notes")[-1]["content"]


def test_a_declined_asker_is_told_by_dm_and_a_later_join_says_so(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    assert "You'll be welcomed in its players' channel once they approve, or told by direct message " \
           "if they decline." in join(bot, guild, player)
    assert decline(bot, emu, guild, gm) == f"❌ <@{player}>'s request to join **{NAME}** was declined by alice."
    told = emu.direct_messages(player)
    assert [m["content"] for m in told] == [
        f"❌ Your request to join the campaign **{NAME}** in the server **Barovia** was declined by its "
        "GMs. You may ask again with `/join-campaign`."]
    assert told[0]["allowed_mentions"] == {"parse": []}

    assert join(bot, guild, player) == (f"❌ Your last request to join **{NAME}** was declined by its "
                                        "GMs. You may ask again: run `/join-campaign` once more to send "
                                        "a new request.")
    assert bot.campaign(guild).asking == {}, "telling them sent no new request"
    assert "I asked" in join(bot, guild, player)
    assert player in bot.campaign(guild).asking


def test_the_decline_dm_names_the_server_read_once_and_in_markdown_as_it_is(bot, emu):
    """Read outside the server, the DM names it: a member of two servers with same-named campaigns
    knows which declined them. The server's name is Discord's (one Get Guild in the task), its
    markdown shown as typed."""
    guild = emu.add_guild(name="*Keep* of Ravenloft", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="alice", permissions=MANAGE_CHANNELS)
    player = emu.add_member(guild, name="bob")
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    emu.clear_requests()
    decline(bot, emu, guild, gm)
    assert [m["content"] for m in emu.direct_messages(player)] == [
        f"❌ Your request to join the campaign **{NAME}** in the server **\\*Keep\\* of Ravenloft** was "
        "declined by its GMs. You may ask again with `/join-campaign`."]
    assert emu.count(method="GET", path_regex=rf"/guilds/{guild}$") == 1


def test_a_decline_stands_when_the_asker_takes_no_dms_and_the_gms_are_told(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    emu.close_dms(player)
    assert decline(bot, emu, guild, gm) == (
        f"❌ <@{player}>'s request to join **{NAME}** was declined by alice. I couldn't tell them by "
        "direct message (they don't take DMs from me), so tell them yourself if you wish.")
    assert emu.direct_messages(player) == []
    assert player in bot.campaign(guild).declined and bot.campaign(guild).asking == {}


def test_an_approval_onto_the_waitlist_is_told_by_dm(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, carol)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    click_in_channel(bot, guild, channel(emu, guild, "gm-notes"), gm, request_button(emu, guild, "approve"))
    bot.run_worker()
    assert bot.campaign(guild).waitlist == [player]
    assert [m["content"] for m in emu.direct_messages(player)] == [
        f"✅ The GMs of **{NAME}** in the server **Barovia** approved your request, but it is full: "
        "you're number 1 on its waitlist, and you'll be welcomed in its players' channel when a seat "
        "frees up."]


def test_an_approval_past_the_cap_goes_onto_the_waitlist(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="approval", seats=1)
    for who in (player, carol):
        join(bot, guild, who)
    gm_notes = channel(emu, guild, "gm-notes")
    for who in (player, carol):
        click_in_channel(bot, guild, gm_notes, gm, f"roster-approve:{bot.campaign(guild).interaction_id}:{who}")
        bot.run_worker()
    assert holds(emu, guild, player, "Players") and not holds(emu, guild, carol, "Players")
    assert bot.campaign(guild).waitlist == [carol]
    assert f"<@{carol}> is number 1 on its waitlist" in messages(emu, guild, "gm-notes")[-1]["content"]
    leave(bot, guild, player)
    assert holds(emu, guild, carol, "Players")


# -- the lead GM ---------------------------------------------------------------------------------------

def test_the_lead_hands_over_before_leaving(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    assert "lead GM" in leave(bot, guild, gm) and holds(emu, guild, gm, "GM")
    assert "Only the GMs" in transfer(bot, guild, player, player)
    carol = emu.add_member(guild, name="carol")
    member_change(bot, guild, gm, "assign-gm", carol, NAME)
    assert "Only the lead GM" in transfer(bot, guild, carol, carol)  # a GM, not the lead
    assert bot.campaign(guild).lead == gm
    assert transfer(bot, guild, gm, player) == f"👑 <@{player}> is now the lead GM of **{NAME}**."
    assert holds(emu, guild, player, "GM")
    campaign = bot.campaign(guild)
    assert campaign.lead == player and campaign.gms == {gm, player, carol}
    assert leave(bot, guild, gm) == f"You're no longer a GM of **{NAME}**."
    assert not holds(emu, guild, gm, "GM")
    assert bot.campaign(guild).gms == {player, carol}


# -- members who left the server ------------------------------------------------------------------------

def test_a_member_who_left_the_server_is_dropped_when_the_roster_is_read(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol, dave = emu.add_member(guild, name="carol"), emu.add_member(guild, name="dave")
    settings(bot, guild, gm, joining="open", seats=1)
    join(bot, guild, player), join(bot, guild, carol), join(bot, guild, dave)
    leaves_server(emu, guild, player)
    text = run(bot, guild, gm, "campaign-info", [name_option()])[2]
    assert "1 of 1 seat taken · waitlist 1" in text
    campaign = bot.campaign(guild)
    assert campaign.players == {carol} and campaign.waitlist == [dave]
    assert holds(emu, guild, carol, "Players")
    gm_notes = [m["content"] for m in messages(emu, guild, "gm-notes")]
    assert f"👋 <@{player}> left the server, so I took them off **{NAME}**'s roster." in gm_notes


def test_a_lead_who_left_the_server_is_followed_by_the_longest_serving_gm(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    for who in (player, carol):
        member_change(bot, guild, gm, "assign-gm", who, NAME)
    leaves_server(emu, guild, gm)
    text = run(bot, guild, carol, "campaign-info", [name_option()])[2]
    assert f"lead GM <@{player}>" in text
    campaign = bot.campaign(guild)
    assert campaign.gms == {player, carol} and campaign.lead == player
    assert (f"👋 <@{gm}> left the server, so I took them off **{NAME}**'s roster. <@{player}> is "
            "the lead GM now.") in [m["content"] for m in messages(emu, guild, "gm-notes")]


def test_a_request_whose_asker_left_the_server_is_closed_on_the_gms_click(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    request = messages(emu, guild, "gm-notes")[-1]["id"]
    leaves_server(emu, guild, player)
    decline(bot, emu, guild, gm)
    closed = next(m for m in messages(emu, guild, "gm-notes") if m["id"] == request)
    assert closed["content"] == (f"🙋 <@{player}>'s request to join **{NAME}** is closed: they took it "
                                 "back, a GM removed them, or they left the server.")
    assert closed["components"] == []
    assert emu.direct_messages(player) == []


def test_a_request_taken_back_is_closed_on_the_gms_click_and_not_approved(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    request = messages(emu, guild, "gm-notes")[-1]["id"]
    assert "You took back your request" in leave(bot, guild, player)
    click_in_channel(bot, guild, channel(emu, guild, "gm-notes"), gm, request_button(emu, guild, "approve"))
    bot.run_worker()
    closed = next(m for m in messages(emu, guild, "gm-notes") if m["id"] == request)
    assert "is closed: they took it back, a GM removed them, or they left the server." in closed["content"]
    assert closed["components"] == [] and not holds(emu, guild, player, "Players")


def test_a_second_click_on_a_decided_request_changes_nothing_and_says_so_privately(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    gm_notes = channel(emu, guild, "gm-notes")
    decline_id = request_button(emu, guild, "decline")
    click_in_channel(bot, guild, gm_notes, gm, decline_id)
    second, _ = click_in_channel(bot, guild, gm_notes, gm, decline_id)
    bot.run_worker()
    assert messages(emu, guild, "gm-notes")[-1]["content"] == (
        f"❌ <@{player}>'s request to join **{NAME}** was declined by alice.")
    assert len(emu.direct_messages(player)) == 1
    assert [m["content"] for m in emu.followup_messages(second["token"])] == [
        f"Nothing to decide: <@{player}> was declined for **{NAME}** already."]


def test_a_declined_asker_who_became_a_player_is_not_told_of_that_decline_again(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    carol = emu.add_member(guild, name="carol")
    settings(bot, guild, gm, joining="approval")
    for asker in (player, carol):
        join(bot, guild, asker)
        decline(bot, emu, guild, gm)
    member_change(bot, guild, gm, "add-player", player, NAME)
    settings(bot, guild, gm, joining="open")
    assert join(bot, guild, carol) == f"✅ <@{carol}> joined **{NAME}**."
    settings(bot, guild, gm, joining="approval")
    for member in (player, carol):
        assert leave(bot, guild, member) == f"You're no longer a player in **{NAME}**."
        assert join(bot, guild, member).startswith(f"📨 I asked **{NAME}**'s GMs to let you in.")


# -- a Players role deleted by hand ---------------------------------------------------------------

ROLE_DELETED = (f"❌ **“{NAME}”'s Players role was deleted by hand.**\n"
                "I can't seat anyone until it is made again.\n"
                f"**What to do:** Ask one of its GMs to run `/campaign-doctor` for “{NAME}” and press "
                "**Recreate roles**.")


def delete_players_role(bot, emu, guild):
    emu.delete_role(guild, bot.campaign(guild).resources["role:players"]["id"])


def test_an_open_join_while_the_players_role_is_deleted_says_so_and_seats_no_one(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="open")
    delete_players_role(bot, emu, guild)
    assert join(bot, guild, player) == ROLE_DELETED
    assert bot.campaign(guild).players == frozenset()


def test_an_approval_while_the_players_role_is_deleted_keeps_the_request_and_tells_the_gm(
        bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="approval")
    join(bot, guild, player)
    delete_players_role(bot, emu, guild)
    gm_notes = channel(emu, guild, "gm-notes")
    payload, _ = click_in_channel(bot, guild, gm_notes, gm, request_button(emu, guild, "approve"))
    bot.run_worker()
    request = messages(emu, guild, "gm-notes")[-1]
    assert request["content"] == f"🙋 <@{player}> asks to join **{NAME}**."
    assert [b["label"] for row in request["components"] for b in row["components"]] == ["Approve", "Decline"]
    assert [(m["content"], m["flags"]) for m in emu.followup_messages(payload["token"])] == [
        (ROLE_DELETED, EPHEMERAL)]
    assert player in bot.campaign(guild).asking and player not in bot.campaign(guild).players


def test_a_player_leaves_while_the_players_role_is_deleted(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    settings(bot, guild, gm, joining="open")
    join(bot, guild, player)
    delete_players_role(bot, emu, guild)
    assert leave(bot, guild, player) == f"You're no longer a player in **{NAME}**."
    assert bot.campaign(guild).players == frozenset()


def test_a_transfer_while_the_gm_role_is_deleted_says_how_to_recreate_it_and_that_works(
        bot, emu, guild, gm, player):
    """The refusal's "What to do", followed: the doctor recreates the role, the transfer goes through."""
    build(bot, guild, gm)
    emu.delete_role(guild, bot.campaign(guild).resources["role:gm"]["id"])
    assert transfer(bot, guild, gm, player) == (
        f"❌ **“{NAME}”'s GM role was deleted by hand.**\n"
        "There is no role left to give.\n"
        f"**What to do:** Run `/campaign-doctor` for “{NAME}” and press **Recreate roles**, then try again.")
    assert bot.campaign(guild).lead == gm

    payload, _, _ = run(bot, guild, gm, "campaign-doctor", [name_option()])
    [recreate] = [b["custom_id"] for row in emu.original_message(payload["token"])["components"]
                  for b in row["components"] if b["label"] == "Recreate roles"]
    bot.interact(emu.click(payload["token"], gm, recreate))
    bot.run_worker()
    assert transfer(bot, guild, gm, player) == f"👑 <@{player}> is now the lead GM of **{NAME}**."
    assert holds(emu, guild, player, "GM") and bot.campaign(guild).lead == player


def test_approval_without_a_gm_only_text_channel_is_refused_with_what_works(bot, emu, guild, gm, player):
    """A campaign whose template has no GM-only text channel (only a GM-only voice one) can't take
    requests; the "What to do" names what the GMs can do with it as it is, and that works."""
    from channelwright.templates.schema import validate

    bot.templates.put(guild, validate({"id": "no-gm-text", "title": "No GM text", "channels": [
        {"name": "general", "type": "text"}, {"name": "gm-room", "type": "voice", "access": "gm-only"}]}),
        author_id=gm)
    run(bot, guild, gm, "add-campaign", [name_option(), {"type": 3, "name": "template", "value": "no-gm-text"}])
    assert bot.campaign(guild).status == "completed"
    assert settings(bot, guild, gm, joining="approval") == (
        f"❌ **“{NAME}” has no GM-only text channel.**\n"
        "Requests to join are posted there for its GMs to decide.\n"
        "**What to do:** Pick `open`, or keep it `closed` and add players with `/add-player`.")
    assert bot.campaign(guild).joining == "closed"
    assert "anyone may `/join-campaign`" in settings(bot, guild, gm, joining="open")
    assert join(bot, guild, player) == f"✅ <@{player}> joined **{NAME}**."


def test_a_join_while_archived_says_the_campaign_must_be_unarchived_and_that_works(bot, emu, guild, gm, player):
    from tests.campaigns.test_archive import archive, unarchive

    build(bot, guild, gm)
    settings(bot, guild, gm, joining="open")
    archive(bot, guild, gm)
    assert join(bot, guild, player) == (
        f"❌ **“{NAME}” is archived.**\n"
        "Its roster changes only while it is built and not archived.\n"
        f"**What to do:** Ask one of its GMs to run `/unarchive-campaign` for “{NAME}”, then try again.")
    unarchive(bot, guild, gm)
    assert join(bot, guild, player) == f"✅ <@{player}> joined **{NAME}**."


@pytest.mark.parametrize("seats", ["abc", "7", 2.5, True, -1, -5, 101, 10**30])
def test_seats_that_discord_would_never_send_are_refused_in_plain_words_and_change_nothing(
        bot, emu, guild, gm, seats):
    """`seats` is registered as an INTEGER from 0 to 100 (definitions.py), so Discord sends
    nothing else; a signed payload that does gets a plain answer, never a 5xx, and no change."""
    build(bot, guild, gm)
    settings(bot, guild, gm, seats=3)
    payload = emu.create_interaction(guild, gm, "campaign-settings", options=[
        name_option(), {"type": 4, "name": "seats", "value": seats}])
    reply = bot.interact(payload)
    assert reply["type"] == 4 and reply["data"]["flags"] == EPHEMERAL
    assert reply["data"]["content"] == (
        "❌ **Seats must be a whole number from 0 to 100.**\n"
        "0 means no cap; Discord's command form allows nothing else.\n"
        "**What to do:** Run `/campaign-settings` again and pick a number of seats from 0 to 100.")
    bot.run_worker()
    assert bot.campaign(guild).seats == 3
