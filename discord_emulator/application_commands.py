"""Application commands: what a bot registers, globally or in one guild (DOCS/ac).

Only the bulk routes (`GET|PUT /applications/{app}/commands` and `.../guilds/{guild}/commands`)
are emulated. PUT replaces the whole list: commands matched by (name, type) keep their id; any
other is a create, counted against the 200 creates a day per scope (30034), and a scope holds
at most 100 slash commands (30032). The body's form (names, descriptions, options, choices,
sizes) is checked before the route runs, by `validation.application_commands`. The answer,
like Discord's, leaves out option flags that are false.
"""

from __future__ import annotations

import time

from . import errors
from .errors import ApiError

CHAT_INPUT, USER, MESSAGE = 1, 2, 3
# DOCS/ac "Registering a Command": "100 global CHAT_INPUT commands, 15 global USER commands,
# 15 global MESSAGE commands", and as many per guild.
MAX_PER_TYPE = {CHAT_INPUT: 100, USER: 15, MESSAGE: 15}
DAILY_CREATES = 200
_CREATE_KEYS = ("type", "name", "description", "options", "default_member_permissions", "contexts",
                "nsfw", "integration_types", "name_localizations", "description_localizations")


def check_count(commands: list) -> None:
    """400 30032 when a scope would hold more commands of one type than Discord allows."""
    for kind, most in MAX_PER_TYPE.items():
        if sum(1 for c in commands if (c.get("type") or CHAT_INPUT) == kind) > most:
            raise ApiError(400, 30032, f"Maximum number of application commands reached ({most})")


def _option_json(option: dict) -> dict:
    data = {k: v for k, v in option.items() if v not in (None, False)}
    if data.get("options"):
        data["options"] = [_option_json(o) for o in data["options"]]
    else:
        data.pop("options", None)
    return data


class DailyCreatesExhausted(ApiError):
    """429 30034: unlike a bucket's 429 its wait lasts until the day's budget resets."""

    def __init__(self, limit: int):
        super().__init__(429, 30034, f"Max number of daily application command creates has been reached ({limit})")
        now = time.time()
        self.retry_after = round(86400 - now % 86400, 3)

    def body(self) -> dict:
        return {**super().body(), "retry_after": self.retry_after, "global": False}


class ApplicationCommands:
    def __init__(self, state, application_id: str):
        self.state = state
        self.application_id = application_id
        self.by_scope: dict[str | None, list[dict]] = {}  # None: global; else the guild id
        self.creates: dict[str | None, int] = {}
        self.daily_creates = DAILY_CREATES

    def _scope(self, application_id: str, guild_id: str | None) -> str | None:
        if application_id != self.application_id:
            raise ApiError(404, 10002, "Unknown Application")
        if guild_id is not None:
            guild = self.state.guild(guild_id)  # 404 10004 for a guild that does not exist
            if not self.state.has_bot(guild):
                # The app is not installed there (no applications.commands grant in that guild):
                # 403 50001, as bots syncing to such guilds report (discordjs/discord.js#7504).
                raise errors.missing_access()
        return guild_id

    def list(self, application_id: str, guild_id: str | None = None) -> list[dict]:
        return [dict(c) for c in self.by_scope.get(self._scope(application_id, guild_id), [])]

    def overwrite(self, application_id: str, guild_id: str | None, body) -> list[dict]:
        scope = self._scope(application_id, guild_id)
        # The body's form was checked before this runs (validation.application_commands).
        check_count(body)
        old = {(c["name"], c["type"]): c for c in self.by_scope.get(scope, [])}
        # DOCS/ac "Application Command Object": type "Defaults to 1"; the spec lets it be null.
        creates = sum(1 for c in body if (c["name"], c.get("type") or CHAT_INPUT) not in old)
        if self.creates.get(scope, 0) + creates > self.daily_creates:
            raise DailyCreatesExhausted(self.daily_creates)
        self.creates[scope] = self.creates.get(scope, 0) + creates
        result = []
        for command in body:
            kind = command.get("type") or CHAT_INPUT
            sent = {k: command[k] for k in _CREATE_KEYS if k in command}
            sent["type"] = kind
            data = {
                "id": None, "application_id": self.application_id, "version": None,
                "default_member_permissions": None, "type": kind, "name": command["name"],
                "description": command.get("description") or "", "nsfw": False,
                "contexts": None, "integration_types": [0],
                **{k: v for k, v in sent.items() if k != "options"},
            }
            if command.get("options"):
                data["options"] = [_option_json(o) for o in command["options"]]
            if scope is None:
                data["dm_permission"] = data["contexts"] is None or 1 in data["contexts"]
            else:
                data["guild_id"] = scope
            previous = old.get((command["name"], kind))
            unchanged = previous is not None and {k: v for k, v in previous.items()
                                                  if k not in ("id", "version")} == \
                {k: v for k, v in data.items() if k not in ("id", "version")}
            data["id"] = previous["id"] if previous else self.state.ids.next()
            data["version"] = previous["version"] if unchanged else self.state.ids.next()
            result.append(data)
        self.by_scope[scope] = result
        return [dict(c) for c in result]
