"""What to tell a user when Discord limits an action for longer than a task can wait.

The message names the action in the words a server admin uses and says when it works again as a
Discord timestamp, `<t:UNIX:R>` (developers/reference.mdx, "Message Formatting": style R is a
relative time, "in 2 hours", shown in the reader's own time zone and language).
"""

from __future__ import annotations

import math
import re
import time

from channelwright.discord.errors import RateLimitedLong
from channelwright.text.problems import Problem

# The longest limits Discord documents are daily ones (developers/topics/opcodes-and-status-codes.mdx,
# 30034: "daily application command creates"). A Retry-After beyond a week is no real time: told,
# stored and waited for as a week, after which the same command simply asks Discord again. Left
# as it was, 10^40 s was a number DynamoDB can't store (38 digits), so the pause itself failed
# and the build was dead-lettered; 10^9 s would have held the name for 31 years.
LONGEST_PAUSE_S = 7 * 24 * 3600

# Route labels (CompiledRoute.label, discord/routes.py) -> the action, as "Discord is limiting how
# fast I can ...".
_ACTIONS = (
    (r"^POST /guilds/\{id\}/roles$", "create roles in this server"),
    (r"^POST /guilds/\{id\}/channels$", "create channels in this server"),
    (r"^PATCH /channels/\{id\}$", "change channels in this server"),
    (r"^DELETE /channels/\{id\}$", "delete channels in this server"),
    (r"^DELETE /guilds/\{id\}/roles/\{id\}$", "delete roles in this server"),
    (r"^PUT /guilds/\{id\}/members/\{id\}/roles/\{id\}$", "give members roles in this server"),
    (r"^DELETE /guilds/\{id\}/members/\{id\}/roles/\{id\}$", "take roles from members in this server"),
    (r"^GET /guilds/", "read this server's channels and roles"),
    (r"^POST /channels/\{id\}/messages$", "post messages in this server"),
    (r"^\w+ /webhooks/", "update my messages"),
)


# The bot's global limit (developers/topics/rate-limits.mdx, "Global Rate Limit") holds every
# request to Discord back, in every server: no one action of this server's is to blame.
BOT_WIDE = "send anything to Discord, in this server or any other"


def action(route: str) -> str:
    """ "create roles in this server" for "POST /guilds/{id}/roles"."""
    for pattern, words in _ACTIONS:
        if re.search(pattern, route):
            return words
    return "make changes in this server"


def when(retry_at: float) -> str:
    """ "<t:1767225600:R> (<t:1767225600:f>)": relative, then the date and time in full."""
    stamp = math.ceil(retry_at)
    return f"<t:{stamp}:R> (<t:{stamp}:f>)"


def until(error: RateLimitedLong, now: float | None = None) -> int:
    """Unix seconds from which to go on: Discord's `retry_at`, rounded up, at most a week away."""
    now = time.time() if now is None else now
    return math.ceil(min(error.retry_at, now + LONGEST_PAUSE_S))


def problem(error: RateLimitedLong, *, progress: str, again: str) -> Problem:
    """`progress`: what state things are left in; `again`: the command that resumes, e.g.
    "Run `/add-campaign` again with the same name"."""
    doing = BOT_WIDE if error.bot_wide else action(error.route)
    return Problem(f"Discord is limiting how fast I can {doing}.",
                   f"It will let me go on {when(until(error))}. {progress}",
                   f"{again} after that time, and I'll pick up where I stopped.")
