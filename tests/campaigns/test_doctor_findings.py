"""/campaign-doctor's findings about the server itself, end to end against the emulator: a
campaign role deleted by hand (recreated once, given back, its overwrites restored) and the bot
lacking a server-level permission it was invited with (named, no fix; the other fixes then fail
in plain words)."""

from channelwright.discord import permissions as p
from channelwright.ops.invite import INVITE_PERMISSIONS
from channelwright.templates.schema import validate
from tests.campaigns.test_access_modes import MODES, roles_of
from tests.campaigns.test_access_modes import build as access_build
from tests.campaigns.test_archive import NAME, build
from tests.campaigns.test_doctor import buttons, channel_ids, click, doctor, put_overwrite, role_id
from tests.support.servers import run


def test_the_bot_lacking_a_permission_it_was_invited_with_is_named_without_a_fix(bot, emu, guild, gm):
    build(bot, guild, gm)
    emu.set_bot_permissions(guild, INVITE_PERMISSIONS & ~p.MANAGE_ROLES & ~p.MANAGE_CHANNELS)
    payload, _, text = doctor(bot, guild, gm)
    assert ("🔑 **Permissions my role lacks in this server**: Manage Channels and Manage Roles — "
            "without them I can't manage the campaign") in text
    assert "Server Settings → Roles" in text and "re-invite me" in text
    assert emu.original_message(payload["token"])["components"] == []


def test_a_permission_lost_since_the_build_is_named_and_one_never_held_is_not(bot, emu, guild, gm):
    build(bot, guild, gm)
    built_with = p.parse(bot.campaign(guild).bot_permissions)
    assert built_with & p.EMBED_LINKS and not built_with & p.MANAGE_MESSAGES
    emu.set_everyone_permissions(guild, p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY)
    emu.set_bot_permissions(guild, built_with & ~p.EMBED_LINKS)
    _, _, text = doctor(bot, guild, gm)
    assert "🔑 **Permissions my role lacks in this server**: Embed Links — " in text
    assert "Manage Messages" not in text, "never held: the campaign's overwrites never granted it"
    emu.set_bot_permissions(guild, INVITE_PERMISSIONS)
    _, _, text = doctor(bot, guild, gm)
    assert text == f"🩺 **{NAME}**: all as it should be."


def test_a_fix_the_bot_lacks_the_permission_for_fails_in_plain_words(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    put_overwrite(bot, ids["dice-rolls"], role_id(bot, guild, "role:players"), deny=p.SEND_MESSAGES)
    payload, _, text = doctor(bot, guild, gm)
    assert "✏️ **Permissions edited by hand**: #dice-rolls" in text
    emu.set_bot_permissions(guild, INVITE_PERMISSIONS & ~p.MANAGE_ROLES)
    text = click(bot, payload["token"], gm, "Restore permissions")
    assert ("⚠️ #dice-rolls: Discord refused: my role lacks Manage Roles. Give my role Manage Roles in "
            "Server Settings → Roles, then press the button again.") in text
    assert "🔑 **Permissions my role lacks in this server**: Manage Roles" in text
    assert "Restore permissions" in buttons(emu, payload["token"])


def test_a_deleted_players_role_is_recreated_once_given_back_and_its_overwrites_restored(
        bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    assert not emu.visible_to(ids["general"], player)

    payload, _, text = doctor(bot, guild, gm)
    assert (f"🎭 **Campaign roles deleted**: @{NAME} Players — deleting a role drops the channels' "
            "overwrites for it and takes it from its members") in text
    assert list(buttons(emu, payload["token"])) == ["Recreate roles"]

    emu.clear_requests()
    text = click(bot, payload["token"], gm, "Recreate roles", times=2)
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/roles$") == 1
    players = emu.find_role(guild, f"{NAME} Players")
    assert players["id"] == role_id(bot, guild, "role:players")
    assert players["id"] in emu.member_role_ids(guild, player)
    assert emu.visible_to(ids["general"], player) and not emu.visible_to(ids["gm-notes"], player)
    history = "\n".join(emu.message_history(payload["token"]))
    assert f"🎭 Recreated: @{NAME} Players (given back to the 1 player on the record)." in history
    assert "✏️ Permissions put back: #" in history
    assert "Nothing needed fixing any more" in text and text.endswith("Doctor: all as it should be.")


def test_a_deleted_gm_role_goes_back_to_the_recorded_gms(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_role(guild, role_id(bot, guild, "role:gm"))
    assert not emu.visible_to(ids["gm-notes"], gm)
    payload, _, text = doctor(bot, guild, gm)
    assert f"🎭 **Campaign roles deleted**: @{NAME} GM — " in text
    text = click(bot, payload["token"], gm, "Recreate roles")
    assert f"🎭 Recreated: @{NAME} GM (given back to the 1 GM on the record)." in text
    assert emu.visible_to(ids["gm-notes"], gm) and not emu.visible_to(ids["gm-notes"], player)
    assert text.endswith("Doctor: all as it should be."), text


def test_the_deleted_roles_fix_names_only_the_roles_the_campaign_has(bot, emu, guild, gm, player):
    """A campaign without a Spectators role: its deleted roles' fix says nothing of Spectators."""
    build(bot, guild, gm, player)
    assert "role:spectators" not in bot.campaign(guild).resources
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    _, _, text = doctor(bot, guild, gm)
    assert (f"🎭 **Campaign roles deleted**: @{NAME} Players — deleting a role drops the channels' "
            "overwrites for it and takes it from its members, so they no longer see (or are no longer "
            "kept out of) what the campaign gives them. Fix: I create each again, give it back to the "
            "players on the campaign's record, and put back the campaign's overwrites for it.") in text
    assert "Spectators" not in text


def test_a_deleted_spectators_role_is_said_to_be_given_back_to_the_spectators(bot, emu, guild, gm):
    bot.templates.put(guild, validate(MODES), author_id=gm)
    access_build(bot, emu, guild, gm, "modes")
    emu.delete_role(guild, roles_of(emu, guild)["Spectators"])
    _, _, text = doctor(bot, guild, gm)
    assert (f"🎭 **Campaign roles deleted**: @{NAME} Spectators — deleting a role drops the channels' "
            "overwrites for it and takes it from its members, so they no longer see (or are no longer "
            "kept out of) what the campaign gives them. Fix: I create each again, give it back to the "
            "spectators on the campaign's record, and put back the campaign's overwrites for it.") in text


def test_a_deleted_role_on_a_full_server_is_refused_with_numbers(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    while len(emu.guild_roles(guild)) < 250:
        emu.add_role(guild, f"filler {len(emu.guild_roles(guild))}")
    payload, _, _ = doctor(bot, guild, gm)
    emu.clear_requests()
    text = click(bot, payload["token"], gm, "Recreate roles")
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/roles$") == 0
    assert ("This server has 250 of 250 roles; the campaign needs 1. Nothing new was created.") in text
    assert f"🎭 **Campaign roles deleted**: @{NAME} Players" in text


def test_a_recreated_role_whose_reply_was_lost_is_kept_not_made_twice(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    payload, _, _ = doctor(bot, guild, gm)
    emu.clear_requests()
    emu.faults.lose_reply(1, method="POST", path_regex=r"/guilds/\d+/roles$")
    bot.interact(emu.click(payload["token"], gm, buttons(emu, payload["token"])["Recreate roles"]))
    bot.run_worker(deliver_twice=True)
    made = [r for r in emu.guild_roles(guild) if r["name"] == f"{NAME} Players"]
    assert len(made) == 1 and made[0]["id"] == role_id(bot, guild, "role:players")
    assert made[0]["id"] in emu.member_role_ids(guild, player)
    assert emu.visible_to(channel_ids(bot, guild)["general"], player)


def test_a_role_the_bot_may_not_create_fails_in_plain_words(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    payload, _, _ = doctor(bot, guild, gm)
    emu.faults.forbid(method="POST", path_regex=r"/roles$")
    text = click(bot, payload["token"], gm, "Recreate roles")
    assert "Nothing needed fixing any more" not in text
    assert f"⚠️ I couldn't recreate @{NAME} Players: Discord refused" in text, text
    assert f"🎭 **Campaign roles deleted**: @{NAME} Players" in text
    emu.faults.clear()
    text = click(bot, payload["token"], gm, "Recreate roles")
    assert f"🎭 Recreated: @{NAME} Players (given back to the 1 player on the record)." in text
    assert len([r for r in emu.guild_roles(guild) if r["name"] == f"{NAME} Players"]) == 1
    assert emu.visible_to(channel_ids(bot, guild)["general"], player)


def test_fix_all_recreates_a_deleted_role_and_a_deleted_channel_together(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    emu.delete_channel(ids["general"])
    payload, _, text = doctor(bot, guild, gm)
    assert set(buttons(emu, payload["token"])) == {"Recreate roles", "Recreate missing", "Fix all"}
    text = click(bot, payload["token"], gm, "Fix all")
    assert text.endswith("Doctor: all as it should be."), text
    general = emu.find_channel(guild, "general")
    assert emu.visible_to(general["id"], player) and not emu.visible_to(channel_ids(bot, guild)["gm-notes"], player)


def test_recreating_a_channel_while_a_role_is_gone_recreates_the_role_first_and_gives_it_back(
        bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    emu.delete_channel(ids["general"])
    payload, _, _ = doctor(bot, guild, gm)
    text = click(bot, payload["token"], gm, "Recreate missing")
    assert f"🎭 Recreated: @{NAME} Players (given back to the 1 player on the record)." in text
    assert "🧱 Recreated: #general." in text
    assert text.endswith("Doctor: all as it should be."), text
    assert emu.visible_to(channel_ids(bot, guild)["general"], player)
    assert role_id(bot, guild, "role:players") in emu.member_role_ids(guild, player)


def test_a_channel_is_not_recreated_while_the_role_its_permissions_name_cannot_be(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    emu.delete_channel(ids["general"])
    emu.set_bot_permissions(guild, INVITE_PERMISSIONS & ~p.MANAGE_ROLES)
    payload, _, _ = doctor(bot, guild, gm)
    emu.clear_requests()
    text = click(bot, payload["token"], gm, "Recreate missing")
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/channels$") == 0
    assert (f"⚠️ I couldn't recreate @{NAME} Players: Discord refused: my role lacks Manage Roles. Give "
            "my role Manage Roles in Server Settings → Roles, then press the button again.") in text
    assert (f"⚠️ I couldn't recreate #general: the campaign's permissions there name @{NAME} Players, "
            "which must be made again first.") in text
    assert "❌ **Missing**: #general" in text


def test_adding_a_player_while_the_role_is_deleted_points_to_the_doctor(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    emu.delete_role(guild, role_id(bot, guild, "role:players"))
    _, _, text = run(bot, guild, gm, "add-player", [{"type": 3, "name": "campaign", "value": NAME},
                                                    {"type": 6, "name": "user", "value": player}],
                     users=[player])
    assert text == (f"❌ **“{NAME}”'s Players role was deleted by hand.**\n"
                    "There is no role left to give.\n"
                    f"**What to do:** Run `/campaign-doctor` for “{NAME}” and press **Recreate roles**, "
                    "then try again.")
    assert player not in bot.campaign(guild).players
