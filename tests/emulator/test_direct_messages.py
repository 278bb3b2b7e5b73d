"""Direct messages in the emulator, each behaviour from Discord's docs (developers/):
resources/user.mdx "Create DM"; resources/channel.mdx "Channel Types" (DM 1);
topics/opcodes-and-status-codes.mdx 50007 "Cannot send messages to this user" and 10013 "Unknown
User". Shapes against the OpenAPI description."""

import pytest

from discord_emulator import MANAGE_CHANNELS, SEND_MESSAGES, VIEW_CHANNEL
from tests.emulator import spec_server
from tests.emulator.spec_server import call

emu, conforms = spec_server.emu, spec_server.conforms


@pytest.fixture
def alice(emu):
    """A member of a server the bot is in."""
    emu.reset()
    gid = emu.add_guild(bot_permissions=MANAGE_CHANNELS | VIEW_CHANNEL | SEND_MESSAGES)
    return emu.add_member(gid, "alice")


def open_dm(emu, user):
    return call(emu, "POST", "/users/@me/channels", json={"recipient_id": user})


def test_create_dm_answers_one_dm_channel_per_user(emu, alice, conforms):
    first = open_dm(emu, alice)
    assert first.status_code == 200
    assert conforms("PrivateChannelResponse", first.json()) == []
    assert first.json()["type"] == 1 and [u["id"] for u in first.json()["recipients"]] == [alice]
    assert open_dm(emu, alice).json()["id"] == first.json()["id"], "the open one is returned again"


def test_a_message_in_a_dm_reaches_the_user(emu, alice, conforms):
    channel = open_dm(emu, alice).json()["id"]
    sent = call(emu, "POST", f"/channels/{channel}/messages", json={"content": "hello"})
    assert sent.status_code == 200 and sent.json()["channel_id"] == channel
    assert [m["content"] for m in emu.direct_messages(alice)] == ["hello"]


def test_a_user_with_dms_closed_gets_no_message_but_the_channel_still_opens(emu, alice):
    emu.close_dms(alice)
    opened = open_dm(emu, alice)
    assert opened.status_code == 200
    refused = call(emu, "POST", f"/channels/{opened.json()['id']}/messages", json={"content": "hello"})
    assert refused.status_code == 403
    assert refused.json() == {"code": 50007, "message": "Cannot send messages to this user"}
    assert emu.direct_messages(alice) == []


def test_a_user_sharing_no_server_with_the_bot_cannot_be_sent_a_dm(emu, alice):
    other = emu.add_guild(bot_permissions=VIEW_CHANNEL)
    stranger = emu.add_member(other, "stranger")
    emu.remove_bot(other)
    channel = open_dm(emu, stranger).json()["id"]
    refused = call(emu, "POST", f"/channels/{channel}/messages", json={"content": "hi"})
    assert refused.status_code == 403 and refused.json()["code"] == 50007


def test_create_dm_with_an_unknown_user_or_no_recipient_is_refused(emu, alice):
    unknown = open_dm(emu, "1234567890123")
    assert unknown.status_code == 404 and unknown.json()["code"] == 10013
    missing = call(emu, "POST", "/users/@me/channels", json={})
    assert missing.status_code == 400 and missing.json()["code"] == 50035
