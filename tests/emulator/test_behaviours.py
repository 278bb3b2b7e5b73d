"""Discord behaviours the emulator models from public sources.

Each test's docstring names the doc section, changelog entry or public report it rests on.
DOCS/x abbreviations name Discord's docs (discord/discord-api-docs, under developers/): ac
interactions/application-commands.mdx, audit resources/audit-log.mdx, channel resources/channel.mdx,
codes topics/opcodes-and-status-codes.mdx, guild resources/guild.mdx, message resources/message.mdx,
perms topics/permissions.mdx, ref reference.mdx, rl topics/rate-limits.mdx, rr
interactions/receiving-and-responding.mdx, webhook resources/webhook.mdx.
"""

import ast
import pathlib

import pytest
import requests

from discord_emulator import (ADMINISTRATOR, ATTACH_FILES, BAN_MEMBERS, EMBED_LINKS, GUILD_ANNOUNCEMENT,
                              GUILD_CATEGORY, GUILD_FORUM, GUILD_STAGE_VOICE, GUILD_TEXT, GUILD_VOICE,
                              MANAGE_CHANNELS, MANAGE_MESSAGES, MANAGE_ROLES, MENTION_EVERYONE,
                              ROLE_CREATE_LIMIT, SEND_MESSAGES, USE_EXTERNAL_EMOJIS, VIEW_CHANNEL,
                              CommandUnavailable)
from tests.conftest import APPLICATION_ID, BOT_TOKEN

UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"
BOT_PERMISSIONS = MANAGE_CHANNELS | MANAGE_ROLES | VIEW_CHANNEL | SEND_MESSAGES


class Api:
    """Terse bot calls against the emulator, returning the raw `requests.Response`."""

    def __init__(self, emu, session):
        self.emu, self.session = emu, session

    def __call__(self, method, path, **kwargs):
        return self.session.request(method, self.emu.base_url + path, **kwargs)

    def channel(self, gid, name, type=GUILD_TEXT, **fields):
        return self("POST", f"/guilds/{gid}/channels", json={"name": name, "type": type, **fields})

    def webhook(self, method, token, suffix="/messages/@original", **kwargs):
        return requests.request(method, f"{self.emu.base_url}/webhooks/{APPLICATION_ID}/{token}{suffix}",
                                headers={"User-Agent": UA}, **kwargs)


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        s.headers.update({"Authorization": f"Bot {BOT_TOKEN}", "User-Agent": UA})
        yield s


@pytest.fixture
def api(emu, session):
    return Api(emu, session)


@pytest.fixture
def gid(emu):
    return emu.add_guild(bot_permissions=BOT_PERMISSIONS)


def status(response):
    """(HTTP status, Discord's JSON error code or None)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body.get("code") if isinstance(body, dict) else None


# -- 1. channel names Discord rewrites ---------------------------------------------------------

@pytest.mark.parametrize("kind", [GUILD_TEXT, GUILD_ANNOUNCEMENT, GUILD_FORUM])
def test_text_announcement_and_forum_names_are_rewritten(api, gid, kind):
    """Lower case, whitespace to "-", ASCII punctuation dropped, hyphen runs collapsed and
    trimmed: discord/discord-api-docs#1646, PokeNavBot/issue-tracker#356 ("." and "'"
    gone), nextcord/nextcord#957 ("Joey's Cool Channel" -> "joeys-cool-channel"),
    python-discord/bot ValidChannelName, Yes-Theory-Fam/yesbot-ts#971, jcolson/dndvault-bot#385."""
    cases = {
        "Wizard's Study, No. 2": "wizards-study-no-2",
        "  Curse  of -- Strahd!  ": "curse-of-strahd",
        "Who? <Me> & (You) / \"Them\"": "who-me-you-them",
        "Snake_Case\tTabs\u2009Thin": "snake_case-tabs-thin",
        "Drachenhöhle ÄÖÜ 🐉": "drachenhöhle-äöü-🐉",
    }
    for sent, stored in cases.items():
        created = api.channel(gid, sent, kind)
        assert created.status_code == 201, created.text
        assert created.json()["name"] == stored, sent


@pytest.mark.parametrize("kind", [GUILD_VOICE, GUILD_STAGE_VOICE, GUILD_CATEGORY])
def test_voice_stage_and_category_names_are_kept_as_given(api, gid, kind):
    """discord/discord-api-docs#1646 and the reports above concern text channels only;
    PKlempe/SAM#135: the voice channel kept the characters its text channel lost."""
    assert api.channel(gid, "Wizard's Study, No. 2", kind).json()["name"] == "Wizard's Study, No. 2"


def test_renaming_and_client_made_channels_are_rewritten_too(emu, api, gid):
    """Modify Channel takes the same name field as Create Guild Channel (DOCS/channel), and
    a channel made in the client shows the same rewritten name (discord-api-docs#1646)."""
    channel = api.channel(gid, "lobby").json()["id"]
    renamed = api("PATCH", f"/channels/{channel}", json={"name": "Wizard's Notes"})
    assert renamed.json()["name"] == "wizards-notes"
    assert emu.channel(channel)["name"] == "wizards-notes"
    made = emu.add_channel(gid, "Dragon's Lair, Level 1")
    assert emu.channel(made)["name"] == "dragons-lair-level-1"
    assert emu.channel(emu.add_channel(gid, "Dragon's Lair", GUILD_VOICE))["name"] == "Dragon's Lair"


def test_a_text_name_with_nothing_left_is_refused(api, gid):
    """Stricter reading (no report shows what Discord does): a name that rewrites to nothing
    is refused like an empty one, 400 50035 on `name` (DOCS/guild: name 1-100 characters)."""
    refused = api.channel(gid, "?!...", GUILD_TEXT)
    assert status(refused) == (400, 50035)
    assert refused.json()["errors"]["name"]["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
    assert api.channel(gid, "?!...", GUILD_VOICE).status_code == 201


def test_the_emulator_imports_nothing_from_the_product():
    """The emulator is a model of Discord, never a mirror of the product."""
    package = pathlib.Path(__file__).resolve().parents[2] / "discord_emulator"
    imported = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "channelwright" not in imported and "channelwright_local" not in imported


# -- 2. permissions in the invoking channel; overwrites judged on guild permissions ------------

def test_guilds_whose_channels_treat_the_bot_differently(emu, gid):
    """Overwrites on the bot's managed role, applied in DOCS/perms "Permission Overwrites"
    order: a hidden staff channel, a channel granting an extra bit, a read-only channel."""
    staff = emu.add_channel(gid, "staff", bot_deny=VIEW_CHANNEL)
    extra = emu.add_channel(gid, "mod-tools")
    emu.grant_bot_in_channel(extra, MANAGE_MESSAGES)
    quiet = emu.add_channel(gid, "announcements")
    emu.make_read_only_for_bot(quiet)
    bot = emu.bot_user_id
    assert not emu.visible_to(staff, bot)
    assert emu.permissions_in(extra, bot) & MANAGE_MESSAGES
    assert emu.permissions_in(quiet, bot) & (VIEW_CHANNEL | SEND_MESSAGES) == VIEW_CHANNEL
    role = emu.bot_role_id(gid)
    assert {"id": role, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)} in \
        emu.channel(staff)["permission_overwrites"]
    emu.hide_channel_from_bot(extra)
    assert not emu.visible_to(extra, bot) and emu.permissions_in(extra, bot) & MANAGE_MESSAGES


def test_a_read_only_channel_on_a_server_whose_everyone_cannot_send(emu, gid):
    """DOCS/perms "Permission Overwrites": base permissions start from @everyone's; the
    bot's role grants Send Messages in the guild, the channel's overwrite takes it away."""
    emu.set_everyone_permissions(gid, VIEW_CHANNEL)
    alice = emu.add_member(gid, "alice")
    quiet = emu.add_channel(gid, "quiet")
    emu.make_read_only_for_bot(quiet)
    lobby = emu.add_channel(gid, "lobby")
    assert not emu.permissions_in(lobby, alice) & SEND_MESSAGES
    assert emu.permissions_in(lobby, emu.bot_user_id) & SEND_MESSAGES
    payload = emu.create_interaction(gid, alice, "add-campaign", channel_id=quiet)
    assert not int(payload["app_permissions"]) & SEND_MESSAGES
    assert int(emu.guild_roles(gid)[0]["permissions"]) == VIEW_CHANNEL


def test_interaction_permissions_are_those_of_the_invoking_channel(emu, gid):
    """DOCS/rr "Interaction Object": app_permissions are the app's permissions "in the source
    location of the interaction"; DOCS/guild "Guild Member Object": member.permissions are
    "total permissions of the member in the channel, including overwrites"."""
    alice = emu.add_member(gid, "alice")
    staff = emu.add_channel(gid, "staff", bot_deny=VIEW_CHANNEL)
    tools = emu.add_channel(gid, "tools", bot_allow=MANAGE_MESSAGES, permission_overwrites=[
        {"id": alice, "type": 1, "allow": str(MANAGE_CHANNELS)}])
    quiet = emu.add_channel(gid, "quiet")
    emu.make_read_only_for_bot(quiet)
    lobby = emu.add_channel(gid, "lobby")

    def perms(channel):
        payload = emu.create_interaction(gid, alice, "add-campaign", channel_id=channel)
        assert payload["channel_id"] == channel and payload["channel"]["id"] == channel
        return int(payload["app_permissions"]), int(payload["member"]["permissions"])

    assert not perms(staff)[0] & VIEW_CHANNEL
    app, member = perms(tools)
    assert app & MANAGE_MESSAGES and member & MANAGE_CHANNELS
    assert not perms(quiet)[0] & SEND_MESSAGES
    app, member = perms(lobby)
    assert app & (VIEW_CHANNEL | SEND_MESSAGES) == VIEW_CHANNEL | SEND_MESSAGES
    assert not app & MANAGE_MESSAGES and not member & MANAGE_CHANNELS


def test_a_click_carries_the_permissions_of_the_message_channel(emu, gid):
    """DOCS/rr: a MESSAGE_COMPONENT interaction comes from the channel of the message."""
    alice = emu.add_member(gid, "alice")
    tools = emu.add_channel(gid, "tools", bot_allow=MANAGE_MESSAGES)
    token = emu.create_interaction(gid, alice, "delete-campaign", channel_id=tools)["token"]
    emu.acknowledge(token, {"type": 4, "data": {"content": "Sure?", "components": [
        {"type": 1, "components": [{"type": 2, "style": 4, "label": "Delete", "custom_id": "yes"}]}]}})
    click = emu.click(token, alice, "yes")
    assert click["channel_id"] == tools and int(click["app_permissions"]) & MANAGE_MESSAGES


def test_new_channel_overwrites_are_judged_on_the_bots_guild_permissions(emu, api, gid):
    """DOCS/guild "Create Guild Channel": "only permissions your bot has in the guild can be
    allowed/denied"; changelog 2021-01-22 "Change to Permission Checking when Creating
    Channels". A bit the bot holds only through a channel overwrite does not count, even
    under a category that grants it (the stricter reading: Create names no parent)."""
    category = emu.add_channel(gid, "Campaign", GUILD_CATEGORY, bot_allow=MANAGE_MESSAGES)
    emu.add_channel(gid, "tools", bot_allow=MANAGE_MESSAGES)
    grant = [{"id": gid, "type": 0, "allow": str(MANAGE_MESSAGES)}]
    for parent in (None, category):
        refused = api.channel(gid, "notes", permission_overwrites=grant, parent_id=parent)
        assert status(refused) == (403, 50013)
    assert emu.find_channel(gid, "notes") is None
    held = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)},
            {"id": emu.bot_role_id(gid), "type": 0, "allow": str(VIEW_CHANNEL | SEND_MESSAGES)}]
    assert api.channel(gid, "notes", permission_overwrites=held).status_code == 201


def test_edits_of_overwrites_are_judged_on_the_parent_category_where_there_is_one(emu, api, gid):
    """DOCS/channel "Modify Channel" and "Edit Channel Permissions": "Only permissions your
    bot has in the guild or parent channel (if applicable) can be allowed/denied". Stricter
    reading: with a parent, the bot's permissions there replace its guild permissions."""
    granting = emu.add_channel(gid, "Granting", GUILD_CATEGORY, bot_allow=MANAGE_MESSAGES)
    denying = emu.add_channel(gid, "Denying", GUILD_CATEGORY)
    emu.make_read_only_for_bot(denying)
    under_grant = emu.add_channel(gid, "a", parent_id=granting)
    under_deny = emu.add_channel(gid, "b", parent_id=denying)
    alone = emu.add_channel(gid, "c")

    def put(channel, bits):
        return api("PUT", f"/channels/{channel}/permissions/{gid}", json={"type": 0, "allow": str(bits)})

    assert put(under_grant, MANAGE_MESSAGES).status_code == 204
    assert status(put(alone, MANAGE_MESSAGES)) == (403, 50013)
    assert status(put(under_deny, SEND_MESSAGES)) == (403, 50013)
    assert put(alone, SEND_MESSAGES).status_code == 204
    patch = api("PATCH", f"/channels/{under_grant}", json={"permission_overwrites": [
        {"id": gid, "type": 0, "allow": str(MANAGE_MESSAGES)}]})
    assert patch.status_code == 200
    patch = api("PATCH", f"/channels/{alone}", json={"permission_overwrites": [
        {"id": gid, "type": 0, "allow": str(MANAGE_MESSAGES)}]})
    assert status(patch) == (403, 50013)


def test_manage_roles_in_an_overwrite_needs_an_administrator_or_a_manage_roles_overwrite(emu, api, gid):
    """DOCS/guild "Create Guild Channel": "Setting MANAGE_ROLES permission in channels is only
    possible for guild administrators"; DOCS/channel: "(unless your bot has a MANAGE_ROLES
    overwrite in the channel)". Stricter reading: that overwrite lifts only the Manage
    Roles rule; bits the bot lacks stay refused."""
    manage_roles = [{"id": gid, "type": 0, "allow": str(MANAGE_ROLES)}]
    assert status(api.channel(gid, "x", permission_overwrites=manage_roles)) == (403, 50013)
    plain = emu.add_channel(gid, "plain")
    trusted = emu.add_channel(gid, "trusted", bot_allow=MANAGE_ROLES)

    def put(channel, bits):
        return api("PUT", f"/channels/{channel}/permissions/{gid}", json={"type": 0, "allow": str(bits)})

    assert status(put(plain, MANAGE_ROLES)) == (403, 50013)
    assert put(trusted, MANAGE_ROLES).status_code == 204
    assert status(put(trusted, BAN_MEMBERS)) == (403, 50013)
    admin = emu.add_guild(bot_permissions=ADMINISTRATOR)
    assert api.channel(admin, "x", permission_overwrites=[
        {"id": admin, "type": 0, "allow": str(MANAGE_ROLES | BAN_MEMBERS)}]).status_code == 201


# -- 3. channel obfuscation ---------------------------------------------------------------------

def test_the_channel_list_omits_channels_the_bot_cannot_view(emu, api, gid):
    """Changelog "Channel Obfuscation for Users and Bots" (discord/discord-api-docs#8454):
    GET /guilds/{id}/channels "will omit those channels from the response entirely"; a
    hidden channel answers 403 50001 (discord-api-docs#867), a deleted one 404 10003.
    permissions.mdx "Channel Visibility" (same PR): "Channel categories are viewable if any of
    their child channels are viewable", so a hidden category with a visible child stays."""
    hidden_category = emu.add_channel(gid, "Staff", GUILD_CATEGORY, bot_deny=VIEW_CHANNEL)
    inside = emu.add_channel(gid, "visible-inside", parent_id=hidden_category,
                             bot_allow=VIEW_CHANNEL)
    sealed_category = emu.add_channel(gid, "Sealed", GUILD_CATEGORY, bot_deny=VIEW_CHANNEL)
    sealed_child = emu.add_channel(gid, "sealed-inside", parent_id=sealed_category, bot_deny=VIEW_CHANNEL)
    staff = emu.add_channel(gid, "staff-only", bot_deny=VIEW_CHANNEL)
    lobby = emu.add_channel(gid, "lobby")
    listed = {c["id"] for c in api("GET", f"/guilds/{gid}/channels").json()}
    assert {hidden_category, inside, lobby} <= listed
    assert not {sealed_category, sealed_child, staff} & listed
    assert {sealed_category, staff} <= {c["id"] for c in emu.guild_channels(gid)}  # the test sees all
    assert api("GET", f"/channels/{hidden_category}").status_code == 200
    assert status(api("GET", f"/channels/{sealed_category}")) == (403, 50001)
    assert status(api("GET", f"/channels/{staff}")) == (403, 50001)
    emu.delete_channel(lobby)
    assert status(api("GET", f"/channels/{lobby}")) == (404, 10003)
    emu.grant_bot_in_channel(staff, VIEW_CHANNEL)
    assert staff in {c["id"] for c in api("GET", f"/guilds/{gid}/channels").json()}
    assert api("GET", f"/channels/{staff}").status_code == 200


def test_interaction_payloads_are_not_obfuscated(emu, gid):
    """Changelog "Channel Obfuscation for Users and Bots": "Interaction payloads are built
    through a separate path that does not apply obfuscation"."""
    alice = emu.add_member(gid, "alice")
    staff = emu.add_channel(gid, "staff-room", bot_deny=VIEW_CHANNEL)
    payload = emu.create_interaction(gid, alice, "add-campaign", channel_id=staff)
    assert payload["channel"]["name"] == "staff-room"
    assert not int(payload["app_permissions"]) & VIEW_CHANNEL


# -- 4. the original response deleted by a moderator ----------------------------------------------

def test_a_moderator_deleting_the_original_response_makes_it_unknown(emu, api, gid):
    """DOCS/codes 10008 "Unknown message": edits and reads of a deleted @original fail; the
    token itself stays valid for follow-ups (DOCS/rr "Followup Messages")."""
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "add-campaign")["token"]
    emu.acknowledge(token, {"type": 5})
    assert api.webhook("PATCH", token, json={"content": "Creating roles…"}).status_code == 200
    emu.delete_original_message(token)
    assert status(api.webhook("PATCH", token, json={"content": "Done"})) == (404, 10008)
    assert status(api.webhook("GET", token)) == (404, 10008)
    assert status(api.webhook("DELETE", token)) == (404, 10008)
    assert emu.original_message(token) is None
    assert emu.message_history(token) == ["Creating roles…"]
    assert api.webhook("POST", token, suffix="", json={"content": "Done"}).status_code == 200


def test_a_deleted_message_cannot_be_clicked_or_edited_through_a_click(emu, api, gid):
    """A click's @original is the clicked message (DOCS/rr UPDATE_MESSAGE), so deleting it
    makes that one unknown too (10008); a deleted message offers no button to click."""
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "delete-campaign")["token"]
    emu.acknowledge(token, {"type": 4, "data": {"content": "Sure?", "components": [
        {"type": 1, "components": [{"type": 2, "style": 4, "label": "Delete", "custom_id": "yes"}]}]}})
    click = emu.click(token, alice, "yes")
    emu.acknowledge(click, {"type": 6})
    emu.delete_original_message(token)
    assert status(api.webhook("PATCH", click["token"], json={"content": "Deleted"})) == (404, 10008)
    with pytest.raises(ValueError, match="deleted"):
        emu.click(token, alice, "yes")


def test_a_button_on_a_channel_message_is_clicked_by_those_who_see_the_channel(emu, api, gid):
    """A bot's message in a channel can carry buttons; a click's payload carries the clicked
    message, and Update Message (type 7) edits that message (DOCS/rr "Interaction Callback
    Type"). Someone who can't view the channel can't see the message to click it."""
    alice, bob = emu.add_member(gid, "alice"), emu.add_member(gid, "bob")
    channel = emu.add_channel(gid, "gm-notes", permission_overwrites=[
        {"id": gid, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": alice, "type": 1, "allow": str(VIEW_CHANNEL), "deny": "0"}], bot_allow=VIEW_CHANNEL)
    sent = api("POST", f"/channels/{channel}/messages", json={"content": "Approve bob?", "components": [
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "Approve", "custom_id": "ok"}]}]})
    assert sent.status_code == 200, sent.text
    message = sent.json()["id"]
    with pytest.raises(ValueError, match="can't view"):
        emu.click_channel_message(channel, message, bob, "ok")
    with pytest.raises(ValueError, match="no button"):
        emu.click_channel_message(channel, message, alice, "nope")
    click = emu.click_channel_message(channel, message, alice, "ok")
    assert click["type"] == 3 and click["message"]["id"] == message and click["channel_id"] == channel
    emu.acknowledge(click, {"type": 7, "data": {"content": "Approved", "components": []}})
    assert emu.channel_messages(channel)[-1]["content"] == "Approved"


def test_a_role_dragged_in_the_client_shifts_the_others(emu, api, gid):
    """Positions stay a sequence from 1 above @everyone (0) after a drag (DOCS/perms)."""
    low, high = emu.add_role(gid, "low"), emu.add_role(gid, "high", position=None)
    emu.move_role(gid, emu.bot_role_id(gid), 1)
    roles = {r["id"]: r["position"] for r in emu.guild_roles(gid)}
    assert roles[gid] == 0 and roles[emu.bot_role_id(gid)] == 1
    assert sorted(roles.values()) == list(range(len(roles)))
    assert roles[low] < roles[high]
    with pytest.raises(ValueError):
        emu.move_role(gid, gid, 3)


def test_a_member_who_left_is_an_unknown_member(emu, api, gid):
    """DOCS/codes "JSON Error Codes": 10007 Unknown member, once they have left."""
    alice = emu.add_member(gid, "alice")
    assert api("GET", f"/guilds/{gid}/members/{alice}").status_code == 200
    emu.remove_member(gid, alice)
    assert status(api("GET", f"/guilds/{gid}/members/{alice}")) == (404, 10007)
    with pytest.raises(ValueError, match="not a member"):
        emu.remove_member(gid, alice)


# -- 5. user-installed invocations and command visibility ----------------------------------------

def test_a_user_installed_invocation_from_a_guild_without_the_bot(emu, api):
    """DOCS/rr "Authorizing Integration Owners Object": "1" is the authorising user, "0"
    only where the app is installed in the guild; changelog "Interaction app_permissions":
    without a bot, @everyone's permissions limited to ATTACH_FILES, EMBED_LINKS,
    MENTION_EVERYONE and USE_EXTERNAL_EMOJIS. The bot's REST calls then fail:
    GET /guilds/{id} 404 10004 (discord-api-docs#5840), the rest 403 50001."""
    gid = emu.add_guild(with_bot=False)
    alice = emu.add_member(gid, "alice")
    payload = emu.create_interaction(gid, alice, "add-campaign", user_installed=True)
    assert payload["authorizing_integration_owners"] == {"1": alice}
    assert int(payload["app_permissions"]) == ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS
    assert status(api("GET", f"/guilds/{gid}")) == (404, 10004)
    assert status(api("GET", f"/guilds/{gid}/channels")) == (403, 50001)
    assert status(api("GET", f"/guilds/{gid}/roles")) == (403, 50001)
    assert status(api.channel(gid, "lobby")) == (403, 50001)
    assert status(api("POST", f"/guilds/{gid}/roles", json={"name": "GM"})) == (403, 50001)
    assert status(api("GET", f"/channels/{payload['channel_id']}")) == (403, 50001)
    emu.acknowledge(payload, {"type": 5, "data": {"flags": 64}})
    assert api.webhook("PATCH", payload["token"], json={"content": "I am not in this server"}).status_code == 200
    with pytest.raises(ValueError, match="not installed"):
        emu.create_interaction(gid, alice, "add-campaign")


def test_both_owners_when_the_app_is_installed_in_the_guild_and_by_the_user(emu, gid):
    """DOCS/rr "Authorizing Integration Owners Object": a key per installation that applies."""
    alice = emu.add_member(gid, "alice")
    payload = emu.create_interaction(gid, alice, "add-campaign", user_installed=True)
    assert payload["authorizing_integration_owners"] == {"0": gid, "1": alice}
    assert emu.create_interaction(gid, alice, "add-campaign")["authorizing_integration_owners"] == {"0": gid}


def test_a_bot_removed_from_the_guild_gets_missing_access_everywhere(emu, api, gid):
    """When the bot is removed its managed role goes with it; every guild and channel route
    answers 403 50001 (discord-api-docs#867), GET /guilds/{id} 404 10004 (#5840)."""
    channel = emu.add_channel(gid, "lobby")
    role = emu.bot_role_id(gid)
    emu.remove_bot(gid)
    assert emu.find_role(gid, "Channelwright") is None and role not in {r["id"] for r in emu.guild_roles(gid)}
    for response in (api("GET", f"/guilds/{gid}/channels"), api.channel(gid, "x"),
                     api("GET", f"/channels/{channel}"), api("DELETE", f"/channels/{channel}"),
                     api("GET", f"/guilds/{gid}/members/{emu.bot_user_id}")):
        assert status(response) == (403, 50001)
    assert status(api("GET", f"/guilds/{gid}")) == (404, 10004)
    emu.invite_bot(gid)
    assert api.channel(gid, "back").status_code == 201


@pytest.fixture
def register(api):
    """Register global commands through the bot's own route; forget them afterwards, since
    registrations outlive emu.reset()."""
    def put(*commands):
        response = api("PUT", f"/applications/{APPLICATION_ID}/commands", json=list(commands))
        assert response.status_code == 200, response.text
    yield put
    api("PUT", f"/applications/{APPLICATION_ID}/commands", json=[])


def command(name, **fields):
    return {"name": name, "description": "A command", "type": 1, **fields}


def test_default_member_permissions_hide_a_command_from_members_who_lack_them_there(emu, gid, register):
    """DOCS/ac "Using Default Permissions": the permissions "a user must have to use it";
    "0" leaves it to admins; "Members with the Administrator permission can use all
    commands". Judged in the invoking channel, overwrites included (stricter reading)."""
    register(command("delete-campaign", default_member_permissions=str(MANAGE_CHANNELS)),
             command("admin-only", default_member_permissions="0"))
    alice = emu.add_member(gid, "alice")
    manager = emu.add_member(gid, "manager", permissions=MANAGE_CHANNELS)
    admin = emu.add_member(gid, "root", permissions=ADMINISTRATOR)
    owner = emu.guild(gid)["owner_id"]
    temp_voice = emu.add_channel(gid, "temp", permission_overwrites=[
        {"id": alice, "type": 1, "allow": str(MANAGE_CHANNELS)}])
    lobby = emu.add_channel(gid, "lobby")
    with pytest.raises(CommandUnavailable, match="default_member_permissions"):
        emu.create_interaction(gid, alice, "delete-campaign", channel_id=lobby)
    assert emu.create_interaction(gid, alice, "delete-campaign", channel_id=temp_voice)
    for user in (manager, admin, owner):
        assert emu.create_interaction(gid, user, "delete-campaign", channel_id=lobby)
    with pytest.raises(CommandUnavailable):
        emu.create_interaction(gid, manager, "admin-only", channel_id=lobby)
    for user in (admin, owner):
        assert emu.create_interaction(gid, user, "admin-only", channel_id=lobby)
    assert emu.create_interaction(gid, alice, "not-registered", channel_id=lobby)


def test_contexts_and_integration_types_decide_where_a_command_exists(emu, register):
    """DOCS/ac "Contexts": `contexts` lists the interaction contexts where a command can be
    used; `integration_types` the installation contexts it supports, and DOCS/rr keeps an
    owner key only "if the command is supported in the installation context"."""
    register(command("dm-only", contexts=[1]),
             command("guild-install", contexts=[0], integration_types=[0]),
             command("anywhere", contexts=[0, 1, 2], integration_types=[0, 1]))
    with_bot = emu.add_guild()
    without_bot = emu.add_guild(with_bot=False)
    alice_in = emu.add_member(with_bot, "alice-in")
    bob = emu.add_member(without_bot, "bob")
    with pytest.raises(CommandUnavailable, match="context"):
        emu.create_interaction(with_bot, alice_in, "dm-only")
    assert emu.create_interaction(None, alice_in, "dm-only")["context"] == 1
    with pytest.raises(CommandUnavailable, match="installation contexts"):
        emu.create_interaction(without_bot, bob, "guild-install", user_installed=True)
    both = emu.create_interaction(with_bot, alice_in, "guild-install", user_installed=True)
    assert both["authorizing_integration_owners"] == {"0": with_bot}
    payload = emu.create_interaction(without_bot, bob, "anywhere", user_installed=True)
    assert payload["authorizing_integration_owners"] == {"1": bob}
    registered = {c["name"]: c["id"] for c in emu.registered_commands()}
    assert payload["data"]["id"] == registered["anywhere"]


# -- 6. limits lasting minutes to hours -----------------------------------------------------------

def test_role_creation_has_a_long_per_guild_limit_announced_honestly(emu, api, gid):
    """discord/discord-api-docs#1480 ("250 roles per 2 days"), discord-net/Discord.Net#1451
    (POST roles with X-RateLimit-Limit 250 and Reset-After 101995): the 429 and the headers
    before it announce the real wait."""
    emu.set_long_limit(r"^POST /guilds/\{guild_id\}/roles$", 3, 3600)
    made = [api("POST", f"/guilds/{gid}/roles", json={"name": f"r{i}"}) for i in range(3)]
    assert [r.status_code for r in made] == [200, 200, 200]
    last = made[-1].headers
    assert (last["X-RateLimit-Limit"], last["X-RateLimit-Remaining"]) == ("3", "0")
    assert 3500 < float(last["X-RateLimit-Reset-After"]) <= 3600
    refused = api("POST", f"/guilds/{gid}/roles", json={"name": "r3"})
    assert refused.status_code == 429
    assert 3500 < refused.json()["retry_after"] <= 3600 and int(refused.headers["Retry-After"]) > 3500
    assert float(refused.headers["X-RateLimit-Reset-After"]) > 3500
    assert emu.find_role(gid, "r3") is None
    assert api("POST", f"/guilds/{emu.add_guild()}/roles", json={"name": "r3"}).status_code == 200


def test_the_default_role_creation_limit_is_250_per_48_hours(emu, api, gid):
    """Same reports; once the short bucket is roomier, the long window is the one announced."""
    assert ROLE_CREATE_LIMIT == (250, 172800.0)
    emu.set_bucket(r"POST /guilds/\{guild_id\}/roles", 1000, 1.0)
    headers = api("POST", f"/guilds/{gid}/roles", json={"name": "GM"}).headers
    assert (headers["X-RateLimit-Limit"], headers["X-RateLimit-Remaining"]) == ("250", "249")
    assert 172000 < float(headers["X-RateLimit-Reset-After"]) <= 172800


# -- 7. answers from Discord's edge ------------------------------------------------------------------

def test_an_edge_429_is_html_with_only_a_retry_after_header(emu, api, gid):
    """DOCS/rl "Invalid Request Limit aka Cloudflare bans"; discord/discord-api-docs#1771:
    Cloudflare's error 1015 page "with no headers about ratelimits"."""
    emu.faults.edge_rate_limit(1, body="html", retry_after=30, path_regex=r"/channels$")
    blocked = api.channel(gid, "lobby")
    assert blocked.status_code == 429
    assert blocked.headers["Content-Type"].startswith("text/html")
    assert blocked.headers["Retry-After"] == "30"
    assert not [h for h in blocked.headers if h.lower().startswith("x-ratelimit")]
    with pytest.raises(ValueError):
        blocked.json()
    assert "1015" in blocked.text and emu.find_channel(gid, "lobby") is None
    assert emu.requests[-1].status == 429 and emu.requests[-1].response is None
    assert api.channel(gid, "lobby").status_code == 201


def test_an_edge_429_may_be_plain_text_or_a_json_notice_without_retry_after(emu, api, gid):
    """discord/discord-api-docs#5810: a 429 "with no rate-limit info", body code 0 and a
    ban notice ("the response is static, stored in cloudflare"); Cloudflare's plain text
    "error code: 1015" likewise."""
    emu.faults.edge_rate_limit(1, body="text", retry_after=None)
    emu.faults.edge_rate_limit(1, body="json", retry_after=None)
    text = api("GET", f"/guilds/{gid}")
    assert text.status_code == 429 and text.text == "error code: 1015" and "Retry-After" not in text.headers
    notice = api("GET", f"/guilds/{gid}")
    assert notice.status_code == 429 and notice.json()["code"] == 0
    assert "retry_after" not in notice.json() and "Retry-After" not in notice.headers
    with pytest.raises(ValueError):
        emu.faults.edge_rate_limit(1, body="xml")


def test_cloudflare_block_answers_403_40333(emu, api, gid):
    """discord/discord-api-docs#6473: a request Cloudflare blocks gets 403
    {"message": "internal network error", "code": 40333}, before any API check."""
    emu.faults.cloudflare_block(2, method="POST")
    for _ in range(2):
        blocked = api.channel(gid, "lobby")
        assert blocked.json() == {"message": "internal network error", "code": 40333}
        assert blocked.status_code == 403 and "X-RateLimit-Bucket" not in blocked.headers
    assert api.channel(gid, "lobby").status_code == 201


# -- 8. one bucket hash, separate counts ----------------------------------------------------------

def test_routes_reporting_one_bucket_hash_still_count_apart(emu, api, gid):
    """DOCS/rl: X-RateLimit-Bucket is "non-inclusive of top-level resources" and limits
    "may" be shared "across a set of similar endpoints"; a shared hash proves no shared
    count (discord/discord-api-docs#1551: one hash, counted per major parameter)."""
    emu.set_bucket(r"^GET /guilds/\{guild_id\}/(channels|roles)$", 2, 5.0)
    channels = [api("GET", f"/guilds/{gid}/channels") for _ in range(2)]
    roles = api("GET", f"/guilds/{gid}/roles")
    assert roles.status_code == 200 and roles.headers["X-RateLimit-Remaining"] == "1"
    assert roles.headers["X-RateLimit-Bucket"] == channels[0].headers["X-RateLimit-Bucket"]
    assert channels[1].headers["X-RateLimit-Remaining"] == "0"
    assert api("GET", f"/guilds/{gid}/channels").status_code == 429
    other = emu.add_guild()
    elsewhere = api("GET", f"/guilds/{other}/channels")
    assert elsewhere.status_code == 200 and elsewhere.headers["X-RateLimit-Bucket"] == \
        channels[0].headers["X-RateLimit-Bucket"]


def test_more_routes_can_be_made_to_share_a_hash(emu, api, gid):
    """The knob behind the default pair: any routes may report one hash, counting apart."""
    before = {api.channel(gid, "a").headers["X-RateLimit-Bucket"],
              api("POST", f"/guilds/{gid}/roles", json={"name": "a"}).headers["X-RateLimit-Bucket"]}
    assert len(before) == 2
    emu.share_bucket_hash("POST /guilds/{guild_id}/channels", "POST /guilds/{guild_id}/roles")
    after = {api.channel(gid, "b").headers["X-RateLimit-Bucket"],
             api("POST", f"/guilds/{gid}/roles", json={"name": "b"}).headers["X-RateLimit-Bucket"]}
    assert len(after) == 1
    emu.reset()
    assert len({api.channel(gid, "c").headers["X-RateLimit-Bucket"],
                api("POST", f"/guilds/{gid}/roles", json={"name": "c"}).headers["X-RateLimit-Bucket"]}) == 2
