"""A campaign's life after the build: list, info, players and GMs — end to end against the emulator."""

import pytest

from channelwright.discord import permissions as p
from tests.support.bot import Bot
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS, campaign_state

NAME = "Curse of Strahd"


@pytest.fixture
def world(aws, emulator):
    """A server with a built campaign, its GM, a would-be player and a bystander."""
    emulator.reset()
    bot = Bot(aws, emulator)
    guild = emulator.add_guild(name="Barovia", bot_permissions=BOT_PERMISSIONS)
    gm = emulator.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    player = emulator.add_member(guild, name="bob", permissions=0)
    bystander = emulator.add_member(guild, name="carol", permissions=0)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    return bot, emulator, guild, gm, player, bystander


def command(bot, guild, user, name, options=None, users=()):
    """Send a slash command as `user`; returns (interaction payload, inline response)."""
    payload = bot.emulator.create_interaction(guild, user, name, options=options or [])
    if users:
        payload["data"]["resolved"] = {"users": {u: {"id": u, "username": f"user{u[-3:]}"} for u in users}}
    return payload, bot.interact(payload)


def answer(bot, payload):
    """The final text the user saw for a command (inline or edited in by the worker)."""
    bot.run_worker()
    return bot.emulator.message_history(payload["token"])[-1]


def member_options(user):
    return [{"type": 3, "name": "campaign", "value": NAME.upper()}, {"type": 6, "name": "user", "value": user}]


def test_list_campaigns_answers_at_once_from_the_store(world):
    bot, emu, guild, gm, player, _ = world
    payload, reply = command(bot, guild, player, "list-campaigns")
    text = reply["data"]["content"]
    assert reply["data"]["flags"] == 64
    assert f"**{NAME}** — completed · GM: <@{gm}> · 0 players · 10 channels" in text
    assert emu.count(path_regex=payload["token"]) == 0, "no worker involved"


def test_add_player_gives_the_role_and_opens_the_channels(world):
    bot, emu, guild, gm, player, _ = world
    payload, reply = command(bot, guild, gm, "add-player", member_options(player), users=[player])
    assert reply == {"type": 5, "data": {"flags": 64}}
    assert answer(bot, payload) == f"✅ <@{player}> is now a player in **{NAME}**."
    roles, _, children = campaign_state(emu, guild)
    players_role = next(r["id"] for r in roles if r["name"].endswith("Players"))
    assert players_role in emu.member_role_ids(guild, player)
    general = next(c for c in children if c["name"] == "general")
    assert emu.visible_to(general["id"], player)
    assert player in bot.campaign(guild).players

    payload, _ = command(bot, guild, player, "list-campaigns")
    assert "· 1 player ·" in emu.original_message(payload["token"])["content"]


def test_remove_player_takes_the_role_away(world):
    bot, emu, guild, gm, player, _ = world
    add, _ = command(bot, guild, gm, "add-player", member_options(player), users=[player])
    answer(bot, add)
    remove, _ = command(bot, guild, gm, "remove-player", member_options(player), users=[player])
    assert answer(bot, remove) == f"✅ <@{player}> is no longer a player in **{NAME}**."
    roles, _, _ = campaign_state(emu, guild)
    assert not set(r["id"] for r in roles) & set(emu.member_role_ids(guild, player))
    assert bot.campaign(guild).players == frozenset()


def test_assign_gm_lets_the_new_gm_see_gm_channels_and_manage_players(world):
    bot, emu, guild, gm, player, bystander = world
    payload, _ = command(bot, guild, gm, "assign-gm", member_options(player), users=[player])
    assert answer(bot, payload) == f"✅ <@{player}> is now a GM in **{NAME}**."
    gm_notes = next(c for c in campaign_state(emu, guild)[2] if c["name"] == "gm-notes")
    assert emu.visible_to(gm_notes["id"], player)
    assert bot.campaign(guild).gms == frozenset({gm, player})

    # The new GM has no server permissions, yet may add players to their campaign.
    payload, reply = command(bot, guild, player, "add-player", member_options(bystander), users=[bystander])
    assert answer(bot, payload).startswith("✅")


def test_only_gms_and_managers_may_change_members(world):
    bot, emu, guild, gm, player, bystander = world
    payload, reply = command(bot, guild, bystander, "add-player", member_options(bystander), users=[bystander])
    # Not a GM by their roles: whether they manage the server is the worker's to find out.
    assert reply == {"type": 5, "data": {"flags": 64}}
    assert "Only the GMs of “Curse of Strahd” or server managers" in answer(bot, payload)
    assert bystander not in bot.campaign(guild).players
    assert emu.count(method="PUT", path_regex=f"/members/{bystander}/") == 0


def test_unknown_campaign_is_a_clear_ephemeral_error(world):
    bot, emu, guild, gm, player, _ = world
    options = [{"type": 3, "name": "campaign", "value": "Tomb of Annihilation"},
               {"type": 6, "name": "user", "value": player}]
    _, reply = command(bot, guild, gm, "add-player", options, users=[player])
    assert "There is no campaign named “Tomb of Annihilation”" in reply["data"]["content"]


def test_bots_cannot_be_made_players(world):
    bot, emu, guild, gm, player, _ = world
    payload = emu.create_interaction(guild, gm, "add-player", options=member_options(emu.bot_user_id))
    payload["data"]["resolved"] = {"users": {emu.bot_user_id: {"id": emu.bot_user_id, "bot": True}}}
    assert "isn't someone I can add" in bot.interact(payload)["data"]["content"]


def test_campaign_info_reports_what_exists_and_what_was_deleted_by_hand(world):
    bot, emu, guild, gm, player, _ = world
    _, _, children = campaign_state(emu, guild)
    emu.delete_channel(next(c["id"] for c in children if c["name"] == "dice-rolls"))
    emu.add_channel(guild, "homebrew", parent_id=children[0]["parent_id"])
    payload, reply = command(bot, guild, gm, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])
    assert reply == {"type": 5, "data": {"flags": 64}}
    text = answer(bot, payload)
    assert text.startswith(f"**{NAME}** — completed")
    assert f"GMs: <@{gm}>" in text
    assert "✅ Exists (12)" in text
    assert "⚠️ Missing (1), deleted by hand or never built: dice-rolls (text)" in text
    assert "#homebrew" in text


def test_campaign_autocomplete_suggests_this_servers_campaigns(world):
    bot, emu, guild, gm, *_ = world
    payload = emu.create_autocomplete(guild, gm, "campaign-info",
                                      [{"type": 3, "name": "name", "value": "str", "focused": True}])
    reply = bot.interact(payload)  # the emulator holds the answer to DOCS/rr's autocomplete rules
    assert reply == {"type": 8, "data": {"choices": [{"name": NAME, "value": NAME}]}}
    assert emu.autocomplete_choices(payload["token"]) == [{"name": NAME, "value": NAME}]


def suggested(bot, emu, guild, user, command):
    payload = emu.create_autocomplete(guild, user, command,
                                      [{"type": 3, "name": "name", "value": "", "focused": True}])
    bot.interact(payload)
    return [c["value"] for c in emu.autocomplete_choices(payload["token"])]


def test_campaign_autocomplete_offers_players_only_what_they_may_use(world):
    bot, emu, guild, gm, player, _ = world
    # A player may read any campaign's info, but deleting or archiving it is for its GMs.
    assert suggested(bot, emu, guild, player, "campaign-info") == [NAME]
    assert suggested(bot, emu, guild, player, "delete-campaign") == []
    assert suggested(bot, emu, guild, player, "archive-campaign") == []
    assert suggested(bot, emu, guild, gm, "delete-campaign") == [NAME]


def test_campaign_autocomplete_offers_archive_and_unarchive_by_status(world):
    bot, emu, guild, gm, *_ = world
    assert suggested(bot, emu, guild, gm, "archive-campaign") == [NAME]
    assert suggested(bot, emu, guild, gm, "unarchive-campaign") == []
    payload, _ = command(bot, guild, gm, "archive-campaign", [{"type": 3, "name": "name", "value": NAME}])
    assert answer(bot, payload).startswith("📦 Archived")
    assert suggested(bot, emu, guild, gm, "unarchive-campaign") == [NAME]
    assert suggested(bot, emu, guild, gm, "archive-campaign") == []


# -- delete and undo ------------------------------------------------------------------------------

def buttons_of(message):
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


def click(bot, token, user, prefix):
    """Click the button whose custom_id starts with `prefix` on the interaction's message."""
    message = bot.emulator.original_message(token)
    custom_id = next(b for b in buttons_of(message) if b.startswith(prefix))
    payload = bot.emulator.click(token, user, custom_id)
    return payload, bot.interact(payload)


def ask_to_delete(bot, guild, user):
    return command(bot, guild, user, "delete-campaign", [{"type": 3, "name": "name", "value": NAME}])


def assert_campaign_gone(bot, emu, guild):
    assert campaign_state(emu, guild) == ([], [], [])
    assert not [c for c in emu.guild_channels(guild) if c["name"] in ("general", "gm-notes")]
    assert bot.campaign(guild) is None


def test_delete_asks_first_then_removes_all_it_made_and_keeps_others_channels(world):
    bot, emu, guild, gm, *_ = world
    category = campaign_state(emu, guild)[1][0]["id"]
    emu.add_channel(guild, "homebrew", parent_id=category)
    payload, reply = ask_to_delete(bot, guild, gm)
    assert reply["type"] == 4 and reply["data"]["flags"] == 64
    assert "Delete **Curse of Strahd**? This deletes its 10 channels" in reply["data"]["content"]
    assert len(campaign_state(emu, guild)[2]) == 11, "nothing happens before confirming"

    click_payload, update = click(bot, payload["token"], gm, "delete:")
    assert update["type"] == 7 and update["data"]["components"] == []
    bot.run_worker(deliver_twice=True)

    assert_campaign_gone(bot, emu, guild)
    homebrew = emu.find_channel(guild, "homebrew")
    assert homebrew is not None and homebrew.get("parent_id") is None
    final = emu.message_history(click_payload["token"])[-1]
    assert final.startswith("🗑️ Deleted **Curse of Strahd**")
    assert "Left alone (added by someone else, now outside any category): #homebrew" in final

    # The name is free again.
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"


def test_cancel_deletes_nothing(world):
    bot, emu, guild, gm, *_ = world
    payload, _ = ask_to_delete(bot, guild, gm)
    _, update = click(bot, payload["token"], gm, "cancel:")
    assert update["data"]["content"] == "Cancelled — nothing was deleted."
    assert bot.aws.drain() == []
    assert len(campaign_state(emu, guild)[2]) == 10


def test_a_refused_delete_says_why_and_resumes_when_asked_again(world):
    bot, emu, guild, gm, *_ = world
    roles = campaign_state(emu, guild)[0]
    gm_role = next(r["id"] for r in roles if r["name"].endswith(" GM"))
    emu.faults.forbid(method="DELETE", path_regex=gm_role)
    payload, _ = ask_to_delete(bot, guild, gm)
    click_payload, _ = click(bot, payload["token"], gm, "delete:")
    bot.run_worker()
    final = emu.message_history(click_payload["token"])[-1]
    assert "I couldn't finish deleting Curse of Strahd GM" in final
    assert "run `/delete-campaign` again" in final
    assert campaign_state(emu, guild)[2] == [] and len(campaign_state(emu, guild)[0]) == 1
    assert bot.campaign(guild).status == "deleting"

    emu.faults.clear()
    payload, _ = ask_to_delete(bot, guild, gm)
    click(bot, payload["token"], gm, "delete:")
    bot.run_worker()
    assert_campaign_gone(bot, emu, guild)


def test_undo_on_the_summary_deletes_the_campaign(aws, emulator):
    emulator.reset()
    bot = Bot(aws, emulator)
    guild = emulator.add_guild(name="G", bot_permissions=BOT_PERMISSIONS)
    gm = emulator.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    build = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert buttons_of(emulator.original_message(build["token"])) == [f"undo:{build['id']}"]

    click_payload, update = click(bot, build["token"], gm, "undo:")
    assert update["data"]["content"] == "🗑️ Deleting **Curse of Strahd**…"
    bot.run_worker()
    assert_campaign_gone(bot, emulator, guild)
    assert emulator.message_history(build["token"])[-1].startswith("🗑️ Deleted **Curse of Strahd**")


def test_undo_is_refused_to_bystanders(world):
    bot, emu, guild, gm, player, bystander = world
    token = next(r for r in emu.requests if r.method == "PATCH" and "@original" in r.path).path.split("/")[3]
    summary = emu.original_message(token)["content"]
    click_payload, reply = click(bot, token, bystander, "undo:")
    assert reply == {"type": 5, "data": {"flags": 64}}, "only the clicker sees the answer"
    bot.run_worker()
    assert "Only the GMs of “Curse of Strahd” or server managers can delete it" in \
        emu.original_message(click_payload["token"])["content"]
    assert bot.campaign(guild).status == "completed"
    assert len(campaign_state(emu, guild)[2]) == 10
    assert emu.original_message(token)["content"] == summary, "the summary is left as it was"


def test_failed_build_offers_undo_partial_build(aws, emulator):
    emulator.reset()
    bot = Bot(aws, emulator)
    guild = emulator.add_guild(name="G", bot_permissions=BOT_PERMISSIONS)
    gm = emulator.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    emulator.faults.forbid(method="POST", path_regex=r"/channels$")
    build = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert len(campaign_state(emulator, guild)[0]) == 2, "the roles were made before the refusal"
    message = emulator.original_message(build["token"])
    assert message["components"][0]["components"][0]["label"] == "Undo partial build"

    emulator.faults.clear()
    click(bot, build["token"], gm, "undo:")
    bot.run_worker()
    assert_campaign_gone(bot, emulator, guild)


def test_delete_is_refused_while_the_campaign_is_being_built(aws, emulator):
    emulator.reset()
    bot = Bot(aws, emulator)
    guild = emulator.add_guild(name="G", bot_permissions=BOT_PERMISSIONS)
    gm = emulator.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    bot.add_campaign(guild, gm)
    _, reply = ask_to_delete(bot, guild, gm)
    assert "is still being built" in reply["data"]["content"]


# -- templates ----------------------------------------------------------------------------------

TABLE_TALK = b"""
id: table-talk
title: Table talk
channels:
  - {name: Table Talk, type: text}
  - {name: Voice, type: voice}
  - {name: Secrets, type: text, gm_only: true}
"""


def test_a_campaign_built_from_the_servers_own_imported_template(world):
    bot, emu, guild, gm, player, _ = world
    attachment = emu.add_attachment("table-talk.yaml", TABLE_TALK)
    upload = emu.create_interaction(
        guild, gm, "campaign-template", attachments=[attachment],
        options=[{"type": 1, "name": "import", "options": [
            {"type": 11, "name": "file", "value": attachment["id"]}]}])
    assert bot.interact(upload) == {"type": 5, "data": {"flags": 64}}
    assert "table-talk" in answer(bot, upload)

    bot.add_campaign(guild, gm, name="Side Quest")
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "One Shot Night"},
        {"type": 3, "name": "template", "value": "table-talk"}])
    assert bot.interact(payload) == {"type": 5}
    bot.run_worker()
    _, [category], children = campaign_state(emu, guild, "One Shot Night")
    assert {(c["name"], c["type"]) for c in children} == {
        ("secrets", 0), ("table-talk", 0), ("Voice", 2)}
    secrets = next(c for c in children if c["name"] == "secrets")
    assert not emu.visible_to(secrets["id"], player)
    assert "Text: table-talk, 🔒 secrets" in emu.message_history(payload["token"])[-1]
    assert bot.campaign(guild, "Side Quest").status == "completed"


def test_an_unknown_template_is_refused_and_changes_nothing(world):
    bot, emu, guild, gm, *_ = world
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "Nope"}, {"type": 3, "name": "template", "value": "nope"}])
    reply = bot.interact(payload)
    assert "There is no template called “nope”" in reply["data"]["content"]
    assert bot.campaign(guild, "Nope") is None and bot.aws.drain() == []


def test_member_changes_survive_duplicates_and_explain_refusals(world):
    bot, emu, guild, gm, player, bystander = world
    payload, _ = command(bot, guild, gm, "add-player", member_options(player), users=[player])
    bot.run_worker(deliver_twice=True)
    assert emu.message_history(payload["token"])[-1] == f"✅ <@{player}> is now a player in **{NAME}**."
    assert bot.campaign(guild).players == frozenset({player})

    emu.faults.forbid(method="PUT", path_regex=r"/members/")
    payload, _ = command(bot, guild, gm, "add-player", member_options(bystander), users=[bystander])
    text = answer(bot, payload)
    assert "I couldn't finish changing" in text and "What to do:" in text and "try the command again" in text
    assert bystander not in bot.campaign(guild).players
    assert emu.count(method="PUT", path_regex=bystander) == 1, "a 403 is never retried"
