"""Who may see a campaign's channels, as Discord permission overwrites.

Rules from developers/resources/guild.mdx (Create Guild Channel): "only permissions your bot has in
the guild can be allowed/denied", and only administrators may put Manage Roles ("Manage
Permissions") in an overwrite. So every overwrite is masked by the bot's SERVER-LEVEL permissions
(its roles', never `app_permissions`, which describe one channel), minus Manage Roles. Modify
Channel also counts what the parent category lets the bot do (developers/resources/channel.mdx),
but the category's only grant to the bot is our own allow, itself masked the same way, so the one
mask serves creates and repairs alike.
The bot gets an explicit allow so it keeps seeing (and can post the summary in) what it built.

Each channel's access mode (plan.py) decides the role overwrites. How they combine is
developers/topics/permissions.mdx, "Permission Overwrites": a role's server-level permissions
(@everyone's included) stay unless an overwrite denies them, and for a member holding several
roles, the denies of all their role overwrites go first, then all the allows ("Permission
Hierarchy": one role's allow beats another's deny). Hence a read-only role is *denied* what it
must not do (@everyone may hold Send Messages server-wide), and a GM who also holds the Players
role sees a players-only channel. A server's owner and Administrators see everything whatever
the overwrites (compute_base_permissions returns ALL).
"""

from channelwright.campaigns.plan import GM_ONLY, GM_POSTS, PARTY, PER_PLAYER, PLAYERS_ONLY, SPECTATORS
from channelwright.discord import permissions as p
from channelwright.text.problems import Problem

PLAYER = (p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.ADD_REACTIONS
          | p.EMBED_LINKS | p.ATTACH_FILES | p.CONNECT | p.SPEAK | p.USE_VAD
          | p.CREATE_PUBLIC_THREADS | p.SEND_MESSAGES_IN_THREADS)
GM = PLAYER | p.MANAGE_MESSAGES | p.MANAGE_THREADS
BOT = p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.CONNECT
# Reading a channel: its messages and history; in voice, connecting and listening.
READER = p.VIEW_CHANNEL | p.READ_MESSAGE_HISTORY | p.CONNECT
# Adding to it: messages, public threads and every thread's replies (a forum post is a thread),
# and speaking in voice (SPEAK, permissions.mdx "Bitwise Permission Flags": "Allows for speaking
# in a voice channel"; without it a member connected to the channel only listens). Create Private
# Threads is not among them: the bot's invite doesn't hold it, so it couldn't deny it (the mask),
# and a private thread no one may send a message in adds nothing.
POSTING = p.SEND_MESSAGES | p.SEND_MESSAGES_IN_THREADS | p.CREATE_PUBLIC_THREADS | p.SPEAK
# A per-player channel: players read it and talk in their own private thread, never in the
# channel or in a thread they start. A thread inherits its parent's permissions, View Channel
# included (topics/threads.mdx "Permissions"), so players must view the channel itself; Send
# Messages "has no effect in threads" (ibid.), Send Messages in Threads is what lets them talk.
THREAD_READER = READER | p.ADD_REACTIONS | p.SEND_MESSAGES_IN_THREADS
# Manage Threads is denied too: a player holding it server-wide (a moderator) would see every
# player's private thread ("or a moderator (`MANAGE_THREADS` permission)", ibid.); a GM who plays
# keeps it, as the GM role's allow applies after the Players role's deny (topics/permissions.mdx
# "Permission Overwrites").
THREAD_READER_DENY = (p.SEND_MESSAGES | p.CREATE_PUBLIC_THREADS | p.CREATE_PRIVATE_THREADS
                      | p.MANAGE_THREADS)
# The bot starts each player's thread and adds them: Create Private Threads in the parent, and
# "the ability to send messages in the thread" (resources/channel.mdx "Add Thread Member").
THREAD_KEEPER = BOT | p.CREATE_PRIVATE_THREADS | p.SEND_MESSAGES_IN_THREADS
# What a per-player channel needs the bot to hold server-wide: THREAD_KEEPER's thread bits, and
# Manage Threads, without which the GM role's overwrite can't carry it (the mask below) and GMs
# don't see the players' private threads (topics/threads.mdx "Permissions").
THREAD_NEEDS = p.CREATE_PRIVATE_THREADS | p.SEND_MESSAGES_IN_THREADS | p.MANAGE_THREADS
ROLE, MEMBER = 0, 1
# Every permission the bot needs server-wide (its invite asks for exactly these, ops/invite.py):
# to make the roles and channels, and to hold what each overwrite grants.
SERVER_NEEDS = p.MANAGE_CHANNELS | p.MANAGE_ROLES | PLAYER | GM | BOT | THREAD_KEEPER
# Without these server-wide the bot can't build a campaign as private as its summary says: create
# the roles and channels, or deny @everyone (and Players, on GM-only channels) View Channel.
PRIVACY_NEEDS = p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL
# What players need to use the channels at all; told in the summary when no one can grant it.
ESSENTIAL = (p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.SEND_MESSAGES_IN_THREADS | p.CONNECT
             | p.SPEAK)


def privacy_problem(bot_permissions: int) -> Problem | None:
    """Why the bot can't build a private campaign with these server-level permissions, if so."""
    lacking = p.missing(bot_permissions, PRIVACY_NEEDS)
    if not lacking:
        return None
    listed = p.label_list(lacking)
    return Problem(
        f"My role is missing {listed} in this server, so I stopped before creating anything.",
        "I need Manage Channels and Manage Roles to create the campaign's channels and roles, and "
        "View Channels to hide them from everyone else (Discord only lets me deny what I hold "
        "server-wide; a permission given to me in one channel doesn't count).",
        f"In Server Settings → Roles, give my role {listed} (or re-invite me with them), "
        "then run `/add-campaign` again.")


def threads_problem(bot_permissions: int, accesses) -> Problem | None:
    """Why the bot can't give players their private threads with these server-level permissions,
    when `accesses` (the plan's channels' access modes) include `per-player`."""
    lacking = p.missing(bot_permissions, THREAD_NEEDS) if PER_PLAYER in set(accesses) else []
    if not lacking:
        return None
    listed = p.label_list(lacking)
    return Problem(
        f"My role is missing {listed} in this server, so I stopped before creating anything.",
        "This template has a per-player channel: I start a private thread there for each player "
        "and add them to it (Create Private Threads, Send Messages in Threads), and the game "
        "masters see every one of those threads through Manage Threads, which I can only give "
        "them if I hold it myself.",
        f"In Server Settings → Roles, give my role {listed} (or re-invite me with them), "
        "then run `/add-campaign` again.")


def ungranted(bot_permissions: int, everyone_permissions: int) -> list[str]:
    """Labels of the ESSENTIAL permissions players get neither from @everyone nor from our allow."""
    granted = (p.effective(bot_permissions) & ~p.MANAGE_ROLES) | everyone_permissions
    return [label for bit, label in p.LABELS.items() if ESSENTIAL & bit and not granted & bit]


def overwrites(*, guild_id: str, players_role: str, gm_role: str, bot_user_id: str,
               bot_permissions: int, access: str = PARTY, spectators_role: str = "") -> list[dict]:
    """Overwrites for the category (access `party`) or a channel in it, by its access mode:

    - every channel: `@everyone` (whose role id is the guild id) denied View Channel, the bot
      allowed BOT;
    - `party`: the Players role allowed PLAYER, the GM role GM;
    - `gm-only`: the Players role denied View Channel, the GM role allowed GM;
    - `gm-posts`: the Players role allowed READER (and Add Reactions) and denied POSTING;
    - `players-only`: the Players role allowed PLAYER, the GM role denied View Channel;
    - `spectators`: as `party`, and the Spectators role (`spectators_role`) allowed READER and
      denied POSTING and Add Reactions: it reads, and listens in voice;
    - `per-player`: the Players role allowed THREAD_READER and denied THREAD_READER_DENY, the
      GM role GM (whose Manage Threads lets GMs see every private thread: topics/threads.mdx),
      the bot THREAD_KEEPER.
    """
    mask = p.effective(bot_permissions) & ~p.MANAGE_ROLES

    def entry(target: str, kind: int, allow: int = 0, deny: int = 0) -> dict:
        return {"id": target, "type": kind, "allow": str(allow & mask), "deny": str(deny & mask)}

    players = {GM_ONLY: entry(players_role, ROLE, deny=p.VIEW_CHANNEL),
               GM_POSTS: entry(players_role, ROLE, allow=READER | p.ADD_REACTIONS, deny=POSTING),
               PER_PLAYER: entry(players_role, ROLE, allow=THREAD_READER, deny=THREAD_READER_DENY),
               }.get(access, entry(players_role, ROLE, allow=PLAYER))
    gms = (entry(gm_role, ROLE, deny=p.VIEW_CHANNEL) if access == PLAYERS_ONLY
           else entry(gm_role, ROLE, allow=GM))
    spectators = ([entry(spectators_role, ROLE, allow=READER, deny=POSTING | p.ADD_REACTIONS)]
                  if access == SPECTATORS else [])
    return [
        entry(guild_id, ROLE, deny=p.VIEW_CHANNEL),
        players,
        gms,
        *spectators,
        entry(bot_user_id, MEMBER, allow=THREAD_KEEPER if access == PER_PLAYER else BOT),
    ]


def matches(actual: list[dict], expected: list[dict]) -> bool:
    """Whether a channel's overwrites are still what we set (roles re-created since break this)."""
    def normal(entries):
        return {(str(o["id"]), int(o["type"]), str(o.get("allow") or "0"), str(o.get("deny") or "0"))
                for o in entries}
    return normal(expected) <= normal(actual)
