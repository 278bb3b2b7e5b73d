"""Application commands: what a bot registers, globally or in one guild (DOCS/ac).

Only the bulk routes (`GET|PUT /applications/{app}/commands` and `.../guilds/{guild}/commands`)
are emulated. PUT replaces the whole list: commands matched by (name, type) keep their id; any
other is a create, counted against the 200 creates a day per scope (30034). Validation follows
DOCS/ac: names `^[-_'\\p{L}\\p{N}]{1,32}$` and lower case, descriptions 1-100 characters, at most
25 options (and choices) per level, required options first, unique names, at most 100 slash
commands. The answer, like Discord's, leaves out option flags that are false.
"""

from __future__ import annotations

import re
import time

from . import errors
from .errors import ApiError, form_error

NAME = re.compile(r"^[-_'\w]{1,32}$")  # Python's Unicode \w: letters, digits (and marks), "_"
CHAT_INPUT, USER, MESSAGE = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER, ATTACHMENT = 1, 2, 3, 4, 10, 11
MAX_OPTIONS = MAX_CHOICES = 25
MAX_CHAT_INPUT = 100
DAILY_CREATES = 200
_CREATE_KEYS = ("type", "name", "description", "options", "default_member_permissions", "contexts",
                "nsfw", "integration_types", "name_localizations", "description_localizations")


def _name(value, path: str) -> None:
    if not isinstance(value, str) or not value:
        raise errors.required(path)
    if not NAME.match(value) or value != value.lower():
        raise form_error(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")


def _description(value, path: str, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            raise errors.required(path)
        return
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise errors.bad_length(path, 1, 100)


def _options(options, path: str, depth: int) -> None:
    if options is None:
        return
    if not isinstance(options, list):
        raise form_error(path, "BASE_TYPE_LIST", "Only iterables may be used in a ListType")
    if len(options) > MAX_OPTIONS:
        raise errors.bad_length(path, 0, MAX_OPTIONS)
    seen, optional_seen = set(), False
    for i, option in enumerate(options):
        where = f"{path}.{i}"
        if not isinstance(option, dict):
            raise form_error(where, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        kind = option.get("type")
        if not isinstance(kind, int) or not 1 <= kind <= 11:
            raise form_error(f"{where}.type", "BASE_TYPE_CHOICES", "Value must be one of (1, ..., 11).")
        _name(option.get("name"), f"{where}.name")
        _description(option.get("description"), f"{where}.description")
        if option["name"] in seen:
            raise form_error(f"{where}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                             "Option names must be unique")
        seen.add(option["name"])
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if depth >= (1 if kind == SUB_COMMAND_GROUP else 2):
                raise form_error(f"{where}.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                                 "Sub-commands can't be nested this deep")
            _options(option.get("options"), f"{where}.options", depth + 1)
            continue
        if option.get("required"):
            if optional_seen:
                raise form_error(f"{where}.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                 "Required options must be placed before non-required options")
        else:
            optional_seen = True
        if option.get("autocomplete") and kind not in (STRING, INTEGER, NUMBER):
            raise form_error(f"{where}.autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                             "Autocomplete is only for string, integer and number options")
        if option.get("autocomplete") and option.get("choices"):
            raise form_error(f"{where}.autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                             "Autocomplete and choices are mutually exclusive")
        if len(option.get("choices") or []) > MAX_CHOICES:
            raise errors.bad_length(f"{where}.choices", 0, MAX_CHOICES)
        for field, low in (("min_length", 0), ("max_length", 1)):
            value = option.get(field)
            if value is not None and (not isinstance(value, int) or not low <= value <= 6000):
                raise form_error(f"{where}.{field}", "NUMBER_TYPE_MAX",
                                 f"int value should be between {low} and 6000.")


def validate(commands) -> None:
    if not isinstance(commands, list):
        raise form_error("", "BASE_TYPE_LIST", "Only iterables may be used in a ListType")
    seen = set()
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            raise form_error(str(i), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        kind = command.get("type", CHAT_INPUT)
        if kind not in (CHAT_INPUT, USER, MESSAGE):
            raise form_error(f"{i}.type", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4).")
        _name(command.get("name"), f"{i}.name")
        _description(command.get("description"), f"{i}.description", required=kind == CHAT_INPUT)
        if (command["name"], kind) in seen:
            raise form_error(f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                             f"Application command names must be unique: {command['name']}")
        seen.add((command["name"], kind))
        _options(command.get("options"), f"{i}.options", 0)
        permissions = command.get("default_member_permissions")
        if permissions is not None and not (isinstance(permissions, str) and permissions.isdigit()):
            raise form_error(f"{i}.default_member_permissions", "NUMBER_TYPE_COERCE",
                             f'Value "{permissions}" is not int.')
        contexts = command.get("contexts")
        if contexts is not None and (not isinstance(contexts, list)
                                     or any(c not in (0, 1, 2) for c in contexts)):
            raise form_error(f"{i}.contexts", "BASE_TYPE_CHOICES", "Value must be one of (0, 1, 2).")
    if sum(1 for name, kind in seen if kind == CHAT_INPUT) > MAX_CHAT_INPUT:
        raise ApiError(400, 30032, "Maximum number of application commands reached (100)")


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
            self.state.guild(guild_id)  # 404 10004 for a guild the bot is not in
        return guild_id

    def list(self, application_id: str, guild_id: str | None = None) -> list[dict]:
        return [dict(c) for c in self.by_scope.get(self._scope(application_id, guild_id), [])]

    def overwrite(self, application_id: str, guild_id: str | None, body) -> list[dict]:
        scope = self._scope(application_id, guild_id)
        validate(body)
        old = {(c["name"], c["type"]): c for c in self.by_scope.get(scope, [])}
        creates = sum(1 for c in body if (c["name"], c.get("type", CHAT_INPUT)) not in old)
        if self.creates.get(scope, 0) + creates > self.daily_creates:
            raise DailyCreatesExhausted(self.daily_creates)
        self.creates[scope] = self.creates.get(scope, 0) + creates
        result = []
        for command in body:
            kind = command.get("type", CHAT_INPUT)
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
