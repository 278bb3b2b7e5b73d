"""The emulator validates request bodies as Discord does: a refused request gets 400 code 50035
"Invalid Form Body" with every invalid field in the `errors` tree; the boundary value is accepted.

Every request goes over HTTP to the emulator. Each class names the doc section (or public
report) its rule rests on; abbreviations as in shared reference notes (DOCS/guild is
developers/resources/guild.mdx, DOCS/rr developers/interactions/receiving-and-responding.mdx, ...).
"""

import json
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from discord_emulator import GUILD_CATEGORY, GUILD_FORUM, GUILD_TEXT, GUILD_VOICE
from discord_emulator.validation import application_commands, spec_limits

# These tests send what Discord refuses on purpose; the emulator's answers are still checked.
pytestmark = pytest.mark.spec_exempt("sends invalid requests to see them refused")

TOKEN, APP_ID = "test-bot-token", "1100000000000000001"
UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"
EPHEMERAL, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2 = 1 << 6, 1 << 2, 1 << 12, 1 << 15


@pytest.fixture(scope="module")
def http():
    session = requests.Session()
    session.headers.update({"Authorization": f"Bot {TOKEN}", "User-Agent": UA})
    yield session
    session.close()


class Api:
    def __init__(self, emu, http):
        self.emu, self.http = emu, http

    def __call__(self, method, path, **kwargs):
        return self.http.request(method, self.emu.base_url + path, **kwargs)

    def channel(self, gid, name="lobby", type=GUILD_TEXT, **fields):
        return self("POST", f"/guilds/{gid}/channels", json={"name": name, "type": type, **fields})

    def role(self, gid, **fields):
        return self("POST", f"/guilds/{gid}/roles", json=fields)


@pytest.fixture
def api(emu, http):
    return Api(emu, http)


@pytest.fixture
def gid(emu):
    return emu.add_guild()


def refused(response, path: str, code: str | None = None) -> list[dict]:
    """The `_errors` filed under dotted `path` of a 400 50035 answer; `code` must be among them."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["message"]) == (50035, "Invalid Form Body"), body
    node = body["errors"]
    for key in path.split(".") if path else ():
        assert key in node, f"no error at {path!r}: {body['errors']}"
        node = node[key]
    codes = [e["code"] for e in node["_errors"]]
    assert code is None or code in codes, f"{code} not in {codes}"
    return node["_errors"]


def accepted(response, status: int = 200):
    assert response.status_code == status, response.text
    return response


def button(custom_id, label="Go", style=1):
    return {"type": 2, "style": style, "label": label, "custom_id": custom_id}


def row(*buttons):
    return {"type": 1, "components": list(buttons)}


# -- roles -----------------------------------------------------------------------------------------

class TestRoles:
    """DOCS/guild "Create Guild Role" and "Modify Guild Role" JSON Params; limits from the spec's
    CreateRoleRequest / UpdateRoleRequestPartial / RoleColors (name 1-100, colours 0-16777215)."""

    def test_name_is_1_to_100_characters(self, api, gid):
        accepted(api.role(gid, name="x" * 100))
        refused(api.role(gid, name="x" * 101), "name", "BASE_TYPE_BAD_LENGTH")
        refused(api.role(gid, name=""), "name", "BASE_TYPE_BAD_LENGTH")
        role = api.role(gid, name="keep").json()["id"]
        refused(api("PATCH", f"/guilds/{gid}/roles/{role}", json={"name": "y" * 101}), "name")
        assert accepted(api("PATCH", f"/guilds/{gid}/roles/{role}", json={"name": "y" * 100})).json()["name"] == "y" * 100

    def test_color_and_colors_are_0_to_16777215(self, api, gid):
        accepted(api.role(gid, name="white", color=16777215))
        refused(api.role(gid, name="over", color=16777216), "color", "NUMBER_TYPE_MAX")
        refused(api.role(gid, name="under", color=-1), "color", "NUMBER_TYPE_MIN")
        refused(api.role(gid, name="text", color="red"), "color", "NUMBER_TYPE_COERCE")
        refused(api.role(gid, name="two", colors={"primary_color": 16777216}), "colors.primary_color", "NUMBER_TYPE_MAX")
        accepted(api.role(gid, name="grad", colors={"primary_color": 0, "secondary_color": 16777215}))

    def test_permissions_are_a_decimal_bit_set(self, api, gid):
        accepted(api.role(gid, name="str", permissions="1024"))
        accepted(api.role(gid, name="int", permissions=0))
        refused(api.role(gid, name="hex", permissions="0x400"), "permissions", "NUMBER_TYPE_COERCE")
        refused(api.role(gid, name="neg", permissions=-1), "permissions", "NUMBER_TYPE_COERCE")

    def test_hoist_and_mentionable_are_booleans(self, api, gid):
        accepted(api.role(gid, name="flags", hoist=True, mentionable=False))
        refused(api.role(gid, name="yes", hoist="yes"), "hoist", "BASE_TYPE_BOOLEAN")
        refused(api.role(gid, name="one", mentionable=1), "mentionable", "BASE_TYPE_BOOLEAN")

    def test_every_invalid_field_is_reported_at_once_and_nothing_is_created(self, emu, api, gid):
        response = api.role(gid, name="x" * 101, color=2**24, hoist="no")
        for path in ("name", "color", "hoist"):
            refused(response, path)
        assert [r["name"] for r in emu.guild_roles(gid) if r["name"].startswith("x")] == []


# -- channels ---------------------------------------------------------------------------------------

class TestChannels:
    """DOCS/guild "Create Guild Channel" and DOCS/channel "Modify Channel" JSON Params; numbers
    from the spec's CreateGuildChannelRequest / UpdateGuildChannelRequestPartial."""

    def test_name_is_1_to_100_characters_on_modify_too(self, api, gid):
        channel = accepted(api.channel(gid, "x" * 100), 201).json()["id"]
        refused(api("PATCH", f"/channels/{channel}", json={"name": "y" * 101}), "name", "BASE_TYPE_BAD_LENGTH")
        refused(api("PATCH", f"/channels/{channel}", json={"name": None}), "name", "BASE_TYPE_REQUIRED")
        accepted(api("PATCH", f"/channels/{channel}", json={"name": "y" * 100}))

    def test_type_must_be_a_creatable_channel_type(self, api, gid):
        refused(api.channel(gid, type=3), "type", "BASE_TYPE_CHOICES")  # a group DM
        refused(api.channel(gid, type=11), "type", "BASE_TYPE_CHOICES")  # a thread
        refused(api.channel(gid, type="0"), "type", "NUMBER_TYPE_COERCE")
        accepted(api.channel(gid, type=GUILD_VOICE), 201)

    def test_position_is_a_non_negative_integer(self, api, gid):
        accepted(api.channel(gid, position=0), 201)
        refused(api.channel(gid, position=-1), "position", "NUMBER_TYPE_MIN")
        refused(api.channel(gid, position="3"), "position", "NUMBER_TYPE_COERCE")
        refused(api.channel(gid, position=True), "position", "NUMBER_TYPE_COERCE")

    def test_rate_limit_per_user_is_0_to_21600(self, api, gid):
        accepted(api.channel(gid, rate_limit_per_user=21600), 201)
        refused(api.channel(gid, rate_limit_per_user=21601), "rate_limit_per_user", "NUMBER_TYPE_MAX")
        refused(api.channel(gid, rate_limit_per_user=-1), "rate_limit_per_user", "NUMBER_TYPE_MIN")

    def test_topic_limit_depends_on_the_channel_type(self, api, gid):
        """DOCS/channel "Channel Object" topic: 0-4096 for forum and media, 0-1024 for all others
        (the spec's 4096 for every type is looser)."""
        text = accepted(api.channel(gid, "text", topic="t" * 1024), 201).json()["id"]
        refused(api.channel(gid, "long", topic="t" * 1025), "topic", "BASE_TYPE_MAX_LENGTH")
        forum = accepted(api.channel(gid, "forum", GUILD_FORUM, topic="f" * 4096), 201).json()["id"]
        refused(api.channel(gid, "longer", GUILD_FORUM, topic="f" * 4097), "topic", "BASE_TYPE_MAX_LENGTH")
        refused(api("PATCH", f"/channels/{text}", json={"topic": "t" * 1025}), "topic")
        accepted(api("PATCH", f"/channels/{forum}", json={"topic": "g" * 4096}))
        refused(api("PATCH", f"/channels/{forum}", json={"topic": "g" * 4097}), "topic")

    def test_a_category_cannot_have_a_parent(self, api, gid):
        """DOCS/guild Create Guild Channel: parent_id applies to every type but categories."""
        outer = accepted(api.channel(gid, "Outer", GUILD_CATEGORY), 201).json()["id"]
        refused(api.channel(gid, "Inner", GUILD_CATEGORY, parent_id=outer), "parent_id", "CHANNEL_PARENT_INVALID_TYPE")
        inner = accepted(api.channel(gid, "Inner", GUILD_CATEGORY), 201).json()["id"]
        refused(api("PATCH", f"/channels/{inner}", json={"parent_id": outer}), "parent_id", "CHANNEL_PARENT_INVALID_TYPE")
        accepted(api.channel(gid, "child", parent_id=outer), 201)

    def test_voice_user_limit_and_bitrate(self, api, gid):
        """DOCS/channel "Modify Channel": user_limit max 99 for voice; bitrate min 8000 (spec) and
        up to 96000 for voice channels of unboosted servers."""
        accepted(api.channel(gid, "Table", GUILD_VOICE, user_limit=99, bitrate=8000), 201)
        refused(api.channel(gid, "Crowd", GUILD_VOICE, user_limit=100), "user_limit", "NUMBER_TYPE_MAX")
        refused(api.channel(gid, "Hiss", GUILD_VOICE, bitrate=7999), "bitrate", "NUMBER_TYPE_MIN")
        refused(api.channel(gid, "HiFi", GUILD_VOICE, bitrate=96001), "bitrate", "NUMBER_TYPE_MAX")

    def test_at_most_100_permission_overwrites(self, emu, api):
        gid = emu.add_guild(filler_roles=100)
        roles = [r["id"] for r in emu.guild_roles(gid) if r["name"].startswith("filler-role-")]
        overwrites = [{"id": role, "type": 0, "allow": "0", "deny": "0"} for role in roles]
        refused(api.channel(gid, permission_overwrites=overwrites + [{"id": gid, "type": 0}]),
                "permission_overwrites", "BASE_TYPE_MAX_LENGTH")
        created = accepted(api.channel(gid, permission_overwrites=overwrites), 201).json()
        assert len(created["permission_overwrites"]) == 100

    def test_overwrites_need_an_id_a_type_and_permission_strings(self, api, gid):
        """DOCS/channel "Overwrite Object": type 0 (role) or 1 (member); allow/deny permission strings."""
        response = api.channel(gid, permission_overwrites=[
            {"type": 0, "allow": "1024"},
            {"id": gid, "type": 2},
            {"id": gid, "allow": "abc", "deny": -5},
        ])
        refused(response, "permission_overwrites.0.id", "BASE_TYPE_REQUIRED")
        refused(response, "permission_overwrites.1.type", "BASE_TYPE_CHOICES")
        refused(response, "permission_overwrites.2.type", "BASE_TYPE_REQUIRED")
        refused(response, "permission_overwrites.2.allow", "NUMBER_TYPE_COERCE")
        refused(response, "permission_overwrites.2.deny", "NUMBER_TYPE_COERCE")
        accepted(api.channel(gid, permission_overwrites=[{"id": gid, "type": 0, "deny": "1024"}]), 201)

    def test_edit_channel_permissions_body(self, api, gid):
        """DOCS/channel "Edit Channel Permissions": type required, allow/deny permission strings."""
        channel = api.channel(gid).json()["id"]
        path = f"/channels/{channel}/permissions/{gid}"
        refused(api("PUT", path, json={"allow": "1024"}), "type", "BASE_TYPE_REQUIRED")
        refused(api("PUT", path, json={"type": 0, "allow": "-1"}), "allow", "NUMBER_TYPE_COERCE")
        accepted(api("PUT", path, json={"type": 0, "deny": "1024"}), 204)


# -- X-Audit-Log-Reason --------------------------------------------------------------------------------

class TestAuditLogReason:
    """DOCS/audit "Audit Log Entry Object": the header "supports 1-512 URL-encoded UTF-8
    characters"; a longer one is refused as `reason: Must be 512 or fewer in length.`
    (laggron42/Laggrons-Dumb-Cogs#41, xelA/bucket#5)."""

    def test_512_decoded_characters_are_accepted_and_513_refused(self, api, gid):
        # 512 "é", each three characters once percent-encoded: the decoded text is what counts.
        reason = quote("é" * 512)
        assert len(reason) == 512 * 6
        accepted(api("POST", f"/guilds/{gid}/channels", json={"name": "ok"},
                     headers={"X-Audit-Log-Reason": reason}), 201)
        errors = refused(api("POST", f"/guilds/{gid}/channels", json={"name": "long"},
                             headers={"X-Audit-Log-Reason": quote("é" * 513)}), "reason")
        assert errors == [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 512 or fewer in length."}]

    def test_empty_and_unencoded_reasons_are_refused(self, api, gid):
        refused(api("POST", f"/guilds/{gid}/roles", json={}, headers={"X-Audit-Log-Reason": ""}),
                "reason", "BASE_TYPE_MIN_LENGTH")
        refused(api("POST", f"/guilds/{gid}/roles", json={}, headers={"X-Audit-Log-Reason": "café"}),
                "reason", "BASE_TYPE_BAD_ENCODING")
        refused(api("POST", f"/guilds/{gid}/roles", json={}, headers={"X-Audit-Log-Reason": "%FF%FE"}),
                "reason", "BASE_TYPE_BAD_ENCODING")
        accepted(api("POST", f"/guilds/{gid}/roles", json={}, headers={"X-Audit-Log-Reason": quote("café 2")}))

    def test_routes_without_a_body_check_the_header_too_and_act_only_when_valid(self, emu, api, gid):
        role = emu.add_role(gid, "doomed")
        refused(api("DELETE", f"/guilds/{gid}/roles/{role}", headers={"X-Audit-Log-Reason": "r" * 513}), "reason")
        assert emu.find_role(gid, "doomed") is not None
        accepted(api("DELETE", f"/guilds/{gid}/roles/{role}", headers={"X-Audit-Log-Reason": "cleanup"}), 204)
        assert emu.find_role(gid, "doomed") is None


# -- messages -------------------------------------------------------------------------------------------

@pytest.fixture
def webhook(emu, gid):
    """An acknowledged (deferred) interaction: (base URL of its webhook, token)."""
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "add-campaign")["token"]
    emu.acknowledge(token, {"type": 5})
    return f"{emu.base_url}/webhooks/{APP_ID}/{token}", token


class TestMessageContent:
    """DOCS/message "Create Message" and DOCS/webhook "Execute Webhook" / "Edit Webhook Message":
    content up to 2000 characters (the spec's 4000 for channel messages is not a bot's limit)."""

    def test_2000_characters_on_every_message_route(self, api, gid, webhook):
        channel = api.channel(gid).json()["id"]
        url, _ = webhook
        sends = [lambda body: api("POST", f"/channels/{channel}/messages", json=body),
                 lambda body: requests.post(url, headers={"User-Agent": UA}, json=body),
                 lambda body: requests.patch(f"{url}/messages/@original", headers={"User-Agent": UA}, json=body)]
        for send in sends:
            errors = refused(send({"content": "x" * 2001}), "content")
            assert errors == [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]
            accepted(send({"content": "x" * 2000}))


class TestComponents:
    """developers/components/reference.mdx: "Legacy messages allow up to 5 action rows as
    top-level components"; an Action Row holds up to 5 buttons; Button: label max 80, custom_id
    1-100 and required on non-link buttons, link buttons need a url and no custom_id, styles 1-6;
    "Custom ID": unique within a message (error quoted in discord/discord-api-docs#3673)."""

    @pytest.fixture
    def send(self, webhook):
        url, _ = webhook
        return lambda components, **fields: requests.patch(
            f"{url}/messages/@original", headers={"User-Agent": UA},
            json={"content": "pick", "components": components, **fields})

    def test_at_most_5_action_rows(self, send):
        rows = [row(button(f"b{i}")) for i in range(6)]
        errors = refused(send(rows), "components")
        assert errors == [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 5 or fewer in length."}]
        accepted(send(rows[:5]))

    def test_only_action_rows_at_the_top_level(self, send):
        refused(send([button("loose")]), "components.0.type", "UNION_TYPE_CHOICES")

    def test_1_to_5_buttons_a_row(self, send):
        refused(send([row(*(button(f"b{i}") for i in range(6)))]), "components.0.components", "BASE_TYPE_BAD_LENGTH")
        refused(send([row()]), "components.0.components", "BASE_TYPE_BAD_LENGTH")
        accepted(send([row(*(button(f"b{i}") for i in range(5)))]))

    def test_label_and_custom_id_lengths(self, send):
        refused(send([row(button("a", label="l" * 81))]), "components.0.components.0.label", "BASE_TYPE_MAX_LENGTH")
        refused(send([row(button("c" * 101))]), "components.0.components.0.custom_id", "BASE_TYPE_BAD_LENGTH")
        accepted(send([row(button("c" * 100, label="l" * 80))]))

    def test_non_link_buttons_need_a_custom_id_unique_in_the_message(self, send):
        refused(send([row({"type": 2, "style": 1, "label": "No id"})]),
                "components.0.components.0.custom_id", "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED")
        errors = refused(send([row(button("same")), row(button("same"))]), "components.1.components.0.custom_id")
        assert errors == [{"code": "COMPONENT_CUSTOM_ID_DUPLICATED", "message": "Component custom id was already specified"}]
        refused(send([row({**button("x"), "url": "https://example.com"})]), "components.0.components.0.url")

    def test_link_buttons_need_a_url_and_no_custom_id(self, send):
        link = {"type": 2, "style": 5, "label": "Docs", "url": "https://example.com/docs"}
        accepted(send([row(link)]))
        refused(send([row({**link, "custom_id": "docs"})]), "components.0.components.0.custom_id")
        refused(send([row({"type": 2, "style": 5, "label": "Nowhere"})]),
                "components.0.components.0.url", "BUTTON_COMPONENT_URL_REQUIRED")

    def test_button_style_is_1_to_6(self, send):
        refused(send([row(button("a", style=7))]), "components.0.components.0.style", "BASE_TYPE_CHOICES")
        refused(send([row({"type": 2, "custom_id": "a", "label": "x"})]),
                "components.0.components.0.style", "BASE_TYPE_REQUIRED")

    def test_a_select_fills_its_row(self, send):
        select = {"type": 3, "custom_id": "pick", "options": [{"label": "A", "value": "a"}]}
        accepted(send([row(select)]))
        refused(send([row(select, button("b"))]), "components.0.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED")


class TestEmbeds:
    """DOCS/message "Embed Limits": title 256, description 4096, 25 fields, field name 256 and
    value 1024, footer 2048, author name 256, 6000 characters in all (trimmed), up to 10 embeds;
    total size error as quoted in NelsonDane/auto-rsa#451."""

    @pytest.fixture
    def send(self, api, gid):
        channel = api.channel(gid).json()["id"]
        return lambda *embeds: api("POST", f"/channels/{channel}/messages", json={"embeds": list(embeds)})

    def test_field_limits(self, send):
        accepted(send({"title": "t" * 256, "description": "d" * 4096}))
        response = send({"title": "t" * 257, "description": "d" * 4097, "footer": {"text": "f" * 2049},
                         "author": {"name": "a" * 257}})
        for path in ("embeds.0.title", "embeds.0.description", "embeds.0.footer.text", "embeds.0.author.name"):
            refused(response, path, "BASE_TYPE_MAX_LENGTH")

    def test_fields(self, send):
        field = {"name": "n" * 256, "value": "v" * 1024}
        accepted(send({"fields": [{"name": "n", "value": "v"}] * 25}))
        refused(send({"fields": [{"name": "n", "value": "v"}] * 26}), "embeds.0.fields", "BASE_TYPE_MAX_LENGTH")
        accepted(send({"fields": [field]}))
        refused(send({"fields": [{"name": "n" * 257, "value": "v"}]}), "embeds.0.fields.0.name")
        refused(send({"fields": [{"name": "n", "value": "v" * 1025}]}), "embeds.0.fields.0.value")
        refused(send({"fields": [{"name": "n", "value": "   "}]}), "embeds.0.fields.0.value", "BASE_TYPE_REQUIRED")

    def test_6000_characters_across_all_embeds_after_trimming(self, send):
        full = [{"description": "d" * 3000}, {"description": "d" * 2744, "title": "t" * 256}]
        accepted(send(*full))
        padded = [{"description": "  " + "d" * 3000 + "  "}, {"description": "d" * 2744, "title": " " + "t" * 256}]
        accepted(send(*padded))
        errors = refused(send({"description": "d" * 3000}, {"description": "d" * 2745, "title": "t" * 256}), "embeds")
        assert errors == [{"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}]

    def test_at_most_10_embeds(self, send):
        accepted(send(*[{"title": "t"}] * 10))
        refused(send(*[{"title": "t"}] * 11), "embeds", "BASE_TYPE_MAX_LENGTH")


class TestAllowedMentions:
    """DOCS/message "Allowed Mentions Object": parse holds "users", "roles", "everyone"; parse is
    mutually exclusive with a non-empty users/roles list of the same kind (error quoted in
    Mephisto5558/Teufelsbot#287); users and roles hold up to 100 ids."""

    @pytest.fixture
    def send(self, webhook):
        url, _ = webhook
        return lambda mentions: requests.post(url, headers={"User-Agent": UA},
                                              json={"content": "<@1> hi", "allowed_mentions": mentions})

    def test_parse_values(self, send):
        accepted(send({"parse": ["users", "roles", "everyone"]}))
        accepted(send({"parse": []}))
        refused(send({"parse": ["users", "channels"]}), "allowed_mentions.parse.1", "BASE_TYPE_CHOICES")

    def test_parse_and_an_id_list_of_the_same_kind_are_exclusive(self, send):
        errors = refused(send({"parse": ["users"], "users": ["123"]}), "allowed_mentions")
        assert errors == [{"code": "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                           "message": 'parse:["users"] and users: [ids...] are mutually exclusive.'}]
        refused(send({"parse": ["roles"], "roles": ["5"]}), "allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE")
        # "Passing a falsy value such as null or an empty array into the users field does not
        # trigger a validation error"; other kinds may be combined.
        accepted(send({"parse": ["users"], "users": []}))
        accepted(send({"parse": ["everyone"], "users": ["123", "456"]}))

    def test_at_most_100_ids(self, send):
        accepted(send({"users": [str(i) for i in range(1, 101)]}))
        refused(send({"users": [str(i) for i in range(1, 102)]}), "allowed_mentions.users", "BASE_TYPE_MAX_LENGTH")
        refused(send({"roles": ["role-a"]}), "allowed_mentions.roles.0", "NUMBER_TYPE_COERCE")


class TestMessageFlags:
    """Which flags each message request may set: DOCS/message "Create Message" (SUPPRESS_EMBEDS,
    SUPPRESS_NOTIFICATIONS, IS_VOICE_MESSAGE, IS_COMPONENTS_V2), DOCS/rr "Create Followup
    Message" (EPHEMERAL too), DOCS/webhook "Edit Webhook Message" (SUPPRESS_EMBEDS and
    IS_COMPONENTS_V2 only); with IS_COMPONENTS_V2 "the message can only contain components"."""

    def test_flags_per_route(self, api, gid, webhook):
        channel = api.channel(gid).json()["id"]
        url, _ = webhook
        refused(api("POST", f"/channels/{channel}/messages", json={"content": "a", "flags": EPHEMERAL}),
                "flags", "MESSAGE_FLAGS_INVALID")
        accepted(api("POST", f"/channels/{channel}/messages", json={"content": "a", "flags": SUPPRESS_NOTIFICATIONS}))
        accepted(requests.post(url, headers={"User-Agent": UA}, json={"content": "a", "flags": EPHEMERAL}))
        refused(requests.patch(f"{url}/messages/@original", headers={"User-Agent": UA},
                               json={"content": "a", "flags": SUPPRESS_NOTIFICATIONS}), "flags", "MESSAGE_FLAGS_INVALID")
        accepted(requests.patch(f"{url}/messages/@original", headers={"User-Agent": UA},
                                json={"content": "a", "flags": SUPPRESS_EMBEDS}))

    def test_components_v2_messages_hold_only_components(self, api, gid):
        channel = api.channel(gid).json()["id"]
        refused(api("POST", f"/channels/{channel}/messages",
                    json={"content": "legacy", "flags": IS_COMPONENTS_V2, "components": [{"type": 10, "content": "hi"}]}),
                "content", "MESSAGE_COMPONENTS_V2_LEGACY_FIELDS")
        accepted(api("POST", f"/channels/{channel}/messages",
                     json={"flags": IS_COMPONENTS_V2, "components": [{"type": 10, "content": "hi"}]}))


class TestListMessages:
    """DOCS/message "Get Channel Messages": limit 1-100."""

    def test_limit_is_1_to_100(self, api, gid):
        channel = api.channel(gid).json()["id"]
        accepted(api("GET", f"/channels/{channel}/messages", params={"limit": 100}))
        refused(api("GET", f"/channels/{channel}/messages", params={"limit": 101}), "limit", "NUMBER_TYPE_MAX")
        refused(api("GET", f"/channels/{channel}/messages", params={"limit": 0}), "limit", "NUMBER_TYPE_MIN")


# -- interaction responses ---------------------------------------------------------------------------------

class TestInteractionResponses:
    """DOCS/rr "Interaction Callback Type" (6 and 7 only for components, 8 for autocomplete) and
    "Interaction Callback Data Structure" (flags: EPHEMERAL, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS,
    IS_COMPONENTS_V2, IS_VOICE_MESSAGE; a deferred response takes only EPHEMERAL)."""

    @pytest.fixture
    def command(self, emu, gid):
        alice = emu.add_member(gid, "alice")
        return lambda: emu.create_interaction(gid, alice, "add-campaign")

    def callback(self, emu, payload, body):
        return requests.post(f"{emu.base_url}/interactions/{payload['id']}/{payload['token']}/callback",
                             headers={"User-Agent": UA}, json=body)

    def test_a_deferred_response_takes_only_ephemeral(self, emu, command):
        refused(self.callback(emu, command(), {"type": 5, "data": {"flags": SUPPRESS_NOTIFICATIONS}}),
                "data.flags", "MESSAGE_FLAGS_INVALID")
        accepted(self.callback(emu, command(), {"type": 5, "data": {"flags": EPHEMERAL}}), 204)
        with pytest.raises(ValueError, match="data"):
            emu.acknowledge(command(), {"type": 5, "data": {"flags": EPHEMERAL | SUPPRESS_EMBEDS}})

    def test_a_message_response_takes_its_documented_flags(self, emu, command):
        flags = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS
        accepted(self.callback(emu, command(), {"type": 4, "data": {"content": "hi", "flags": flags}}), 204)
        refused(self.callback(emu, command(), {"type": 4, "data": {"content": "hi", "flags": 1 << 1}}), "data.flags")

    def test_message_rules_apply_inside_the_response(self, emu, command):
        response = self.callback(emu, command(), {"type": 4, "data": {
            "content": "x" * 2001, "components": [row(button(f"b{i}")) for i in range(6)],
            "allowed_mentions": {"parse": ["users"], "users": ["1"]}}})
        refused(response, "data.content", "BASE_TYPE_MAX_LENGTH")
        refused(response, "data.components", "BASE_TYPE_MAX_LENGTH")
        refused(response, "data.allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE")
        with pytest.raises(ValueError, match="COMPONENT_CUSTOM_ID_DUPLICATED"):
            emu.acknowledge(command(), {"type": 4, "data": {"content": "x", "components": [row(button("a"), button("a"))]}})

    def test_unknown_and_out_of_place_callback_types_are_refused(self, emu, command):
        refused(self.callback(emu, command(), {"type": 3}), "type", "BASE_TYPE_CHOICES")
        for kind in (6, 7, 8, 1):
            refused(self.callback(emu, command(), {"type": kind}), "type", "INTERACTION_CALLBACK_TYPE_INVALID")

    def test_component_interactions_take_update_responses(self, emu, gid, command):
        source = command()
        emu.acknowledge(source, {"type": 4, "data": {"content": "Undo?", "components": [row(button("undo"))]}})
        clicker = emu.add_member(gid, "bob")
        click = emu.click(source["token"], clicker, "undo")
        refused(self.callback(emu, click, {"type": 7, "data": {"content": "x" * 2001}}), "data.content")
        accepted(self.callback(emu, click, {"type": 7, "data": {"content": "Undone", "components": []}}), 204)
        assert emu.original_message(source["token"])["content"] == "Undone"
        refused(self.callback(emu, command(), {"type": 7, "data": {"content": "no message"}}), "type")

    def test_a_modal_has_a_custom_id_a_title_and_1_to_5_components(self, emu, command):
        """DOCS/rr "Modal": custom_id 1-100, title max 45, 1-5 components."""
        text_input = {"type": 18, "label": "Name", "component": {"type": 4, "custom_id": "name", "style": 1}}
        accepted(self.callback(emu, command(), {"type": 9, "data": {
            "custom_id": "rename", "title": "t" * 45, "components": [text_input]}}), 204)
        response = self.callback(emu, command(), {"type": 9, "data": {
            "custom_id": "", "title": "t" * 46, "components": [text_input] * 6}})
        for path in ("data.custom_id", "data.title", "data.components"):
            refused(response, path)


class TestAutocompleteResults:
    """DOCS/rr "Autocomplete" (max of 25 choices) and DOCS/ac "Application Command Option Choice
    Structure" (name 1-100 characters; a string value up to 100 characters, the spec's 6000 not
    followed). Type 8 answers autocomplete interactions, and only they take it."""

    @pytest.fixture
    def autocomplete(self, emu, gid):
        alice = emu.add_member(gid, "alice")
        focused = [{"type": 1, "name": "show", "options": [{"type": 3, "name": "name", "value": "cu", "focused": True}]}]
        return lambda: emu.create_autocomplete(gid, alice, "campaign-template", focused)

    def test_the_payload_is_an_autocomplete_interaction(self, autocomplete):
        payload = autocomplete()
        assert payload["type"] == 4 and payload["data"]["name"] == "campaign-template"

    def test_25_choices_are_accepted_inline_and_over_rest(self, emu, autocomplete):
        choices = [{"name": f"Curse {i}", "value": f"curse-{i}"} for i in range(25)]
        payload = autocomplete()
        emu.acknowledge(payload, {"type": 8, "data": {"choices": choices}})
        assert emu.autocomplete_choices(payload["token"]) == choices
        payload = autocomplete()
        accepted(requests.post(f"{emu.base_url}/interactions/{payload['id']}/{payload['token']}/callback",
                               headers={"User-Agent": UA}, json={"type": 8, "data": {"choices": [{"name": "n", "value": 7}]}}), 204)

    def test_choice_limits(self, emu, autocomplete):
        def answer(choices):
            payload = autocomplete()
            return requests.post(f"{emu.base_url}/interactions/{payload['id']}/{payload['token']}/callback",
                                 headers={"User-Agent": UA}, json={"type": 8, "data": {"choices": choices}})

        refused(answer([{"name": "n", "value": "v"}] * 26), "data.choices", "BASE_TYPE_MAX_LENGTH")
        response = answer([{"name": "n" * 101, "value": "v" * 101}, {"name": "", "value": "v"}])
        refused(response, "data.choices.0.name", "BASE_TYPE_BAD_LENGTH")
        refused(response, "data.choices.0.value", "BASE_TYPE_MAX_LENGTH")
        refused(response, "data.choices.1.name", "BASE_TYPE_BAD_LENGTH")
        accepted(answer([{"name": "n" * 100, "value": "v" * 100}]), 204)

    def test_an_autocomplete_interaction_takes_only_type_8(self, emu, autocomplete):
        with pytest.raises(ValueError, match="INTERACTION_CALLBACK_TYPE_INVALID"):
            emu.acknowledge(autocomplete(), {"type": 4, "data": {"content": "hi"}})
        with pytest.raises(ValueError, match="focused"):
            emu.create_autocomplete(emu.add_guild(), emu.add_user(), "x", [{"type": 3, "name": "a", "value": "b"}])


# -- application commands ------------------------------------------------------------------------------------

def command(name="roll", **fields):
    return {"name": name, "type": 1, "description": "Roll dice", **fields}


class TestApplicationCommands:
    """DOCS/ac "Application Command Naming", "Application Command Structure", "Application Command
    Option Structure", "Application Command Option Choice Structure" and the 8000-character
    warning under "Slash Commands"."""

    @pytest.fixture
    def put(self, api, gid):
        return lambda *commands: api("PUT", f"/applications/{APP_ID}/guilds/{gid}/commands", json=list(commands))

    def test_devanagari_and_thai_names_with_their_vowel_signs_are_valid(self, put):
        names = ["नमस्ते", "สวัสดี", "ไม่", "हिंदी"]
        assert any(unicodedata.category(c) in ("Mn", "Mc") for c in "".join(names))
        registered = accepted(put(*(command(n) for n in names))).json()
        assert [c["name"] for c in registered] == names

    def test_chat_input_names_are_lower_case_word_characters(self, put):
        for name in ("Roll", "roll dice", "roll!", "a" * 33):
            refused(put(command(name)), "0.name")
        refused(put(command("Roll")), "0.name", "APPLICATION_COMMAND_INVALID_NAME")
        refused(put(command("a" * 33)), "0.name", "BASE_TYPE_BAD_LENGTH")
        accepted(put(command("a" * 32), command("roll-d20's_x"), command("ß"), command("日本")))

    def test_user_and_message_command_names_may_have_capitals_and_spaces(self, put):
        accepted(put({"name": "Show Sheet", "type": 2}, {"name": "Quote This", "type": 3}))
        refused(put({"name": "Show Sheet", "type": 2, "description": "not for user commands"}), "0.description")

    def test_localized_names_follow_the_same_rule(self, put):
        refused(put(command(name_localizations={"de": "Würfeln"})), "0.name_localizations.de",
                "APPLICATION_COMMAND_INVALID_NAME")
        accepted(put(command(name_localizations={"de": "würfeln", "hi": "पासा"})))

    def test_description_is_1_to_100_characters(self, put):
        refused(put(command(description="d" * 101)), "0.description", "BASE_TYPE_BAD_LENGTH")
        refused(put(command(description="")), "0.description")
        accepted(put(command(description="d" * 100)))

    def test_at_most_25_options_and_25_choices(self, put):
        options = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
        refused(put(command(options=options)), "0.options", "BASE_TYPE_MAX_LENGTH")
        accepted(put(command(options=options[:25])))
        choices = [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)]
        refused(put(command(options=[{"type": 3, "name": "o", "description": "d", "choices": choices}])),
                "0.options.0.choices", "BASE_TYPE_MAX_LENGTH")

    def test_choice_name_and_value_lengths(self, put):
        def with_choice(choice, kind=3):
            return command(options=[{"type": kind, "name": "o", "description": "d", "choices": [choice]}])

        accepted(put(with_choice({"name": "n" * 100, "value": "v" * 100})))
        refused(put(with_choice({"name": "n", "value": "v" * 101})), "0.options.0.choices.0.value", "BASE_TYPE_MAX_LENGTH")
        refused(put(with_choice({"name": "n" * 101, "value": "v"})), "0.options.0.choices.0.name", "BASE_TYPE_BAD_LENGTH")
        refused(put(with_choice({"name": "", "value": "v"})), "0.options.0.choices.0.name")
        refused(put(with_choice({"name": "n", "value": "7"}, kind=4)), "0.options.0.choices.0.value", "NUMBER_TYPE_COERCE")
        accepted(put(with_choice({"name": "n", "value": 7}, kind=4)))

    def test_subcommands_and_groups_take_no_required(self, put):
        sub = {"type": 1, "name": "show", "description": "Show one", "required": True}
        refused(put(command(options=[sub])), "0.options.0.required", "APPLICATION_COMMAND_OPTION_REQUIRED_NOT_ALLOWED")
        group = {"type": 2, "name": "tpl", "description": "Templates", "required": False,
                 "options": [{"type": 1, "name": "list", "description": "List"}]}
        refused(put(command(options=[group])), "0.options.0.required")
        accepted(put(command(options=[{**sub, "required": None}, {**group, "required": None}])))

    def test_required_options_come_first(self, put):
        """Error filed on the option, as quoted in discord/discord-api-docs#5615."""
        options = [{"type": 3, "name": "a", "description": "d"},
                   {"type": 3, "name": "b", "description": "d", "required": True}]
        refused(put(command(options=options)), "0.options.1", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID")

    def test_at_most_8000_characters_per_command(self, put):
        assert accepted(put(sized_command(8000)))
        errors = refused(put(sized_command(8001)), "0")
        assert errors == [{"code": "APPLICATION_COMMAND_TOO_LARGE", "message": "Command exceeds maximum size (8000)"}]

    def test_the_longest_localization_counts_towards_8000(self, put):
        big = sized_command(7990)
        big["description_localizations"] = {"fr": "f" * 100}  # the 100-character description: no change
        accepted(put(big))
        big["name_localizations"] = {"fr": "n" * 14}  # "big" (3) -> 14: 11 more characters
        refused(put(big), "0", "APPLICATION_COMMAND_TOO_LARGE")

    def test_several_errors_in_one_answer(self, put):
        response = put(command("Bad Name", description=""), command("ok", options=[{"type": 12, "name": "x"}]))
        refused(response, "0.name")
        refused(response, "0.description")
        refused(response, "1.options.0.type", "BASE_TYPE_CHOICES")

    def test_at_most_130_commands_in_one_overwrite(self, put):
        """The spec's maxItems for the bulk-overwrite body."""
        refused(put(*(command(f"c{i}") for i in range(131))), "", "BASE_TYPE_MAX_LENGTH")


def sized_command(total: int) -> dict:
    """A CHAT_INPUT command whose counted size (names, descriptions, choice names and values)
    is exactly `total`: "big" with a 100-character description (103), then options of 2 + 100
    characters, each with up to 25 choices of up to 100 + 100 characters, the last choice
    making up the rest."""
    size, options = 103, []
    while size < total:
        if not options or len(options[-1]["choices"]) == 25:
            options.append({"type": 3, "name": f"o{len(options)}", "description": "d" * 100, "choices": []})
            size += 102
            continue
        rest = total - size
        name = min(100, max(1, rest - 100))
        value = min(100, rest - name)
        options[-1]["choices"].append({"name": "c" * name, "value": "v" * value})
        size += name + value
    assert size == total, size
    return command("big", description="x" * 100, options=options)


def test_name_characters_match_the_docs_regex_with_unicode_classes():
    """DOCS/ac "Application Command Naming": `[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]`, checked
    code point by code point against the `regex` module's Unicode tables. Code points whose
    general category differs between that module's Unicode version and Python's are skipped."""
    regex = pytest.importorskip("regex")
    docs = regex.compile(r"[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]")
    letter_or_number = regex.compile(r"[\p{L}\p{N}]")
    checked = 0
    for point in range(0x110000):
        c = chr(point)
        category = unicodedata.category(c)
        if category in ("Cn", "Co", "Cs") or bool(letter_or_number.match(c)) != (category[0] in "LN"):
            continue  # unassigned, private use, surrogates, or a category change between versions
        assert application_commands.name_character(c) == bool(docs.match(c)), f"U+{point:04X}"
        checked += 1
    assert checked > 140_000


# -- the spec table ------------------------------------------------------------------------------------------

SPEC = Path(__file__).resolve().parents[1] / "spec" / "discord-openapi.json"


def test_the_limits_table_equals_what_the_published_spec_says():
    """discord_emulator/validation/spec_limits.py is copied from Discord's OpenAPI spec
    (SPEC_SOURCE); regenerating it from the spec must give the same table."""
    limits, bulk = spec_limits.generate(json.loads(SPEC.read_bytes()))
    assert (limits, bulk) == (spec_limits.LIMITS, spec_limits.BULK_COMMANDS_LIMITS)
