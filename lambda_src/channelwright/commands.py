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
GUILD_CONTEXT, GUILD_INSTALL = 0, 0
# Whom a command serves; authority.py decides who is which, in the worker where it needs Discord.
EVERYONE, CAMPAIGN_RUNNERS, MANAGERS = "everyone", "campaign GMs and server managers", "server managers"

# Whom each command (or "command subcommand") serves: the rule its handler enforces, in the worker
# where it needs the server's roles (authority.py). Registration follows it, so Discord shows a
# command to everyone it serves.
RULES = {
    "add-campaign": MANAGERS,
    "list-campaigns": EVERYONE,
    "campaign-info": EVERYONE,  # names of channels the caller can't see are left out
    "add-player": CAMPAIGN_RUNNERS,
    "remove-player": CAMPAIGN_RUNNERS,
    "assign-gm": CAMPAIGN_RUNNERS,
    "delete-campaign": CAMPAIGN_RUNNERS,
    "campaign-template import": MANAGERS,
    "campaign-template list": EVERYONE,
    "campaign-template show": EVERYONE,
    "campaign-template remove": MANAGERS,
}


def rule(command: str, subcommand: str | None = None) -> str:
    """Whom `/command [subcommand]` serves (MANAGERS for anything unknown: the strictest)."""
    return RULES.get(f"{command} {subcommand}" if subcommand else command, MANAGERS)


def default_member_permissions(command: str) -> str | None:
    """Manage Channels only when every part of the command is for server managers; else None, so
    Discord shows it to all (developers/interactions/application-commands.mdx, "Using Default
    Permissions": "the permissions a user must have to use it"; Administrators see every command).
    Visibility is a convenience, not the check: the handler still decides from server-level
    permissions, since Discord's test may count a permission granted in one channel only."""
    rules = [r for key, r in RULES.items() if key.split(" ")[0] == command]
    return str(permissions.MANAGE_CHANNELS) if rules and set(rules) == {MANAGERS} else None


def _option(kind: int, name: str, description: str, *, required: bool = True, **extra) -> dict:
    option = {"type": kind, "name": name, "description": description, **extra}
    # `required` is valid for every option type except subcommands and groups
    # (developers/interactions/application-commands.mdx, Application Command Option Structure).
    if kind not in (SUB_COMMAND, SUB_COMMAND_GROUP):
        option["required"] = required
    return option


def _campaign_option(name: str = "campaign") -> dict:
    return _option(STRING, name, "The campaign", autocomplete=True, max_length=NAME_MAX_LENGTH)


def _command(name: str, description: str, options: list | None = None) -> dict:
    # contexts [0] (GUILD) and integration_types [0] (GUILD_INSTALL): usable only inside servers
    # that installed the bot, never from a user's own installation
    # (developers/interactions/application-commands.mdx, Contexts).
    return {"name": name, "type": 1, "description": description, "contexts": [GUILD_CONTEXT],
            "integration_types": [GUILD_INSTALL],
            "default_member_permissions": default_member_permissions(name),
            "options": options or []}


ADD_CAMPAIGN = _command(
    "add-campaign", "Build a campaign space: roles, a private category, text, voice and forum channels.",
    [_option(STRING, "name", "The campaign's name, e.g. Curse of Strahd", min_length=1,
             max_length=NAME_MAX_LENGTH),
     _option(STRING, "template", "The channel layout (default: the full campaign)", required=False,
             autocomplete=True)])
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
                           [_campaign_option("name")])
CAMPAIGN_TEMPLATE = _command("campaign-template", "Manage this server's campaign templates.", [
    _option(SUB_COMMAND, "import", "Add or replace a template from a JSON or YAML file",
            options=[_option(ATTACHMENT, "file", "The template file (.json, .yaml or .yml)")]),
    _option(SUB_COMMAND, "list", "List the built-in and this server's templates"),
    _option(SUB_COMMAND, "show", "Show a template's channels",
            options=[_option(STRING, "name", "The template", autocomplete=True)]),
    _option(SUB_COMMAND, "remove", "Remove one of this server's templates",
            options=[_option(STRING, "name", "The template", autocomplete=True)]),
])

DEFINITIONS = [ADD_CAMPAIGN, LIST_CAMPAIGNS, CAMPAIGN_INFO, ADD_PLAYER, REMOVE_PLAYER, ASSIGN_GM,
               DELETE_CAMPAIGN, CAMPAIGN_TEMPLATE]
BY_NAME = {definition["name"]: definition for definition in DEFINITIONS}


@dataclass(frozen=True)
class Caller:
    """Who ran a command: their user id and server-wide role ids, as the interaction said."""

    user_id: str
    role_ids: frozenset[str] = frozenset()

    def to_args(self) -> dict:
        """For a task's args (JSON): {"id": user id, "roles": [role ids]}."""
        return {"id": self.user_id, "roles": sorted(self.role_ids)}

    @classmethod
    def from_args(cls, data: dict | None) -> "Caller":
        data = data if isinstance(data, dict) else {}
        roles = data.get("roles") if isinstance(data.get("roles"), list) else []
        return cls(str(data.get("id") or ""), frozenset(str(r) for r in roles))


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
    member_permissions: int  # in the invoking channel only: never a basis for a decision
    app_permissions: int     # likewise
    subcommand: str | None = None
    focused: str | None = None  # the option being typed, for autocomplete
    resolved: dict = field(default_factory=dict)
    custom_id: str = ""  # for button clicks
    member_roles: frozenset[str] = frozenset()  # server-wide and current
    # authorizing_integration_owners["0"]: the guild id when the server installed the bot
    # (developers/interactions/receiving-and-responding.mdx, Authorizing Integration Owners Object)
    installed_in: str | None = None

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
            member_roles=frozenset(str(r) for r in member.get("roles") or [] if isinstance(r, (str, int))),
            installed_in=_guild_install_owner(payload.get("authorizing_integration_owners")),
        )

    @property
    def caller(self) -> Caller:
        return Caller(self.user_id, self.member_roles)

    @property
    def installed_here(self) -> bool:
        """Whether this server installed the bot (a user's own installation doesn't count)."""
        return bool(self.guild_id) and self.installed_in == str(self.guild_id)

    def resolved_user(self, option: str) -> dict | None:
        user_id = self.options.get(option)
        return (self.resolved.get("users") or {}).get(str(user_id)) if user_id else None

    def resolved_attachment(self, option: str) -> dict | None:
        attachment_id = self.options.get(option)
        return (self.resolved.get("attachments") or {}).get(str(attachment_id)) if attachment_id else None


def caller_args(invocation: Invocation, doing: str = "do that") -> dict:
    """A task's args for deciding, in the worker, whether its caller may act (worker._authorize):
    the token to answer with, the caller's user and role ids, the command's rule, the words
    for a refusal ("You need ... to <doing>"), and the channel it was typed in (where the answer
    goes if the token can no longer edit it, outcome.py)."""
    return {"token": invocation.token, "caller": invocation.caller.to_args(),
            "needs": rule(invocation.command, invocation.subcommand), "doing": doing,
            "channel_id": invocation.channel_id or ""}


def _guild_install_owner(owners: Any) -> str | None:
    value = owners.get(str(GUILD_INSTALL)) if isinstance(owners, dict) else None
    return str(value) if isinstance(value, (str, int)) else None


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
