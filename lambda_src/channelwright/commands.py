"""Slash-command definitions and how an invocation's options are read and validated.

The definitions are the JSON Discord registers (developers/interactions/application-commands.mdx),
so registration and validation share one source.
"""

import unicodedata
from dataclasses import dataclass
from typing import Any

from . import permissions
from .problems import Problem

NAME_MAX_LENGTH = 90  # "<name> Players" must fit Discord's 100-character role names

ADD_CAMPAIGN = {
    "name": "add-campaign",
    "type": 1,
    "description": "Build a campaign space: roles, a private category, text, voice and forum channels.",
    "default_member_permissions": str(permissions.MANAGE_CHANNELS),
    "contexts": [0],
    "options": [
        {"type": 3, "name": "name", "description": "The campaign's name, e.g. Curse of Strahd",
         "required": True, "min_length": 1, "max_length": NAME_MAX_LENGTH},
    ],
}

DEFINITIONS = [ADD_CAMPAIGN]


@dataclass(frozen=True)
class Invocation:
    """The parts of an APPLICATION_COMMAND interaction the handlers use."""

    interaction_id: str
    token: str
    command: str
    options: dict[str, Any]
    guild_id: str | None
    channel_id: str | None
    user_id: str
    user_name: str
    member_permissions: int
    app_permissions: int

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Invocation":
        data = payload.get("data") or {}
        member = payload.get("member") or {}
        user = member.get("user") or payload.get("user") or {}
        return cls(
            interaction_id=str(payload.get("id", "")),
            token=str(payload.get("token", "")),
            command=str(data.get("name", "")),
            options={o.get("name"): o.get("value") for o in data.get("options") or []
                     if isinstance(o, dict)},
            guild_id=payload.get("guild_id"),
            channel_id=payload.get("channel_id"),
            user_id=str(user.get("id", "")),
            user_name=str(user.get("global_name") or user.get("username") or "someone"),
            member_permissions=permissions.parse(member.get("permissions")),
            app_permissions=permissions.parse(payload.get("app_permissions")),
        )


def campaign_name(raw: Any) -> tuple[str, Problem | None]:
    """The trimmed campaign name, or the Problem that explains why it can't be used."""
    name = " ".join(str(raw or "").split()) if isinstance(raw, str) else ""
    if not name:
        return "", Problem("That campaign name is empty.",
                           "A campaign needs a name to label its roles and category.",
                           "Run `/add-campaign` again with a name, e.g. `Curse of Strahd`.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        return "", Problem("That campaign name contains invisible or control characters.",
                           "Discord would show them as blanks or refuse them in role and channel names.",
                           "Type the name again using ordinary letters, digits and punctuation.")
    if len(name) > NAME_MAX_LENGTH:
        return "", Problem(f"That campaign name is {len(name)} characters long.",
                           f"Names can be at most {NAME_MAX_LENGTH} characters, so the role names "
                           "derived from it fit Discord's 100-character limit.",
                           "Run `/add-campaign` again with a shorter name.")
    return name, None


def campaign_key(name: str) -> str:
    """Two names that differ only in case or spacing are the same campaign."""
    return " ".join(name.split()).casefold()
