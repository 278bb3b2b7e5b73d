"""Slash-command definitions and how an invocation's options are read and validated.

The definitions are the JSON Discord registers (developers/interactions/application-commands.mdx),
so registration and validation share one source.
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import permissions
from .problems import Problem

NAME_MAX_LENGTH = 90  # "<name> Players" must fit Discord's 100-character role names

STRING, USER, ATTACHMENT, SUB_COMMAND, SUB_COMMAND_GROUP = 3, 6, 11, 1, 2
MANAGERS = str(permissions.MANAGE_CHANNELS)


def _option(kind: int, name: str, description: str, *, required: bool = True, **extra) -> dict:
    option = {"type": kind, "name": name, "description": description, **extra}
    # `required` is valid for every option type except subcommands and groups
    # (developers/interactions/application-commands.mdx, Application Command Option Structure).
    if kind not in (SUB_COMMAND, SUB_COMMAND_GROUP):
        option["required"] = required
    return option


def _campaign_option(name: str = "campaign") -> dict:
    return _option(STRING, name, "The campaign", autocomplete=True, max_length=NAME_MAX_LENGTH)


def _command(name: str, description: str, options: list | None = None, *,
             managers_only: bool = False) -> dict:
    # contexts [0]: guild only (developers/interactions/application-commands.mdx).
    return {"name": name, "type": 1, "description": description, "contexts": [0],
            "default_member_permissions": MANAGERS if managers_only else None,
            "options": options or []}


ADD_CAMPAIGN = _command(
    "add-campaign", "Build a campaign space: roles, a private category, text, voice and forum channels.",
    [_option(STRING, "name", "The campaign's name, e.g. Curse of Strahd", min_length=1,
             max_length=NAME_MAX_LENGTH),
     _option(STRING, "template", "The channel layout (default: the full campaign)", required=False,
             autocomplete=True)],
    managers_only=True)
LIST_CAMPAIGNS = _command("list-campaigns", "List this server's campaigns.")
CAMPAIGN_INFO = _command("campaign-info", "What a campaign has now, what is missing, who runs it.",
                         [_campaign_option("name")])
ADD_PLAYER = _command("add-player", "Give someone a campaign's Players role.",
                      [_campaign_option(), _option(USER, "user", "The new player")])
REMOVE_PLAYER = _command("remove-player", "Take a campaign's Players role from someone.",
                         [_campaign_option(), _option(USER, "user", "The player to remove")])
ASSIGN_GM = _command("assign-gm", "Give someone a campaign's GM role.",
                     [_campaign_option(), _option(USER, "user", "The new game master")])
DELETE_CAMPAIGN = _command("delete-campaign", "Delete a campaign's channels, category and roles.",
                           [_campaign_option("name")], managers_only=True)
CAMPAIGN_TEMPLATE = _command("campaign-template", "Manage this server's campaign templates.", [
    _option(SUB_COMMAND, "import", "Add or replace a template from a JSON or YAML file",
            options=[_option(ATTACHMENT, "file", "The template file (.json, .yaml or .yml)")]),
    _option(SUB_COMMAND, "list", "List the built-in and this server's templates"),
    _option(SUB_COMMAND, "show", "Show a template's channels",
            options=[_option(STRING, "name", "The template", autocomplete=True)]),
    _option(SUB_COMMAND, "remove", "Remove one of this server's templates",
            options=[_option(STRING, "name", "The template", autocomplete=True)]),
], managers_only=True)

DEFINITIONS = [ADD_CAMPAIGN, LIST_CAMPAIGNS, CAMPAIGN_INFO, ADD_PLAYER, REMOVE_PLAYER, ASSIGN_GM,
               DELETE_CAMPAIGN, CAMPAIGN_TEMPLATE]
BY_NAME = {definition["name"]: definition for definition in DEFINITIONS}


@dataclass(frozen=True)
class Invocation:
    """The parts of a command, autocomplete or component interaction the handlers use."""

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
    subcommand: str | None = None
    focused: str | None = None  # the option being typed, for autocomplete
    resolved: dict = field(default_factory=dict)
    custom_id: str = ""  # for button clicks

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Invocation":
        data = payload.get("data") or {}
        member = payload.get("member") or {}
        user = member.get("user") or payload.get("user") or {}
        options = [o for o in data.get("options") or [] if isinstance(o, dict)]
        subcommand = None
        if options and options[0].get("type") == SUB_COMMAND:
            subcommand = options[0].get("name")
            options = [o for o in options[0].get("options") or [] if isinstance(o, dict)]
        return cls(
            interaction_id=str(payload.get("id", "")),
            token=str(payload.get("token", "")),
            command=str(data.get("name", "")),
            options={o.get("name"): o.get("value") for o in options},
            guild_id=payload.get("guild_id"),
            channel_id=payload.get("channel_id"),
            user_id=str(user.get("id", "")),
            user_name=str(user.get("global_name") or user.get("username") or "someone"),
            member_permissions=permissions.parse(member.get("permissions")),
            app_permissions=permissions.parse(payload.get("app_permissions")),
            subcommand=subcommand,
            focused=next((o.get("name") for o in options if o.get("focused")), None),
            resolved=data.get("resolved") or {},
            custom_id=str(data.get("custom_id", "")),
        )

    def resolved_user(self, option: str) -> dict | None:
        user_id = self.options.get(option)
        return (self.resolved.get("users") or {}).get(str(user_id)) if user_id else None

    def resolved_attachment(self, option: str) -> dict | None:
        attachment_id = self.options.get(option)
        return (self.resolved.get("attachments") or {}).get(str(attachment_id)) if attachment_id else None


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


def main(argv: list[str] | None = None) -> int:
    """`python -m channelwright.commands register [--guild ID] [--dry-run]` (see registration.py)."""
    from .registration import main as registration_main

    return registration_main(argv, definitions=DEFINITIONS)


if __name__ == "__main__":
    import sys

    sys.exit(main())
