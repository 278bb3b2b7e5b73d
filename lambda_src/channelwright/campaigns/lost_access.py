"""Telling "I was removed from the server" apart from "one channel is hidden from me".

Discord answers 403 with code 50001 "Missing Access" both for a channel the bot can't view and for
every route of a server the bot is no longer in (developers/topics/opcodes-and-status-codes.mdx,
JSON Error Codes). Advice about "my role" is wrong in the second case: the role is gone with the
bot. So on 50001 the worker asks Discord once whether it is still a member
(GET /guilds/{guild.id}/members/{user.id}, developers/resources/guild.mdx, Get Guild Member), and
only then chooses the words.
"""

from channelwright.discord.errors import DiscordError, DiscordRejected, JsonErrorCode
from channelwright.text.problems import AGAIN_BUILD, Problem, for_discord_code


def still_member(api, guild_id: str, bot_user_id) -> bool:
    """False when Discord refuses (403) or doesn't know (404) my membership of the server.

    `bot_user_id` is a callable returning my user id (the worker caches it per container). A
    Discord outage while asking is not evidence of removal: then the answer is True and the
    caller keeps its ordinary explanation.
    """
    try:
        api.get_member(guild_id, bot_user_id())
    except DiscordRejected as error:
        return error.status not in (403, 404)
    except DiscordError:
        return True
    return True


def removed(again: str = AGAIN_BUILD) -> Problem:
    return Problem("I'm no longer in this server.",
                   "Discord refuses me access to all of it and no longer lists me as a member: "
                   "I was removed (or the server was deleted). Everything I made is still there.",
                   "Re-invite me to the server with Manage Channels, Manage Roles, View Channels "
                   f"and Send Messages, then {again}.")


def explain(error: DiscordRejected, doing: str, *, api, guild_id: str, bot_user_id,
            again: str = AGAIN_BUILD) -> Problem:
    """The Problem for a Discord refusal met while `doing` something; checks my membership on 50001."""
    if error.code == JsonErrorCode.MISSING_ACCESS and not still_member(api, guild_id, bot_user_id):
        return removed(again)
    return for_discord_code(doing, error.status, error.code, error.detail, again=again)
