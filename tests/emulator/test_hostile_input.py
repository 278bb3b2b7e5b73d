"""Odd input never crashes the emulator: what Discord refuses gets Discord's answer, never a 500
with a traceback in `emu.internal_errors` (the `emu` fixture fails a test that leaves one).

Found by feeding the emulator what a buggy or hostile client might send: query strings in
non-ASCII digits, JSON that Python accepts but JSON does not, numbers wider than the spec's
integer formats, a non-list where a list belongs, broken HTTP framing.
"""

import socket

import pytest
import requests

from discord_emulator import GUILD_TEXT
from tests.conftest import APPLICATION_ID, BOT_TOKEN

pytestmark = pytest.mark.spec_exempt("sends malformed requests to see them refused")

UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"
HEADERS = {"Authorization": f"Bot {BOT_TOKEN}", "User-Agent": UA}


def call(emu, method, path, headers=None, **kwargs):
    return requests.request(method, emu.base_url + path, headers={**HEADERS, **(headers or {})}, timeout=5,
                            **kwargs)


def raw_json(emu, method, path, text: str):
    return call(emu, method, path, data=text.encode(), headers={"Content-Type": "application/json"})


def form_errors(response) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 50035, body
    return body["errors"]


@pytest.fixture
def channel(emu):
    gid = emu.add_guild()
    return emu.add_channel(gid, "lobby", GUILD_TEXT)


@pytest.mark.parametrize("limit", ["\u00b2", "\u0663", "\uff15", "1e2", " 5"])
def test_a_limit_in_digits_that_are_not_ascii_is_refused_not_a_crash(emu, channel, limit):
    """DOCS/message "Get Channel Messages": limit is an integer 1-100; str.isdigit() takes
    "²" and "٣" for digits, int() does not, and the emulator used to answer 500."""
    response = call(emu, "GET", f"/channels/{channel}/messages", params={"limit": limit})
    assert form_errors(response)["limit"]["_errors"][0]["code"] == "NUMBER_TYPE_COERCE"


def test_paging_ids_must_be_snowflakes_and_only_one_may_be_given(emu, channel):
    """DOCS/message "Get Channel Messages": around/before/after are message ids, "mutually
    exclusive, only one may be passed at a time"."""
    errors = form_errors(call(emu, "GET", f"/channels/{channel}/messages", params={"before": "abc"}))
    assert errors["before"]["_errors"][0]["code"] == "NUMBER_TYPE_COERCE"
    errors = form_errors(call(emu, "GET", f"/channels/{channel}/messages", params={"before": "1", "after": "2"}))
    assert "after" in errors and "before" not in errors
    assert call(emu, "GET", f"/channels/{channel}/messages", params={"before": "1"}).status_code == 200


@pytest.mark.parametrize("text", ['{"content": "x", "flags": NaN}', '{"content": "x", "nonce": Infinity}',
                                  '{"content": "x", "nonce": -Infinity}'])
def test_nan_and_infinity_are_not_json(emu, channel, text):
    """RFC 8259 section 6 has no NaN or Infinity (Python's json module takes them): 50109, as
    for any body that is not JSON; nothing is posted."""
    response = raw_json(emu, "POST", f"/channels/{channel}/messages", text)
    assert (response.status_code, response.json()["code"]) == (400, 50109)
    assert emu.channel_messages(channel) == []


@pytest.mark.parametrize("raw", ['{"content": "x"}'.encode("utf-16"), b'\xef\xbb\xbf{"content": "x"}',
                                 b'{"content": "caf\xe9"}'])
def test_json_that_is_not_utf8_is_not_json(emu, channel, raw):
    """RFC 8259 section 8.1: JSON between systems "MUST be encoded using UTF-8", with no byte
    order mark (which a parser "MAY ignore": the stricter reading refuses it). Python's json
    module reads UTF-16 and a BOM; the emulator used to post these."""
    response = call(emu, "POST", f"/channels/{channel}/messages", data=raw,
                    headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["code"]) == (400, 50109)
    assert emu.channel_messages(channel) == []


def test_json_nested_beyond_any_parser_is_refused_not_a_crash(emu, channel):
    response = raw_json(emu, "POST", f"/channels/{channel}/messages", "[" * 100_000)
    assert (response.status_code, response.json()["code"]) == (400, 50109)


@pytest.mark.parametrize("field, value", [("position", 2**31), ("position", 10**30),
                                          ("user_limit", 2**31), ("bitrate", 2**40)])
def test_integers_wider_than_the_specs_int32_are_refused(emu, field, value):
    """The spec types position, user_limit and bitrate as `"format": "int32"` (with only a
    minimum): 2**31 is as out of range as any number above a declared maximum. The emulator
    used to store position 10**30 and answer with it."""
    gid = emu.add_guild()
    response = call(emu, "POST", f"/guilds/{gid}/channels", json={"name": "x", "type": 2, field: value})
    assert form_errors(response)[field]["_errors"][0]["code"] == "NUMBER_TYPE_MAX"
    assert emu.find_channel(gid, "x") is None
    assert call(emu, "POST", f"/guilds/{gid}/channels",
                json={"name": "x", "type": 2, "position": 2**31 - 1}).status_code == 201


@pytest.mark.parametrize("options", [5, "abc", {"a": 1}])
def test_command_options_that_are_not_a_list_are_refused_not_a_crash(emu, options):
    body = [{"name": "x", "description": "d", "options": options}]
    response = call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands", json=body)
    assert form_errors(response)["0"]["options"]["_errors"][0]["code"] == "LIST_TYPE_CONVERT"


def test_choices_that_are_not_a_list_are_refused_not_a_crash(emu):
    body = [{"name": "x", "description": "d", "options": [{"type": 3, "name": "o", "description": "d", "choices": 5}]}]
    response = call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands", json=body)
    assert "choices" in form_errors(response)["0"]["options"]["0"]


@pytest.mark.parametrize("kinds, code", [(["x"], "NUMBER_TYPE_COERCE"), ([0, 16], "BASE_TYPE_CHOICES"),
                                         ([0, 0], "ARRAY_ITEMS_NOT_UNIQUE"), ("0", "LIST_TYPE_CONVERT")])
def test_channel_option_types_are_distinct_channel_types(emu, kinds, code):
    """DOCS/ac "Application Command Option Structure": channel_types restricts the channels
    shown; the spec's ApplicationCommandChannelOption: ChannelTypes values (GUILD_MEDIA, 16, is
    not among them), uniqueItems."""
    def put(types):
        option = {"type": 7, "name": "where", "description": "d", "channel_types": types}
        return call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands",
                    json=[{"name": "x", "description": "d", "options": [option]}])

    errors = form_errors(put(kinds))["0"]["options"]["0"]["channel_types"]
    found = [e["code"] for node in [errors, *[v for k, v in errors.items() if k != "_errors"]]
             for e in node.get("_errors", [])]
    assert code in found
    assert put([0, 15]).status_code == 200
    call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands", json=[])


def test_a_command_with_a_null_type_is_a_chat_input_command(emu):
    """DOCS/ac "Application Command Object": type "Defaults to 1"; the spec allows null. The
    emulator used to store and answer `"type": null`, which the spec's response refuses."""
    answer = call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands",
                  json=[{"name": "x", "type": None, "description": "d"}])
    assert answer.status_code == 200 and answer.json()[0]["type"] == 1
    assert emu.registered_commands()[0]["type"] == 1
    call(emu, "PUT", f"/applications/{APPLICATION_ID}/commands", json=[])


def raw_http(emu, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as conn:
        conn.sendall(head)
        return conn.recv(4096)


@pytest.mark.parametrize("framing", [b"Content-Length: abc\r\n", b"Content-Length: -5\r\n",
                                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"])
def test_broken_http_framing_gets_400_not_a_crash(emu, framing):
    """A body whose length cannot be read is answered 400 and the connection closed (RFC 9112
    section 6.3), as Discord's edge does, instead of an emulator traceback."""
    gid = emu.add_guild()
    head = (f"POST /api/v10/guilds/{gid}/channels HTTP/1.1\r\nHost: discord.test\r\n"
            f"Authorization: Bot {BOT_TOKEN}\r\nUser-Agent: {UA}\r\n").encode()
    reply = raw_http(emu, head + framing + (b"" if framing.endswith(b"zz\r\n") else b"\r\n"))
    assert reply.startswith(b"HTTP/1.1 400"), reply
    assert emu.guild_channels(gid) == []
