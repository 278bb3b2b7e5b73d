"""What "locked" means for an archived campaign's channels: the overwrites, name and position that
make it read-only for its players, computed from the channel as it was before the archive.

Permission bits and how overwrites combine: developers/topics/permissions.mdx ("Bitwise
Permission Flags", "Permission Overwrites"). A member's role overwrites are applied together: the
denies of all their roles, then the allows of all their roles, so one role's allow beats another
role's deny. Hence every role overwrite a player may hold is locked, not only the Players role's;
the ones left as they are can't let a player post:
- @everyone's: it already denies View Channel on the campaign's channels (access.py), and a deny
  there would also bind the bot's permissions in the category, which Discord counts when the bot
  edits a channel's overwrites (developers/resources/channel.mdx, "Edit Channel Permissions");
- the GM role's, and the member overwrites of the bot and the campaign's GMs: they keep running it.

Kept for players: View Channel and Read Message History (the history stays readable). Denied:
- text and forum channels: Send Messages, Send Messages in Threads, Create Public Threads,
  Create Private Threads (a thread is a new conversation), and Add Reactions (a reaction is a
  visible change to the story's messages, and an archive is a record to read, not to add to);
- voice channels: Connect and Speak (the voice channel closes), and the same as text for the
  text chat every voice channel carries;
- the category: all of the above, for channels someone syncs to it later.
Discord lets a bot allow or deny only permissions it holds (developers/resources/channel.mdx,
"Edit Channel Permissions"; developers/topics/permissions.mdx), so each deny is masked by the
bot's server-level permissions as they are NOW (an admin may have taken one from its role since
the build), and a lock takes its bits out of every allow it rewrites whatever the mask (taking a
bit out is not putting it). A bit the mask drops is one @everyone lacks too (every member, the bot
included, holds @everyone's permissions: permissions.mdx, compute_base_permissions), so once the
allows lose it players hold it only through a role someone gave them server-wide by hand. Every
other bit of a rewritten overwrite is put again, so the bot must still hold it (`needed`).
"""

from channelwright.campaigns.access import ROLE
from channelwright.discord import permissions as p
from channelwright.discord.types import ChannelType

TEXT_LOCK = (p.SEND_MESSAGES | p.SEND_MESSAGES_IN_THREADS | p.CREATE_PUBLIC_THREADS
             | p.CREATE_PRIVATE_THREADS | p.ADD_REACTIONS)
VOICE_LOCK = TEXT_LOCK | p.CONNECT | p.SPEAK
READ_ONLY = p.VIEW_CHANNEL | p.READ_MESSAGE_HISTORY
ARCHIVED_PREFIX = "📦 "
# developers/resources/channel.mdx, "Channel Object": a channel's name is 1-100 characters.
CHANNEL_NAME_LIMIT = 100


def lock_bits(channel_type: int) -> int:
    """What players lose in a channel of `channel_type` (Discord's number)."""
    voiced = channel_type in (ChannelType.GUILD_VOICE, ChannelType.GUILD_CATEGORY)
    return VOICE_LOCK if voiced else TEXT_LOCK


def deny_mask(bot_permissions: str | int | None) -> int:
    """The bits the bot may put in an overwrite: its server-level permissions now (all of them as
    an Administrator), never Manage Roles (access.py)."""
    return p.effective(p.parse(bot_permissions or 0)) & ~p.MANAGE_ROLES


def needed(puts: list[dict]) -> int:
    """Every bit the overwrites `puts` allow or deny: what Discord requires the bot to hold to
    put them (developers/resources/channel.mdx, "Edit Channel Permissions")."""
    bits = 0
    for overwrite in puts:
        bits |= p.parse(overwrite.get("allow")) | p.parse(overwrite.get("deny"))
    return bits


def locked_overwrites(before: list[dict], *, channel_type: int, gm_only: bool, reveal: bool,
                      guild_id: str, players_role: str, keeps: set[str], mask: int) -> list[dict]:
    """The channel's overwrites when locked, from `before` (wire objects: {"id", "type",
    "allow", "deny"}, decimal strings), in the same order.

    A GM-only channel stays as it was unless `reveal`: then the Players role may view it and read
    its history, and nothing more. `keeps`: the GM role and the ids of the members whose member
    overwrites stay (the bot, the GMs). `mask`: deny_mask of what the bot holds now. Missing
    Players overwrite on a revealed channel: added.
    """
    locking = lock_bits(channel_type)
    lock = locking & mask
    if gm_only and not reveal:
        return [dict(o) for o in before]
    after = []
    for overwrite in before:
        target, kind = str(overwrite["id"]), int(overwrite.get("type") or 0)
        if target == guild_id or target in keeps or (gm_only and target != players_role):
            after.append(dict(overwrite))
            continue
        allow, deny = p.parse(overwrite.get("allow")), p.parse(overwrite.get("deny"))
        if gm_only:  # revealed: Players may read, nothing more
            allow, deny = (allow | READ_ONLY) & mask & ~locking, (deny & ~READ_ONLY) | lock
        else:
            allow, deny = allow & ~locking, deny | lock
        after.append(_entry(target, kind, allow, deny))
    if gm_only and players_role and not any(str(o["id"]) == players_role for o in before):
        after.append(_entry(players_role, ROLE, READ_ONLY & mask, lock))
    return after


def changed(current: list[dict], target: list[dict]) -> list[dict]:
    """The overwrites of `target` that `current` doesn't hold as they are: what to put."""
    have = {_key(o): _bits(o) for o in current}
    return [o for o in target if have.get(_key(o)) != _bits(o)]


def extra(current: list[dict], target: list[dict], *, removable: set[str]) -> list[dict]:
    """The overwrites of `current` on a `removable` target that `target` doesn't have: what to
    delete (only ones an archive may have added, so nobody's own overwrite is ever removed)."""
    wanted = {_key(o) for o in target}
    return [o for o in current if _key(o) not in wanted and str(o["id"]) in removable]


def overridden(before: list[dict], current: list[dict], *, channel_type: int) -> bool:
    """Whether `current` differs from `before` (a channel's overwrites before its archive) in
    more than a lock changes: an overwrite of `before` removed, or bits other than the lock's
    (lock_bits) and READ_ONLY changed (a lock never removes an overwrite, nor touches other bits;
    an overwrite added since is left alone by an unarchive, so it doesn't count)."""
    ours = lock_bits(channel_type) | READ_ONLY
    now = {_key(o): _bits(o) for o in current}
    for overwrite in before:
        held = now.get(_key(overwrite))
        allow, deny = _bits(overwrite)
        if held is None or (held[0] ^ allow | held[1] ^ deny) & ~ours:
            return True
    return False


def archived_name(name: str) -> str:
    """The category's name while archived: marked at the front, within Discord's 100."""
    return (ARCHIVED_PREFIX + name)[:CHANNEL_NAME_LIMIT]


def bottom_position(channels: list[dict], category_id: str) -> int | None:
    """The position that puts the category after every other category of the server, None if it
    is there already (developers/resources/channel.mdx, "Channel Object": `position` is the
    sorting position; categories sort among themselves)."""
    others = [int(c.get("position") or 0) for c in channels
              if c.get("type") == ChannelType.GUILD_CATEGORY and c["id"] != category_id]
    own = next((int(c.get("position") or 0) for c in channels if c["id"] == category_id), 0)
    lowest = max(others, default=-1)
    return None if own > lowest else lowest + 1


def plain(overwrites: list[dict] | None) -> list[dict]:
    """Overwrites as Discord sends them, reduced to what is restored: id, type, allow, deny."""
    return [_entry(str(o["id"]), int(o.get("type") or 0), p.parse(o.get("allow")),
                   p.parse(o.get("deny"))) for o in overwrites or []]


def _entry(target: str, kind: int, allow: int, deny: int) -> dict:
    return {"id": target, "type": kind, "allow": str(allow), "deny": str(deny)}


def _key(overwrite: dict) -> tuple[str, int]:
    return str(overwrite["id"]), int(overwrite.get("type") or 0)


def _bits(overwrite: dict) -> tuple[int, int]:
    return p.parse(overwrite.get("allow")), p.parse(overwrite.get("deny"))

