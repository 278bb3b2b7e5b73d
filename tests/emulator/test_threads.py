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


# -- archiving (topics/threads.mdx "Active & Archived Threads", "Thread Archiving") ------------

def archived_thread_with(emu, channel, member):
    thread = start(emu, channel).json()["id"]
    call(emu, "PUT", f"/channels/{thread}/thread-members/{member}")
    emu.archive_thread(thread)
    return thread


def test_an_archived_thread_is_not_active_and_refuses_member_changes(emu, room):
    gid, channel, alice = room
    thread = archived_thread_with(emu, channel, alice)
    assert call(emu, "GET", f"/guilds/{gid}/threads/active").json()["threads"] == []
    for method in ("PUT", "DELETE"):  # DOCS/channel: "Also requires the thread is not archived"
        refused = call(emu, method, f"/channels/{thread}/thread-members/{alice}")
        assert (refused.status_code, refused.json()["code"]) == (400, 50083)
    assert emu.visible_to(thread, alice)  # archiving hides nothing


def test_its_creator_unarchives_it_with_modify_channel(emu, room, conforms):
    gid, channel, alice = room
    thread = archived_thread_with(emu, channel, alice)
    before = emu.threads_in(channel)[0]["thread_metadata"]["archive_timestamp"]
    answer = call(emu, "PATCH", f"/channels/{thread}", json={"archived": False})
    assert answer.status_code == 200 and conforms("ThreadResponse", answer.json()) == []
    assert answer.json()["thread_metadata"]["archived"] is False
    assert answer.json()["thread_metadata"]["archive_timestamp"] != before
    assert [t["id"] for t in call(emu, "GET", f"/guilds/{gid}/threads/active").json()["threads"]] == [thread]
    assert call(emu, "DELETE", f"/channels/{thread}/thread-members/{alice}").status_code == 204


def test_fields_not_modelled_are_refused_on_a_thread(emu, room):
    _, channel, _ = room
    thread = start(emu, channel).json()["id"]
    assert call(emu, "PATCH", f"/channels/{thread}", json={"name": "x"}).status_code == 400
    assert call(emu, "PATCH", f"/channels/{thread}", json={"archived": "no"}).status_code == 400


def test_private_archived_threads_need_manage_threads(emu, room, conforms):
    gid, channel, alice = room
    thread = archived_thread_with(emu, channel, alice)
    refused = call(emu, "GET", f"/channels/{channel}/threads/archived/private")
    assert (refused.status_code, refused.json()["code"]) == (403, 50013)
    emu.grant_bot_in_channel(channel, MANAGE_THREADS)
    listed = call(emu, "GET", f"/channels/{channel}/threads/archived/private").json()
    assert conforms("ThreadsResponse", listed) == []
    assert [t["id"] for t in listed["threads"]] == [thread]
    assert listed["threads"][0]["thread_metadata"]["archived"] is True


def test_a_thread_deleted_by_hand_is_unknown(emu, room):
    _, channel, alice = room
    thread = start(emu, channel).json()["id"]
    emu.delete_channel(thread)
    gone = call(emu, "PUT", f"/channels/{thread}/thread-members/{alice}")
    assert (gone.status_code, gone.json()["code"]) == (404, 10003)
    assert emu.threads_in(channel) == []
