"""Reading an interaction payload's fields without trusting their shape.

The payload is signed by Discord, but a signature says who sent it, not that every field has the
documented type (developers/interactions/receiving-and-responding.mdx, "Interaction Object"). Every
reader here returns the documented type or raises MalformedInteraction naming the field, which
the endpoint turns into a plain ephemeral answer instead of a 500.
"""

from __future__ import annotations

import re
from typing import Any, Literal, overload

# Snowflakes are 64-bit ids sent as decimal strings (developers/reference.mdx, "Snowflakes").
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
# Interaction tokens go into webhook paths (/webhooks/{application}/{token}/...): nothing that
# could change the path ("/", "?", "%", "..") may pass. Discord's are URL-safe base64 text.
_TOKEN = re.compile(r"[A-Za-z0-9_.-]{1,1000}")
MAX_OPTION_TEXT = 6000  # a STRING option's max_length can be at most 6000 (application-commands.mdx)
MAX_NAME = 100  # command, option and custom_id names are shorter than this


class MalformedInteraction(ValueError):
    def __init__(self, field: str, why: str):
        super().__init__(f"{field}: {why}")
        self.field, self.why = field, why


@overload
def snowflake(value: Any, field: str, *, required: Literal[True] = True) -> str: ...
@overload
def snowflake(value: Any, field: str, *, required: bool) -> str | None: ...
def snowflake(value: Any, field: str, *, required: bool = True) -> str | None:
    """The id as Discord sent it; None only when it is absent and not `required`."""
    if value is None and not required:
        return None
    if isinstance(value, str) and _SNOWFLAKE.fullmatch(value) and int(value) < 1 << 64:
        return value
    raise MalformedInteraction(field, "is not a Discord id" if value is not None else "is missing")


def snowflakes(value: Any, field: str) -> list[str]:
    """A list of ids (e.g. member.roles, "array of snowflakes" in developers/resources/guild.mdx,
    Guild Member Object); absent (None) reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedInteraction(field, "is not a list of Discord ids")
    return [snowflake(item, f"{field}[{index}]") for index, item in enumerate(value)]


def token(value: Any, field: str = "token") -> str:
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    raise MalformedInteraction(field, "is not an interaction token")


def mapping(value: Any, field: str) -> dict:
    """An object; absent (None) reads as empty."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise MalformedInteraction(field, "is not an object")


def text(value: Any, field: str, *, max_length: int = MAX_NAME) -> str:
    """A string; absent (None) reads as empty."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) <= max_length:
        return value
    raise MalformedInteraction(field, "is not text" if not isinstance(value, str) else "is too long")


def objects(value: Any, field: str) -> list[dict]:
    """A list of objects; absent (None) reads as empty."""
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    raise MalformedInteraction(field, "is not a list of objects")


def option_value(value: Any, field: str) -> str | int | float | bool | None:
    """An option's value: text, a number or a boolean (ids of users and files come as text)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str) and len(value) <= MAX_OPTION_TEXT:
        return value
    raise MalformedInteraction(field, "is not a text, number or boolean value")


def options(value: Any, field: str) -> dict[str, Any]:
    """{name: value} of a list of options (one level: no subcommands)."""
    found = {}
    for index, option in enumerate(objects(value, field)):
        name = text(option.get("name"), f"{field}[{index}].name")
        found[name] = option_value(option.get("value"), f"{field}[{index}].value")
    return found
