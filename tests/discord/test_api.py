"""DiscordApi applies the rules every call obeys: audit-log reasons, no mentions, message limits.
Observed as the (emulated) Discord server receives the requests."""

import pytest
import requests

from channelwright.discord import permissions as p
from channelwright.discord.api import DiscordApi
from channelwright.discord.files import File
from channelwright.discord.rest import DiscordRest
from channelwright.discord.types import ChannelType, MessageFlags

REASON = "Channelwright: campaign “Ünïcode” requested by alice"


@pytest.fixture
def guild(emu):
    return emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL
                         | p.SEND_MESSAGES)


@pytest.fixture
def api(emu):
    return DiscordApi(DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 2.0)))


@pytest.fixture
def interaction(emu, guild):
    payload = emu.create_interaction(guild, emu.add_member(guild, name="m"), "add-campaign", options=[])
    emu.acknowledge(payload, {"type": 5})
    return payload


def received(emu, method):
    return [r for r in emu.requests if r.method == method]


def test_every_change_to_a_server_carries_its_audit_log_reason(emu, api, guild):
    role = api.create_role(guild, {"name": "Players", "permissions": "0"}, reason=REASON)
    channel = api.create_channel(guild, {"name": "general", "type": ChannelType.GUILD_TEXT}, reason=REASON)
    api.modify_channel(channel["id"], {"name": "renamed"}, reason=REASON)
    user = emu.add_member(guild, name="player")
    api.add_member_role(guild, user, role["id"], reason=REASON)
    api.remove_member_role(guild, user, role["id"], reason=REASON)
    api.delete_channel(channel["id"], reason=REASON)
    api.delete_role(guild, role["id"], reason=REASON)
    changes = [r for r in emu.requests if r.method != "GET"]
    assert len(changes) == 7
    assert {requests.utils.unquote(r.headers["x-audit-log-reason"]) for r in changes} == {REASON}


def test_a_channel_message_pings_no_one(emu, api, guild):
    channel = emu.add_channel(guild, "general")
    api.create_message(channel, "@everyone look", components=[])
    [message] = emu.channel_messages(channel)
    assert message["content"] == "@everyone look"
    assert received(emu, "POST")[0].json["allowed_mentions"] == {"parse": []}


def test_interaction_messages_ping_no_one_and_follow_ups_may_be_private(emu, api, interaction):
    token = interaction["token"]
    api.edit_original(emu.application_id, token, "@everyone edited")
    api.create_followup(emu.application_id, token, "just for you", ephemeral=True)
    api.create_followup(emu.application_id, token, "for all")
    [edit] = received(emu, "PATCH")
    private, public = received(emu, "POST")
    assert emu.message_history(token)[-1] == "@everyone edited"
    assert all(r.json["allowed_mentions"] == {"parse": []} for r in (edit, private, public))
    assert private.json["flags"] == MessageFlags.EPHEMERAL == 64 and "flags" not in public.json


def test_content_past_2000_characters_is_refused_before_anything_is_sent(emu, api, guild, interaction):
    channel = emu.add_channel(guild, "general")
    too_long = "x" * 2001
    sent_before = len(emu.requests)
    for call in (lambda: api.create_message(channel, too_long),
                 lambda: api.edit_original(emu.application_id, interaction["token"], too_long),
                 lambda: api.create_followup(emu.application_id, interaction["token"], too_long)):
        with pytest.raises(ValueError, match="2000"):
            call()
    assert len(emu.requests) == sent_before
    api.create_message(channel, "x" * 2000)
    assert emu.channel_messages(channel)[0]["content"] == "x" * 2000


def test_interaction_webhooks_are_sent_without_the_bot_token(emu, api, interaction):
    api.delete_original(emu.application_id, interaction["token"])
    [delete] = received(emu, "DELETE")
    assert "authorization" not in delete.headers


def test_the_bot_learns_its_own_user_id(emu, api):
    assert api.current_user()["id"] == emu.bot_user_id


# -- files and history (developers/reference.mdx "Uploading Files"; resources/message.mdx) ---------

YAML = File("layout.yaml", b"id: x\ntitle: X\n", "application/yaml")


def test_a_file_goes_as_multipart_pinging_no_one_and_its_bytes_come_back(emu, api, guild, interaction):
    channel = emu.add_channel(guild, "files")
    sent = api.create_message(channel, "the layout", files=[YAML])
    [attachment] = sent["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("layout.yaml", len(YAML.content))
    assert requests.get(attachment["url"], timeout=5).content == YAML.content
    [post] = received(emu, "POST")
    assert post.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert post.json == {"content": "the layout", "allowed_mentions": {"parse": []},
                         "attachments": [{"id": "0", "filename": "layout.yaml"}]}
    assert post.files == ({"name": "files[0]", "filename": "layout.yaml", "content_type": "application/yaml",
                           "size": len(YAML.content)},)

    api.edit_original(emu.application_id, interaction["token"], "here", files=[YAML])
    api.create_followup(emu.application_id, interaction["token"], "", ephemeral=True, files=[YAML, YAML])
    [edited] = emu.original_message(interaction["token"])["attachments"]
    assert edited["filename"] == "layout.yaml"
    [followup] = emu.followup_messages(interaction["token"])
    assert followup["flags"] == 64 and len(followup["attachments"]) == 2
    assert all(r.json["allowed_mentions"] == {"parse": []} for r in emu.requests if r.method != "GET")


def test_file_limits_and_the_content_limit_are_kept_before_anything_is_sent(emu, api, interaction):
    token = interaction["token"]
    sent_before = len(emu.requests)
    with pytest.raises(ValueError, match="2000"):
        api.edit_original(emu.application_id, token, "x" * 2001, files=[YAML])
    with pytest.raises(ValueError, match="at most 10 a message"):
        api.create_followup(emu.application_id, token, "many", files=[YAML] * 11)
    with pytest.raises(ValueError, match="bytes"):
        api.create_followup(emu.application_id, token, "big", files=[File("big.bin", b"x" * (10 * 2**20 + 1),
                                                                          "application/octet-stream")])
    assert len(emu.requests) == sent_before


def test_channel_messages_page_back_through_the_history(emu, api, guild):
    channel = emu.add_channel(guild, "log")
    for i in range(7):
        api.create_message(channel, f"m{i}")
    newest = api.channel_messages(channel, limit=3)
    assert [m["content"] for m in newest] == ["m6", "m5", "m4"]
    older = api.channel_messages(channel, before=newest[-1]["id"], limit=3)
    assert [m["content"] for m in older] == ["m3", "m2", "m1"]
    assert [m["content"] for m in api.channel_messages(channel, before=older[-1]["id"])] == ["m0"]
    [first, *_] = [r for r in emu.requests if r.method == "GET"]
    assert first.query == "limit=3" and first.route == "GET /channels/{channel_id}/messages"
    with pytest.raises(ValueError, match="1-100"):
        api.channel_messages(channel, limit=101)
