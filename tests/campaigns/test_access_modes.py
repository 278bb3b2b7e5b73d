"""Access modes per template channel, end to end: a template using every mode is imported, built
through the real handlers, and then who may view, send, connect and speak where is read from the
emulator's permission model (Discord's algorithm: developers/topics/permissions.mdx,
"Permission Overwrites") for a GM, a player, a spectator and an outsider.

The server's @everyone holds what Discord gives it by default (send, connect, speak...), so a
read-only role is read-only because its overwrite denies, not because nobody may post anyway.
"""

import pytest

from channelwright.campaigns.plan import GM_ONLY, GM_POSTS, PARTY, PLAYERS_ONLY, SPECTATORS, Step, build_plan
from channelwright.discord import permissions as p
from channelwright.templates.files import parse_template_file
from channelwright.templates.library import builtin_templates
from channelwright.templates.schema import validate
from tests.commands.test_template_export import answer, export_options, file_of
from tests.support.servers import final_text, run

NAME = "Curse of Strahd"
EVERYONE_DEFAULT = (p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.ADD_REACTIONS
                    | p.EMBED_LINKS | p.ATTACH_FILES | p.CONNECT | p.SPEAK | p.USE_VAD
                    | p.CREATE_PUBLIC_THREADS | p.SEND_MESSAGES_IN_THREADS)
MODES = {
    "id": "modes", "title": "Every mode",
    "channels": [
        {"name": "general", "type": "text"},
        {"name": "tavern", "type": "voice", "access": "party"},
        {"name": "gm-notes", "type": "text", "gm_only": True},
        {"name": "gm-side-room", "type": "voice", "access": "GM-Only"},
        {"name": "announcements", "type": "text", "access": "gm-posts"},
        {"name": "storyteller", "type": "voice", "access": "gm-posts"},
        {"name": "handouts", "type": "forum", "access": "gm-posts"},
        {"name": "table-talk", "type": "text", "access": "players-only"},
        {"name": "players-huddle", "type": "voice", "access": "players-only"},
        {"name": "dice-rolls", "type": "text", "access": "spectators"},
        {"name": "game-table", "type": "voice", "access": "spectators"},
        {"name": "session-log", "type": "forum", "access": "spectators"},
    ],
}
# What each may do: V view, R read history, S send messages, T reply in threads, C connect, K speak.
BITS = {"V": p.VIEW_CHANNEL, "R": p.READ_MESSAGE_HISTORY, "S": p.SEND_MESSAGES,
        "T": p.SEND_MESSAGES_IN_THREADS, "C": p.CONNECT, "K": p.SPEAK}
# LISTEN: read, and in voice connect and listen (the voice bits mean nothing in text, but the
# overwrite is the same whatever the channel's kind).
FULL, LISTEN, NOTHING = "VRSTCK", "VRC", ""
EXPECTED = {  # channel: (gm, player, spectator, outsider)
    "general": (FULL, FULL, NOTHING, NOTHING),
    "tavern": (FULL, FULL, NOTHING, NOTHING),
    "gm-notes": (FULL, NOTHING, NOTHING, NOTHING),
    "gm-side-room": (FULL, NOTHING, NOTHING, NOTHING),
    "announcements": (FULL, LISTEN, NOTHING, NOTHING),
    "storyteller": (FULL, LISTEN, NOTHING, NOTHING),
    "handouts": (FULL, LISTEN, NOTHING, NOTHING),
    "table-talk": (NOTHING, FULL, NOTHING, NOTHING),
    "players-huddle": (NOTHING, FULL, NOTHING, NOTHING),
    "dice-rolls": (FULL, FULL, LISTEN, NOTHING),
    "game-table": (FULL, FULL, LISTEN, NOTHING),
    "session-log": (FULL, FULL, LISTEN, NOTHING),
}


def may(emu, channel_id: str, user_id: str) -> str:
    """Letters of BITS the member holds in the channel; none without View Channel, which
    "implicitly denies other permissions on the channel" (permissions.mdx, "Implicit Permissions")."""
    held = emu.permissions_in(channel_id, user_id)
    if not held & p.VIEW_CHANNEL:
        return NOTHING
    return "".join(letter for letter, bit in BITS.items() if held & bit)


def roles_of(emu, guild, name=NAME) -> dict[str, str]:
    return {r["name"][len(name) + 1:]: r["id"] for r in emu.guild_roles(guild)
            if r["name"].startswith(f"{name} ")}


def children_of(emu, guild, name=NAME) -> dict[str, dict]:
    [category] = [c for c in emu.guild_channels(guild) if c["type"] == 4 and c["name"] == name]
    return {c["name"]: c for c in emu.guild_channels(guild) if c.get("parent_id") == category["id"]}


def build(bot, emu, guild, gm, template_id: str, name=NAME) -> dict:
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": name}, {"type": 3, "name": "template", "value": template_id}])
    assert bot.interact(payload) == {"type": 5}
    bot.run_worker()
    assert bot.campaign(guild, name).status == "completed"
    return payload


@pytest.fixture
def people(emu, guild, gm, player):
    """@everyone as Discord makes it, and a spectator and an outsider beside the GM and player."""
    emu.set_everyone_permissions(guild, EVERYONE_DEFAULT)
    return {"spectator": emu.add_member(guild, name="carol"), "outsider": emu.add_member(guild, name="dave")}


def test_every_mode_lets_each_role_do_what_it_says(bot, emu, guild, gm, player, people):
    bot.templates.put(guild, validate(MODES), author_id=gm)
    payload = build(bot, emu, guild, gm, "modes")
    roles = roles_of(emu, guild)
    assert sorted(roles) == ["GM", "Players", "Spectators"]
    emu.give_role(guild, player, roles["Players"])
    emu.give_role(guild, people["spectator"], roles["Spectators"])
    assert roles["GM"] in emu.member_role_ids(guild, gm)

    channels = children_of(emu, guild)
    assert sorted(channels) == sorted(EXPECTED)
    who = (gm, player, people["spectator"], people["outsider"])
    seen = {name: tuple(may(emu, channels[name]["id"], user) for user in who) for name in EXPECTED}
    assert seen == EXPECTED
    for name in EXPECTED:  # what the model says, the client's sidebar shows
        assert [emu.visible_to(channels[name]["id"], user) for user in who] == \
            [bool(expected) for expected in EXPECTED[name]]

    summary = emu.message_history(payload["token"])[-1]
    assert "(game masters), Curse of Strahd Spectators (spectators)" in summary
    assert ("Text: general, 🔒 gm-notes, 📢 announcements, 🙊 table-talk, 👁 dice-rolls\n"
            "Voice: tavern, 🔒 gm-side-room, 📢 storyteller, 🙊 players-huddle, 👁 game-table\n"
            "Forum: 📢 handouts, 👁 session-log") in summary
    assert summary.rstrip().endswith(
        "🔒 = game masters only.\n"
        "📢 = game masters post; players read (in voice: listen, not speak).\n"
        "🙊 = players only: hidden from the GM role (the server's owner and Administrators still "
        "see every channel).\n"
        "👁 = spectators read it too (in voice: listen): give someone the Spectators role with "
        "`/add-spectator` to let them watch. Give players the Players role to let them in.")


def test_players_only_hides_from_the_gm_role_not_from_a_gm_who_plays_nor_an_administrator(
        bot, emu, guild, gm, player, people):
    """Discord's rules, said in the legend: one role's allow beats another's deny
    (permissions.mdx, "Permission Hierarchy"); Administrators skip overwrites altogether."""
    bot.templates.put(guild, validate(MODES), author_id=gm)
    build(bot, emu, guild, gm, "modes")
    table_talk = children_of(emu, guild)["table-talk"]["id"]
    assert not emu.visible_to(table_talk, gm)
    emu.give_role(guild, gm, roles_of(emu, guild)["Players"])
    assert may(emu, table_talk, gm) == FULL
    admin = emu.add_member(guild, name="erin", permissions=p.ADMINISTRATOR)
    assert may(emu, table_talk, admin) == FULL


def test_a_template_without_spectators_channels_makes_no_spectators_role(bot, emu, guild, gm, people):
    build(bot, emu, guild, gm, "in-person")
    assert sorted(roles_of(emu, guild)) == ["GM", "Players"]
    planned = build_plan(NAME, next(t for t in builtin_templates() if t.id == "in-person"))
    assert [s.name for s in planned if s.kind == "role"] == [f"{NAME} Players", f"{NAME} GM"]


@pytest.mark.parametrize("template_id", ["voice-vtt", "in-person"])
def test_the_builtin_table_templates_build_with_their_modes(bot, emu, guild, gm, player, people, template_id):
    template = next(t for t in builtin_templates() if t.id == template_id)
    build(bot, emu, guild, gm, template_id)
    roles = roles_of(emu, guild)
    emu.give_role(guild, player, roles["Players"])
    if "Spectators" in roles:
        emu.give_role(guild, people["spectator"], roles["Spectators"])
    channels = children_of(emu, guild)
    expected = {PARTY: (FULL, FULL, NOTHING), GM_ONLY: (FULL, NOTHING, NOTHING),
                GM_POSTS: (FULL, LISTEN, NOTHING), PLAYERS_ONLY: (NOTHING, FULL, NOTHING),
                SPECTATORS: (FULL, FULL, LISTEN)}
    for spec in template.channels:
        seen = tuple(may(emu, channels[spec.name]["id"], user) for user in (gm, player, people["spectator"]))
        assert seen == expected[spec.access], spec
    assert {c.access for c in template.channels} >= {GM_ONLY, GM_POSTS, PLAYERS_ONLY}
    assert ("Spectators" in roles) == any(c.access == SPECTATORS for c in template.channels)


def test_export_keeps_every_mode_and_imports_again(bot, emu, guild, gm, people):
    bot.templates.put(guild, validate(MODES), author_id=gm)
    build(bot, emu, guild, gm, "modes")
    payload, _, _ = run(bot, guild, gm, "campaign-template", export_options(NAME))
    _, attachment = answer(emu, payload["token"])
    exported = file_of(attachment)
    template = parse_template_file(exported, attachment["filename"])
    assert [(c.name, c.type, c.access) for c in template.channels] == \
        [(c.name, c.type, c.access) for c in validate(MODES).channels]
    assert b"access: spectators" in exported and b"gm_only: true" in exported

    imported = emu.create_interaction(guild, gm, "campaign-template", attachments=[attachment], options=[
        {"type": 1, "name": "import", "options": [{"type": 11, "name": "file", "value": attachment["id"]}]}])
    bot.interact(imported)
    bot.run_worker()
    assert final_text(emu, imported["token"]).startswith("✅ Template `curse-of-strahd`")
    build(bot, emu, guild, gm, "curse-of-strahd", name="Tomb of Annihilation")
    assert sorted(roles_of(emu, guild, "Tomb of Annihilation")) == ["GM", "Players", "Spectators"]


def test_a_plan_keeps_each_channels_mode_and_reads_plans_recorded_before_modes():
    steps = build_plan(NAME, validate(MODES))
    stored = [s.to_dict() for s in steps]
    assert [Step.from_dict(s) for s in stored] == steps
    assert [s.get("access", PARTY) for s in stored if s["kind"] == "channel"] == \
        [c.access for c in validate(MODES).channels]
    assert next(s for s in stored if s.get("name") == "gm-notes")["gm_only"] is True
    recorded_before = {"key": "channel:4", "kind": "channel", "name": "gm-notes", "channel_type": "text",
                       "gm_only": True}
    assert Step.from_dict(recorded_before).access == GM_ONLY
    assert Step.from_dict({"key": "channel:0", "kind": "channel", "name": "general"}).access == PARTY


def test_campaign_info_marks_each_mode_as_the_summary_does_and_says_what_the_marks_mean(
        bot, emu, guild, gm, player, people):
    """The marks a GM read in the summary and `/campaign-template show` are the ones /campaign-info
    shows, with the legend of those it shows; a player reads the marks of what they can see."""
    bot.templates.put(guild, validate(MODES), author_id=gm)
    build(bot, emu, guild, gm, "modes")
    emu.give_role(guild, player, roles_of(emu, guild)["Players"])
    _, _, text = run(bot, guild, gm, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])
    assert ("general (text), tavern (voice), 🔒 gm-notes (text), 🔒 gm-side-room (voice), "
            "📢 announcements (text), 📢 storyteller (voice), 📢 handouts (forum), 🙊 table-talk (text), "
            "🙊 players-huddle (voice), 👁 dice-rolls (text), 👁 game-table (voice), 👁 session-log (forum)"
            ) in text
    assert ("🔒 = game masters only.\n"
            "📢 = game masters post; players read (in voice: listen, not speak).\n"
            "🙊 = players only: hidden from the GM role (the server's owner and Administrators still "
            "see every channel).\n"
            "👁 = spectators read it too (in voice: listen): give someone the Spectators role with "
            "`/add-spectator` to let them watch.") in text

    _, _, seen_by_player = run(bot, guild, player, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])
    assert "📢 announcements (text)" in seen_by_player and "🙊 table-talk (text)" in seen_by_player
    assert "gm-notes" not in seen_by_player and "🔒" not in seen_by_player
    assert "📢 = game masters post" in seen_by_player
