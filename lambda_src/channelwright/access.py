"""Who may see a campaign's channels, as Discord permission overwrites.

Rules from developers/resources/guild.mdx (Create Guild Channel): an overwrite may only allow or
deny permissions the bot itself holds, and only administrators may put Manage Roles ("Manage
Permissions") in one. So every overwrite is masked by the bot's own permissions, minus Manage Roles.
The bot gets an explicit allow so it keeps seeing (and can post the summary in) what it built.
"""

from . import permissions as p

PLAYER = (p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.ADD_REACTIONS
          | p.EMBED_LINKS | p.ATTACH_FILES | p.CONNECT | p.SPEAK | p.USE_VAD
          | p.CREATE_PUBLIC_THREADS | p.SEND_MESSAGES_IN_THREADS)
GM = PLAYER | p.MANAGE_MESSAGES | p.MANAGE_THREADS
BOT = p.VIEW_CHANNEL | p.SEND_MESSAGES | p.READ_MESSAGE_HISTORY | p.CONNECT
ROLE, MEMBER = 0, 1


def overwrites(*, guild_id: str, players_role: str, gm_role: str, bot_user_id: str,
               bot_permissions: int, gm_only: bool) -> list[dict]:
    """Overwrites for the category (gm_only=False) or a channel in it.

    `@everyone` (whose role id is the guild id) is denied View Channel everywhere; GM-only channels
    also deny the players role, and the GM role's allow wins for someone holding both roles.
    """
    mask = p.effective(bot_permissions) & ~p.MANAGE_ROLES

    def entry(target: str, kind: int, allow: int = 0, deny: int = 0) -> dict:
        return {"id": target, "type": kind, "allow": str(allow & mask), "deny": str(deny & mask)}

    players = entry(players_role, ROLE, deny=p.VIEW_CHANNEL) if gm_only else entry(players_role, ROLE, allow=PLAYER)
    return [
        entry(guild_id, ROLE, deny=p.VIEW_CHANNEL),
        players,
        entry(gm_role, ROLE, allow=GM),
        entry(bot_user_id, MEMBER, allow=BOT),
    ]


def matches(actual: list[dict], expected: list[dict]) -> bool:
    """Whether a channel's overwrites are still what we set (roles re-created since break this)."""
    def normal(entries):
        return {(str(o["id"]), int(o["type"]), str(o.get("allow") or "0"), str(o.get("deny") or "0"))
                for o in entries}
    return normal(expected) <= normal(actual)
