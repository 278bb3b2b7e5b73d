"""A guild as a text tree: what a member would see in the client, and who sees what.

Used by the terminal demo and handy in assertion messages. The owner and
administrators see every channel, so they are left out of the per-channel lists.
"""

from .model import CATEGORY, CHANNEL_TYPE_NAMES, VOICE_LIKE, Member
from .permissions import ADMINISTRATOR, VIEW_CHANNEL, base_permissions, channel_permissions


def _order(channel):
    # Discord lists text-like channels above voice-like ones, then by position, then id.
    return (channel.type in VOICE_LIKE, channel.position, int(channel.id))


def audience(state, guild, channel) -> str:
    def sees(member):
        return channel_permissions(guild, member, channel) & VIEW_CHANNEL

    if sees(Member("0", [])):
        return "everyone"
    roles = sorted((r for r in guild.roles.values() if r.id != guild.id and sees(Member("0", [r.id]))),
                   key=lambda r: -r.position)
    members = []
    for member in guild.members.values():
        if member.user_id == guild.owner_id or base_permissions(guild, member) & ADMINISTRATOR:
            continue
        if sees(member):
            user = state.users[member.user_id]
            members.append(f"{user.username} (bot)" if user.bot else user.username)
    parts = []
    if roles:
        parts.append("roles: " + ", ".join("@" + r.name for r in roles))
    if members:
        parts.append("members: " + ", ".join(members))
    return "; ".join(parts) or "nobody (owner and administrators only)"


def render_tree(state, guild_id: str) -> str:
    guild = state.guild(guild_id)
    channels = [state.channels[c] for c in guild.channel_ids]
    top = sorted((c for c in channels if c.type != CATEGORY and c.parent_id is None), key=_order)
    categories = sorted((c for c in channels if c.type == CATEGORY), key=lambda c: (c.position, int(c.id)))
    entries = [(c, []) for c in top]
    for category in categories:
        kids = sorted((c for c in channels if c.parent_id == category.id), key=_order)
        entries.append((category, kids))

    def line(channel) -> str:
        kind = CHANNEL_TYPE_NAMES.get(channel.type, str(channel.type))
        return f"{channel.name} [{kind}] - {audience(state, guild, channel)}"

    out = [f"{guild.name} (guild {guild.id}; owner and administrators see every channel)"]
    for i, (channel, kids) in enumerate(entries):
        last = i == len(entries) - 1
        out.append(("└── " if last else "├── ") + line(channel))
        for j, kid in enumerate(kids):
            branch = "└── " if j == len(kids) - 1 else "├── "
            out.append(("    " if last else "│   ") + branch + line(kid))
    if not entries:
        out.append("(no channels)")
    return "\n".join(out)
