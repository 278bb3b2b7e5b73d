"""Exactly once, by identity, end to end: signed interactions in,
the worker driven by SQS (moto), Discord emulated with its name rewriting and channel obfuscation.

Assertions are on what people would see: the server's channels and roles (the test sees all of
them, hidden ones included), who holds which role, and the messages the user read.
"""

import time
from types import SimpleNamespace

import pytest
import requests

from channelwright.campaigns import builder

from channelwright.discord import permissions as p
from channelwright.campaigns.name_match import fold
from channelwright.templates.schema import TemplateInvalid, validate
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS, channel_made, poll_once_stopping

NAME = "Curse of Strahd"
CATEGORY, TEXT = 4, 0
STAFF_ONLY = p.VIEW_CHANNEL


def categories(emu, guild, name=NAME):
    return [c for c in emu.guild_channels(guild) if c["type"] == CATEGORY and c["name"] == name]


def children(emu, category_id):
    """The category's channels in sidebar order (position, then id: DOCS/guild "position")."""
    guild = emu.channel(category_id)["guild_id"]
    inside = [c for c in emu.guild_channels(guild) if c.get("parent_id") == category_id]
    return sorted(inside, key=lambda c: (c["position"], int(c["id"])))


def named(emu, guild, name):
    return [c for c in emu.guild_channels(guild) if c["name"] == name]


def bot_api(emu, method, path, **kwargs):
    """A call with the bot's token, standing in for an admin's edit in the client."""
    headers = {"Authorization": f"Bot {emu.bot_token}", "User-Agent": "DiscordBot (test, 1)"}
    response = requests.request(method, emu.base_url + path, headers=headers, timeout=5, **kwargs)
    assert response.status_code < 300, response.text
    return response


def hide_from_bot(emu, channel_id):
    """An admin turns View Channel off for the bot in the channel's permissions: on the bot's
    role and on the member overwrite the campaign gave the bot (which would otherwise win,
    DOCS/perms "Permission Overwrites")."""
    emu.hide_channel_from_bot(channel_id)
    bot_api(emu, "PUT", f"/channels/{channel_id}/permissions/{emu.bot_user_id}",
            json={"type": 1, "allow": "0", "deny": str(p.VIEW_CHANNEL)})
    assert not emu.visible_to(channel_id, emu.bot_user_id)


def final_text(emu, payload):
    return emu.message_history(payload["token"])[-1]


def command(bot, guild, user, name, options=(), users=()):
    payload = bot.emulator.create_interaction(guild, user, name, options=list(options))
    if users:
        payload["data"]["resolved"] = {"users": {u: {"id": u, "username": "someone"} for u in users}}
    bot.interact(payload)
    return payload


def confirm_delete(bot, guild, user, name=NAME):
    """/delete-campaign, then its Delete button; returns the click (whose message is edited)."""
    ask = command(bot, guild, user, "delete-campaign", [{"type": 3, "name": "name", "value": name}])
    message = bot.emulator.original_message(ask["token"])
    delete = next(c["custom_id"] for row in message["components"] for c in row["components"]
                  if c["custom_id"].startswith("delete:"))
    click = bot.emulator.click(ask["token"], user, delete)
    bot.interact(click)
    bot.run_worker()
    return click


# -- story 1: the names Discord gives ------------------------------------------------------------

GRIMOIRE = {"id": "grimoire", "title": "Grimoire", "channels": [
    {"name": "Wizard's Notes", "type": "text"},
    {"name": "Tavern", "type": "voice"},
    {"name": "Spell Book", "type": "forum", "gm_only": True},
]}


def test_a_lost_reply_to_a_renamed_channel_adopts_it_under_discords_name(bot, emu, guild, gm):
    """Story 1: Discord stores `Wizard's Notes` as `wizards-notes`; the create's reply (and the
    category's) is lost; exactly one of each exists, adopted, shown and deleted by that name."""
    bot.templates.put(guild, validate(GRIMOIRE), author_id=gm)
    emu.faults.lose_reply(2, method="POST", path_regex=r"/guilds/\d+/channels$")
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": NAME}, {"type": 3, "name": "template", "value": "grimoire"}])
    bot.interact(payload)
    bot.run_worker()

    assert sum(r.reply_lost for r in emu.requests) == 2
    [category] = categories(emu, guild)
    assert [(c["name"], c["type"]) for c in children(emu, category["id"])] == [
        ("wizards-notes", 0), ("Tavern", 2), ("spell-book", 15)]
    assert len(named(emu, guild, "wizards-notes")) == 1, "no twin"
    campaign = bot.campaign(guild)
    assert campaign.status == "completed"
    assert campaign.resources["channel:0"]["name"] == "wizards-notes"
    assert campaign.resources["channel:0"]["id"] == named(emu, guild, "wizards-notes")[0]["id"]
    summary = final_text(emu, payload)
    assert "Text: wizards-notes" in summary and "Forum: 🔒 spell-book" in summary
    assert "Left alone" not in summary

    click = confirm_delete(bot, guild, gm)
    assert final_text(emu, click).startswith(f"🗑️ Deleted **{NAME}**")
    assert named(emu, guild, "wizards-notes") == [] and categories(emu, guild) == []
    assert bot.campaign(guild) is None


def test_names_discord_would_store_alike_are_refused_in_a_template():
    """Two channels Discord could store under one name couldn't be told apart after a lost reply."""
    with pytest.raises(TemplateInvalid) as refused:
        validate({**GRIMOIRE, "channels": [{"name": "Wizard's Notes", "type": "text"},
                                           {"name": "wizards notes!", "type": "forum"}]})
    assert "channel names must differ in more than case, spaces and punctuation" in str(refused.value)
    assert fold("Wizard's Notes") == fold("wizards-notes") == "wizardsnotes"
    assert fold("🐉") != fold("🎲"), "emoji-only names stay different"


# -- story 2: resuming never takes what the bot did not make ------------------------------------

def fail_before_any_role(bot, emu, guild, gm):
    """A build refused at its first create (no Manage Roles in effect): every step stays pending."""
    emu.faults.forbid(method="POST", path_regex=r"/roles$")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "failed"
    emu.faults.clear()
    return payload


def test_resuming_adopts_nothing_an_admin_made_meanwhile(bot, emu, guild, gm):
    """Story 2: a public text channel named like the category, a public `general`, and an admin's
    privileged role named like the GM role, all made after the pending marks: none is adopted,
    deleted or handed out; each is reported."""
    fail_before_any_role(bot, emu, guild, gm)
    lookalike_category = emu.add_channel(guild, NAME)  # stored as "curse-of-strahd"
    public_general = emu.add_channel(guild, "general")
    admins_role = emu.add_role(guild, f"{NAME} GM", permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES)

    resume = bot.add_campaign(guild, gm)
    bot.run_worker()

    campaign = bot.campaign(guild)
    assert campaign.status == "completed"
    [category] = categories(emu, guild)
    assert campaign.resources["category"]["id"] == category["id"] != lookalike_category
    assert emu.channel(lookalike_category)["parent_id"] is None
    assert emu.channel(public_general) is not None, "not deleted as a twin"
    ours = [c for c in children(emu, category["id"]) if c["name"] == "general"]
    assert len(ours) == 1 and ours[0]["id"] != public_general
    gm_role = campaign.resources["role:gm"]["id"]
    assert gm_role != admins_role and emu.find_role(guild, f"{NAME} GM") is not None
    assert len([r for r in emu.guild_roles(guild) if r["name"] == f"{NAME} GM"]) == 2
    assert admins_role not in emu.member_role_ids(guild, gm)
    summary = final_text(emu, resume)
    assert "⚠️ Left alone: " in summary
    for shown in ("#curse-of-strahd (text)", "#general (text)", f"@{NAME} GM (role)"):
        assert shown in summary

    # /assign-gm hands out the campaign's GM role, never the admin's.
    player = emu.add_member(guild, name="bob")
    assign = command(bot, guild, gm, "assign-gm", [{"type": 3, "name": "campaign", "value": NAME},
                                                   {"type": 6, "name": "user", "value": player}],
                     users=[player])
    bot.run_worker()
    assert final_text(emu, assign).startswith("✅")
    assert gm_role in emu.member_role_ids(guild, player)
    assert admins_role not in emu.member_role_ids(guild, player)

    # Deleting the campaign deletes only what it made.
    confirm_delete(bot, guild, gm)
    assert emu.channel(lookalike_category) is not None and emu.channel(public_general) is not None
    assert admins_role in {r["id"] for r in emu.guild_roles(guild)}
    assert categories(emu, guild) == []


def test_twins_the_bot_provably_made_are_deleted_and_look_alikes_kept(bot, emu, guild, gm):
    """A category create sent twice by an earlier invocation that died (replayed here with the
    bot's own request body and token) leaves two identical categories: the first is adopted, the
    second deleted as a twin. An admin's same-named category, public, is kept and reported."""
    emu.faults.forbid(method="POST", path_regex=r"/channels$")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    emu.faults.clear()
    [refused] = [r for r in emu.requests if r.method == "POST" and r.path.endswith("/channels")]
    sent = [bot_api(emu, "POST", f"/guilds/{guild}/channels", json=refused.json).json()["id"]
            for _ in range(2)]
    admins = emu.add_channel(guild, NAME, CATEGORY)

    resume = bot.add_campaign(guild, gm)
    bot.run_worker()

    assert bot.campaign(guild).resources["category"]["id"] == sent[0]
    assert emu.channel(sent[1]) is None, "the twin is deleted"
    assert emu.channel(admins) is not None
    assert {c["id"] for c in categories(emu, guild)} == {sent[0], admins}
    assert len(children(emu, sent[0])) == 10
    assert f"#{NAME} (category)" in final_text(emu, resume)


def test_things_made_before_the_pending_mark_are_never_adopted(bot, emu, guild, gm, monkeypatch):
    """An admin's zero-permission role and private category named like the campaign's, made
    ten seconds before the build started (past the clock-skew allowance), are not adopted even
    on a resume that must reconcile."""
    monkeypatch.setattr(builder, "time", SimpleNamespace(time=lambda: time.time() + 10))
    old_role = emu.add_role(guild, f"{NAME} Players")
    old_category = emu.add_channel(guild, NAME, CATEGORY, permission_overwrites=[
        {"id": guild, "type": 0, "deny": str(p.VIEW_CHANNEL)}])
    fail_before_any_role(bot, emu, guild, gm)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    campaign = bot.campaign(guild)
    assert campaign.status == "completed"
    assert campaign.resources["role:players"]["id"] != old_role
    assert campaign.resources["category"]["id"] != old_category
    assert emu.channel(old_category) is not None and old_role in {r["id"] for r in emu.guild_roles(guild)}


# -- story 5: channels hidden from the bot -------------------------------------------------------

def test_the_channel_limit_met_midway_stops_cleanly_with_undo(bot, emu, gm):
    """Story 5: 495 of 500 channels, 10 of them hidden from the bot. The room check counts what
    it can see (485 + 11 fits), Discord refuses the sixth channel with 30013: the build stops,
    says why, and its Undo removes what was made."""
    guild = emu.add_guild(name="Crowded", bot_permissions=BOT_PERMISSIONS, filler_channels=485)
    staff = [emu.add_channel(guild, f"staff-{i}", bot_deny=STAFF_ONLY) for i in range(10)]
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()

    assert len(emu.guild_channels(guild)) == 500
    text = final_text(emu, payload)
    assert "This server ran out of room for channels partway through." in text
    assert "I could see 485 channels when I checked for room, but channels hidden from me count too" in text
    assert "I made 7 of the campaign's 13 roles and channels" in text
    campaign = bot.campaign(guild)
    assert campaign.status == "failed" and campaign.failure["transient"] is False
    assert bot.aws.drain(bot.aws.dlq_url) == []
    message = emu.original_message(payload["token"])
    [undo] = [c for row in message["components"] for c in row["components"]]
    assert undo["label"] == "Undo partial build"

    bot.interact(emu.click(payload["token"], gm, undo["custom_id"]))
    bot.run_worker()
    assert categories(emu, guild) == [] and not emu.find_role(guild, f"{NAME} GM")
    assert len(emu.guild_channels(guild)) == 495
    assert all(emu.channel(s) is not None for s in staff)


def test_the_room_check_says_hidden_channels_are_not_counted(bot, emu):
    guild = emu.add_guild(name="Full", bot_permissions=BOT_PERMISSIONS, filler_channels=495)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    text = final_text(emu, payload)
    assert "This server has 495 of 500 channels; the campaign needs 11." in text
    assert "Channels hidden from me aren't in that count" in text


def test_a_channel_hidden_mid_build_is_kept_and_a_deleted_one_returns_to_its_place(bot, emu, guild, gm):
    """Story 5: an admin hides `general` from the bot and deletes `dice-rolls` mid-build. The
    complete step asks for `general` by id (403: hidden) and leaves it; only `dice-rolls`
    (404) is made again, in its template position."""
    payload = bot.add_campaign(guild, gm)
    poll_once_stopping(bot, emu, after=channel_made)  # everything but the final check
    [category] = categories(emu, guild)
    before = {c["name"]: c["id"] for c in children(emu, category["id"])}
    hide_from_bot(emu, before["general"])
    emu.delete_channel(before["dice-rolls"])
    bot.run_worker()

    assert bot.campaign(guild).status == "completed"
    assert len(named(emu, guild, "general")) == 1, "not re-created"
    assert not emu.visible_to(before["general"], emu.bot_user_id)
    order = [c["name"] for c in children(emu, category["id"])]
    assert order == ["announcements", "general", "session-notes", "dice-rolls", "gm-notes", "voice-chat",
                     "character-sheets", "lore-and-worldbuilding", "maps-and-handouts", "gm-planning"]
    assert emu.count(method="GET", path_regex=rf"^/channels/{before['general']}$") >= 1
    summary = final_text(emu, payload)
    assert "🙈 Hidden from me, so I couldn't check them: #general." in summary

    info = command(bot, guild, gm, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])
    bot.run_worker()
    text = final_text(emu, info)
    assert "🙈 Hidden from me (1), so I can't check them: general (text)" in text
    assert "Missing" not in text and "✅ Exists (12)" in text


def test_delete_reports_what_it_could_not_see(bot, emu, guild, gm):
    """Story 5: a channel someone hid from the bot inside the category can't be listed, so delete
    says so; a campaign channel hidden from the bot stops the delete before the category and
    roles (which keep it private) and is named, and a rerun finishes once it is visible."""
    bot.add_campaign(guild, gm)
    bot.run_worker()
    [category] = categories(emu, guild)
    secret = emu.add_channel(guild, "secret-plans", parent_id=category["id"], bot_deny=STAFF_ONLY)
    general = next(c["id"] for c in children(emu, category["id"]) if c["name"] == "general")
    hide_from_bot(emu, general)

    click = confirm_delete(bot, guild, gm)
    text = final_text(emu, click)
    assert "I couldn't delete #general: it is hidden from me." in text
    assert "Give my role View Channel on it (or delete it yourself)" in text
    assert emu.channel(general) is not None and categories(emu, guild) != []
    assert [c["name"] for c in children(emu, category["id"])] == ["general", "secret-plans"]
    assert bot.campaign(guild).status == "deleting"

    emu.delete_channel(general)  # the admin deletes it by hand, as the message offers
    click = confirm_delete(bot, guild, gm)
    text = final_text(emu, click)
    assert text.startswith(f"🗑️ Deleted **{NAME}**")
    assert "I can't see channels hidden from me, so I can't tell whether someone put one in the " \
           "category: if so, it is kept and now sits outside any category." in text
    assert categories(emu, guild) == []
    assert emu.channel(secret)["parent_id"] is None and bot.campaign(guild) is None


def test_an_administrator_bot_sees_everything_so_delete_has_nothing_to_warn_about(bot, emu, gm):
    guild = emu.add_guild(name="Admin", bot_permissions=p.ADMINISTRATOR)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    [category] = categories(emu, guild)
    secret = emu.add_channel(guild, "secret-plans", parent_id=category["id"], bot_deny=STAFF_ONLY)
    text = final_text(emu, confirm_delete(bot, guild, gm))
    assert "Left alone (added by someone else, now outside any category): #secret-plans" in text
    assert "hidden from me" not in text
    assert emu.channel(secret)["parent_id"] is None
