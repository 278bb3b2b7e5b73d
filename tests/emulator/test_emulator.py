"""The emulator answers like Discord: limits, permission rules, rate limits, faults, tokens."""

import time

import pytest
import requests

from discord_emulator import (ADMINISTRATOR, BAN_MEMBERS, DEFAULT_BOT_PERMISSIONS, GUILD_CATEGORY,
                              GUILD_FORUM, GUILD_TEXT, GUILD_VOICE, MANAGE_CHANNELS, MANAGE_GUILD,
                              MANAGE_ROLES, SEND_MESSAGES, VIEW_CHANNEL, AcknowledgedTooLate)
from tests.emulator import spec_server
from tests.emulator.spec_server import APP_ID, TOKEN, UA

# This module's emulator (spec_server.py), as the shape tests have theirs.
emu = spec_server.emu


@pytest.fixture(scope="module")
def http():
    session = requests.Session()
    session.headers.update({"Authorization": f"Bot {TOKEN}", "User-Agent": UA})
    yield session
    session.close()


@pytest.fixture
def gid(emu):
    emu.reset()
    yield emu.add_guild()
    assert emu.internal_errors == []


class Api:
    """Terse calls against the emulator, returning the raw `requests.Response`."""

    def __init__(self, emu, http):
        self.emu, self.http = emu, http

    def __call__(self, method, path, **kwargs):
        return self.http.request(method, self.emu.base_url + path, **kwargs)

    def channel(self, gid, name, type=GUILD_TEXT, **fields):
        return self("POST", f"/guilds/{gid}/channels", json={"name": name, "type": type, **fields})


@pytest.fixture
def api(emu, http):
    return Api(emu, http)


def form_error(response, field):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 50035 and body["message"] == "Invalid Form Body"
    return body["errors"][field]


# -- channels ------------------------------------------------------------------------------

def test_text_like_names_are_slugged_and_voice_and_category_names_kept(api, gid):
    assert api.channel(gid, "  Curse  of -- Strahd  ").json()["name"] == "curse-of-strahd"
    assert api.channel(gid, "Table Talk", GUILD_FORUM).json()["name"] == "table-talk"
    assert api.channel(gid, "Session Voice", GUILD_VOICE).json()["name"] == "Session Voice"
    created = api.channel(gid, "Curse of Strahd", GUILD_CATEGORY)
    assert created.status_code == 201
    assert created.json()["name"] == "Curse of Strahd"


@pytest.mark.spec_exempt("sends names the spec's 1-100 length refuses")
def test_channel_name_must_be_1_to_100_characters(api, gid):
    too_long = form_error(api.channel(gid, "x" * 101), "name")
    assert too_long["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
    assert form_error(api.channel(gid, ""), "name")
    assert form_error(api("POST", f"/guilds/{gid}/channels", json={"type": 0}), "name")
    assert api.channel(gid, "x" * 100).status_code == 201


def test_guild_holds_at_most_500_channels(emu, api):
    emu.reset()
    gid = emu.add_guild(filler_channels=499)
    assert api.channel(gid, "the-500th").status_code == 201
    refused = api.channel(gid, "one-too-many")
    assert refused.status_code == 400
    assert refused.json() == {"message": "Maximum number of guild channels reached (500)", "code": 30013}
    assert len(emu.guild_channels(gid)) == 500


def test_category_holds_at_most_50_channels(emu, api, gid):
    category = api.channel(gid, "Campaign", GUILD_CATEGORY).json()["id"]
    for i in range(49):
        emu.add_channel(gid, f"room-{i}", parent_id=category)
    assert api.channel(gid, "room-49", parent_id=category).status_code == 201
    error = form_error(api.channel(gid, "room-50", parent_id=category), "parent_id")
    assert error["_errors"][0] == {"code": "CHANNEL_PARENT_MAX_CHANNELS",
                                   "message": "Maximum number of channels in category reached (50)"}
    assert api.channel(gid, "outside").status_code == 201


def test_parent_must_be_a_category_of_the_same_guild(emu, api, gid):
    text = api.channel(gid, "lobby").json()["id"]
    error = form_error(api.channel(gid, "child", parent_id=text), "parent_id")
    assert error["_errors"][0]["code"] == "CHANNEL_PARENT_INVALID_TYPE"
    elsewhere = emu.add_channel(emu.add_guild(name="Other"), "Theirs", GUILD_CATEGORY)
    assert form_error(api.channel(gid, "child", parent_id=elsewhere), "parent_id")


def test_forum_is_refused_where_forums_are_unavailable(emu, api, gid):
    no_forums = emu.add_guild(forums_enabled=False)
    refused = api.channel(no_forums, "lore", GUILD_FORUM)
    assert (refused.status_code, refused.json()["code"]) == (400, 50024)
    assert api.channel(gid, "lore", GUILD_FORUM).status_code == 201
    assert emu.find_channel(no_forums, "lore") is None


def test_channel_create_needs_manage_channels_and_overwrites_manage_roles(emu, api):
    gid = emu.add_guild(bot_permissions=MANAGE_ROLES | VIEW_CHANNEL)
    refused = api.channel(gid, "lobby")
    assert refused.status_code == 403
    assert refused.json() == {"message": "Missing Permissions", "code": 50013}
    gid = emu.add_guild(bot_permissions=MANAGE_CHANNELS | VIEW_CHANNEL)
    assert api.channel(gid, "open").status_code == 201
    private = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)}]
    assert api.channel(gid, "private", permission_overwrites=private).json()["code"] == 50013


def test_deleting_a_category_unparents_its_children(emu, api, gid):
    category = api.channel(gid, "Campaign", GUILD_CATEGORY).json()["id"]
    child = api.channel(gid, "notes", parent_id=category).json()["id"]
    deleted = api("DELETE", f"/channels/{category}")
    assert deleted.status_code == 200 and deleted.json()["id"] == category
    assert emu.channel(child)["parent_id"] is None
    assert api("GET", f"/channels/{category}").json()["code"] == 10003


# -- overwrites and permissions ------------------------------------------------------------

def test_overwrite_bits_the_bot_lacks_are_refused_and_nothing_is_created(emu, api, gid):
    everyone = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)}]
    assert api.channel(gid, "private", permission_overwrites=everyone).status_code == 201
    for bits in (BAN_MEMBERS, MANAGE_GUILD, MANAGE_ROLES):
        refused = api.channel(gid, "nope", permission_overwrites=[{"id": gid, "type": 0, "allow": str(bits)}])
        assert refused.status_code == 403 and refused.json()["code"] == 50013
    assert emu.find_channel(gid, "nope") is None


def test_manage_roles_in_an_overwrite_is_for_administrators(emu, api):
    gid = emu.add_guild(bot_permissions=ADMINISTRATOR)
    allowed = api.channel(gid, "staff", permission_overwrites=[{"id": gid, "type": 0, "allow": str(MANAGE_ROLES)}])
    assert allowed.status_code == 201
    channel = allowed.json()["id"]
    put = api("PUT", f"/channels/{channel}/permissions/{gid}", json={"type": 0, "allow": str(BAN_MEMBERS)})
    assert put.status_code == 204


def test_overwrite_targets_must_be_roles_or_members_of_the_guild(api, gid):
    stranger = [{"id": "123456789012345678", "type": 0, "allow": str(VIEW_CHANNEL)}]
    error = form_error(api.channel(gid, "x", permission_overwrites=stranger), "permission_overwrites")
    assert error["0"]["id"]["_errors"]


def test_put_overwrite_replaces_and_delete_removes(emu, api, gid):
    alice = emu.add_member(gid, "alice")
    channel = api.channel(gid, "lobby").json()["id"]
    path = f"/channels/{channel}/permissions/{alice}"
    assert api("PUT", path, json={"type": 1, "allow": str(VIEW_CHANNEL | SEND_MESSAGES)}).status_code == 204
    assert emu.channel(channel)["permission_overwrites"] == [
        {"id": alice, "type": 1, "allow": str(VIEW_CHANNEL | SEND_MESSAGES), "deny": "0"}]
    assert api("DELETE", path).status_code == 204
    assert api("DELETE", path).json()["code"] == 10009
    assert api("PUT", f"/channels/{channel}/permissions/1", json={"type": 0}).json()["code"] == 10011


def test_a_bot_that_hides_a_channel_from_itself_is_locked_out(emu, api, gid):
    private = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)}]
    locked = api.channel(gid, "secret", permission_overwrites=private).json()["id"]
    refused = api("PUT", f"/channels/{locked}/permissions/{gid}", json={"type": 0})
    assert refused.status_code == 403 and refused.json()["code"] == 50001
    with_bot = private + [{"id": emu.bot_user_id, "type": 1, "allow": str(VIEW_CHANNEL)}]
    kept = api.channel(gid, "secret", permission_overwrites=with_bot).json()["id"]
    assert api("GET", f"/channels/{kept}").status_code == 200


def test_visible_to_follows_discords_overwrite_order(emu, gid):
    players = emu.add_role(gid, "players")
    alice = emu.add_member(gid, "alice", roles=[players])
    bob = emu.add_member(gid, "bob", roles=[players])
    carol = emu.add_member(gid, "carol")
    admin = emu.add_member(gid, "root", permissions=ADMINISTRATOR)
    channel = emu.add_channel(gid, "table", permission_overwrites=[
        {"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)},
        {"id": players, "type": 0, "allow": str(VIEW_CHANNEL)},
        {"id": bob, "type": 1, "deny": str(VIEW_CHANNEL)}])
    seen = {name: emu.visible_to(channel, uid)
            for name, uid in [("alice", alice), ("bob", bob), ("carol", carol), ("root", admin)]}
    assert seen == {"alice": True, "bob": False, "carol": False, "root": True}


def test_render_tree_shows_categories_channels_and_who_sees_them(emu, api, gid):
    players = emu.add_role(gid, "Strahd Players")
    emu.add_member(gid, "alice", roles=[players])
    emu.add_channel(gid, "general")
    hidden = [{"id": gid, "type": 0, "deny": str(VIEW_CHANNEL)},
              {"id": players, "type": 0, "allow": str(VIEW_CHANNEL)},
              {"id": emu.bot_user_id, "type": 1, "allow": str(VIEW_CHANNEL)}]
    category = api.channel(gid, "Curse of Strahd", GUILD_CATEGORY, permission_overwrites=hidden).json()["id"]
    api.channel(gid, "Table Talk", parent_id=category, permission_overwrites=hidden)
    api.channel(gid, "Session", GUILD_VOICE, parent_id=category, permission_overwrites=hidden)
    tree = emu.render_tree(gid).splitlines()
    assert tree[1:] == [
        "├── general [text] - everyone",
        "└── Curse of Strahd [category] - roles: @Strahd Players; members: Channelwright (bot), alice",
        "    ├── table-talk [text] - roles: @Strahd Players; members: Channelwright (bot), alice",
        "    └── Session [voice] - roles: @Strahd Players; members: Channelwright (bot), alice",
    ]


# -- roles and members ---------------------------------------------------------------------

def test_roles_are_created_at_position_1_with_everyones_permissions(emu, api, gid):
    created = api("POST", f"/guilds/{gid}/roles", json={"name": "Curse of Strahd"})
    assert created.status_code == 200
    role = created.json()
    assert role["position"] == 1
    assert role["permissions"] == emu.find_role(gid, "@everyone")["permissions"]
    positions = {r["name"]: r["position"] for r in emu.guild_roles(gid)}
    assert positions == {"@everyone": 0, "Curse of Strahd": 1, "Channelwright": 2}
    assert api("POST", f"/guilds/{gid}/roles", json={}).json()["name"] == "new role"
    granted = api("POST", f"/guilds/{gid}/roles", json={"permissions": str(MANAGE_GUILD)})
    assert granted.status_code == 403 and granted.json()["code"] == 50013


def test_guild_holds_at_most_250_roles(emu, api):
    emu.reset()
    gid = emu.add_guild(filler_roles=247)  # + @everyone + the bot's role = 249
    assert api("POST", f"/guilds/{gid}/roles", json={"name": "last"}).status_code == 200
    refused = api("POST", f"/guilds/{gid}/roles", json={"name": "one-too-many"})
    assert refused.status_code == 400
    assert refused.json() == {"message": "Maximum number of guild roles reached (250)", "code": 30005}


def test_bot_only_manages_roles_below_its_highest_role(emu, api, gid):
    alice = emu.add_member(gid, "alice")
    above = emu.add_role(gid, "Moderators", above_bot=True)
    below = api("POST", f"/guilds/{gid}/roles", json={"name": "Players", "permissions": "0"}).json()["id"]
    for method, path, body in [("PATCH", f"/guilds/{gid}/roles/{above}", {"name": "x"}),
                               ("DELETE", f"/guilds/{gid}/roles/{above}", None),
                               ("PUT", f"/guilds/{gid}/members/{alice}/roles/{above}", None)]:
        refused = api(method, path, json=body)
        assert (refused.status_code, refused.json()["code"]) == (403, 50013), method
    assert api("PUT", f"/guilds/{gid}/members/{alice}/roles/{below}").status_code == 204
    assert emu.member_role_ids(gid, alice) == [below]
    assert api("PATCH", f"/guilds/{gid}/roles/{below}", json={"name": "Heroes"}).json()["name"] == "Heroes"
    assert api("DELETE", f"/guilds/{gid}/members/{alice}/roles/{below}").status_code == 204
    assert emu.member_role_ids(gid, alice) == []
    assert api("DELETE", f"/guilds/{gid}/roles/{below}").status_code == 204


def test_deleting_a_role_removes_it_from_members_and_overwrites(emu, api, gid):
    role = emu.add_role(gid, "Players")
    alice = emu.add_member(gid, "alice", roles=[role])
    channel = api.channel(gid, "table", permission_overwrites=[
        {"id": role, "type": 0, "allow": str(VIEW_CHANNEL)}]).json()["id"]
    emu.delete_role(gid, role)
    assert emu.member_role_ids(gid, alice) == []
    assert emu.channel(channel)["permission_overwrites"] == []
    assert api("PUT", f"/guilds/{gid}/members/{alice}/roles/{role}").json()["code"] == 10011


def test_unknown_resources_answer_with_their_codes(emu, api, gid):
    nobody = "999999999999999999"
    role = emu.add_role(gid, "Players")
    stranger = emu.add_user("stranger")
    assert api("GET", f"/guilds/{nobody}").json() == {"message": "Unknown Guild", "code": 10004}
    assert api("GET", f"/channels/{nobody}").json()["code"] == 10003
    assert api("DELETE", f"/guilds/{gid}/roles/{nobody}").json()["code"] == 10011
    assert api("GET", f"/guilds/{gid}/members/{stranger}").json()["code"] == 10007
    assert api("PUT", f"/guilds/{gid}/members/{nobody}/roles/{role}").json()["code"] == 10013
    assert api("GET", "/users/@me").json()["id"] == APP_ID


# -- messages ---------------------------------------------------------------------------------

def test_channel_messages_are_limited_to_2000_characters(emu, api, gid):
    channel = api.channel(gid, "log").json()["id"]
    assert form_error(api("POST", f"/channels/{channel}/messages", json={"content": "x" * 2001}), "content")
    mentions = {"parse": []}
    sent = api("POST", f"/channels/{channel}/messages", json={"content": "ok", "allowed_mentions": mentions})
    assert sent.status_code == 200
    assert [(m["content"], m["allowed_mentions"]) for m in emu.channel_messages(channel)] == [("ok", mentions)]


# -- rate limits ----------------------------------------------------------------------------------

def test_responses_carry_rate_limit_headers_and_429_when_a_bucket_is_spent(emu, api, gid):
    emu.set_bucket(r"POST /guilds/\{guild_id\}/channels", 2, 1.0)
    first, second, third = (api.channel(gid, f"room-{i}") for i in range(3))
    assert [r.status_code for r in (first, second, third)] == [201, 201, 429]
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert [r.headers["X-RateLimit-Remaining"] for r in (first, second)] == ["1", "0"]
    assert 0 < float(first.headers["X-RateLimit-Reset-After"]) <= 1.0
    assert abs(float(first.headers["X-RateLimit-Reset"]) - time.time()) < 1
    assert first.headers["X-RateLimit-Bucket"] == third.headers["X-RateLimit-Bucket"]
    body = third.json()
    assert body["message"] == "You are being rate limited." and body["global"] is False
    assert 0 < body["retry_after"] <= 1.0
    assert third.headers["Retry-After"] == "1" and third.headers["X-RateLimit-Scope"] == "user"
    assert emu.find_channel(gid, "room-2") is None
    other_guild = emu.add_guild()
    assert api.channel(other_guild, "elsewhere").status_code == 201  # buckets are per guild
    time.sleep(body["retry_after"])
    assert api.channel(gid, "room-2").status_code == 201


def test_global_limit_answers_429_with_global_headers(emu, api, gid):
    emu.set_global_limit(3)
    statuses = [api("GET", f"/guilds/{gid}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = emu.requests[-1]
    assert limited.response["global"] is True
    assert limited.response_headers["x-ratelimit-global"] == "true"
    assert limited.response_headers["x-ratelimit-scope"] == "global"


# -- faults ------------------------------------------------------------------------------------------

def test_fail_next_answers_5xx_without_acting(emu, api, gid):
    emu.faults.fail_next(2, status=502, method="POST", path_regex=r"/channels$")
    for _ in range(2):
        failed = api.channel(gid, "lobby")
        assert failed.status_code == 502 and failed.json() == {"message": "502: Bad Gateway", "code": 0}
    assert emu.find_channel(gid, "lobby") is None
    assert api.channel(gid, "lobby").status_code == 201


def test_rate_limit_storm_looks_like_a_real_429(emu, api, gid):
    emu.faults.rate_limit_storm(1, path_regex=r"/roles$", retry_after=0.05)
    stormed = api("POST", f"/guilds/{gid}/roles", json={"name": "Players"})
    assert stormed.status_code == 429
    # `code` 0: the OpenAPI RatelimitedResponse requires it (DOCS/rl lists `code?`).
    assert stormed.json() == {"message": "You are being rate limited.", "retry_after": 0.05, "global": False,
                              "code": 0}
    assert stormed.headers["Retry-After"] == "1" and stormed.headers["X-RateLimit-Remaining"] == "0"
    assert emu.find_role(gid, "Players") is None
    assert api("POST", f"/guilds/{gid}/roles", json={"name": "Players"}).status_code == 200


def test_forbid_refuses_until_cleared(emu, api, gid):
    rule = emu.faults.forbid(method="PUT", path_regex=r"/permissions/")
    channel = api.channel(gid, "lobby").json()["id"]
    for _ in range(2):
        refused = api("PUT", f"/channels/{channel}/permissions/{gid}", json={"type": 0})
        assert refused.json() == {"message": "Missing Permissions", "code": 50013}
        assert "X-RateLimit-Bucket" in refused.headers
    emu.faults.remove(rule)
    assert api("PUT", f"/channels/{channel}/permissions/{gid}", json={"type": 0}).status_code == 204


def test_lost_reply_creates_the_channel_but_the_client_sees_a_connection_error(emu, api, gid):
    emu.faults.lose_reply(1, path_regex=r"/channels$")
    with pytest.raises(requests.ConnectionError):
        api.channel(gid, "lobby")
    assert emu.find_channel(gid, "lobby") is not None
    lost = emu.requests[-1]
    assert lost.reply_lost and lost.status is None and lost.route == "POST /guilds/{guild_id}/channels"
    assert api("GET", f"/guilds/{gid}/channels").status_code == 200  # the session recovers


def test_latency_delays_every_answer(emu, api, gid):
    emu.latency = 0.05
    started = time.monotonic()
    api("GET", f"/guilds/{gid}")
    assert time.monotonic() - started >= 0.05


# -- auth, headers, routing ---------------------------------------------------------------------

@pytest.mark.spec_exempt("sends no token, a form body and broken JSON")
def test_requests_need_bot_auth_a_discord_user_agent_and_json(emu, gid):
    url = f"{emu.base_url}/guilds/{gid}/channels"
    no_auth = requests.get(url, headers={"User-Agent": UA})
    assert (no_auth.status_code, no_auth.json()) == (401, {"message": "401: Unauthorized", "code": 0})
    wrong = requests.get(url, headers={"User-Agent": UA, "Authorization": "Bot nope"})
    assert wrong.status_code == 401
    browser = requests.get(url, headers={"User-Agent": "Mozilla/5.0", "Authorization": f"Bot {TOKEN}"})
    assert (browser.status_code, browser.json()["code"]) == (403, 40333)
    auth = {"User-Agent": UA, "Authorization": f"Bot {TOKEN}"}
    as_form = requests.post(url, headers=auth, data={"name": "x"})
    assert (as_form.status_code, as_form.json()["code"]) == (400, 50035)
    broken = requests.post(url, headers={**auth, "Content-Type": "application/json"}, data="{nope")
    assert (broken.status_code, broken.json()["code"]) == (400, 50109)


@pytest.mark.spec_exempt("requests routes Discord does not have")
def test_unknown_routes_are_404_and_wrong_methods_405(api, gid):
    assert api("GET", "/nowhere").json() == {"message": "404: Not Found", "code": 0}
    assert api("POST", f"/guilds/{gid}").status_code == 405


def test_snowflakes_are_increasing_strings(api, gid):
    ids = [api.channel(gid, f"c{i}").json()["id"] for i in range(3)]
    assert all(isinstance(i, str) for i in ids)
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert (int(ids[0]) >> 22) + 1420070400000 == pytest.approx(time.time() * 1000, abs=5000)


@pytest.mark.spec_exempt("records a request to a route Discord does not have")
def test_every_request_is_recorded_with_lower_cased_headers(emu, api, gid):
    emu.clear_requests()
    api.channel(gid, "lobby")
    api("GET", "/nowhere")
    first, second = emu.requests
    assert first.headers["authorization"] == f"Bot {TOKEN}"
    assert (first.method, first.status, first.json) == ("POST", 201, {"name": "lobby", "type": 0})
    assert first.started <= first.finished
    assert (second.route, second.status, second.code) == (None, 404, 0)
    assert emu.count(method="POST", path_regex=r"/channels$", status=201) == 1


# -- interactions and webhook tokens ---------------------------------------------------------------

def test_interaction_payload_is_shaped_like_discords(emu, gid):
    alice = emu.add_member(gid, "alice", permissions=MANAGE_CHANNELS)
    options = [{"type": 3, "name": "name", "value": "Curse of Strahd"}]
    payload = emu.create_interaction(gid, alice, "add-campaign", options=options)
    assert payload["type"] == 2 and payload["version"] == 1 and payload["application_id"] == APP_ID
    assert payload["guild_id"] == gid and emu.channel(payload["channel_id"])["type"] == GUILD_TEXT
    assert payload["member"]["user"]["id"] == alice
    assert int(payload["member"]["permissions"]) & MANAGE_CHANNELS
    assert int(payload["app_permissions"]) & DEFAULT_BOT_PERMISSIONS == DEFAULT_BOT_PERMISSIONS
    assert payload["data"] == {"id": payload["data"]["id"], "name": "add-campaign", "type": 1, "options": options}
    forced = emu.create_interaction(gid, alice, "add-campaign", app_permissions=0, member_permissions="8")
    assert (forced["app_permissions"], forced["member"]["permissions"]) == ("0", "8")
    dm = emu.create_interaction(None, alice, "add-campaign")
    assert "guild_id" not in dm and "member" not in dm and dm["user"]["id"] == alice


def test_deferred_reply_is_edited_through_the_webhook_without_auth(emu, gid):
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "add-campaign")["token"]
    emu.acknowledge(token, {"type": 5, "data": {"flags": 64}})
    loading = emu.original_message(token)
    assert (loading["content"], loading["flags"], loading["loading"]) == ("", 64 | 128, True)
    url = f"{emu.base_url}/webhooks/{APP_ID}/{token}/messages/@original"
    mentions = {"parse": []}
    for text in ("Creating channels…", "Done"):
        edited = requests.patch(url, headers={"User-Agent": UA}, json={"content": text, "allowed_mentions": mentions})
        assert edited.status_code == 200 and edited.json()["content"] == text
    assert emu.message_history(token) == ["Creating channels…", "Done"]
    assert emu.original_message(token)["flags"] == 64 and not emu.original_message(token)["loading"]
    assert emu.original_message(token)["allowed_mentions"] == mentions
    followup = requests.post(url.rsplit("/messages", 1)[0], headers={"User-Agent": UA}, json={"content": "extra"})
    assert followup.status_code == 200 and emu.followup_messages(token)[0]["content"] == "extra"


@pytest.mark.spec_exempt("sends content over the 2000 characters the spec allows")
def test_an_edit_over_2000_characters_is_a_form_error(emu, gid):
    token = emu.create_interaction(gid, emu.add_member(gid, "alice"), "add-campaign")["token"]
    emu.acknowledge(token, {"type": 5})
    url = f"{emu.base_url}/webhooks/{APP_ID}/{token}/messages/@original"
    assert form_error(requests.patch(url, headers={"User-Agent": UA}, json={"content": "x" * 2001}), "content")


def test_expired_and_forgotten_tokens_answer_401_and_404(emu, gid):
    alice = emu.add_member(gid, "alice")
    expired, forgotten = (emu.create_interaction(gid, alice, "add-campaign")["token"] for _ in range(2))
    for token in (expired, forgotten):
        emu.acknowledge(token, {"type": 4, "data": {"content": "hi"}})
    emu.expire_token(expired)
    emu.forget_token(forgotten)

    def patch(token):
        return requests.patch(f"{emu.base_url}/webhooks/{APP_ID}/{token}/messages/@original",
                              headers={"User-Agent": UA}, json={"content": "late"})

    assert (patch(expired).status_code, patch(expired).json()) == (
        401, {"message": "Invalid Webhook Token", "code": 50027})
    assert (patch(forgotten).status_code, patch(forgotten).json()) == (
        404, {"message": "Unknown Webhook", "code": 10015})
    assert emu.message_history(expired) == ["hi"]


def test_a_late_acknowledgement_invalidates_the_token(emu, gid):
    emu.ack_deadline = 0.0
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "add-campaign")["token"]
    time.sleep(0.01)
    with pytest.raises(AcknowledgedTooLate):
        emu.acknowledge(token, {"type": 5})
    assert emu.original_message(token) is None
    late = requests.get(f"{emu.base_url}/webhooks/{APP_ID}/{token}/messages/@original", headers={"User-Agent": UA})
    assert late.json()["code"] == 10015


def test_inline_reply_may_be_an_api_gateway_result_and_only_one_is_accepted(emu, gid):
    alice = emu.add_member(gid, "alice")
    token = emu.create_interaction(gid, alice, "add-campaign")["token"]
    emu.acknowledge(token, {"statusCode": 200, "headers": {"content-type": "application/json"},
                            "body": '{"type": 4, "data": {"content": "Queued", "flags": 64}}'})
    assert emu.message_history(token) == ["Queued"]
    with pytest.raises(ValueError, match="already been acknowledged"):
        emu.acknowledge(token, {"type": 5})
