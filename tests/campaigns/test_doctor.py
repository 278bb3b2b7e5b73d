"""/campaign-doctor end to end against the emulator: each finding planted by hand in the server as
an admin would, the words shown, what its fix leaves in the server, a double click fixing once,
nothing found on a fresh build, and the check appended to an unarchive and an adoption."""

import pytest

from channelwright.discord import permissions as p
from channelwright.discord.api import DiscordApi
from tests.campaigns.test_adopt import adopt, confirm, table  # noqa: F401 (table: a fixture)
from tests.campaigns.test_archive import CATEGORY, NAME, archive, build, name_option, unarchive
from tests.support.servers import EDIT_CHANNEL_PERMISSIONS, MEMBER, overwrite, run

ALL_WELL = f"🩺 **{NAME}**: all as it should be."


def doctor(bot, guild, user):
    return run(bot, guild, user, "campaign-doctor", [name_option()])


def buttons(emu, token) -> dict[str, str]:
    """{label: custom_id} of the message's buttons."""
    message = emu.original_message(token)
    return {c["label"]: c["custom_id"] for row in message["components"] for c in row["components"]}


def click(bot, token, user, label, *, times=1):
    """`user` clicks the button `label` (`times` clicks made before the worker runs); the text
    the message finally shows."""
    custom_id = buttons(bot.emulator, token)[label]
    clicks = [bot.emulator.click(token, user, custom_id) for _ in range(times)]
    for payload in clicks:
        bot.interact(payload)
    bot.run_worker()
    return bot.emulator.original_message(token)["content"]


def channel_ids(bot, guild) -> dict[str, str]:
    """{template name: id} of the campaign's recorded channels."""
    campaign = bot.campaign(guild)
    steps = {s["key"]: s.get("name") for s in campaign.plan}
    return {steps[k]: r["id"] for k, r in campaign.resources.items() if k.startswith("channel:")}


def role_id(bot, guild, key):
    return bot.campaign(guild).resources[key]["id"]


def put_overwrite(bot, channel_id, target, **bits):
    """An admin's edit of one overwrite (Edit Channel Permissions)."""
    bot.rest.request(EDIT_CHANNEL_PERMISSIONS.compile(channel_id=channel_id, overwrite_id=target),
                     json=overwrite(target, **bits))


def drag_bot_role_to_bottom(emu, guild):
    """The bot's role dragged below every other in Server Settings → Roles."""
    emu.move_role(guild, emu.bot_role_id(guild), 1)


def leave_server(emu, guild, user):
    """`user` leaves the server."""
    emu.remove_member(guild, user)


@pytest.fixture
def lobby(emu, guild):
    return emu.add_channel(guild, "Lobby", type=CATEGORY)


def test_a_fresh_build_has_nothing_to_fix(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    payload, reply, text = doctor(bot, guild, gm)
    assert reply["type"] == 5 and reply["data"]["flags"] == 64
    assert text == ALL_WELL
    assert emu.original_message(payload["token"])["components"] == []


def test_a_gm_only_channel_open_to_players_comes_first_and_is_hidden_again(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    players = role_id(bot, guild, "role:players")
    put_overwrite(bot, ids["gm-notes"], players, allow=p.VIEW_CHANNEL)
    put_overwrite(bot, ids["gm-planning"], player, kind=MEMBER, allow=p.VIEW_CHANNEL)
    emu.delete_channel(ids["general"])
    assert emu.visible_to(ids["gm-notes"], player) and emu.visible_to(ids["gm-planning"], player)

    payload, _, text = doctor(bot, guild, gm)
    lines = text.splitlines()
    assert lines[1].startswith("🚨 **GM-only channels players can read**: #gm-notes, #gm-planning — "
                               "players can read what only the GMs should.")
    assert lines[2].startswith("❌ **Missing**: #general — deleted by someone")
    assert set(buttons(emu, payload["token"])) == {"Hide GM-only channels", "Recreate missing", "Fix all"}

    text = click(bot, payload["token"], gm, "Hide GM-only channels")
    assert not emu.visible_to(ids["gm-notes"], player) and not emu.visible_to(ids["gm-planning"], player)
    assert emu.visible_to(ids["gm-notes"], gm)
    planning = emu.channel(ids["gm-planning"])["permission_overwrites"]
    assert player not in {o["id"] for o in planning}, "the player's own overwrite letting them in is gone"
    assert "🔒 Hidden from players again: #gm-notes, #gm-planning." in text
    assert "Still found:\n❌ **Missing**: #general" in text
    assert emu.find_channel(guild, "general") is None, "only what was picked is fixed"


def test_a_deleted_channel_is_recreated_once_on_a_double_click(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_channel(ids["general"])
    payload, _, text = doctor(bot, guild, gm)
    assert "❌ **Missing**: #general — deleted by someone (or never made). Fix: I create them " \
           "again" in text
    assert list(buttons(emu, payload["token"])) == ["Recreate missing"]

    emu.clear_requests()
    text = click(bot, payload["token"], gm, "Recreate missing", times=2)
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/channels$") == 1
    general = [c for c in emu.guild_channels(guild) if c["name"] == "general"]
    assert len(general) == 1
    campaign = bot.campaign(guild)
    assert general[0]["parent_id"] == campaign.resources["category"]["id"]
    assert channel_ids(bot, guild)["general"] == general[0]["id"]
    assert emu.visible_to(general[0]["id"], player)
    history = emu.message_history(payload["token"])
    assert any("🧱 Recreated: #general." in m for m in history)
    # The second click found it made already: it says so, and changed nothing.
    assert "Nothing needed fixing any more" in text and text.endswith("Doctor: all as it should be.")


def test_overwrites_edited_by_hand_are_put_back_and_others_left_alone(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    players = role_id(bot, guild, "role:players")
    before = sorted((o["id"], o["allow"], o["deny"])
                    for o in emu.channel(ids["dice-rolls"])["permission_overwrites"])
    put_overwrite(bot, ids["dice-rolls"], players, allow=p.VIEW_CHANNEL, deny=p.SEND_MESSAGES)
    speakers = emu.add_role(guild, "Speakers")
    put_overwrite(bot, ids["dice-rolls"], speakers, allow=p.VIEW_CHANNEL)

    payload, _, text = doctor(bot, guild, gm)
    assert "✏️ **Permissions edited by hand**: #dice-rolls — " in text
    text = click(bot, payload["token"], gm, "Restore permissions")
    assert "✏️ Permissions put back: #dice-rolls." in text and text.endswith("Doctor: all as it should be.")
    after = emu.channel(ids["dice-rolls"])["permission_overwrites"]
    assert sorted((o["id"], o["allow"], o["deny"]) for o in after if o["id"] != speakers) == before
    assert any(o["id"] == speakers for o in after), "someone else's overwrite stays"
    assert emu.permissions_in(ids["dice-rolls"], player) & p.SEND_MESSAGES


def test_the_bots_role_below_the_campaign_roles_is_explained_without_a_fix(bot, emu, guild, gm):
    build(bot, guild, gm)
    drag_bot_role_to_bottom(emu, guild)
    payload, _, text = doctor(bot, guild, gm)
    assert (f"⛔ **Campaign roles above my highest role**: @{NAME} Players, @{NAME} GM — Discord lets "
            "me manage only roles below my own highest role") in text
    assert "drag my role above the campaign's roles" in text
    assert emu.original_message(payload["token"])["components"] == []


def test_a_departed_member_is_removed_from_the_record(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    leave_server(emu, guild, player)
    payload, _, text = doctor(bot, guild, gm)
    assert f"👋 **Left the server**: <@{player}> — they are still on the campaign's record." in text
    text = click(bot, payload["token"], gm, "Forget departed")
    assert player not in bot.campaign(guild).players
    assert f"👋 Removed from the record: <@{player}>." in text


def test_a_channel_moved_out_goes_back_to_its_place(bot, emu, guild, gm, lobby):
    build(bot, guild, gm)
    ids = channel_ids(bot, guild)
    DiscordApi(bot.rest).modify_channel(ids["dice-rolls"], {"parent_id": lobby}, reason="tidying")
    payload, _, text = doctor(bot, guild, gm)
    assert "↪️ **Moved out of the campaign's category**: #dice-rolls — " in text
    text = click(bot, payload["token"], gm, "Move back")
    channel = emu.channel(ids["dice-rolls"])
    assert channel["parent_id"] == bot.campaign(guild).resources["category"]["id"]
    siblings = sorted((c for c in emu.guild_channels(guild) if c.get("parent_id") == channel["parent_id"]
                       and c["type"] == 0), key=lambda c: (c["position"], c["id"]))
    assert [c["name"] for c in siblings][:4] == ["announcements", "general", "session-notes", "dice-rolls"]
    assert "↪️ Moved back into the category: #dice-rolls." in text


def test_a_channel_someone_added_is_named_and_left_alone(bot, emu, guild, gm):
    build(bot, guild, gm)
    category = bot.campaign(guild).resources["category"]["id"]
    memes = emu.add_channel(guild, "memes", parent_id=category)
    payload, _, text = doctor(bot, guild, gm)
    assert "➕ **In the category, not made by me**: #memes — I leave them alone" in text
    assert emu.original_message(payload["token"])["components"] == []
    assert emu.channel(memes) is not None


def test_fix_all_fixes_every_kind_at_once(bot, emu, guild, gm, player, lobby):
    build(bot, guild, gm, player)
    ids = channel_ids(bot, guild)
    emu.delete_channel(ids["general"])
    put_overwrite(bot, ids["gm-notes"], role_id(bot, guild, "role:players"), allow=p.VIEW_CHANNEL)
    DiscordApi(bot.rest).modify_channel(ids["dice-rolls"], {"parent_id": lobby}, reason="tidying")
    leave_server(emu, guild, player)
    payload, _, _ = doctor(bot, guild, gm)
    text = click(bot, payload["token"], gm, "Fix all")
    assert text.endswith("Doctor: all as it should be."), text
    _, _, again = doctor(bot, guild, gm)
    assert again == ALL_WELL


def test_only_a_completed_campaign_is_checked_and_only_by_its_runners(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    _, _, text = doctor(bot, guild, player)
    assert text.startswith(f"❌ **Only the GMs of “{NAME}” or server managers can check the campaign.**")
    archive(bot, guild, gm)
    _, reply, _ = doctor(bot, guild, gm)
    assert f"“{NAME}” can't be checked now." in reply["data"]["content"]


def test_unarchive_ends_with_the_doctors_check_and_its_fix(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    archive(bot, guild, gm)
    payload, _, text = unarchive(bot, guild, gm)
    assert text.endswith("\nDoctor: all as it should be.")

    archive(bot, guild, gm)
    emu.delete_channel(channel_ids(bot, guild)["general"])
    payload, _, text = unarchive(bot, guild, gm)
    assert "🩺 **Doctor:** some things differ from what the campaign should be.\n❌ **Missing**: " \
           "#general" in text
    text = click(bot, payload["token"], gm, "Recreate missing")
    assert emu.find_channel(guild, "general") is not None
    assert text.endswith("Doctor: all as it should be.")


def test_an_adoption_ends_with_the_doctors_check(bot, emu, guild, gm, table):
    category, _, masters = table
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    confirm(bot, payload, gm)
    text = emu.original_message(payload["token"])["content"]
    assert text.startswith("✅ Adopted") and text.endswith("\nDoctor: all as it should be."), text


def test_unarchiving_a_collapsed_campaign_ends_with_the_doctors_check(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    run(bot, guild, gm, "archive-campaign", [name_option(), {"type": 3, "name": "mode", "value": "collapse"}])
    assert bot.campaign(guild).collapsed
    _, _, text = unarchive(bot, guild, gm)
    assert text.endswith("\nDoctor: all as it should be."), text


def test_autocomplete_offers_the_completed_campaigns_to_their_runners(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)

    def suggested(user):
        payload = emu.create_autocomplete(guild, user, "campaign-doctor",
                                          [{"type": 3, "name": "name", "value": "", "focused": True}])
        bot.interact(payload)
        return [c["value"] for c in emu.autocomplete_choices(payload["token"])]

    assert suggested(gm) == [NAME] and suggested(player) == []
    archive(bot, guild, gm)
    assert suggested(gm) == []


def test_a_redelivered_fix_recreates_once(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    emu.delete_channel(channel_ids(bot, guild)["gm-notes"])
    payload, _, _ = doctor(bot, guild, gm)
    emu.clear_requests()
    bot.interact(emu.click(payload["token"], gm, buttons(emu, payload["token"])["Recreate missing"]))
    bot.run_worker(deliver_twice=True)
    assert emu.count(method="POST", path_regex=r"/guilds/\d+/channels$") == 1
    notes = emu.find_channel(guild, "gm-notes")
    assert notes["id"] == channel_ids(bot, guild)["gm-notes"]
    assert emu.visible_to(notes["id"], gm) and not emu.visible_to(notes["id"], player)
