"""Who may do what with a campaign, decided from server-level permissions and current roles.

- A campaign's GMs are the members who hold its GM role *now*. An interaction's `member.roles` is
  the member's server-wide, current role list (developers/resources/guild.mdx, Guild Member
  Object), so that part is known on the request path without asking Discord.
- Server managers hold Manage Channels at server level: through their roles, with Administrator,
  or as the owner (developers/topics/permissions.mdx, compute_base_permissions). Knowing that
  needs the server's roles, so it is decided in the worker (GuildSnapshot).
- Nothing here reads `member.permissions` or `app_permissions`: both describe only the channel the
  command was typed in, with its overwrites (developers/interactions/receiving-and-responding.mdx,
  Interaction Object). A Manage Channels overwrite on one voice channel makes no one a manager.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from channelwright.campaigns.guild_snapshot import GuildSnapshot
from channelwright.campaigns.plan import GM_ROLE_KEY, PLAYERS_ROLE_KEY, Step
from channelwright.discord import permissions as p
from channelwright.text.names import md
from channelwright.text.problems import Problem

# Whom a command serves (commands.definitions.RULES gives each command one).
EVERYONE, CAMPAIGN_RUNNERS, MANAGERS = "everyone", "campaign GMs and server managers", "server managers"


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
        roles = data.get("roles")
        roles = roles if isinstance(roles, list) else []
        return cls(str(data.get("id") or ""), frozenset(str(r) for r in roles))


def campaign_role(campaign, key: str) -> str | None:
    """The id of the campaign's Players (PLAYERS_ROLE_KEY) or GM (GM_ROLE_KEY) role, if it has one."""
    return (campaign.resources.get(key) or {}).get("id")


def holds(campaign, role_ids: Iterable[str], key: str = GM_ROLE_KEY) -> bool:
    role = campaign_role(campaign, key)
    return role is not None and role in set(role_ids)


def refusal(needs: str, *, campaign_name: str = "", doing: str = "do that") -> Problem:
    """What a caller who doesn't meet `needs` is told, e.g. doing="delete it"."""
    if needs == CAMPAIGN_RUNNERS:
        return Problem(f"Only the GMs of “{md(campaign_name)}” or server managers can {doing}.",
                       "Its GMs are the members who hold its GM role now; server managers have "
                       "Manage Channels through their roles or own the server. A permission "
                       "granted in a single channel doesn't count.",
                       "Ask one of the campaign's GMs, or someone with Manage Channels.")
    return Problem(f"You need the Manage Channels permission to {doing}.",
                   "It has to come from one of your roles in this server (or owning it): a "
                   "permission granted in a single channel doesn't count.",
                   "Ask a server admin to do it, or to give one of your roles Manage Channels.")


class Standing:
    """One caller's standing in one server. Reads the server (Get Guild, through `api`, a
    DiscordApi) at most once, and only when role membership alone can't decide."""

    def __init__(self, api, guild_id: str, caller: Caller, guild: GuildSnapshot | None = None):
        self._api, self.guild_id, self.caller = api, str(guild_id), caller
        self._guild = guild

    @property
    def guild(self) -> GuildSnapshot:
        if self._guild is None:
            self._guild = GuildSnapshot.fetch(self._api, self.guild_id)
        return self._guild

    def permissions(self) -> int:
        """The caller's server-level permissions."""
        return self.guild.base_permissions(self.caller.user_id, self.caller.role_ids)

    def is_manager(self) -> bool:
        return bool(self.permissions() & p.MANAGE_CHANNELS)

    def allows(self, needs: str, campaign=None) -> bool:
        if needs == EVERYONE:
            return True
        if needs == CAMPAIGN_RUNNERS and campaign is not None and holds(campaign, self.caller.role_ids):
            return True
        return self.is_manager()

    def sees(self, channel: dict) -> bool:
        """Whether the caller may learn this channel's name: they can view it, or manage the server."""
        if self.is_manager():
            return True
        in_channel = self.guild.permissions_in(channel, self.caller.user_id, self.caller.role_ids)
        return bool(in_channel & p.VIEW_CHANNEL)

    def sees_planned(self, campaign, step: Step) -> bool:
        """For a campaign channel that no longer exists: would its overwrites have shown it?"""
        if holds(campaign, self.caller.role_ids, GM_ROLE_KEY):
            return True
        if not step.gm_only and holds(campaign, self.caller.role_ids, PLAYERS_ROLE_KEY):
            return True
        return self.is_manager()
