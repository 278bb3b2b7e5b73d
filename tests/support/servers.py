"""Servers set up the way admins do it in the client, for the permission tests.

Built only on the emulator's public helpers and REST routes, except `remove_bot`: the emulator
can't yet remove the bot from a server, so that one answers for it at the HTTP layer.
"""

import re

from channelwright.discord.routes import REMOVE_GUILD_MEMBER_ROLE, Route
from discord_emulator import errors, server

ROLE, MEMBER = 0, 1
# Endpoints only an admin's hand (a test) calls; the bot's own are channelwright.discord.routes.
MODIFY_GUILD_ROLE = Route("PATCH", "/guilds/{guild_id}/roles/{role_id}")  # developers/resources/guild.mdx
EDIT_CHANNEL_PERMISSIONS = Route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")  # resources/channel.mdx


def bot_role(emu, guild_id: str) -> str:
    """The bot's managed role: the one whose tags name the bot (developers/topics/permissions.mdx,
    Role Tags Structure, `bot_id`)."""
    return next(r["id"] for r in emu.guild_roles(guild_id)
                if (r.get("tags") or {}).get("bot_id") == emu.bot_user_id)


def overwrite(target: str, kind: int = ROLE, allow: int = 0, deny: int = 0) -> dict:
    return {"id": target, "type": kind, "allow": str(allow), "deny": str(deny)}


def set_everyone_permissions(rest, guild_id: str, permissions: int) -> None:
    """Edit @everyone (its role id is the guild id) as an admin would, through Modify Guild Role."""
    rest.request(MODIFY_GUILD_ROLE.compile(guild_id=guild_id, role_id=guild_id),
                 json={"permissions": str(permissions)})


def take_role(rest, guild_id: str, user_id: str, role_id: str) -> None:
    """Take a role from a member (Remove Guild Member Role), as an admin would by hand."""
    rest.request(REMOVE_GUILD_MEMBER_ROLE.compile(guild_id=guild_id, user_id=user_id, role_id=role_id))


_SERVER_PATH = re.compile(r"^/(guilds|channels)/(\d+)")


def remove_bot(emu, guild_id: str, monkeypatch) -> None:
    """From now on the bot is no longer in `guild_id`: every route of that server (its guild routes
    and its channels') answers 403 50001 Missing Access, as Discord answers a bot for a server it
    isn't in (developers/topics/opcodes-and-status-codes.mdx, 50001), while interaction webhooks
    keep working (they belong to the application, not to a server). Undone with `monkeypatch`."""
    original = server._Handler._process

    def _process(handler, emulator, path, *args, **kwargs):
        match = _SERVER_PATH.match(path)
        if emulator is emu and match and _in_guild(emu, match.group(1), match.group(2), guild_id):
            return server._Reply.error(errors.missing_access())
        return original(handler, emulator, path, *args, **kwargs)

    monkeypatch.setattr(server._Handler, "_process", _process)


def _in_guild(emu, kind: str, resource_id: str, guild_id: str) -> bool:
    if kind == "guilds":
        return resource_id == guild_id
    channel = emu.channel(resource_id)
    return channel is not None and channel.get("guild_id") == guild_id


EPHEMERAL = 64  # message flag (developers/resources/message.mdx, Message Flags)


def run(bot, guild, user, command, options=(), *, users=(), channel_id=None):
    """`user` runs a slash command (in `channel_id`, or the server's first text channel), the
    worker runs; returns (payload, inline reply, what the user finally reads)."""
    payload = bot.emulator.create_interaction(guild, user, command, options=list(options),
                                              channel_id=channel_id)
    if users:
        payload["data"]["resolved"] = {"users": {u: {"id": u, "username": f"user{u[-3:]}"} for u in users}}
    reply = bot.interact(payload)
    bot.run_worker()
    return payload, reply, final_text(bot.emulator, payload["token"])


def member_change(bot, guild, by, command, user, campaign) -> str:
    """`by` runs a campaign-and-member command (/add-player, /remove-player, /assign-gm,
    /add-spectator, ...) on `user` in `campaign`; returns what `by` finally reads."""
    _, _, text = run(bot, guild, by, command, [
        {"type": 3, "name": "campaign", "value": campaign}, {"type": 6, "name": "user", "value": user}],
        users=[user])
    return text


def final_text(emu, token) -> str:
    """The answer only the user sees: the original response or, if it was deleted for a private
    answer, the last ephemeral follow-up."""
    original = emu.original_message(token)
    if original is not None:
        return original["content"]
    followups = [m for m in emu.followup_messages(token) if m["flags"] & EPHEMERAL]
    return followups[-1]["content"] if followups else ""
