"""The OpenAPI check itself: it must report what Discord's spec rejects and pass what it accepts,
or the suite-wide gate (tests/support/spec_gate.py) could pass silently."""

import pytest

from discord_emulator.recording import RecordedRequest
from tests.support.openapi_check import SpecChecker
from tests.support.openapi_formats import unchecked_formats
from tests.support.openapi_spec import load_spec

GUILD, CHANNEL, APP = "1300000000000000001", "1300000000000000002", "1100000000000000001"
BOT = {"authorization": "Bot t", "content-type": "application/json", "user-agent": "DiscordBot (x, 1)"}
TOKEN = "aW50ZXJhY3Rpb246c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1ub3QtYmUtcHJpbnRlZA"


@pytest.fixture(scope="module")
def checker():
    return SpecChecker()


def record(method, path, body=None, status=200, response=None, headers=None, query="",
           response_headers=None, route=None):
    return RecordedRequest(method, path, route, {**BOT, **(headers or {})}, body, 0.0, status=status,
                           response=response, finished=0.0, query=query,
                           response_headers=response_headers or {})


def user(**extra):
    return {"id": APP, "username": "bot", "global_name": None, "discriminator": "0", "avatar": None,
            "public_flags": 0, "flags": 0, "primary_guild": None, **extra}


def channel(**extra):
    return {"id": CHANNEL, "type": 0, "guild_id": GUILD, "name": "lobby", "position": 0, "flags": 0,
            "parent_id": None, "permission_overwrites": [], **extra}


def role(**extra):
    return {"id": GUILD, "name": "@everyone", "permissions": "1024", "position": 0, "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "managed": False, "mentionable": False, "icon": None,
            "unicode_emoji": None, "flags": 0, **extra}


def message(**extra):
    return {"id": "1300000000000000009", "type": 0, "channel_id": CHANNEL, "author": user(bot=True),
            "content": "hi", "timestamp": "2026-01-02T03:04:05.123456+00:00", "edited_timestamp": None,
            "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": [], "components": [], "pinned": False, "flags": 0, **extra}


def only(violations):
    assert len(violations) == 1, [str(v) for v in violations]
    return violations[0]


# -- what passes ------------------------------------------------------------------------------

def test_a_good_request_and_answer_pass(checker):
    good = record("POST", f"/guilds/{GUILD}/channels", {"name": "lobby", "type": 0, "permission_overwrites": [
        {"id": GUILD, "type": 0, "allow": "0", "deny": "1024"}]}, 201, channel(),
        response_headers={"x-ratelimit-limit": "10", "x-ratelimit-remaining": "9",
                          "x-ratelimit-reset": "1770000000.123", "x-ratelimit-reset-after": "1.000",
                          "x-ratelimit-bucket": "abcd"})
    assert checker.check(good) == []


def test_permission_bit_sets_pass_as_digit_strings_and_as_integers(checker):
    # The spec types request bit sets as integers; the docs (resources/guild.mdx "Create Guild
    # Role": permissions "string") as strings. Both pass; anything else does not.
    for permissions in ("8", 8):
        assert checker.check(record("POST", f"/guilds/{GUILD}/roles", {"name": "GM", "permissions": permissions},
                                    200, role())) == []
    bad = only(checker.check(record("POST", f"/guilds/{GUILD}/roles", {"name": "GM", "permissions": "0x8"},
                                    200, role())))
    assert (bad.side, bad.pointer) == ("request", "/permissions")


def test_field_errors_with_string_codes_pass(checker):
    # developers/reference.mdx "Error Messages": field errors carry string codes.
    body = {"message": "Invalid Form Body", "code": 50035,
            "errors": {"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH",
                                             "message": "Must be between 1 and 100 in length."}]}}}
    assert checker.check(record("POST", f"/guilds/{GUILD}/channels", {"name": "x"}, 400, body)) == []


def test_webhook_routes_match_the_specs_webhook_templates(checker):
    path = f"/webhooks/{APP}/{TOKEN}/messages/@original"
    edit = record("PATCH", path, {"content": "done", "allowed_mentions": {"parse": []}}, 200, message(),
                  headers={"authorization": ""})
    assert checker.check(edit) == []
    found, params = load_spec().find("PATCH", path)
    assert found.template == "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
    assert params == {"webhook_id": APP, "webhook_token": TOKEN}


def test_attachment_downloads_are_outside_the_spec(checker):
    cdn = record("GET", f"/attachments/{CHANNEL}/1/t.yaml", status=200, response=None,
                 route="GET /attachments/{channel_id}/{attachment_id}/{filename}")
    assert checker.check(cdn) == []


def test_an_edge_html_429_is_checked_for_status_only(checker):
    # DOCS/rl "Invalid Request Limit aka Cloudflare bans": the edge answers HTML, outside the spec.
    html = record("GET", f"/guilds/{GUILD}/roles", status=429, response=b"<html>1015</html>")
    assert checker.check(html) == []


# -- what is reported -------------------------------------------------------------------------

def test_a_bad_request_body_is_reported_with_pointer_and_rule(checker):
    bad = only(checker.check(record("POST", f"/guilds/{GUILD}/channels", {"name": ""}, 400,
                                    {"message": "Invalid Form Body", "code": 50035})))
    assert (bad.side, bad.part, bad.pointer) == ("request", "body", "/name")
    assert bad.rule.startswith("minLength 1")
    assert str(bad).startswith(f"request: POST /api/v10/guilds/{GUILD}/channels "
                               "(spec: POST /guilds/{guild_id}/channels) body /name:")


def test_a_bad_response_is_reported(checker):
    no_flags = user()
    del no_flags["flags"]
    bad = only(checker.check(record("PATCH", f"/channels/{CHANNEL}", {"name": "x"}, 200,
                                    channel(position=-1, guild_id="general"))))
    assert (bad.side, bad.part) == ("response", "200 body")
    missing = only(checker.check(record("GET", "/users/@me", status=200,
                                        response={**no_flags, "mfa_enabled": False, "locale": "en-US"})))
    assert (missing.side, missing.pointer, missing.rule.split()[0]) == ("response", "", "required")
    assert "'flags' is a required property" in missing.message


def test_a_429_body_needs_its_code(checker):
    limited = {"message": "You are being rate limited.", "retry_after": 0.5, "global": False}
    bad = only(checker.check(record("GET", f"/guilds/{GUILD}/roles", status=429, response=limited)))
    assert "'code' is a required property" in bad.message
    assert checker.check(record("GET", f"/guilds/{GUILD}/roles", status=429, response={**limited, "code": 0})) == []


def test_snowflakes_and_formats_are_checked_strictly(checker):
    assert only(checker.check(record("GET", "/guilds/abc/roles", status=404,
                                     response={"message": "404: Not Found", "code": 0}))).part == "path guild_id"
    too_big = str(2 ** 64)
    assert only(checker.check(record("GET", f"/guilds/{too_big}/roles", status=404,
                                     response={"message": "Unknown Guild", "code": 10004}))).rule.startswith("format")
    late = only(checker.check(record("GET", f"/channels/{CHANNEL}/messages", status=200,
                                     response=[message(timestamp="2026-01-02 03:04:05")])))
    assert (late.pointer, late.rule.split()[0]) == ("/0/timestamp", "format")
    odd = only(checker.check(record("GET", f"/guilds/{GUILD}/roles", status=200, response=[role(permissions="-1")])))
    assert odd.pointer == "/0/permissions"


def test_query_parameters_are_declared_and_typed(checker):
    answer = {"status": 200, "response": []}
    assert checker.check(record("GET", f"/channels/{CHANNEL}/messages", query="limit=50", **answer)) == []
    assert only(checker.check(record("GET", f"/channels/{CHANNEL}/messages", query="limit=0", **answer))
                ).part == "query limit"
    assert only(checker.check(record("GET", f"/channels/{CHANNEL}/messages", query="colour=red", **answer))
                ).part == "query colour"


def test_routes_methods_credentials_and_statuses_are_checked(checker):
    assert only(checker.check(record("GET", "/nowhere", status=404))).part == "route"
    assert "has no POST" in only(checker.check(record("POST", f"/guilds/{GUILD}", status=405))).message
    anonymous = only(checker.check(record("GET", f"/guilds/{GUILD}/roles", headers={"authorization": ""},
                                          status=200, response=[])))
    assert anonymous.part == "header Authorization"
    created = only(checker.check(record("DELETE", f"/guilds/{GUILD}/roles/{GUILD}", status=200, response=None)))
    assert (created.part, created.side) == ("status", "response")
    with_body = only(checker.check(record("DELETE", f"/guilds/{GUILD}/roles/{GUILD}", status=204, response={})))
    assert with_body.part == "body"


def test_server_errors_are_not_held_to_the_spec_but_their_requests_are(checker):
    assert checker.check(record("GET", f"/guilds/{GUILD}/roles", status=503,
                                response={"message": "503: Service Unavailable", "code": 0})) == []
    bad = only(checker.check(record("POST", f"/guilds/{GUILD}/channels", {"name": 5}, 503, None)))
    assert bad.side == "request"


def test_a_rejected_header_value_is_reported(checker):
    bad = only(checker.check(record("GET", f"/guilds/{GUILD}/roles", status=200, response=[],
                                    response_headers={"x-ratelimit-remaining": "some"})))
    assert bad.part.startswith("header X-RateLimit-Remaining")


def test_interaction_tokens_never_appear_in_a_report(checker):
    bad = only(checker.check(record("PATCH", f"/webhooks/{APP}/{TOKEN}/messages/@original",
                                    {"content": "x" * 2001}, 200, message())))
    assert TOKEN not in str(bad)
    assert "/webhooks/1100000000000000001/{webhook_token}/messages/@original" in str(bad)


def test_a_format_without_a_checker_stops_the_check():
    assert unchecked_formats(load_spec().document) == set()
    assert unchecked_formats({"a": {"type": "string", "format": "color"}}) == {"color"}


# -- multipart bodies (developers/reference.mdx "Uploading Files") --------------------------------

MULTIPART = {"content-type": "multipart/form-data; boundary=b"}
FILE = {"name": "files[0]", "filename": "a.yaml", "content_type": "application/yaml", "size": 6}


def upload_record(method, path, payload, files=(FILE,), status=200, response=None):
    sent = record(method, path, payload, status=status, response=response, headers=MULTIPART)
    sent.files = tuple(files)
    return sent


def test_a_multipart_message_with_a_good_payload_passes(checker):
    sent = upload_record("POST", f"/channels/{CHANNEL}/messages",
                         {"content": "file", "attachments": [{"id": "0", "filename": "a.yaml"}]},
                         response=message())
    assert checker.check(sent) == []


def test_a_multipart_payload_json_is_held_to_the_json_schema(checker):
    sent = upload_record("POST", f"/channels/{CHANNEL}/messages",
                         {"content": "file", "attachments": [{"id": 0}]}, response=message())
    violation = only(checker.check(sent))
    assert (violation.side, violation.part, violation.pointer) == (
        "request", "part payload_json", "/attachments/0/id")


def test_a_file_part_must_be_named_files_n_with_a_filename(checker):
    sent = upload_record("POST", f"/channels/{CHANNEL}/messages", {"content": "x"},
                         files=[{**FILE, "name": "file"}, {**FILE, "name": "files[1]", "filename": ""}],
                         response=message())
    assert [v.part for v in checker.check(sent)] == ["part file", "part files[1]"]


def test_multipart_to_an_operation_that_takes_none_is_reported(checker):
    sent = upload_record("PATCH", f"/channels/{CHANNEL}", {"name": "x"}, response=channel())
    assert "not multipart" in only(checker.check(sent)).message


def test_a_multipart_body_with_neither_payload_nor_files_is_reported_where_one_is_required(checker):
    sent = upload_record("POST", f"/channels/{CHANNEL}/messages", None, files=(), response=message())
    assert only(checker.check(sent)).rule == "requestBody.required"
