"""Whether recorded channels still exist, when the server's channel list no longer shows them all.

Discord leaves channels the bot cannot view out of `GET /guilds/{id}/channels` (changelog "Channel
Obfuscation for Users and Bots", discord/discord-api-docs#8454: "Over HTTP, GET
/guilds/{guild.id}/channels will omit those channels from the response entirely"). So a recorded
channel missing from that list is only *possibly* gone: asked for by id, a channel the bot cannot
view answers 403 50001 Missing Access, a deleted one 404 10003 Unknown Channel
(developers/topics/opcodes-and-status-codes.mdx "JSON Error Codes"; discord-api-docs#867).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from channelwright.discord import permissions as p
from channelwright.discord.api import DiscordApi
from channelwright.discord.errors import DiscordRejected, JsonErrorCode


@dataclass
class Presence:
    """`channels`: what the bot can see, by id (the listing plus recorded ones found by id);
    `hidden`: recorded ids that exist but are hidden from the bot; `gone`: recorded ids deleted."""

    channels: dict[str, dict] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)


def survey(api: DiscordApi, guild_id: str, recorded: Iterable[str]) -> Presence:
    """Read the server's channels; ask by id for each recorded one the list leaves out.

    Errors other than 403 50001 / 404 10003 on the look-up propagate (DiscordError).
    """
    presence = Presence({c["id"]: c for c in api.guild_channels(guild_id)})
    for channel_id in recorded:
        if channel_id in presence.channels:
            continue
        try:
            presence.channels[channel_id] = api.get_channel(channel_id)
        except DiscordRejected as error:
            if error.code == JsonErrorCode.MISSING_ACCESS:
                presence.hidden.add(channel_id)
            elif error.code == JsonErrorCode.UNKNOWN_CHANNEL or error.status == 404:
                presence.gone.add(channel_id)
            else:
                raise
    return presence


def may_miss_hidden(bot_permissions: str | int | None) -> bool:
    """Whether channels may be hidden from the bot: only an Administrator sees every channel
    (developers/topics/permissions.mdx: Administrator "allows all permissions and bypasses
    channel permission overwrites")."""
    return not p.parse(bot_permissions) & p.ADMINISTRATOR
