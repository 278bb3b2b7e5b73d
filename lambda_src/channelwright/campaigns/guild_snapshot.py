"""A server's roles and owner as the worker reads them, to compute permissions the way Discord does.

Interactions carry `member.permissions` and `app_permissions` for the channel the command was typed
in, overwrites included (developers/interactions/receiving-and-responding.mdx, Interaction
Object), so they say nothing about the server as a whole. Server-level permissions come from the
roles instead: GET /guilds/{guild.id} returns the guild object with its `roles` (each with its
`permissions`) and `owner_id` (developers/resources/guild.mdx, Get Guild), which is everything
compute_base_permissions needs besides the member's role ids. Never cached past one task: an
admin may change a role at any moment.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from channelwright.discord import permissions as p


@dataclass(frozen=True)
class GuildSnapshot:
    guild_id: str
    owner_id: str
    role_permissions: dict[str, int]  # role id -> its permissions; @everyone's id is the guild id
    name: str = ""  # the server's name, as its members read it (guild.mdx "Guild Object")

    @classmethod
    def fetch(cls, api, guild_id: str) -> "GuildSnapshot":
        """One Get Guild (DiscordApi.get_guild); raises DiscordRejected (e.g. 403 50001 when I
        was removed)."""
        guild = api.get_guild(guild_id)
        return cls.from_guild(guild_id, guild)

    @classmethod
    def from_guild(cls, guild_id: str, guild: dict) -> "GuildSnapshot":
        roles = {str(r["id"]): p.parse(r.get("permissions")) for r in guild.get("roles") or []}
        return cls(str(guild_id), str(guild.get("owner_id") or ""), roles, str(guild.get("name") or ""))

    @property
    def role_count(self) -> int:
        return len(self.role_permissions)

    @property
    def everyone(self) -> int:
        return self.role_permissions.get(self.guild_id, 0)

    def base_permissions(self, user_id: str, role_ids: Iterable[str]) -> int:
        """Server-level permissions of a member holding `role_ids` (unknown ids are ignored:
        a role deleted since the payload was sent grants nothing)."""
        held = (self.role_permissions[r] for r in set(map(str, role_ids)) if r in self.role_permissions)
        return p.base_permissions(self.everyone, held, is_owner=str(user_id) == self.owner_id)

    def permissions_in(self, channel: dict, user_id: str, role_ids: Iterable[str]) -> int:
        """A member's permissions in `channel` (a wire channel object with its overwrites)."""
        role_ids = list(map(str, role_ids))
        return p.in_channel(self.base_permissions(user_id, role_ids),
                            channel.get("permission_overwrites") or [], guild_id=self.guild_id,
                            role_ids=role_ids, user_id=str(user_id))
