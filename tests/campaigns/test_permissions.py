"""Permissions as Discord computes them, end to end: signed interactions in, the worker on
moto's SQS, Discord emulated with channel-scoped interaction permissions.

`member.permissions` and `app_permissions` describe the channel a command was typed in, with its
overwrites (developers/interactions/receiving-and-responding.mdx, Interaction Object). So each
case below sets up a channel that says something different from the server, checks that the
payload really says it, and then that the outcome follows the server: the campaign ends private
and correct, or is refused with the true reason.
"""

import pytest

from channelwright.discord import permissions as p
from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, EVERYONE, MANAGERS
from channelwright.commands.definitions import DEFINITIONS, RULES
from tests.support.templates import west
from tests.support.servers import (EDIT_CHANNEL_PERMISSIONS, MEMBER, bot_role, overwrite, remove_bot, run,
                                   set_everyone_permissions, take_role)
from tests.campaigns.test_campaign_build import (BOT_PERMISSIONS, GM_ONLY, assert_complete_and_private,
                                                 campaign_state, poll_once_stopping)
from tests.commands.test_lifecycle import buttons_of, click, member_options

NAME = "Curse of Strahd"
EPHEMERAL = 64


@pytest.fixture
def built(bot, emu, guild, gm):
    """A completed campaign, requested by `gm`; returns the /add-campaign payload."""
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"
    return payload


def role_id(emu, guild, suffix):
    return next(r["id"] for r in emu.guild_roles(guild) if r["name"] == f"{NAME} {suffix}")


def name_option(name=NAME):
    return [{"type": 3, "name": "name", "value": name}]


def holds(payload, bit) -> bool:
    return bool(int(payload["member"]["permissions"]) & bit)


# -- overwrites follow my server-level permissions, wherever the command is typed ---------------


def test_built_from_a_channel_hidden_from_my_role_it_is_still_private(bot, emu, guild, gm, player):
    """A staff channel that hides itself from the bot's role."""
    staff = emu.add_channel(guild, "staff", permission_overwrites=[
        overwrite(guild, deny=p.VIEW_CHANNEL), overwrite(bot_role(emu, guild), deny=p.VIEW_CHANNEL),
        overwrite(gm, MEMBER, allow=p.VIEW_CHANNEL)])
    payload = bot.add_campaign(guild, gm, channel_id=staff)
    assert not int(payload["app_permissions"]) & p.VIEW_CHANNEL, "the payload: I can't view this channel"
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    summary = emu.message_history(payload["token"])[-1]
    assert summary.startswith(f"✅ Campaign ready: {NAME}") and "visible only to those roles" in summary


def test_a_permission_granted_to_me_in_one_channel_stays_out_of_overwrites(bot, emu, guild, gm, player):
    """The channel grants my role Manage Messages, the server doesn't."""
    table = emu.add_channel(guild, "table", permission_overwrites=[
        overwrite(bot_role(emu, guild), allow=p.MANAGE_MESSAGES)])
    payload = bot.add_campaign(guild, gm, channel_id=table)
    assert int(payload["app_permissions"]) & p.MANAGE_MESSAGES
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    _, categories, children = campaign_state(emu, guild)
    assert not any(int(o["allow"]) & p.MANAGE_MESSAGES
                   for c in categories + children for o in c["permission_overwrites"])
    assert emu.count(status=403) == 0
    assert emu.message_history(payload["token"])[-1].startswith("✅ Campaign ready")


def test_typed_in_a_read_only_channel_players_can_still_post(bot, emu, guild, gm, player):
    """@everyone lacks Send Messages and the channel denies it to me."""
    everyone = int(next(r for r in emu.guild_roles(guild) if r["id"] == guild)["permissions"])
    set_everyone_permissions(bot.rest, guild, everyone & ~p.SEND_MESSAGES)
    news = emu.add_channel(guild, "news", permission_overwrites=[
        overwrite(bot_role(emu, guild), deny=p.SEND_MESSAGES)])
    payload = bot.add_campaign(guild, gm, channel_id=news)
    assert not int(payload["app_permissions"]) & p.SEND_MESSAGES
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)  # gives `player` the Players role
    texts = [c for c in campaign_state(emu, guild)[2] if c["type"] == 0 and c["name"] not in GM_ONLY]
    assert texts and all(emu.permissions_in(c["id"], player) & p.SEND_MESSAGES for c in texts)
    assert "Players can't" not in emu.message_history(payload["token"])[-1]


def test_when_no_one_can_grant_players_send_messages_the_summary_says_so(bot, emu, gm, player):
    guild = emu.add_guild(name="Quiet", bot_permissions=BOT_PERMISSIONS & ~p.SEND_MESSAGES)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    player = emu.add_member(guild, name="bob")
    everyone = int(next(r for r in emu.guild_roles(guild) if r["id"] == guild)["permissions"])
    set_everyone_permissions(bot.rest, guild, everyone & ~p.SEND_MESSAGES)
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    summary = emu.message_history(payload["token"])[-1]
    assert "⚠️ Players can't Send Messages in these channels" in summary
    assert "Give the Players role Send Messages" in summary


@pytest.mark.parametrize("lacking", [p.VIEW_CHANNEL, p.MANAGE_ROLES])
def test_lacking_what_privacy_needs_server_wide_i_refuse_before_creating_anything(bot, emu, lacking):
    """The invoking channel grants my role the permission; the server doesn't. Without View Channels
    I couldn't deny it to @everyone; without Manage Roles I couldn't set overwrites at all."""
    guild = emu.add_guild(name="Strict", bot_permissions=BOT_PERMISSIONS & ~lacking)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    player = emu.add_member(guild, name="bob")
    everyone = int(next(r for r in emu.guild_roles(guild) if r["id"] == guild)["permissions"])
    if everyone & lacking:  # @everyone's permissions count for me too
        set_everyone_permissions(bot.rest, guild, everyone & ~lacking)
    where = emu.add_channel(guild, "table", permission_overwrites=[
        overwrite(bot_role(emu, guild), allow=lacking), overwrite(gm, MEMBER, allow=p.VIEW_CHANNEL)])
    payload = bot.add_campaign(guild, gm, channel_id=where)
    assert int(payload["app_permissions"]) & lacking
    bot.run_worker()

    label = p.LABELS[lacking]
    final = emu.message_history(payload["token"])[-1]
    assert f"My role is missing {label} in this server, so I stopped before creating anything." in final
    assert f"give my role {label}" in final
    assert campaign_state(emu, guild) == ([], [], [])
    assert bot.campaign(guild).status == "failed"

    emu.set_bot_permissions(guild, BOT_PERMISSIONS)
    bot.add_campaign(guild, gm, channel_id=where)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)


def test_a_bot_holding_only_administrator_builds_privately(bot, emu):
    guild = emu.add_guild(name="Admin bot", bot_permissions=p.ADMINISTRATOR)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    player = emu.add_member(guild, name="bob")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.message_history(payload["token"])[-1].startswith("✅ Campaign ready")


# -- who may manage a campaign: server-level permissions and current roles -----------------------


def test_manage_channels_granted_in_one_channel_makes_no_one_a_manager(bot, emu, guild, gm, built):
    """Manage Channels on one voice channel only."""
    dana = emu.add_member(guild, name="dana")
    lounge = emu.add_channel(guild, "Lounge", type=2, permission_overwrites=[
        overwrite(dana, MEMBER, allow=p.MANAGE_CHANNELS)])

    payload, reply, text = run(bot, guild, dana, "assign-gm", member_options(dana), users=[dana],
                               channel_id=lounge)
    assert holds(payload, p.MANAGE_CHANNELS), "the payload says she manages channels here"
    assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert f"Only the GMs of “{NAME}” or server managers can do that." in text
    assert role_id(emu, guild, "GM") not in emu.member_role_ids(guild, dana)
    assert bot.campaign(guild).gms == frozenset({gm})

    _, reply, text = run(bot, guild, dana, "delete-campaign", name_option(), channel_id=lounge)
    assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert f"Only the GMs of “{NAME}” or server managers can delete it." in text
    assert not buttons_of(emu.original_message(payload["token"]) or {}), "no delete confirmation"

    payload, reply, text = run(bot, guild, dana, "add-campaign", name_option("Dana's Game"),
                               channel_id=lounge)
    assert emu.original_message(payload["token"]) is None, "the public “thinking…” is gone"
    assert "You need the Manage Channels permission to add a campaign." in text
    assert "a permission granted in a single channel doesn't count" in text
    assert bot.campaign(guild, "Dana's Game") is None, "the name is free again"
    assert campaign_state(emu, guild, "Dana's Game") == ([], [], [])


def test_a_gm_whose_gm_role_was_taken_away_is_no_longer_a_gm(bot, emu, guild, gm, built):
    """An admin takes the GM role by hand; the store still lists him."""
    erin = emu.add_member(guild, name="erin")  # no server permissions at all
    _, _, text = run(bot, guild, gm, "assign-gm", member_options(erin), users=[erin])
    assert text == f"✅ <@{erin}> is now a GM in **{NAME}**."
    gm_role = role_id(emu, guild, "GM")
    take_role(bot.rest, guild, erin, gm_role)

    _, reply, text = run(bot, guild, erin, "assign-gm", member_options(erin), users=[erin])
    assert f"Only the GMs of “{NAME}” or server managers can do that." in text
    assert gm_role not in emu.member_role_ids(guild, erin)
    assert erin not in bot.campaign(guild).gms, "the record follows the server"

    click_payload, reply = click(bot, built["token"], erin, "undo:")
    assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}
    bot.run_worker()
    assert "can delete it" in emu.original_message(click_payload["token"])["content"]
    assert bot.campaign(guild).status == "completed"
    assert len(campaign_state(emu, guild)[2]) == 10


def test_a_gm_without_server_permissions_sees_and_runs_delete_campaign(bot, emu, guild, gm, built):
    """/delete-campaign was hidden from GMs made with /assign-gm."""
    erin = emu.add_member(guild, name="erin")
    run(bot, guild, gm, "assign-gm", member_options(erin), users=[erin])
    [definition] = [d for d in DEFINITIONS if d["name"] == "delete-campaign"]
    assert definition["default_member_permissions"] is None, "Discord shows it to everyone"

    payload = emu.create_interaction(guild, erin, "delete-campaign", options=name_option())
    assert not holds(payload, p.MANAGE_CHANNELS)
    reply = bot.interact(payload)
    assert reply["type"] == 4 and reply["data"]["flags"] == EPHEMERAL, "a GM is asked at once"
    click(bot, payload["token"], erin, "delete:")
    bot.run_worker()
    assert campaign_state(emu, guild) == ([], [], [])
    assert bot.campaign(guild) is None


def test_the_server_owner_manages_without_any_role(bot, emu, guild, gm, built):
    owner = emu.guild(guild)["owner_id"]
    assert emu.member_role_ids(guild, owner) == []
    payload = bot.add_campaign(guild, owner, name="Owner's Game")
    bot.run_worker()
    assert bot.campaign(guild, "Owner's Game").status == "completed"

    payload, reply, text = run(bot, guild, owner, "delete-campaign", name_option())
    assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}, "not a GM: the worker checks"
    assert text.startswith(f"Delete **{NAME}**?")
    click_payload, reply = click(bot, payload["token"], owner, "delete:")
    assert reply == {"type": 6}, "the worker checks again, then edits the confirmation itself"
    bot.run_worker()
    assert campaign_state(emu, guild) == ([], [], [])
    assert bot.campaign(guild) is None
    assert emu.original_message(click_payload["token"])["content"].startswith(f"🗑️ Deleted **{NAME}**")


def test_an_administrator_role_makes_a_server_manager(bot, emu, guild, gm, player, built):
    ada = emu.add_member(guild, name="ada", permissions=p.ADMINISTRATOR)
    _, _, text = run(bot, guild, ada, "add-player", member_options(player), users=[player])
    assert text == f"✅ <@{player}> is now a player in **{NAME}**."
    bot.add_campaign(guild, ada, name="Ada's Game")
    bot.run_worker()
    assert bot.campaign(guild, "Ada's Game").status == "completed"


def test_changing_templates_takes_manage_channels_from_roles(bot, emu, guild, gm):
    dana = emu.add_member(guild, name="dana")
    lounge = emu.add_channel(guild, "Lounge", type=2, permission_overwrites=[
        overwrite(dana, MEMBER, allow=p.MANAGE_CHANNELS)])
    bot.templates.put(guild, west(), author_id=gm)
    remove = [{"type": 1, "name": "remove", "options": [{"type": 3, "name": "name", "value": "west-marches"}]}]

    _, reply, text = run(bot, guild, dana, "campaign-template", remove, channel_id=lounge)
    assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert "You need the Manage Channels permission to change this server's templates." in text
    assert bot.templates.get(guild, "west-marches") is not None

    _, _, text = run(bot, guild, gm, "campaign-template", remove)
    assert text.startswith("🗑️ Removed the template `west-marches`.")
    assert bot.templates.get(guild, "west-marches") is None


# -- /campaign-info tells channel names only to those who can see them ---------------------------


def test_campaign_info_shows_channel_names_only_to_those_who_can_see_them(bot, emu, guild, gm, player,
                                                                          built):
    """A campaign's private channels are named only to those who can see them."""
    emu.give_role(guild, player, role_id(emu, guild, "Players"))
    manager = emu.add_member(guild, name="mia", permissions=p.MANAGE_CHANNELS)
    bystander = emu.add_member(guild, name="carol")
    category = campaign_state(emu, guild)[1][0]["id"]
    emu.add_channel(guild, "secret-plots", parent_id=category, permission_overwrites=[
        overwrite(guild, deny=p.VIEW_CHANNEL), overwrite(role_id(emu, guild, "GM"), allow=p.VIEW_CHANNEL),
        overwrite(bot_role(emu, guild), allow=p.VIEW_CHANNEL)])

    def info(user):
        _, reply, text = run(bot, guild, user, "campaign-info", name_option())
        assert reply == {"type": 5, "data": {"flags": EPHEMERAL}}
        return text

    outsider = info(bystander)
    assert outsider.startswith(f"**{NAME}** — completed")
    assert "✅ Exists (13): Curse of Strahd Players (role), Curse of Strahd GM (role), 11 channels you can't see" in outsider
    assert "➕ Also in its category (not made by me): 1 channel you can't see" in outsider
    for secret in ("general", "gm-notes", "voice-chat", "secret-plots", f"{NAME} (category)"):
        assert secret not in outsider

    playing = info(player)
    assert "general (text)" in playing and f"{NAME} (category)" in playing
    assert "gm-notes" not in playing and "gm-planning" not in playing and "secret-plots" not in playing
    assert "2 channels you can't see" in playing

    for insider in (gm, manager):
        text = info(insider)
        assert "🔒 gm-notes (text)" in text and "#secret-plots" in text and "you can't see" not in text


# -- registration agrees with the handlers ----------------------------------------------------------

# (persona, server-level permissions, holds the campaign's GM role): typing in an ordinary channel,
# so their permissions there are their server-level ones.
PERSONAS = [("bystander", 0, False), ("gm made with /assign-gm", 0, True),
            ("server manager", p.MANAGE_CHANNELS, False), ("administrator", p.ADMINISTRATOR, False)]


def serves(rule, permissions, is_gm) -> bool:
    manager = bool(p.effective(permissions) & p.MANAGE_CHANNELS)
    return rule == EVERYONE or manager or (rule == CAMPAIGN_RUNNERS and is_gm)


def shown(definition, permissions) -> bool:
    """Discord shows a command to members holding its default_member_permissions, and to
    Administrators always (developers/interactions/application-commands.mdx, Permissions)."""
    required = definition.get("default_member_permissions")
    return required is None or bool(permissions & p.ADMINISTRATOR) or (
        int(required) != 0 and permissions & int(required) == int(required))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d["name"] for d in DEFINITIONS])
def test_each_command_is_shown_to_everyone_its_handler_serves(definition):
    """Shown to every persona the handler's rule serves; hidden only when the whole command is for
    server managers (anyone may be a GM of some campaign, which registration can't tell)."""
    assert definition["contexts"] == [0], "servers only"
    assert definition["integration_types"] == [0], "installed to a server, never to a user"
    rules = [rule for key, rule in RULES.items() if key.split(" ")[0] == definition["name"]]
    assert rules and set(rules) <= {EVERYONE, CAMPAIGN_RUNNERS, MANAGERS}
    for persona, permissions, is_gm in PERSONAS:
        served = any(serves(rule, permissions, is_gm) for rule in rules)
        if served:
            assert shown(definition, permissions), f"hidden from a {persona} it serves"
        elif set(rules) == {MANAGERS}:
            assert not shown(definition, permissions), f"shown to a {persona} it refuses"


# -- installations and lost access ----------------------------------------------------------------


def test_an_invocation_through_a_users_own_installation_is_refused_plainly(bot, emu, guild, gm, built):
    """`authorizing_integration_owners` without the server's key "0"."""
    emu.clear_requests()
    payload = emu.create_interaction(guild, gm, "add-campaign", options=name_option("Side Quest"))
    payload["authorizing_integration_owners"] = {"1": gm}
    reply = bot.interact(payload)
    assert reply["type"] == 4 and reply["data"]["flags"] == EPHEMERAL
    assert "I'm not installed in this server" in reply["data"]["content"]
    assert bot.campaign(guild, "Side Quest") is None and bot.aws.drain() == []

    click_payload = emu.click(built["token"], gm, f"undo:{built['id']}")
    click_payload["authorizing_integration_owners"] = {"1": gm}
    assert "I'm not installed in this server" in bot.interact(click_payload)["data"]["content"]

    typed = emu.create_interaction(guild, gm, "campaign-info", options=[
        {"type": 3, "name": "name", "value": "cur", "focused": True}])
    typed.update(type=4, authorizing_integration_owners={"1": gm})
    assert bot.interact_raw(typed) == {"type": 8, "data": {"choices": []}}
    assert bot.aws.drain() == [] and bot.campaign(guild).status == "completed"
    assert [r for r in emu.requests if not r.path.startswith("/webhooks/")] == [], "no Discord call"


def test_removed_mid_build_i_say_reinvite_me_not_fix_my_role(bot, emu, guild, gm, monkeypatch):
    """Every call answers 403 50001 once I'm out of the server."""
    payload = bot.add_campaign(guild, gm)
    # One invocation stopped after the first role: the next one starts with a create.
    poll_once_stopping(bot, emu, after=lambda r: r.method == "POST" and r.path.endswith("/roles"))
    remove_bot(emu, guild, monkeypatch)
    bot.run_worker()
    final = emu.message_history(payload["token"])[-1]
    assert "I'm no longer in this server." in final
    assert "Re-invite me to the server" in final and "run `/add-campaign` again" in final
    assert "my role" not in final
    assert bot.campaign(guild).status == "failed"
    # A refusal is never retried: after the first 403, nothing is written to the server again
    # (the reads that follow only explain the failure).
    first = next(i for i, r in enumerate(emu.requests) if r.status == 403)
    assert not [r for r in emu.requests[first + 1:] if r.method != "GET" and "/webhooks/" not in r.path]


def test_removed_i_tell_gms_to_reinvite_me(bot, emu, guild, gm, player, built, monkeypatch):
    remove_bot(emu, guild, monkeypatch)
    _, _, text = run(bot, guild, gm, "add-player", member_options(player), users=[player])
    assert "I'm no longer in this server." in text and "Re-invite me" in text
    assert "my role" not in text
    _, _, text = run(bot, guild, player, "campaign-info", name_option())
    assert "I'm no longer in this server." in text


def test_a_channel_hidden_from_me_is_named_as_such_not_as_removal(bot, emu, guild, gm, built):
    """Still a member, but someone denied me View Channel on one campaign channel: 50001 there."""
    general = next(c for c in campaign_state(emu, guild)[2] if c["name"] == "general")
    bot.rest.request(EDIT_CHANNEL_PERMISSIONS.compile(channel_id=general["id"], overwrite_id=emu.bot_user_id),
                     json={"type": 1, "allow": "0", "deny": str(p.VIEW_CHANNEL)})
    payload = emu.create_interaction(guild, gm, "delete-campaign", options=name_option())
    bot.interact(payload)
    click_payload, _ = click(bot, payload["token"], gm, "delete:")
    bot.run_worker()
    final = emu.message_history(click_payload["token"])[-1]
    assert "I couldn't delete #general: it is hidden from me." in final
    assert "Give my role View Channel on it" in final and "no longer in this server" not in final
    assert bot.campaign(guild).status == "deleting"
