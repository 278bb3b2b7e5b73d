"""Slash-command definitions and how an invocation's options are read and validated.

The definitions are the JSON Discord registers (developers/interactions/application-commands.mdx),
so registration and validation share one source.
"""

from dataclasses import dataclass, field
from typing import Any

from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, EVERYONE, MANAGERS, Caller
from channelwright.commands import payload_fields as fields
from channelwright.discord import permissions
from channelwright.discord.types import ApplicationCommandOptionType as Option
from channelwright.discord.types import ApplicationCommandType
from channelwright.text import names
from channelwright.text.problems import Problem, Refusal

NAME_MAX_LENGTH = 90  # "<name> Players" must fit Discord's 100-character role names

STRING, USER, ATTACHMENT = Option.STRING, Option.USER, Option.ATTACHMENT
INTEGER = Option.INTEGER
BOOLEAN = Option.BOOLEAN
CHANNEL, ROLE = Option.CHANNEL, Option.ROLE
SUB_COMMAND, SUB_COMMAND_GROUP = Option.SUB_COMMAND, Option.SUB_COMMAND_GROUP
GUILD_CONTEXT, GUILD_INSTALL = 0, 0

# Whom each command (or "command subcommand") serves: the rule its handler enforces, in the worker
# where it needs the server's roles (authority.py). Registration follows it, so Discord shows a
# command to everyone it serves.
RULES = {
    # A new campaign needs a server manager; a failed one's GMs may resume it (rerun.py), so
    # Discord must show the command to them too. The worker refuses anyone else, privately.
    "add-campaign": CAMPAIGN_RUNNERS,
    "list-campaigns": EVERYONE,
    "campaign-info": EVERYONE,  # names of channels the caller can't see are left out
    "add-player": CAMPAIGN_RUNNERS,
    "remove-player": CAMPAIGN_RUNNERS,
    "assign-gm": CAMPAIGN_RUNNERS,
    "add-spectator": CAMPAIGN_RUNNERS,
    "remove-spectator": CAMPAIGN_RUNNERS,
    "delete-campaign": CAMPAIGN_RUNNERS,
    "campaign-template import": MANAGERS,
    "campaign-template list": EVERYONE,
    "campaign-template show": EVERYONE,
    "campaign-template remove": MANAGERS,
    # A layout names its GM-only channels: for those who run the campaign.
    "campaign-template export": CAMPAIGN_RUNNERS,
    "archive-campaign": CAMPAIGN_RUNNERS,
    "unarchive-campaign": CAMPAIGN_RUNNERS,
    # Existing channels become a campaign: their permissions change, as a server manager's would.
    "adopt-campaign": MANAGERS,
    # The roster, self-served (campaigns/roster.py): anyone asks to join or leaves; its GMs set
    # how it is joined; the lead GM (or a server manager: the worker checks) hands the lead on.
    "join-campaign": EVERYONE,
    "leave-campaign": EVERYONE,
    "campaign-settings": CAMPAIGN_RUNNERS,
    "transfer-campaign": CAMPAIGN_RUNNERS,
    "campaign-doctor": CAMPAIGN_RUNNERS,
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
    return {"name": name, "type": ApplicationCommandType.CHAT_INPUT, "description": description,
            "contexts": [GUILD_CONTEXT], "integration_types": [GUILD_INSTALL],
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
ADD_SPECTATOR = _command("add-spectator", "Give someone a campaign's Spectators role: they watch, "
                         "read-only, its spectators channels.",
                         [_campaign_option(), _option(USER, "user", "The new spectator")])
REMOVE_SPECTATOR = _command("remove-spectator", "Take a campaign's Spectators role from someone.",
                            [_campaign_option(), _option(USER, "user", "The spectator to remove")])
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
    _option(SUB_COMMAND, "export", "A campaign's channel layout as a template file",
            options=[_campaign_option("name")]),
])
# `mode` is a choice so that more ways of archiving fit beside "lock" (application-commands.mdx,
# "Application Command Option Choice Structure").
ARCHIVE_CAMPAIGN = _command(
    "archive-campaign", "Archive a campaign: lock it read-only, or collapse it into a transcript.",
    [_campaign_option("name"),
     _option(STRING, "mode", "How to archive it (default: lock)", required=False,
             choices=[{"name": "lock: keep everything, read-only for players", "value": "lock"},
                      {"name": "collapse: keep a transcript, delete the channels", "value": "collapse"}]),
     _option(BOOLEAN, "reveal-gm-channels", "Let players read the GM-only channels too "
             "(default: they stay private)", required=False)])
UNARCHIVE_CAMPAIGN = _command("unarchive-campaign", "Put an archived campaign back as it was.",
                              [_campaign_option("name")])

# `category` lists categories only (channel_types [4], GUILD_CATEGORY: developers/interactions/
# application-commands.mdx, "Application Command Option Structure"; developers/resources/channel.mdx,
# "Channel Types"); the roles are optional: a missing one is created.
ADOPT_CAMPAIGN = _command("adopt-campaign", "Make an existing category and its channels a campaign.", [
    _option(CHANNEL, "category", "The category to adopt; the campaign takes its name",
            channel_types=[4]),
    _option(ROLE, "gm-role", "The GM role it uses (default: I create one)", required=False),
    _option(ROLE, "players-role", "The players role it uses (default: I create one)", required=False)])

JOIN_CAMPAIGN = _command("join-campaign", "Join a campaign, or ask its GMs to let you in.",
                         [_campaign_option("name")])
LEAVE_CAMPAIGN = _command("leave-campaign", "Leave a campaign (its players, its waitlist or its GMs).",
                          [_campaign_option("name")])
MAX_SEATS = 100
# `seats`: min_value/max_value bound an INTEGER option (developers/interactions/
# application-commands.mdx, "Application Command Option Structure").
CAMPAIGN_SETTINGS = _command(
    "campaign-settings", "How a campaign is joined and how many players it seats.",
    [_campaign_option("name"),
     _option(STRING, "joining", "Who may join (default: unchanged)", required=False,
             choices=[{"name": "closed: its GMs add players", "value": "closed"},
                      {"name": "open: anyone may join", "value": "open"},
                      {"name": "approval: the GMs approve each request", "value": "approval"}]),
     _option(INTEGER, "seats", "How many players at most, 0 for no cap (default: unchanged)",
             required=False, min_value=0, max_value=MAX_SEATS)])
TRANSFER_CAMPAIGN = _command("transfer-campaign", "Make another member the campaign's lead GM.",
                             [_campaign_option("name"), _option(USER, "member", "The new lead GM")])

CAMPAIGN_DOCTOR = _command("campaign-doctor", "Find what differs from what a campaign should be, "
                           "and fix it.", [_campaign_option("name")])

DEFINITIONS = [ADD_CAMPAIGN, LIST_CAMPAIGNS, CAMPAIGN_INFO, ADD_PLAYER, REMOVE_PLAYER, ASSIGN_GM,
               ADD_SPECTATOR, REMOVE_SPECTATOR, DELETE_CAMPAIGN, CAMPAIGN_TEMPLATE, ARCHIVE_CAMPAIGN,
               UNARCHIVE_CAMPAIGN, ADOPT_CAMPAIGN, JOIN_CAMPAIGN, LEAVE_CAMPAIGN, CAMPAIGN_SETTINGS,
               TRANSFER_CAMPAIGN, CAMPAIGN_DOCTOR]
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
        """Raises MalformedInteraction (payload_fields) naming the first field that isn't shaped
        as Discord documents it (developers/interactions/receiving-and-responding.mdx)."""
        data = fields.mapping(payload.get("data"), "data")
        guild_id = fields.snowflake(payload.get("guild_id"), "guild_id", required=False)
        member = fields.mapping(payload.get("member"), "member")
        if guild_id and not member:
            raise fields.MalformedInteraction("member", "is missing from a server's interaction")
        user = fields.mapping(member.get("user") if member else payload.get("user"), "user")
        raw_options = fields.objects(data.get("options"), "data.options")
        subcommand = None
        if raw_options and raw_options[0].get("type") == SUB_COMMAND:
            subcommand = fields.text(raw_options[0].get("name"), "data.options[0].name")
            raw_options = fields.objects(raw_options[0].get("options"), "data.options[0].options")
        focused = [o for o in raw_options if o.get("focused") is True]
        resolved = fields.mapping(data.get("resolved"), "data.resolved")
        for kind in ("users", "attachments"):
            fields.mapping(resolved.get(kind), f"data.resolved.{kind}")
        return cls(
            interaction_id=fields.snowflake(payload.get("id"), "id"),
            token=fields.token(payload.get("token")),
            command=fields.text(data.get("name"), "data.name"),
            options=fields.options(raw_options, "data.options"),
            guild_id=guild_id,
            channel_id=fields.snowflake(payload.get("channel_id"), "channel_id", required=False),
            user_id=fields.snowflake(user.get("id"), "user.id"),
            user_name=(fields.text(user.get("global_name"), "user.global_name")
                       or fields.text(user.get("username"), "user.username") or "someone"),
            member_permissions=_permissions(member.get("permissions"), "member.permissions"),
            app_permissions=_permissions(payload.get("app_permissions"), "app_permissions"),
            subcommand=subcommand,
            focused=fields.text(focused[0].get("name"), "focused option") if focused else None,
            resolved=resolved,
            custom_id=fields.text(data.get("custom_id"), "data.custom_id"),
            member_roles=frozenset(fields.snowflakes(member.get("roles"), "member.roles")),
            installed_in=_guild_install_owner(payload.get("authorizing_integration_owners")),
        )

    @property
    def in_guild(self) -> str:
        """The guild id, for a handler of what only works inside a server (run_command and
        autocomplete answer elsewhere before any such handler runs); Refusal if there is none."""
        if not self.guild_id:
            raise Refusal(outside_guild(self.command))
        return self.guild_id

    @property
    def typed(self) -> str:
        """What the user has typed so far in the option being autocompleted; "" if none."""
        return str(self.options.get(self.focused) or "") if self.focused else ""

    @property
    def caller(self) -> Caller:
        return Caller(self.user_id, self.member_roles)

    @property
    def installed_here(self) -> bool:
        """Whether this server installed the bot (a user's own installation doesn't count)."""
        return bool(self.guild_id) and self.installed_in == str(self.guild_id)

    def resolved_user(self, option: str) -> dict | None:
        """The resolved user an option names, if it is a user object with an id."""
        user = self._resolved("users", option)
        user_id = user.get("id") if user else None
        return user if isinstance(user_id, str) and user_id.isascii() and user_id.isdigit() else None

    def resolved_attachment(self, option: str) -> dict | None:
        return self._resolved("attachments", option)

    def _resolved(self, kind: str, option: str) -> dict | None:
        item_id = self.options.get(option)
        item = (self.resolved.get(kind) or {}).get(str(item_id)) if item_id else None
        return item if isinstance(item, dict) else None


def outside_guild(command: str) -> Problem:
    """For a command run outside a server (in a DM)."""
    return Problem(f"{names.code('/' + command)} only works inside a server.",
                   "Campaigns are made of a server's roles and channels.",
                   "Run the command in the server where the campaign lives.")


def _permissions(value: Any, field: str) -> int:
    try:
        return permissions.parse(value)
    except ValueError:
        raise fields.MalformedInteraction(field, "is not a permission set") from None


def request_fields(invocation: Invocation, doing: str = "do that") -> dict:
    """The fields of a task's payload (tasks.payloads.Request) for deciding, in the worker,
    whether its caller may act (worker._authorize): the token to answer with, the caller's user
    and role ids, the command's rule, the words for a refusal ("You need ... to <doing>"), and the
    channel it was typed in (where the answer goes if the token can no longer edit it,
    outcome.py)."""
    return {"token": invocation.token, "caller": invocation.caller,
            "needs": rule(invocation.command, invocation.subcommand), "doing": doing,
            "channel_id": invocation.channel_id or ""}


def _guild_install_owner(owners: Any) -> str | None:
    """authorizing_integration_owners["0"] (GUILD_INSTALL): a guild id, or "0" for the bot's DM
    (developers/interactions/receiving-and-responding.mdx, Authorizing Integration Owners Object).
    Raises MalformedInteraction if the object or that value isn't shaped so."""
    owners = fields.mapping(owners, "authorizing_integration_owners")
    return fields.snowflake(owners.get(str(GUILD_INSTALL)), "authorizing_integration_owners.0",
                            required=False)


def campaign_name(raw: Any) -> str:
    """The normalised campaign name (names.py's rule). Refusal, with the Problem that explains
    why, if it can't be used."""
    name, refused = names.check(raw, NAME_MAX_LENGTH)
    if refused is names.Refusal.EMPTY:
        raise Refusal(Problem("That campaign name is empty.",
                              "A campaign needs a name to label its roles and category.",
                              "Run `/add-campaign` again with a name, e.g. `Curse of Strahd`."))
    if refused in (names.Refusal.CONTROL, names.Refusal.INVISIBLE):
        raise Refusal(Problem("That campaign name contains invisible or control characters.",
                              "Discord would show them as blanks or refuse them in role and "
                              "channel names.",
                              "Type the name again using letters, digits, punctuation or emoji."))
    if refused is names.Refusal.TOO_LONG:
        raise Refusal(Problem(f"That campaign name is {len(name)} characters long.",
                              f"Names can be at most {NAME_MAX_LENGTH} characters, so the role "
                              "names derived from it fit Discord's 100-character limit.",
                              "Run `/add-campaign` again with a shorter name."))
    return name


def campaign_key(name: str) -> str:
    """Two names that differ only in case, spacing or Unicode normal form are the same campaign."""
    return names.key(name)

