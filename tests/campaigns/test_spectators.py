"""/add-spectator and /remove-spectator end to end: a campaign's GMs give and take its Spectators
role, and what a spectator may then do is read from the emulator's permission model (Discord's
algorithm: developers/topics/permissions.mdx, "Permission Overwrites"); a spectator may
/leave-campaign; the doctor gives a deleted Spectators role back to the spectators on the record."""

import pytest

from channelwright.templates.schema import validate
from tests.campaigns.test_access_modes import (
    EVERYONE_DEFAULT,
    EXPECTED,
    LISTEN,
    MODES,
    NAME,
    NOTHING,
    build,
    children_of,
    may,
)
from tests.campaigns.test_doctor import click, doctor, role_id
from tests.support import servers
from tests.support.servers import final_text, run

SPECTATOR_CHANNELS = {name for name, (_, _, spectator, _) in EXPECTED.items() if spectator}


def member_change(bot, guild, by, command, user, name=NAME):
    return servers.member_change(bot, guild, by, command, user, name)


@pytest.fixture
def carol(emu, guild):
    return emu.add_member(guild, name="carol")


@pytest.fixture
def modes(bot, emu, guild, gm, people):
    """A campaign built with a channel of every access mode, spectators ones among them."""
    bot.templates.put(guild, validate(MODES), author_id=gm)
    build(bot, emu, guild, gm, "modes")
    return children_of(emu, guild)


@pytest.fixture
def people(emu, guild):
    """@everyone as Discord makes it: a spectator reads only because an overwrite denies posting."""
    emu.set_everyone_permissions(guild, EVERYONE_DEFAULT)


def seen_by(emu, channels, user) -> dict[str, str]:
    return {name: may(emu, channels[name]["id"], user) for name in EXPECTED}


def test_a_spectator_added_reads_only_the_spectators_channels_and_removed_sees_nothing(
        bot, emu, guild, gm, carol, modes):
    assert seen_by(emu, modes, carol) == {name: NOTHING for name in EXPECTED}
    text = member_change(bot, guild, gm, "add-spectator", carol)
    assert text == f"✅ <@{carol}> is now a spectator in **{NAME}**."
    assert seen_by(emu, modes, carol) == {name: spectator for name, (_, _, spectator, _) in EXPECTED.items()}
    assert {name for name, held in seen_by(emu, modes, carol).items() if held} == SPECTATOR_CHANNELS
    assert all(seen_by(emu, modes, carol)[name] == LISTEN for name in SPECTATOR_CHANNELS), "read, not post"
    assert bot.campaign(guild).spectators == {carol}

    text = member_change(bot, guild, gm, "remove-spectator", carol)
    assert text == f"✅ <@{carol}> is no longer a spectator in **{NAME}**."
    assert seen_by(emu, modes, carol) == {name: NOTHING for name in EXPECTED}
    assert bot.campaign(guild).spectators == frozenset()


def test_a_redelivered_add_spectator_gives_the_role_once(bot, emu, guild, gm, carol, modes):
    payload = emu.create_interaction(guild, gm, "add-spectator", options=[
        {"type": 3, "name": "campaign", "value": NAME}, {"type": 6, "name": "user", "value": carol}])
    payload["data"]["resolved"] = {"users": {carol: {"id": carol, "username": "carol"}}}
    assert bot.interact(payload) == {"type": 5, "data": {"flags": 64}}
    emu.clear_requests()
    bot.run_worker(deliver_twice=True)
    spectators = emu.find_role(guild, f"{NAME} Spectators")["id"]
    assert emu.member_role_ids(guild, carol).count(spectators) == 1
    assert bot.campaign(guild).spectators == {carol}
    assert final_text(emu, payload["token"]) == f"✅ <@{carol}> is now a spectator in **{NAME}**."


def test_a_player_or_gm_is_not_made_a_spectator_and_is_told_what_they_are(
        bot, emu, guild, gm, player, modes):
    assert "is now a player" in member_change(bot, guild, gm, "add-player", player)
    text = member_change(bot, guild, gm, "add-spectator", player)
    assert text == (f"❌ **<@{player}> is a player in “{NAME}” already.**\n"
                    "Spectators only watch; its players and GMs see its spectators channels and "
                    "post there.\n**What to do:** Nothing to do. To make a player a spectator "
                    "instead, `/remove-player` them first.")
    text = member_change(bot, guild, gm, "add-spectator", gm)
    assert text.startswith(f"❌ **<@{gm}> is a GM of “{NAME}” already.**\n")
    spectators = emu.find_role(guild, f"{NAME} Spectators")["id"]
    assert spectators not in emu.member_role_ids(guild, player)
    assert spectators not in emu.member_role_ids(guild, gm)
    assert bot.campaign(guild).spectators == frozenset()


def test_a_campaign_whose_template_has_no_spectators_channel_refuses_in_plain_words(
        bot, emu, guild, gm, carol, people):
    build(bot, emu, guild, gm, "in-person")
    _, reply, _ = run(bot, guild, gm, "add-spectator", [
        {"type": 3, "name": "campaign", "value": NAME}, {"type": 6, "name": "user", "value": carol}],
        users=[carol])
    assert reply["data"]["content"] == (
        f"❌ **“{NAME}” has no Spectators role.**\nIts template has no spectators channel, so there "
        "is nothing to watch.\n**What to do:** Add its players with `/add-player` instead.")
    assert bot.campaign(guild).spectators == frozenset()


def test_a_spectators_role_deleted_by_hand_points_at_the_doctor_which_gives_it_back(
        bot, emu, guild, gm, carol, modes):
    member_change(bot, guild, gm, "add-spectator", carol)
    emu.delete_role(guild, role_id(bot, guild, "role:spectators"))
    assert not may(emu, modes["dice-rolls"]["id"], carol)

    dave = emu.add_member(guild, name="dave")
    text = member_change(bot, guild, gm, "add-spectator", dave)
    assert text == (f"❌ **“{NAME}”'s Spectators role was deleted by hand.**\nThere is no role left to "
                    f"give.\n**What to do:** Run `/campaign-doctor` for “{NAME}” and press **Recreate "
                    "roles**, then try again.")

    payload, _, _ = doctor(bot, guild, gm)
    text = click(bot, payload["token"], gm, "Recreate roles")
    assert f"🎭 Recreated: @{NAME} Spectators (given back to the 1 spectator on the record)." in text
    assert may(emu, modes["dice-rolls"]["id"], carol) == LISTEN
    assert not may(emu, modes["gm-notes"]["id"], carol)


def test_a_spectator_may_leave_and_the_gms_are_told(bot, emu, guild, gm, carol, modes):
    member_change(bot, guild, gm, "add-spectator", carol)
    _, _, text = run(bot, guild, carol, "leave-campaign", [{"type": 3, "name": "name", "value": NAME}])
    assert text == f"You're no longer a spectator of **{NAME}**."
    assert seen_by(emu, modes, carol) == {name: NOTHING for name in EXPECTED}
    assert bot.campaign(guild).spectators == frozenset()
    gm_notes = [m["content"] for m in emu.channel_messages(modes["gm-notes"]["id"])]
    assert f"🚪 <@{carol}> left **{NAME}** (was a spectator of it)." in gm_notes


def test_someone_not_a_gm_cannot_add_a_spectator(bot, emu, guild, gm, player, carol, modes):
    text = member_change(bot, guild, player, "add-spectator", carol)
    assert text.startswith(f"❌ **Only the GMs of “{NAME}” or server managers can do that.**\n")
    assert bot.campaign(guild).spectators == frozenset()
    assert not may(emu, modes["dice-rolls"]["id"], carol)
