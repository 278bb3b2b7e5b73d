"""What can go wrong talking to Discord, as types that say whether trying again can help.

Discord's JSON error shape is `{"message": ..., "code": N, "errors": {...}}`
(developers/reference.mdx, "Error Messages"). 401/403/404-class answers are never retried: each
one counts toward Discord's invalid-request limit (10,000 per 10 minutes bans the IP).
"""

import json
from enum import IntEnum
from typing import Any


class JsonErrorCode(IntEnum):
    """The JSON error codes the bot acts on (developers/topics/opcodes-and-status-codes.mdx,
    "JSON Error Codes"). What each means to a user is text/problems.py's table, keyed by these."""

    UNKNOWN_CHANNEL = 10003
    UNKNOWN_GUILD = 10004
    UNKNOWN_MEMBER = 10007
    UNKNOWN_MESSAGE = 10008
    UNKNOWN_ROLE = 10011
    MAX_GUILD_ROLES = 30005  # "Maximum number of guild roles reached (250)"
    MAX_GUILD_CHANNELS = 30013  # "Maximum number of guild channels reached (500)"
    UNAUTHORIZED = 40001
    CLOUDFLARE_BLOCKED = 40333  # "Cloudflare is blocking your request"
    MISSING_ACCESS = 50001
    CANNOT_MESSAGE_USER = 50007  # "Cannot send messages to this user"
    MISSING_PERMISSIONS = 50013  # "You lack permissions to perform that action"
    INVALID_CHANNEL_TYPE = 50024  # "Cannot execute action on this channel type"
    INVALID_FORM_BODY = 50035
    ARCHIVED_THREAD = 50083  # "Tried to perform an operation on an archived thread"


class DiscordError(Exception):
    retryable = False

    def __init__(self, message: str, *, status: int = 0, code: int | None = None,
                 errors: Any = None, route: str = ""):
        super().__init__(message)
        self.status, self.code, self.errors, self.route = status, code, errors, route

    def __str__(self) -> str:
        code = f" code {self.code}" if self.code is not None else ""
        return f"{self.route}: HTTP {self.status}{code}: {self.args[0]}"

    @property
    def detail(self) -> str:
        """Field-level error codes flattened to text, e.g. 'parent_id:CHANNEL_PARENT_MAX_CHANNELS'."""
        return json.dumps(self.errors, sort_keys=True) if self.errors else ""


class DiscordRejected(DiscordError):
    """A 4xx answer: Discord understood the request and refused it. Retrying won't help."""


class DiscordUnavailable(DiscordError):
    """5xx answers, timeouts and edge blocks that outlasted our retries: try again later."""

    retryable = True


class OutcomeUnknown(DiscordUnavailable):
    """A create was sent but its reply never arrived: Discord may or may not have done it.

    Never re-send blindly; first look at what the server now has.
    """


class RateLimitedTooLong(DiscordUnavailable):
    """Waiting out a rate limit would run past the time this invocation has left."""


class RateLimitedLong(DiscordError):
    """Discord asks for a wait longer than any task should sit out or be retried through (some
    per-server limits, e.g. on creating roles, last hours). Not an outage: trying again before
    `retry_at` only meets the same limit, so the work stops and the user is told when it can go on.

    `retry_at`: Unix time (seconds) from which Discord should accept the request again.
    Discord documents 429s with `retry_after` in the thousands of seconds (developers/topics/
    rate-limits.mdx, "Exceeding A Rate Limit": a shared-scope example of 1336.57 s).
    `bot_wide`: the limit is the bot's global one (a 429 with `"global": true`, or the pause
    another worker instance shared, global_pause.py), not one on `route`."""

    def __init__(self, message: str, *, retry_at: float, route: str = "", status: int = 429,
                 bot_wide: bool = False):
        super().__init__(message, status=status, route=route)
        self.retry_at, self.bot_wide = retry_at, bot_wide


def from_response(status: int, body: bytes, route: str) -> DiscordError:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    message = str(data.get("message") or f"HTTP {status}")
    code = data.get("code") if isinstance(data.get("code"), int) else None
    kind = DiscordUnavailable if status >= 500 else DiscordRejected
    return kind(message, status=status, code=code, errors=data.get("errors"), route=route)
