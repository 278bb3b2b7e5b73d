"""Private threads in the emulator, each behaviour from Discord's docs (developers/):
resources/channel.mdx "Start Thread without Message", "Add/Remove/Get Thread Member", "List Thread
Members"; resources/guild.mdx "List Active Guild Threads", "Get Guild Channels"; topics/threads.mdx
"Public & Private Threads" and "Permissions". Shapes against the OpenAPI description."""

import pytest

from discord_emulator import (
    GUILD_CATEGORY,
    GUILD_VOICE,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.emulator import spec_server
from tests.emulator.spec_server import APP_ID, call

BOT = MANAGE_CHANNELS | MANAGE_ROLES | VIEW_CHANNEL | SEND_MESSAGES

# This module's emulator and schema check (spec_server.py), shared with the other shape tests.
emu, conforms = spec_server.emu, spec_server.conforms


@pytest.fixture
def room(emu):
    """A guild (the bot with BOT plus @everyone's defaults, which hold Create Private Threads and
    Send Messages in Threads), a text channel, and a member who may view it."""
    emu.reset()
    gid = emu.add_guild(bot_permissions=BOT)
    channel = emu.add_channel(gid, "gm-desk")
    alice = emu.add_member(gid, "alice")
    return gid, channel, alice


def start(emu, channel, **fields):
    return call(emu, "POST", f"/channels/{channel}/threads", json={"name": "alice", "type": 12, **fields})


def test_a_private_thread_is_a_type_12_channel_under_its_parent(emu, room, conforms):
    gid, channel, _ = room
    made = start(emu, channel, invitable=False, auto_archive_duration=10080)
    assert made.status_code == 201
    body = made.json()
    assert conforms("ThreadResponse", body) == []
    assert (body["type"], body["parent_id"], body["owner_id"]) == (12, channel, APP_ID)
    assert body["thread_metadata"]["invitable"] is False
    assert body["thread_metadata"]["auto_archive_duration"] == 10080
    # Get Guild Channels "Does not include threads"; List Active Guild Threads does.
    assert body["id"] not in [c["id"] for c in call(emu, "GET", f"/guilds/{gid}/channels").json()]
    active = call(emu, "GET", f"/guilds/{gid}/threads/active").json()
    assert [t["id"] for t in active["threads"]] == [body["id"]]
    assert [m["user_id"] for m in active["members"]] == [APP_ID]


def test_type_defaults_to_private(emu, room):
    _, channel, _ = room
    made = call(emu, "POST", f"/channels/{channel}/threads", json={"name": "bob"})
    assert made.status_code == 201 and made.json()["type"] == 12


def test_private_threads_only_in_text_channels(emu, room):
    gid, _, _ = room
    for kind in (GUILD_VOICE, GUILD_CATEGORY):
        other = emu.add_channel(gid, "elsewhere", type=kind)
        refused = start(emu, other)
        assert refused.status_code == 400 and refused.json()["code"] == 50024


@pytest.mark.spec_exempt("sends an archive duration the spec refuses")
def test_bad_archive_duration_is_a_form_error(emu, room):
    _, channel, _ = room
    refused = start(emu, channel, auto_archive_duration=30)
    assert refused.status_code == 400 and "auto_archive_duration" in refused.json()["errors"]


def test_creating_needs_create_private_threads_in_the_parent(emu, room):
    gid, channel, _ = room
    emu.set_everyone_permissions(gid, VIEW_CHANNEL | SEND_MESSAGES)
    refused = start(emu, channel)
    assert refused.status_code == 403 and refused.json()["code"] == 50013


def test_only_members_and_moderators_see_a_private_thread(emu, room):
    gid, channel, alice = room
    bob = emu.add_member(gid, "bob")
    mod = emu.add_member(gid, "mod", permissions=MANAGE_THREADS)
    thread = start(emu, channel).json()["id"]
    assert [emu.visible_to(thread, u) for u in (alice, bob, mod)] == [False, False, True]
    assert call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}").status_code == 204
    assert call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}").status_code == 204  # again: 204
    assert [emu.visible_to(thread, u) for u in (alice, bob, mod)] == [True, False, True]
    members = call(emu, "GET", f"/channels/{thread}/thread-members").json()
    assert sorted(m["user_id"] for m in members) == sorted([APP_ID, alice])
    assert call(emu, "GET", f"/channels/{thread}/thread-members/{bob}").status_code == 404
    one = call(emu, "GET", f"/channels/{thread}/thread-members/{alice}").json()
    assert one["user_id"] == alice and one["id"] == thread


def test_a_member_who_cannot_view_the_parent_sees_no_thread(emu, room):
    """topics/threads.mdx "Permissions": threads inherit the parent's permissions."""
    gid, channel, alice = room
    thread = start(emu, channel).json()["id"]
    call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}")
    emu.set_everyone_permissions(gid, 0)  # the bot still views it through its own role
    assert emu.visible_to(thread, alice) is False


def test_removing_a_member_hides_the_thread_from_them(emu, room):
    _, channel, alice = room
    thread = start(emu, channel).json()["id"]
    call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}")
    assert call(emu, "DELETE", f"/channels/{thread}/thread-members/{alice}").status_code == 204
    assert emu.visible_to(thread, alice) is False
    again = call(emu, "DELETE", f"/channels/{thread}/thread-members/{alice}")
    assert again.status_code == 404 and again.json()["code"] == 10007
    assert [t["member_ids"] for t in emu.threads_in(channel)] == [[APP_ID]]


def test_adding_someone_outside_the_guild_is_unknown_member(emu, room):
    _, channel, _ = room
    stranger = emu.add_user("stranger")
    thread = start(emu, channel).json()["id"]
    refused = call(emu, "PUT", f"/channels/{thread}/thread-members/{stranger}")
    assert refused.status_code == 404 and refused.json()["code"] == 10007


def test_an_unknown_thread_is_unknown_channel(emu, room):
    _, _, alice = room
    refused = call(emu, "PUT", f"/channels/123456789012345678/thread-members/{alice}")
    assert refused.status_code == 404 and refused.json()["code"] == 10003


def test_thread_member_shapes(emu, room, conforms):
    gid, channel, alice = room
    thread = start(emu, channel).json()["id"]
    call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}")
    members = call(emu, "GET", f"/channels/{thread}/thread-members").json()
    assert [e for m in members for e in conforms("ThreadMemberResponse", m)] == []
