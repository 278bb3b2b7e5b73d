"""A server's room under Discord's limits: the counts, the one rule that refuses a build with
numbers before anything is created, and the totals /list-campaigns shows.

Discord's limits:
- 500 channels a server, categories included (a category is a channel, type 4): JSON error 30013
  "Maximum number of guild channels reached (500)" (developers/topics/opcodes-and-status-codes.mdx,
  "JSON Error Codes"; developers/resources/channel.mdx, "Channel Types");
- 250 roles a server, @everyone included (Get Guild lists it among `roles`): 30005 "Maximum number
  of guild roles reached (250)" (same table);
- 50 channels a category (developers/resources/channel.mdx, "Channel Types": GUILD_CATEGORY "an
  organizational category that contains up to 50 channels"). A campaign's own category never
  nears it: a template holds at most 45 channels (templates/schema.py).
(30030 "Maximum number of server categories has been reached (5)" sits beside 10059 "Unknown
discoverable server category": Server Discovery's categories, not channel categories.)

Counts come from the server as the bot reads it: channels hidden from the bot are not in its
channel list (channel_presence.py), so the channel count is a lower bound when it may miss some.
"""

from __future__ import annotations

from dataclasses import dataclass

from channelwright.discord.types import ChannelType
from channelwright.text.counts import counted
from channelwright.text.problems import Problem

MAX_GUILD_CHANNELS, MAX_GUILD_ROLES, MAX_CATEGORY_CHANNELS = 500, 250, 50
# The full campaign (templates/builtin/default.json): a category and 10 channels, and 2 roles.
DEFAULT_CAMPAIGN_CHANNELS, DEFAULT_CAMPAIGN_ROLES = 11, 2


@dataclass(frozen=True)
class Counts:
    """What the server holds, as the bot saw it at `read_at_ms` (Unix ms): `channels` (categories
    included), of which `categories`, and `roles` (@everyone included)."""

    channels: int
    categories: int
    roles: int
    read_at_ms: int = 0

    @classmethod
    def read(cls, channels: list[dict], role_count: int, read_at_ms: int) -> "Counts":
        """From Get Guild Channels' listing and the number of roles Get Guild returned."""
        categories = sum(1 for c in channels if c.get("type") == ChannelType.GUILD_CATEGORY)
        return cls(len(channels), categories, role_count, read_at_ms)

    @classmethod
    def from_record(cls, record: dict[str, int]) -> "Counts":
        """From what store.server_counts returned (a field it lacks reads as 0)."""
        return cls(**{name: int(record.get(name, 0)) for name in
                      ("channels", "categories", "roles", "read_at_ms")})

    def campaigns_left(self) -> int:
        """How many more full campaigns (the default template) fit, by both limits."""
        return max(0, min((MAX_GUILD_CHANNELS - self.channels) // DEFAULT_CAMPAIGN_CHANNELS,
                          (MAX_GUILD_ROLES - self.roles) // DEFAULT_CAMPAIGN_ROLES))


def shortfall(counts: Counts, *, channels: int, roles: int, may_miss_hidden: bool,
              command: str) -> Problem | None:
    """Why `channels` more channels and `roles` more roles don't fit, with the numbers; None if
    they do. `may_miss_hidden`: the bot may not see every channel, so there may be less room
    than counted. `command` is what to run again once there is room ("/add-campaign")."""
    for things, limit, have, need in (("channels", MAX_GUILD_CHANNELS, counts.channels, channels),
                                      ("roles", MAX_GUILD_ROLES, counts.roles, roles)):
        if have + need > limit:
            unseen = (" Channels hidden from me aren't in that count, so there may be even "
                      "less room." if things == "channels" and may_miss_hidden else "")
            return Problem(
                f"This server has no room for the campaign's {things}.",
                f"This server has {have} of {limit} {things}; the campaign needs {need}. "
                f"Nothing new was created.{unseen}",
                f"Delete unused {things}, then run `{command}` again.")
    return None


def totals_text(counts: Counts) -> str:
    """One line for /list-campaigns: the server's counts against the limits, as of when read
    (a Discord timestamp, shown in each reader's time: developers/reference.mdx, "Message
    Formatting")."""
    categories = "a category" if counts.categories == 1 else "categories"
    return (f"**This server:** {counts.channels} of {MAX_GUILD_CHANNELS} channels "
            f"({counts.categories} of them {categories}) · {counts.roles} of {MAX_GUILD_ROLES} roles · "
            f"room for about {counted(counts.campaigns_left(), 'more full campaign')} "
            f"(counted <t:{counts.read_at_ms // 1000}:R>)")
