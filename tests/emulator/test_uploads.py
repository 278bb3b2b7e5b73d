"""File uploads and message history, as the emulator models them from Discord's docs.

DOCS/x abbreviations name Discord's docs (developers/): ref reference.mdx, message
resources/message.mdx, rr interactions/receiving-and-responding.mdx, codes
topics/opcodes-and-status-codes.mdx, perms topics/permissions.mdx.
"""

import json

import pytest
import requests

from discord_emulator import ATTACH_FILES, MANAGE_CHANNELS, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL
from tests.conftest import APPLICATION_ID, BOT_TOKEN

UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"
HEADERS = {"Authorization": f"Bot {BOT_TOKEN}", "User-Agent": UA}
PERMISSIONS = MANAGE_CHANNELS | VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES | READ_MESSAGE_HISTORY
MiB = 1024 * 1024


def call(emu, method, path, headers=None, **kwargs):
    return requests.request(method, emu.base_url + path, headers={**HEADERS, **(headers or {})}, timeout=10,
                            **kwargs)


def upload(emu, method, path, payload=None, files=(), headers=None):
    """A multipart body: `payload` as payload_json, `files` as (part name, filename, bytes)."""
    parts = [] if payload is None else [("payload_json", (None, json.dumps(payload), "application/json"))]
    parts += [(name, (filename, content, "text/plain")) for name, filename, content in files]
    return call(emu, method, path, files=parts, headers=headers)


def code(response):
    return response.status_code, response.json().get("code")


@pytest.fixture
def gid(emu):
    return emu.add_guild(bot_permissions=PERMISSIONS)


@pytest.fixture
def channel(emu, gid):
    return emu.add_channel(gid, "general")


@pytest.fixture
def deferred(emu, gid):
    """A deferred, ephemeral answer to a command: its token's webhook routes take files."""
    member = emu.add_member(gid, "alice")
    interaction = emu.create_interaction(gid, member, "campaign-template")
    emu.acknowledge(interaction, {"type": 5, "data": {"flags": 64}})
    return interaction["token"]


def webhook(emu, method, token, suffix="", **kwargs):
    return upload(emu, method, f"/webhooks/{APPLICATION_ID}/{token}{suffix}", headers={"Authorization": ""},
                  **kwargs)


# -- uploads ------------------------------------------------------------------------------------


def test_a_channel_message_carries_its_file_served_from_the_cdn(emu, channel):
    """DOCS/ref "Uploading Files": payload_json plus files[0]; `attachments` names it by its
    placeholder id. DOCS/message "Attachment Object": id, filename, size, url, proxy_url,
    content_type; the url serves the bytes without the bot's token."""
    sent = upload(emu, "POST", f"/channels/{channel}/messages",
                  {"content": "the file", "attachments": [{"id": "0", "filename": "layout.yaml"}]},
                  [("files[0]", "layout.yaml", b"id: x\n")])
    assert sent.status_code == 200, sent.text
    [attachment] = sent.json()["attachments"]
    assert attachment["filename"] == "layout.yaml" and attachment["size"] == 6
    assert attachment["content_type"].startswith("text/plain")
    assert attachment["id"].isdigit() and attachment["id"] != "0"
    assert requests.get(attachment["url"], timeout=5).content == b"id: x\n"
    assert requests.get(attachment["proxy_url"], timeout=5).content == b"id: x\n"
    assert emu.channel_messages(channel)[0]["attachments"] == [attachment]
    [record] = [r for r in emu.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert record.json["content"] == "the file"
    assert record.files == ({"name": "files[0]", "filename": "layout.yaml", "content_type": "text/plain",
                             "size": 6},)


def test_files_without_attachments_are_all_attached_in_order_and_a_file_alone_is_a_message(emu, channel):
    """DOCS/message "Create Message": files[n] alone is enough ("At least one of content, ...,
    files[n] ... is required"); without `attachments` every file is attached."""
    sent = upload(emu, "POST", f"/channels/{channel}/messages", None,
                  [("files[0]", "a.txt", b"a"), ("files[1]", "b.txt", b"bb")])
    assert sent.status_code == 200, sent.text
    assert [(a["filename"], a["size"]) for a in sent.json()["attachments"]] == [("a.txt", 1), ("b.txt", 2)]


def test_with_attachments_only_the_listed_files_are_attached(emu, channel):
    """DOCS/ref "Editing Message Attachments": `attachments` "includes all files that will be
    appended to the message" - the stricter reading: a file it does not list is not attached."""
    sent = upload(emu, "POST", f"/channels/{channel}/messages",
                  {"content": "one of two", "attachments": [{"id": "1"}]},
                  [("files[0]", "a.txt", b"a"), ("files[1]", "b.txt", b"b")])
    assert [a["filename"] for a in sent.json()["attachments"]] == ["b.txt"]


def test_an_attachment_naming_no_file_is_refused(emu, channel):
    """The live answer to an `attachments` id with no files[n] (Cogmasters/concord#78): 50035,
    ATTACHMENT_NOT_FOUND under attachments.<index>. Nothing is posted."""
    refused = upload(emu, "POST", f"/channels/{channel}/messages",
                     {"content": "x", "attachments": [{"id": "0"}, {"id": "5"}]},
                     [("files[0]", "a.txt", b"a")])
    assert code(refused) == (400, 50035)
    assert refused.json()["errors"] == {"attachments": {"1": {"_errors": [
        {"code": "ATTACHMENT_NOT_FOUND", "message": "Attachment data not found"}]}}}
    assert emu.channel_messages(channel) == []


def test_a_file_over_10_mib_is_request_entity_too_large(emu, channel):
    """DOCS/ref "Uploading Files": the limit "applies to each file", `10 MiB` by default;
    DOCS/codes 40005 "Request entity too large". 10 MiB itself is allowed."""
    at_limit = upload(emu, "POST", f"/channels/{channel}/messages", None,
                      [("files[0]", "a.bin", b"x" * (10 * MiB))])
    assert at_limit.status_code == 200
    over = upload(emu, "POST", f"/channels/{channel}/messages", {"content": "big"},
                  [("files[0]", "a.bin", b"x" * (10 * MiB + 1))])
    assert code(over) == (413, 40005)
    assert len(emu.channel_messages(channel)) == 1


def test_more_than_ten_files_are_refused(emu, channel):
    """DOCS/codes 30015 "Maximum number of attachments in a message reached (10)"."""
    ten = [(f"files[{i}]", f"{i}.txt", b"x") for i in range(10)]
    assert upload(emu, "POST", f"/channels/{channel}/messages", None, ten).status_code == 200
    refused = upload(emu, "POST", f"/channels/{channel}/messages", None,
                     ten + [("files[10]", "10.txt", b"x")])
    assert code(refused) == (400, 30015)


def test_payload_json_that_is_not_json_is_refused(emu, channel):
    parts = [("payload_json", (None, "{nope", "application/json")), ("files[0]", ("a.txt", b"a"))]
    assert code(call(emu, "POST", f"/channels/{channel}/messages", files=parts)) == (400, 50109)


@pytest.mark.spec_exempt("sends broken multipart bodies on purpose")
def test_broken_multipart_bodies_are_invalid_forms(emu, channel):
    """RFC 7578 section 4.1: a multipart body needs its boundary; section 4.2: each part a name.
    DOCS/ref "Uploading Files": files[n] parts "must include ... a filename"."""
    no_boundary = call(emu, "POST", f"/channels/{channel}/messages", data=b"--x\r\n\r\nhi\r\n--x--",
                       headers={"Content-Type": "multipart/form-data"})
    assert code(no_boundary) == (400, 50035)
    body = b'--b\r\nContent-Disposition: form-data; name="files[0]"\r\n\r\nbytes\r\n--b--\r\n'
    nameless_file = call(emu, "POST", f"/channels/{channel}/messages", data=body,
                         headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert code(nameless_file) == (400, 50035)
    assert "files[0]" in nameless_file.json()["errors"]


def test_form_fields_without_payload_json_are_the_body(emu, channel):
    """DOCS/ref "Uploading Files", the first example body: `content` as a part of its own."""
    sent = call(emu, "POST", f"/channels/{channel}/messages",
                files=[("content", (None, "Hello, World!")), ("files[0]", ("a.txt", b"a"))])
    assert sent.status_code == 200, sent.text
    assert sent.json()["content"] == "Hello, World!" and len(sent.json()["attachments"]) == 1


@pytest.mark.spec_exempt("sends files to a route that takes none")
def test_routes_that_take_no_files_refuse_multipart(emu, gid):
    refused = upload(emu, "POST", f"/guilds/{gid}/channels", {"name": "x"}, [("files[0]", "a.txt", b"a")])
    assert code(refused) == (400, 50035)
    assert refused.json()["errors"]["_errors"][0]["code"] == "CONTENT_TYPE_INVALID"


def test_uploading_needs_attach_files(emu, gid):
    """DOCS/perms "Bitwise Permission Flags": ATTACH_FILES "Allows for uploading images and
    files"."""
    channel = emu.add_channel(gid, "no-files", bot_deny=ATTACH_FILES)
    refused = upload(emu, "POST", f"/channels/{channel}/messages", {"content": "x"}, [("files[0]", "a.txt", b"a")])
    assert code(refused) == (403, 50013)
    assert call(emu, "POST", f"/channels/{channel}/messages", json={"content": "x"}).status_code == 200


def test_interaction_edits_and_followups_take_files(emu, deferred):
    """DOCS/rr "Edit Original Interaction Response", "Create Followup Message" take files
    (DOCS/ref "Uploading Files"); an ephemeral message's attachments are `ephemeral`
    (DOCS/message "Attachment Object")."""
    edited = webhook(emu, "PATCH", deferred, "/messages/@original",
                     payload={"content": "here", "attachments": [{"id": "0", "filename": "x.yaml"}]},
                     files=[("files[0]", "x.yaml", b"a: 1\n")])
    assert edited.status_code == 200, edited.text
    [attachment] = emu.original_message(deferred)["attachments"]
    assert attachment["filename"] == "x.yaml" and attachment["ephemeral"] is True
    assert requests.get(attachment["url"], timeout=5).content == b"a: 1\n"
    followup = webhook(emu, "POST", deferred, payload={"flags": 64}, files=[("files[0]", "y.txt", b"y")])
    assert followup.status_code == 200, followup.text
    assert [a["filename"] for a in emu.followup_messages(deferred)[0]["attachments"]] == ["y.txt"]


def test_an_edit_keeps_the_attachments_it_lists_and_drops_the_rest(emu, deferred):
    """DOCS/message "Edit Message": `attachments` "must contain all attachments that should be
    present after edit, including retained and new"; without it, an edit keeps them."""
    first = webhook(emu, "PATCH", deferred, "/messages/@original", payload={"content": "two"},
                    files=[("files[0]", "a.txt", b"a"), ("files[1]", "b.txt", b"b")]).json()["attachments"]
    kept = call(emu, "PATCH", f"/webhooks/{APPLICATION_ID}/{deferred}/messages/@original",
                json={"content": "text only"}).json()["attachments"]
    assert kept == first
    trimmed = webhook(emu, "PATCH", deferred, "/messages/@original",
                      payload={"attachments": [{"id": first[1]["id"]}, {"id": "0"}]},
                      files=[("files[0]", "c.txt", b"c")]).json()["attachments"]
    assert [a["filename"] for a in trimmed] == ["b.txt", "c.txt"] and trimmed[0] == first[1]


def test_an_interaction_callback_takes_files(emu, gid):
    """DOCS/rr "Create Interaction Response": "This endpoint also supports file attachments"."""
    member = emu.add_member(gid, "alice")
    interaction = emu.create_interaction(gid, member, "campaign-template")
    answered = upload(emu, "POST", f"/interactions/{interaction['id']}/{interaction['token']}/callback",
                      {"type": 4, "data": {"content": "file", "attachments": [{"id": "0"}]}},
                      [("files[0]", "z.txt", b"zz")], headers={"Authorization": ""})
    assert answered.status_code == 204, answered.text
    assert [a["size"] for a in emu.original_message(interaction["token"])["attachments"]] == [2]


# -- Get Channel Messages -----------------------------------------------------------------------


@pytest.fixture
def history(emu, channel):
    """Ten messages "0".."9", oldest first: (channel id, their ids)."""
    ids = [call(emu, "POST", f"/channels/{channel}/messages", json={"content": str(i)}).json()["id"]
           for i in range(10)]
    return channel, ids


def contents(response):
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()]


def test_messages_come_newest_first_fifty_by_default(emu, channel):
    """DOCS/message "Get Channel Messages": "from newest to oldest"; limit defaults to 50."""
    emu.set_global_limit(None)  # 56 requests at once; rate limits are not the point here
    emu.set_bucket(r"^POST /channels/", 100, 1.0)
    for i in range(55):
        assert call(emu, "POST", f"/channels/{channel}/messages", json={"content": str(i)}).status_code == 200
    page = contents(call(emu, "GET", f"/channels/{channel}/messages"))
    assert page == [str(i) for i in range(54, 4, -1)]


def test_before_after_and_around_page_through_the_history(emu, history):
    """DOCS/message "Get Channel Messages" Query String Params: before, after and around a
    message id, at most `limit`; newest first in every case."""
    channel, ids = history
    path = f"/channels/{channel}/messages"
    assert contents(call(emu, "GET", path, params={"before": ids[5], "limit": 3})) == ["4", "3", "2"]
    assert contents(call(emu, "GET", path, params={"before": ids[2]})) == ["1", "0"]
    assert contents(call(emu, "GET", path, params={"after": ids[5], "limit": 2})) == ["7", "6"]
    assert contents(call(emu, "GET", path, params={"after": ids[9]})) == []
    assert contents(call(emu, "GET", path, params={"around": ids[5], "limit": 4})) == ["7", "6", "5", "4"]
    assert contents(call(emu, "GET", path, params={"limit": 100})) == [str(i) for i in range(9, -1, -1)]


def test_paging_back_with_before_reads_the_whole_history_once(emu, history):
    channel, _ = history
    seen, before = [], None
    while True:
        params = {"limit": 3, **({"before": before} if before else {})}
        page = call(emu, "GET", f"/channels/{channel}/messages", params=params).json()
        if not page:
            break
        seen += [m["content"] for m in page]
        before = page[-1]["id"]
    assert seen == [str(i) for i in range(9, -1, -1)]


@pytest.mark.spec_exempt("sends invalid paging on purpose")
@pytest.mark.parametrize("params, field", [({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                                          ({"before": "1", "around": "2"}, "before"),
                                          ({"after": "x"}, "after")])
def test_invalid_paging_is_refused(emu, history, params, field):
    """DOCS/message "Get Channel Messages": limit 1-100; before, after and around "are mutually
    exclusive, only one may be passed at a time"; each a message id."""
    channel, _ = history
    refused = call(emu, "GET", f"/channels/{channel}/messages", params=params)
    assert code(refused) == (400, 50035)
    assert field in refused.json()["errors"]

