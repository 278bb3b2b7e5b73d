"""Discord rules a skeptical review found missing or modelled wrongly, each with the doc section or
public report it rests on. DOCS/x abbreviations: see tests/emulator/test_behaviours.py.
"""

import pytest
import requests

from discord_emulator import GUILD_CATEGORY, MANAGE_CHANNELS, VIEW_CHANNEL
from tests.conftest import APPLICATION_ID, BOT_TOKEN

pytestmark = pytest.mark.spec_exempt("sends requests Discord refuses to see them refused")

UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"
HEADERS = {"Authorization": f"Bot {BOT_TOKEN}", "User-Agent": UA}


def call(emu, method, path, **kwargs):
    return requests.request(method, emu.base_url + path, headers=HEADERS, timeout=5, **kwargs)


def error_codes(response, path: str) -> list[str]:
    """The field error codes filed under dotted `path` of a 400 50035 answer."""
    assert response.status_code == 400, response.text
    node = response.json()["errors"]
    for key in path.split("."):
        assert key in node, response.json()["errors"]
        node = node[key]
    return [e["code"] for e in node["_errors"]]


@pytest.fixture
def gid(emu):
    return emu.add_guild()


@pytest.fixture
def alice(emu, gid):
    return emu.add_member(gid, "alice")


def callback(emu, payload, body, **params):
    return requests.post(f"{emu.base_url}/interactions/{payload['id']}/{payload['token']}/callback",
                         json=body, params=params, headers={"User-Agent": UA}, timeout=5)


# -- channel visibility ---------------------------------------------------------------------------

def test_a_category_seen_only_through_a_child_can_be_read_but_not_edited(emu, gid):
    """permissions.mdx "Channel Visibility" (discord/discord-api-docs#8454): "Channel
    categories are viewable if any of their child channels are viewable": listed and readable.
    "Implicit Permissions": without VIEW_CHANNEL on the category itself its other permissions
    do not count, so editing it is refused (the stricter reading)."""
    category = emu.add_channel(gid, "Staff", GUILD_CATEGORY, bot_deny=VIEW_CHANNEL)
    child = emu.add_channel(gid, "notes", parent_id=category)
    assert call(emu, "GET", f"/channels/{category}").json()["name"] == "Staff"
    assert category in {c["id"] for c in call(emu, "GET", f"/guilds/{gid}/channels").json()}
    renamed = call(emu, "PATCH", f"/channels/{category}", json={"name": "Open"})
    assert (renamed.status_code, renamed.json()["code"]) == (403, 50001)
    emu.delete_channel(child)  # the last viewable child gone, the category is hidden again
    assert call(emu, "GET", f"/channels/{category}").status_code == 403
    assert category not in {c["id"] for c in call(emu, "GET", f"/guilds/{gid}/channels").json()}


@pytest.mark.parametrize("given", [{}, {"permission_overwrites": None}, {"permission_overwrites": []}])
def test_a_channel_created_in_a_category_without_overwrites_is_synced_with_it(emu, gid, given):
    """permissions.mdx "Permission Syncing"; discord.py documents "The permissions will be
    automatically synced to category if no overwrites are provided" (and sends []); discord-api-docs
    #6357/#6573 create with only parent_id "to inherit permission overwrites". A private category
    makes private channels; explicit overwrites are the whole list."""
    players = call(emu, "POST", f"/guilds/{gid}/roles", json={"name": "Players"}).json()["id"]
    private = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)},
               {"id": players, "type": 0, "allow": str(VIEW_CHANNEL)}]
    category = call(emu, "POST", f"/guilds/{gid}/channels",
                    json={"name": "Campaign", "type": 4, "permission_overwrites": private}).json()
    child = call(emu, "POST", f"/guilds/{gid}/channels", json={"name": "notes", "parent_id": category["id"], **given})
    assert child.status_code == 201
    assert child.json()["permission_overwrites"] == category["permission_overwrites"]
    assert not emu.visible_to(child.json()["id"], emu.add_member(gid, "stranger"))
    own = [{"id": players, "type": 0, "allow": str(VIEW_CHANNEL)}]
    explicit = call(emu, "POST", f"/guilds/{gid}/channels",
                    json={"name": "open", "parent_id": category["id"], "permission_overwrites": own}).json()
    assert [o["id"] for o in explicit["permission_overwrites"]] == [players]


def test_text_and_announcement_convert_only_in_a_guild_with_news(emu, gid):
    """DOCS/channel "Modify Channel": type "only conversion between text and announcement is
    supported and only in guilds with the "NEWS" feature"; resources/guild.mdx "Guild Features":
    NEWS "guild has access to create announcement channels". The emulator's default guild is a
    Community guild (features COMMUNITY and NEWS) and used to refuse every conversion."""
    assert "NEWS" in call(emu, "GET", f"/guilds/{gid}").json()["features"]
    channel = call(emu, "POST", f"/guilds/{gid}/channels", json={"name": "news"}).json()["id"]
    assert call(emu, "PATCH", f"/channels/{channel}", json={"type": 5}).json()["type"] == 5
    assert call(emu, "PATCH", f"/channels/{channel}", json={"type": 0}).json()["type"] == 0
    to_voice = call(emu, "PATCH", f"/channels/{channel}", json={"type": 2})
    assert (to_voice.status_code, to_voice.json()["code"]) == (400, 50024)
    plain = emu.add_guild(forums_enabled=False)
    assert call(emu, "GET", f"/guilds/{plain}").json()["features"] == []
    other = call(emu, "POST", f"/guilds/{plain}/channels", json={"name": "news"}).json()["id"]
    for response in (call(emu, "PATCH", f"/channels/{other}", json={"type": 5}),
                     call(emu, "POST", f"/guilds/{plain}/channels", json={"name": "news", "type": 5})):
        assert (response.status_code, response.json()["code"]) == (400, 50024)
    assert emu.channel(other)["type"] == 0


# -- interaction responses ------------------------------------------------------------------------

@pytest.mark.parametrize("body, path", [({"type": 8}, "data"), ({"type": 8, "data": {}}, "data.choices"),
                                        ({"type": 8, "data": {"choices": None}}, "data.choices")])
def test_an_autocomplete_answer_needs_its_choices(emu, gid, alice, body, path):
    """The spec's ApplicationCommandAutocompleteCallbackRequest requires `data`; DOCS/rr
    "Autocomplete" lists `choices` without marking it optional. An empty list is an answer."""
    payload = emu.create_autocomplete(gid, alice, "x", [{"type": 3, "name": "a", "value": "", "focused": True}])
    assert error_codes(callback(emu, payload, body), path) == ["BASE_TYPE_REQUIRED"]
    assert emu.autocomplete_choices(payload["token"]) is None
    assert callback(emu, payload, {"type": 8, "data": {"choices": []}}).status_code == 204


def modal(*components):
    return {"type": 9, "data": {"custom_id": "m", "title": "Import", "components": list(components)}}


TEXT_INPUT = {"type": 4, "custom_id": "t", "style": 1, "label": "Name"}


@pytest.mark.parametrize("component, path", [
    ({"type": 2, "style": 1, "custom_id": "b", "label": "Go"}, "data.components.0.type"),
    ({"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "b", "label": "Go"}]},
     "data.components.0.components.0.type"),
])
def test_a_modal_holds_labels_text_displays_or_rows_of_text_inputs(emu, gid, alice, component, path):
    """components/reference.mdx "Component Types" (Usage column): a button is for messages only;
    a modal's top level holds Labels (18), Text Displays (10) or, deprecated, Action Rows of Text
    Inputs ("Action Row with Text Inputs in modals are now deprecated")."""
    payload = emu.create_interaction(gid, alice, "x")
    assert error_codes(callback(emu, payload, modal(component)), path) == ["UNION_TYPE_CHOICES"]
    accepted = callback(emu, payload, modal({"type": 1, "components": [TEXT_INPUT]},
                                            {"type": 18, "label": "Name", "component": TEXT_INPUT},
                                            {"type": 10, "content": "Paste your template"}))
    assert accepted.status_code == 204


def test_with_response_answers_200_with_the_interaction_callback_response(emu, gid, alice):
    """DOCS/rr "Create Interaction Response": "Returns 204 unless with_response is set to true
    which returns 200 with the body as interaction callback response"; "Interaction Callback
    Resource Object": the message "Only present if type is either CHANNEL_MESSAGE_WITH_SOURCE
    or UPDATE_MESSAGE". DOCS/ref "Boolean Query Strings": True, true or 1."""
    payload = emu.create_interaction(gid, alice, "x")
    answer = callback(emu, payload, {"type": 4, "data": {"content": "hi", "flags": 64}}, with_response="true")
    assert answer.status_code == 200
    body = answer.json()
    original = emu.original_message(payload["token"])
    assert body["interaction"] == {"id": payload["id"], "type": 2, "response_message_id": original["id"],
                                   "response_message_loading": False, "response_message_ephemeral": True}
    assert body["resource"]["type"] == 4 and body["resource"]["message"]["content"] == "hi"
    deferred = emu.create_interaction(gid, alice, "x")
    body = callback(emu, deferred, {"type": 5}, with_response="1").json()
    assert body["interaction"]["response_message_loading"] is True and "resource" not in body
    later = emu.create_interaction(gid, alice, "x")
    assert error_codes(callback(emu, later, {"type": 5}, with_response="yes"), "with_response") == \
        ["BASE_TYPE_BOOLEAN"]
    assert callback(emu, later, {"type": 5}, with_response="False").status_code == 204


# -- message bodies -------------------------------------------------------------------------------

def test_whitespace_is_an_empty_message_on_every_message_route(emu, gid, alice):
    """NITKC-DEV/Kisarazu-Multi-Manager#32: content "\\n" alone is answered 50006 "Cannot send
    an empty message"."""
    channel = emu.add_channel(gid, "lobby")
    posted = call(emu, "POST", f"/channels/{channel}/messages", json={"content": " \n\t"})
    assert (posted.status_code, posted.json()["code"]) == (400, 50006) and emu.channel_messages(channel) == []
    payload = emu.create_interaction(gid, alice, "x")
    with pytest.raises(ValueError, match="50006"):
        emu.acknowledge(payload, {"type": 4, "data": {"content": "\n"}})
    emu.acknowledge(payload, {"type": 5})
    webhook = f"{emu.base_url}/webhooks/{APPLICATION_ID}/{payload['token']}"
    edit = requests.patch(f"{webhook}/messages/@original", json={"content": "  "}, headers={"User-Agent": UA},
                          timeout=5)
    followup = requests.post(webhook, json={"content": "\n"}, headers={"User-Agent": UA}, timeout=5)
    assert [r.json()["code"] for r in (edit, followup)] == [50006, 50006]
    assert emu.original_message(payload["token"])["loading"] is True


def test_message_answers_carry_no_allowed_mentions_only_the_test_view_does(emu, gid, alice):
    """DOCS/message "Message Object" has no `allowed_mentions`: the emulator keeps what the bot
    sent for tests (channel_messages, original_message) but never puts it on the wire."""
    channel = emu.add_channel(gid, "lobby")
    sent = {"content": "hi", "allowed_mentions": {"parse": []}}
    assert "allowed_mentions" not in call(emu, "POST", f"/channels/{channel}/messages", json=sent).json()
    assert "allowed_mentions" not in call(emu, "GET", f"/channels/{channel}/messages").json()[0]
    assert emu.channel_messages(channel)[0]["allowed_mentions"] == {"parse": []}
    payload = emu.create_interaction(gid, alice, "x")
    emu.acknowledge(payload, {"type": 5})
    edited = requests.patch(f"{emu.base_url}/webhooks/{APPLICATION_ID}/{payload['token']}/messages/@original",
                            json=sent, headers={"User-Agent": UA}, timeout=5)
    assert edited.status_code == 200 and "allowed_mentions" not in edited.json()
    assert emu.original_message(payload["token"])["allowed_mentions"] == {"parse": []}


def test_nonce_is_at_most_25_characters_and_tts_a_boolean(emu, gid):
    """DOCS/message "Create Message": nonce "integer or string ... (up to 25 characters)",
    tts and enforce_nonce booleans (the spec's MessageCreateRequest agrees)."""
    channel = emu.add_channel(gid, "lobby")
    refused = call(emu, "POST", f"/channels/{channel}/messages",
                   json={"content": "x", "nonce": "n" * 26, "tts": "yes", "enforce_nonce": 1})
    assert error_codes(refused, "nonce") == ["BASE_TYPE_MAX_LENGTH"]
    assert error_codes(refused, "tts") == ["BASE_TYPE_BOOLEAN"]
    assert error_codes(refused, "enforce_nonce") == ["BASE_TYPE_BOOLEAN"]
    assert call(emu, "POST", f"/channels/{channel}/messages",
                json={"content": "x", "nonce": "n" * 25, "tts": False}).status_code == 200
    assert call(emu, "POST", f"/channels/{channel}/messages",
                json={"content": "x", "nonce": 2**63}).status_code == 400


@pytest.mark.parametrize("embed, path, code", [
    ({"title": "t", "url": "steam://run/730"}, "embeds.0.url", "URL_TYPE_INVALID_SCHEME"),
    ({"title": "t", "url": "https://"}, "embeds.0.url", "URL_TYPE_INVALID_URL"),
    ({"title": "t", "author": {"name": "a", "url": "attachment://a.png"}}, "embeds.0.author.url",
     "URL_TYPE_INVALID_SCHEME"),
    ({"title": "t", "footer": {"text": "f", "icon_url": ""}}, "embeds.0.footer.icon_url", "URL_TYPE_INVALID_SCHEME"),
    ({"title": "t", "image": {"url": "ftp://x/y.png"}}, "embeds.0.image.url", "URL_TYPE_INVALID_SCHEME"),
])
def test_embed_urls_take_http_or_https_and_images_attachments(emu, gid, embed, path, code):
    """DOCS/message "Embed Object": author.url "only supports http(s)", image/thumbnail/icon
    urls "only supports http(s) and attachments". Answers as quoted in discordjs/discord.js#5724
    (author.url), discord/discord-api-docs#5837 (an empty icon_url), discordjs/discord.js#3646
    (embed.url "Not a well formed URL.")."""
    channel = emu.add_channel(gid, "lobby")
    assert code in error_codes(call(emu, "POST", f"/channels/{channel}/messages", json={"embeds": [embed]}), path)
    good = {"title": "t", "url": "https://example.com", "author": {"name": "a", "url": "http://example.com"},
            "image": {"url": "attachment://map.png"}, "footer": {"text": "f", "icon_url": "https://e.com/i.png"}}
    assert call(emu, "POST", f"/channels/{channel}/messages", json={"embeds": [good]}).status_code == 200


def test_a_link_button_takes_an_http_or_https_url(emu, gid):
    """discord/discord-api-docs#3129: a link button with `discord://` was answered 'Scheme
    "discord" is not supported. Scheme must be one of ('http', 'https').'"""
    channel = emu.add_channel(gid, "lobby")

    def post(url):
        row = {"type": 1, "components": [{"type": 2, "style": 5, "label": "Docs", "url": url}]}
        return call(emu, "POST", f"/channels/{channel}/messages", json={"content": "x", "components": [row]})

    assert error_codes(post("discord://-/settings"), "components.0.components.0.url") == ["URL_TYPE_INVALID_SCHEME"]
    assert post("https://example.com/docs").status_code == 200


# -- application commands -------------------------------------------------------------------------

def test_guild_commands_in_a_guild_without_the_app_are_missing_access(emu):
    """Without the app installed in a guild (no applications.commands grant there) its guild
    commands answer 403 50001 (discordjs/discord.js#7504); an unknown guild 404 10004."""
    gid = emu.add_guild(with_bot=False)
    path = f"/applications/{APPLICATION_ID}/guilds/{gid}/commands"
    for response in (call(emu, "GET", path), call(emu, "PUT", path, json=[{"name": "x", "description": "d"}])):
        assert (response.status_code, response.json()["code"]) == (403, 50001)
    assert emu.registered_commands(gid) == []
    unknown = call(emu, "GET", f"/applications/{APPLICATION_ID}/guilds/1/commands")
    assert (unknown.status_code, unknown.json()["code"]) == (404, 10004)
    installed = emu.add_guild(bot_permissions=MANAGE_CHANNELS)
    assert call(emu, "GET", f"/applications/{APPLICATION_ID}/guilds/{installed}/commands").json() == []


# -- the spec gate sees the bot's inline replies ----------------------------------------------------

def test_inline_replies_reach_request_observers_as_the_callback_they_stand_for(emu, gid, alice):
    """DOCS/rr "Responding to an Interaction": the HTTP answer to Discord's POST carries an
    interaction response, the body of POST /interactions/{id}/{token}/callback. Observers (the
    suite's spec gate) get it as that request, even when the emulator refuses it; the request
    log, which tests count, does not."""
    seen = []
    emu.observe_requests(lambda record: seen.append(record) if record.inline_reply else None)
    payload = emu.create_interaction(gid, alice, "x")
    emu.acknowledge(payload, {"statusCode": 200, "body": '{"type": 5, "data": {"flags": 64}}'})
    refused = emu.create_interaction(gid, alice, "x")
    with pytest.raises(ValueError):
        emu.acknowledge(refused, {"type": 4, "data": {"content": "x", "tts": "yes"}})
    assert [(r.method, r.path, r.json) for r in seen] == [
        ("POST", f"/interactions/{payload['id']}/{payload['token']}/callback", {"type": 5, "data": {"flags": 64}}),
        ("POST", f"/interactions/{refused['id']}/{refused['token']}/callback",
         {"type": 4, "data": {"content": "x", "tts": "yes"}})]
    assert all(r.status is None and r.route.startswith("POST /interactions/") for r in seen)
    assert emu.count() == 0
