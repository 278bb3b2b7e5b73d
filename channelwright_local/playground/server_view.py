"""The emulated server as a member's Discord client shows it: the channel sidebar (categories,
channels by type, a lock on private ones, who can see each) and the member list with roles.

A read of the emulator's state through its public look-ups; the members are the ones local mode
added (the emulator has no "list guild members" route to ask).
"""

from __future__ import annotations

from channelwright_local.playground.markdown import Names

# developers/resources/channel.mdx "Channel Types".
TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM = 0, 2, 4, 5, 13, 15
KINDS = {TEXT: "text", VOICE: "voice", CATEGORY: "category", ANNOUNCEMENT: "announcement",
         STAGE: "stage", FORUM: "forum"}
# The client lists text-like channels above voice-like ones within a category.
VOICE_LIKE = {VOICE, STAGE}
# developers/topics/permissions.mdx "Permissions" table: VIEW_CHANNEL is 1 << 10.
VIEW_CHANNEL = 1 << 10


def everyone_can_view(guild: dict, channel: dict) -> bool:
    """Whether @everyone may view the channel: the @everyone role's permissions, then the
    channel's @everyone overwrite (developers/topics/permissions.mdx "Permission Overwrites":
    the @everyone overwrite applies first, deny then allow). A channel @everyone can't view is
    what the client draws with a lock."""
    everyone = next((r for r in guild["roles"] if r["id"] == guild["id"]), {"permissions": "0"})
    allowed = int(everyone["permissions"]) & VIEW_CHANNEL
    for overwrite in channel.get("permission_overwrites") or []:
        if overwrite["id"] == guild["id"]:
            allowed = (allowed & ~int(overwrite["deny"])) | (int(overwrite["allow"]) & VIEW_CHANNEL)
    return bool(allowed)


def sidebar(discord, viewer_id: str) -> dict:
    """{"guild", "viewer", "categories": [{id, name, private, channels: [...]}], "hidden",
    "members": [...], "roles": [...]} for `viewer_id`; channels the viewer can't see are left out
    (and counted in "hidden"), as the client leaves them out."""
    emu, guild_id = discord.emulator, discord.guild_id
    guild = emu.guild(guild_id)
    roles = {r["id"]: r for r in emu.guild_roles(guild_id)}
    channels = emu.guild_channels(guild_id)
    members = _members(discord, roles)
    names = {m["id"]: m["name"] for m in members}

    def entry(channel: dict) -> dict:
        audience = [names[m["id"]] for m in members if emu.visible_to(channel["id"], m["id"])]
        return {"id": channel["id"], "name": channel["name"], "type": channel["type"],
                "kind": KINDS.get(channel["type"], str(channel["type"])),
                "private": not everyone_can_view(guild, channel), "audience": audience}

    visible = [c for c in channels if emu.visible_to(c["id"], viewer_id)]
    top = {"id": None, "name": None, "private": False,
           "channels": [entry(c) for c in sorted(visible, key=order)
                        if c["type"] != CATEGORY and not c.get("parent_id")]}
    categories = [top] if top["channels"] else []
    for category in sorted((c for c in visible if c["type"] == CATEGORY),
                           key=lambda c: (c.get("position", 0), int(c["id"]))):
        kids = sorted((c for c in visible if c.get("parent_id") == category["id"]), key=order)
        categories.append({**entry(category), "channels": [entry(c) for c in kids]})
    return {"guild": {"id": guild_id, "name": guild["name"]}, "viewer": viewer_id,
            "categories": categories, "hidden": len(channels) - len(visible),
            "members": members,
            "roles": [{"id": r["id"], "name": r["name"], "color": r["color"]}
                      for r in sorted(roles.values(), key=lambda r: -r["position"])
                      if r["id"] != guild_id]}


def order(channel: dict) -> tuple:
    """The client's order within a category: text-like first, then by position, then by id."""
    return channel["type"] in VOICE_LIKE, channel.get("position", 0), int(channel["id"])


def _members(discord, roles: dict) -> list[dict]:
    emu, guild_id = discord.emulator, discord.guild_id
    owner = emu.guild(guild_id)["owner_id"]
    out = []
    for user_id, name in discord.roster.items():
        held = [roles[r] for r in emu.member_role_ids(guild_id, user_id) if r in roles]
        held.sort(key=lambda r: -r["position"])
        out.append({"id": user_id, "name": name, "owner": user_id == owner,
                    "bot": user_id == emu.bot_user_id,
                    "roles": [{"id": r["id"], "name": r["name"], "color": r["color"]} for r in held]})
    return out


def mention_names(discord) -> Names:
    """The names a message's <@id>, <@&id> and <#id> mentions show as."""
    emu, guild_id = discord.emulator, discord.guild_id
    return Names(users=dict(discord.roster),
                 roles={r["id"]: r["name"] for r in emu.guild_roles(guild_id)},
                 channels={c["id"]: c["name"] for c in emu.guild_channels(guild_id)})
