"""The emulator's objects carry every field Discord's OpenAPI description marks required
(tests/spec/discord-openapi.json, components/schemas/*Response), whichever route returns them."""

import pytest

from discord_emulator import GUILD_CATEGORY, GUILD_FORUM, GUILD_TEXT, GUILD_VOICE
from discord_emulator.model import numbered_components
from tests.emulator import spec_server
from tests.emulator.spec_server import call

# This module's emulator and schema check (spec_server.py), shared with the other shape tests.
emu, conforms = spec_server.emu, spec_server.conforms



def test_guild_roles_member_and_current_user(emu, conforms):
    emu.reset()
    gid = emu.add_guild()
    alice = emu.add_member(gid, "alice", permissions=8)
    assert conforms("GuildWithCountsResponse", call(emu, "GET", f"/guilds/{gid}").json()) == []
    roles = call(emu, "GET", f"/guilds/{gid}/roles").json()
    assert any("tags" in r for r in roles)  # the bot's managed role
    assert [e for r in roles for e in conforms("GuildRoleResponse", r)] == []
    assert conforms("GuildMemberResponse", call(emu, "GET", f"/guilds/{gid}/members/{alice}").json()) == []
    me = call(emu, "GET", "/users/@me").json()
    assert conforms("UserPIIResponse", me) == [] and me["bot"] is True


@pytest.mark.parametrize("kind", [GUILD_TEXT, GUILD_VOICE, GUILD_CATEGORY, GUILD_FORUM])
def test_every_channel_type(emu, conforms, kind):
    emu.reset()
    gid = emu.add_guild()
    made = call(emu, "POST", f"/guilds/{gid}/channels", json={"name": "room", "type": kind})
    assert made.status_code == 201
    assert conforms("GuildChannelResponse", made.json()) == []


def test_messages_and_their_components(emu, conforms):
    emu.reset()
    gid = emu.add_guild()
    channel = emu.add_channel(gid, "lobby")
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}
    sent = call(emu, "POST", f"/channels/{channel}/messages", json={"content": "hi", "components": [row]})
    assert sent.status_code == 200
    assert conforms("MessageResponse", sent.json()) == []
    assert conforms("MessageResponse", call(emu, "GET", f"/channels/{channel}/messages").json()[0]) == []


def test_component_ids_are_filled_in_sequentially_around_the_ones_given():
    # components/reference.mdx "Anatomy of a Component": generated sequentially if left empty,
    # never reusing an id the message has; 0 counts as empty.
    rows = [{"type": 1, "components": [{"type": 2, "id": 2}, {"type": 2, "id": 0}]}, {"type": 1, "id": 7}]
    numbered = numbered_components(rows)
    assert [numbered[0]["id"], numbered[0]["components"][0]["id"], numbered[0]["components"][1]["id"],
            numbered[1]["id"]] == [1, 2, 3, 7]
    assert rows[0]["components"][1]["id"] == 0  # the stored message keeps what was sent


def test_a_bucket_429_carries_code_0(emu, conforms):
    # DOCS/rl "Rate Limit Response Structure": `code?`; the spec's RatelimitedResponse requires it.
    emu.reset()
    gid = emu.add_guild()
    emu.set_bucket(r"GET /guilds/\{guild_id\}/roles$", 1, 60)
    call(emu, "GET", f"/guilds/{gid}/roles")
    limited = call(emu, "GET", f"/guilds/{gid}/roles")
    assert limited.status_code == 429 and limited.json()["code"] == 0
    assert conforms("RatelimitedResponse", limited.json()) == []
