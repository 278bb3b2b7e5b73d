"""/adopt-campaign, reading the server: what an existing category and its channels would become.

`read()` reads the server once (Get Guild for the roles and their positions, Get Guild Channels,
my member object) and the server's campaign records, and either refuses in plain words (Refusal,
nothing changed) or returns an Adoption: what the preview shows and what Confirm carries out.

The GM-only rule (developers/topics/permissions.mdx, "Permission Overwrites": a channel's own
overwrites decide who views it). A channel of the category is taken as GM-only when its own
overwrites
- deny @everyone (the role whose id is the server's) View Channel, and
- do not allow the Players role given (if one is) View Channel, and
- hide it from someone who sees the category: the category doesn't deny @everyone View Channel, or
  the channel allows View Channel to a set of roles and members that lacks one the category allows.
So a channel synced with a private category (same overwrites) is a players' channel, and a
"gm-notes" hidden from @everyone in a public category, or open to the GM role only inside a
private one, is GM-only.

Refusals: the category or a channel in it, or a role given, already belongs to a campaign; a
campaign of the category's name exists; a role given is @everyone, managed by an integration, or
not below my highest role (developers/topics/permissions.mdx, "Permission Hierarchy": "A bot can
grant roles to other users that are of a lower position than its own highest role"); my
server-level permissions can't keep the campaign private (access.PRIVACY_NEEDS); or the server has
no room for the roles to create (capacity.shortfall: adopting creates no channel).

A campaign record of `run` (the Confirm that is carrying the adoption out, on a retry) or a failed
or stalled adoption of this same category (which a new Confirm takes over) counts as no other owner.
"""

import hashlib
from dataclasses import dataclass, field

from channelwright.campaigns import capacity, liveness
from channelwright.campaigns.access import PRIVACY_NEEDS
from channelwright.campaigns.channel_presence import may_miss_hidden
from channelwright.campaigns.guild_snapshot import GuildSnapshot
from channelwright.campaigns.plan import GM_ROLE_KEY, PLAYERS_ROLE_KEY, gm_role_name, players_role_name
from channelwright.campaigns.store import FAILED, Campaign
from channelwright.discord import permissions as p
from channelwright.discord.types import ChannelType
from channelwright.text import names
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal

ADOPTED = "adopted"  # Campaign.origin of an adopted campaign
# Role names are "<name> Players" and "<name> GM", within Discord's 100 characters.
NAME_MAX_LENGTH = 100 - len(players_role_name(""))
AGAIN = "then run `/adopt-campaign` again"


@dataclass(frozen=True)
class Adoption:
    """A category as it is now, and what adopting it takes.

    `category`, `channels`: wire channel objects (its children sorted as the sidebar shows them);
    `gm_only`: ids of the channels taken as GM-only; `roles`: step key -> the existing role given
    for it (wire role object), None where one is to be created; `bot_permissions`: mine,
    server-level; `counts`: the server's, as read now."""

    guild_id: str
    name: str
    category: dict
    channels: list[dict]
    gm_only: frozenset[str]
    roles: dict[str, dict | None]
    bot_permissions: int
    counts: capacity.Counts
    # Step key -> a role an earlier try of this adoption created (a failed or stalled one taken
    # over, or this Confirm's own on a retry): used, not created again.
    earlier: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return names.key(self.name)

    def role_name(self, key: str) -> str:
        given = self.roles[key] or self.earlier.get(key)
        if given is not None:
            return given.get("name") or "?"
        return players_role_name(self.name) if key == PLAYERS_ROLE_KEY else gm_role_name(self.name)

    @property
    def not_given(self) -> list[str]:
        """The roles that are the campaign's own: created for it, now or by an earlier try."""
        return [key for key, role in self.roles.items() if role is None]

    @property
    def to_create(self) -> list[str]:
        return [key for key in self.not_given if key not in self.earlier]

    def fingerprint(self) -> str:
        """12 hex digits naming the category's name, its channels, which are GM-only, and the
        roles given: Confirm goes ahead only if the server still reads the same."""
        parts = [self.category["id"], self.name, *(r["id"] if r else "" for r in self.roles.values())]
        parts += [f"{c['id']}:{int(c['id'] in self.gm_only)}" for c in self.channels]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def read(api, store, guild_id: str, category_id: str, role_ids: dict[str, str], *,
         bot_user_id: str, now_ms: int, run: str = "") -> Adoption:
    """The Adoption of `category_id`, with the roles `role_ids` gives (step key -> role id, ""
    for one to create); Refusal saying why not. `run`: the Confirm carrying it out, if any."""
    guild = api.get_guild(guild_id)
    listing = api.guild_channels(guild_id)
    category = next((c for c in listing if str(c["id"]) == str(category_id)), None)
    if category is None or category.get("type") != ChannelType.GUILD_CATEGORY:
        raise Refusal(Problem("I can't find that category.",
                              "It was deleted, isn't a category, or is hidden from me (I only see "
                              "channels my role may view).", f"Pick a category I can see, {AGAIN}."))
    name = _name(category)
    campaigns = store.campaigns(guild_id)
    others = [c for c in campaigns if not _same_adoption(c, run, category_id, now_ms)]
    earlier = [c for c in campaigns if c not in others]
    _refuse_owned(others, name, category, listing, role_ids)
    snapshot = GuildSnapshot.from_guild(guild_id, guild)
    me = api.get_member(guild_id, bot_user_id)
    bot_permissions = snapshot.base_permissions(bot_user_id, me.get("roles") or [])
    _refuse_without_privacy(bot_permissions)
    roles = _given_roles(guild, role_ids, me.get("roles") or [])
    children = sorted((c for c in listing if str(c.get("parent_id")) == str(category_id)),
                      key=lambda c: (c.get("position", 0), int(c["id"])))
    counts = capacity.Counts.read(listing, len(guild.get("roles") or []), now_ms)
    adoption = Adoption(str(guild_id), name, category, children,
                        frozenset(c["id"] for c in children if gm_only(c, category, str(guild_id),
                                                                       role_ids.get(PLAYERS_ROLE_KEY))),
                        roles, bot_permissions, counts, _made_earlier(earlier, guild, roles))
    problem = capacity.shortfall(counts, channels=0, roles=len(adoption.to_create),
                                 may_miss_hidden=may_miss_hidden(bot_permissions), command="/adopt-campaign")
    if problem:
        raise Refusal(problem)
    return adoption


def _made_earlier(earlier: list[Campaign], guild: dict, roles: dict[str, dict | None]) -> dict[str, dict]:
    """The roles not given now that an earlier try of this adoption created and that still exist."""
    exists = {str(r["id"]): r for r in guild.get("roles") or []}
    made: dict[str, dict] = {}
    for campaign in earlier:
        for key, role in roles.items():
            recorded = campaign.resources.get(key) or {}
            if role is None and not recorded.get("given") and str(recorded.get("id")) in exists:
                made[key] = exists[str(recorded["id"])]
    return made


def gm_only(channel: dict, category: dict, guild_id: str, players_role: str | None) -> bool:
    """The module's GM-only rule, for one channel of the category."""
    own = channel.get("permission_overwrites") or []
    if not _denies_view(own, guild_id) or (players_role and players_role in _viewers(own)):
        return False
    parent = category.get("permission_overwrites") or []
    return not _denies_view(parent, guild_id) or not _viewers(parent) <= _viewers(own)


def _denies_view(overwrites: list[dict], target: str) -> bool:
    return any(str(o["id"]) == target and p.parse(o.get("deny")) & p.VIEW_CHANNEL for o in overwrites)


def _viewers(overwrites: list[dict]) -> set[str]:
    """Ids of the roles and members an overwrite allows View Channel."""
    return {str(o["id"]) for o in overwrites if p.parse(o.get("allow")) & p.VIEW_CHANNEL}


def _same_adoption(campaign: Campaign, run: str, category_id: str, now_ms: int) -> bool:
    """This Confirm's own record (a retry), or a failed or stalled adoption of this category,
    which a new Confirm takes over (adopt.py)."""
    if run and campaign.interaction_id == run:
        return True
    return (campaign.origin == ADOPTED
            and (campaign.status == FAILED or liveness.stalled(campaign, now_ms))
            and campaign.resources.get("category", {}).get("id") == str(category_id))


def _name(category: dict) -> str:
    name, refused = names.check(category.get("name"), NAME_MAX_LENGTH)
    if refused is not None:
        raise Refusal(Problem("The category's name can't name a campaign.",
                              f"It is {refused.value}: a campaign's roles are named after it, in at "
                              f"most {NAME_MAX_LENGTH} characters of plain text.",
                              f"Rename the category, {AGAIN}."))
    return name


def _refuse_owned(others: list[Campaign], name: str, category: dict, listing: list[dict],
                  role_ids: dict[str, str]) -> None:
    """Refusal if a campaign owns the category, a channel in it or a role given (said first: the
    most specific), or has the category's name."""
    owners = {str(r["id"]): c for c in others for r in c.resources.values() if r.get("id")}
    mine = [category, *(c for c in listing if str(c.get("parent_id")) == str(category["id"]))]
    owned = [(f"#{md(c.get('name') or '?')}", owners[str(c["id"])]) for c in mine if str(c["id"]) in owners]
    owned += [("a role you gave", owners[r]) for r in role_ids.values() if r in owners]
    if owned:
        listed = ", ".join(f"{what} (of “{md(c.name)}”)" for what, c in owned)
        raise Refusal(Problem("Part of this already belongs to a campaign, so I changed nothing.",
                              f"Already in a campaign: {listed}. A channel or role belongs to one "
                              "campaign at most.",
                              f"Move those channels out of the category or pick other roles, {AGAIN}."))
    taken = next((c for c in others if c.key == names.key(name)), None)
    if taken is not None:
        raise Refusal(Problem(f"A campaign named “{md(taken.name)}” already exists in this server.",
                              "A campaign takes its category's name, and names are unique per "
                              "server, ignoring case.", f"Rename the category, {AGAIN}."))


def _refuse_without_privacy(bot_permissions: int) -> None:
    lacking = p.missing(bot_permissions, PRIVACY_NEEDS)
    if lacking:
        listed = p.label_list(lacking)
        raise Refusal(Problem(f"My role is missing {listed} in this server, so I changed nothing.",
                              "I need Manage Roles and Manage Channels to create the campaign's "
                              "roles and set its channels' permissions, and View Channels to hide "
                              "them from everyone else.",
                              f"In Server Settings → Roles, give my role {listed}, {AGAIN}."))


def _given_roles(guild: dict, role_ids: dict[str, str], my_roles: list[str]) -> dict[str, dict | None]:
    """Step key -> the role given for it (checked usable), or None to create one."""
    by_id = {str(r["id"]): r for r in guild.get("roles") or []}
    top = max((by_id[r].get("position", 0) for r in map(str, my_roles) if r in by_id), default=0)
    if role_ids.get(PLAYERS_ROLE_KEY) and role_ids.get(PLAYERS_ROLE_KEY) == role_ids.get(GM_ROLE_KEY):
        raise Refusal(Problem("The GM role and the players role are the same role.",
                              "GM-only channels hide from the players role, so they must differ.",
                              f"Pick two roles (or leave one out and I'll create it), {AGAIN}."))
    roles: dict[str, dict | None] = {}
    for key in (PLAYERS_ROLE_KEY, GM_ROLE_KEY):
        role_id = role_ids.get(key) or ""
        role = by_id.get(role_id) if role_id else None
        if role_id and (role is None or role_id == str(guild.get("id")) or role.get("managed")
                        or role.get("position", 0) >= top):
            raise Refusal(_unusable(role, role_id == str(guild.get("id"))))
        roles[key] = role
    return roles


def _unusable(role: dict | None, everyone: bool) -> Problem:
    if role is None or everyone:
        why = ("That role no longer exists." if role is None else
               "@everyone is every member: it can't tell players or GMs apart.")
    elif role.get("managed"):
        why = f"@{md(role.get('name') or '?')} is managed by an integration: nobody can give it by hand."
    else:
        why = (f"@{md(role.get('name') or '?')} is not below my highest role, and Discord lets me "
               "give only roles below it.")
    return Problem("I can't use that role for the campaign.", why,
                   f"Pick another role, drag my role above it, or leave the option out and I'll "
                   f"create one, {AGAIN}.")
