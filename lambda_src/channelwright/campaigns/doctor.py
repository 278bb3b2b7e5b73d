"""/campaign-doctor (worker side): what differs between the server and what the campaign should be.

One reading of the server (examine) gives the findings, most serious first:
- EXPOSED: a GM-only channel players can view. Computed as Discord computes permissions
  (developers/topics/permissions.mdx, "Permission Overwrites": @everyone's overwrite, then the
  member's roles', then the member's own) for someone holding only the Players role, and for each
  recorded player with an overwrite of their own; never by comparing strings;
- BOT_LACKS: a permission my invite asks for (access.SERVER_NEEDS) and the campaign needs that
  my roles don't give me server-wide: those making and hiding its channels and roles need
  (access.PRIVACY_NEEDS), those I post with (access.BOT), and those I held when it was built (its
  overwrites grant them, bounded by what I held: access.py). Computed as Discord computes base
  permissions (developers/topics/permissions.mdx, "Permission Overwrites",
  compute_base_permissions: @everyone's and each of my roles'). No bot can grant itself a
  permission, so there is no fix, only the way to do it;
- ROLE_GONE: a recorded campaign role (Players, GM, Spectators) deleted by hand. Discord takes a
  deleted role off its members and drops the overwrites naming it (developers/topics/
  permissions.mdx, "Permission Overwrites" name roles by id), so players or GMs lose the
  channels the campaign gave them;
- ROLE_TOO_LOW: a campaign role at or above my highest role. Discord lets a bot edit only roles
  below its highest one (developers/topics/permissions.mdx, "Permission Hierarchy"), and no bot
  may move its own role up: only a person can, so there is no fix, only the way to do it;
- MISSING: a planned channel (or the category) deleted, or never made;
- OVERWRITES: a channel whose overwrites for the campaign's targets (@everyone, its two roles,
  me) are not the campaign's. Other targets' overwrites are someone's own and not compared;
- MOVED: a campaign channel outside the campaign's category;
- DEPARTED: a recorded GM or player who left the server (Get Guild Member answers 404 10007
  Unknown Member: developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes");
- THREADS: a recorded player (still in the server) with no private thread in a per-player
  channel, their thread deleted by hand, or not a member of it (player_threads.without_thread);
- EXTRA: a channel in the category I did not make. Named only: it is someone's channel, and
  deleting it would delete their messages, while moving it out could expose it to the server;
- HIDDEN: a recorded channel hidden from me (channel_presence.py): I can't check it.
"""

from dataclasses import dataclass, field

from channelwright.campaigns import access, player_threads, roster
from channelwright.campaigns import archive_locks as locks
from channelwright.campaigns.channel_presence import Presence, survey
from channelwright.campaigns.plan import (
    CATEGORY,
    CHANNEL,
    GM_ROLE_KEY,
    PLAYERS_ROLE_KEY,
    ROLE,
    SPECTATORS_ROLE_KEY,
    Step,
)
from channelwright.campaigns.store import Campaign
from channelwright.discord import permissions as p
from channelwright.text.names import md

EXPOSED, ROLE_TOO_LOW, MISSING, OVERWRITES = "exposed", "role", "missing", "overwrites"
MOVED, DEPARTED, THREADS, EXTRA, HIDDEN = "moved", "departed", "threads", "extra", "hidden"
BOT_LACKS, ROLE_GONE = "lacks", "deleted"  # kinds are letters only (buttons.doctor_choice)
SEVERITY = (EXPOSED, BOT_LACKS, ROLE_GONE, ROLE_TOO_LOW, MISSING, OVERWRITES, MOVED, DEPARTED, THREADS,
            EXTRA, HIDDEN)
FIXABLE = (EXPOSED, ROLE_GONE, MISSING, OVERWRITES, MOVED, DEPARTED, THREADS)


@dataclass(frozen=True)
class Finding:
    """One thing that differs. `subject`: what the user reads ("#gm-notes", "<@1>", "@Players");
    `key`: the plan step's key (a channel's), or the record's group ("players", "gms") of a
    departed member; `target`: the Discord id concerned (channel, role or user)."""

    kind: str
    subject: str
    key: str = ""
    target: str = ""


@dataclass
class Examination:
    """The findings, most serious first, and the reading they come from (`presence`: the
    channels; `roles`: the server's roles, by id; `bot_lacks`: the labels of the permissions I
    need that my roles don't give me)."""

    findings: list[Finding]
    presence: Presence = field(default_factory=Presence)
    roles: dict[str, dict] = field(default_factory=dict)
    bot_lacks: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def fixable(self) -> list[str]:
        """The kinds found that a fix exists for, in SEVERITY order."""
        return [k for k in FIXABLE if self.of(k)]


def examine(deps, campaign: Campaign) -> Examination:
    """Read the server (its channels, roles, my member, each recorded member) and compare.
    Discord's refusals other than the ones each check expects propagate (DiscordRejected)."""
    guild = campaign.guild_id
    steps = [Step.from_dict(s) for s in campaign.plan if s["kind"] in (CATEGORY, CHANNEL)]
    ids = {s.key: str(campaign.resources.get(s.key, {}).get("id") or "") for s in steps}
    presence = survey(deps.api, guild, [i for i in ids.values() if i])
    roles = {str(r["id"]): r for r in deps.api.guild_roles(guild)}
    bot_user = deps.bot_user_id()
    findings = _exposed_and_overwrites(campaign, steps, ids, presence, roles, bot_user)
    bot_roles = deps.api.get_member(guild, bot_user).get("roles") or []
    lacking = bot_lacks(campaign, roles, bot_roles)
    findings += [Finding(BOT_LACKS, p.label_list(lacking))] if lacking else []
    findings += roles_gone(campaign, roles)
    findings += _too_low(campaign, roles, bot_roles)
    findings += _missing_moved_hidden(campaign, steps, ids, presence)
    findings += _departed(deps, campaign)
    findings += _extra(campaign, ids, presence)
    findings += _threads(deps, campaign, presence)
    findings.sort(key=lambda f: SEVERITY.index(f.kind))
    return Examination(findings, presence, roles, lacking)


def bot_lacks(campaign: Campaign, roles: dict[str, dict], bot_roles: list) -> list[str]:
    """The labels of the permissions the campaign needs (see BOT_LACKS above) that @everyone and
    my roles (ids, from my member) don't give me server-wide, in permissions.LABELS order."""
    held = [p.parse(roles[str(r)].get("permissions")) for r in bot_roles if str(r) in roles]
    base = p.base_permissions(p.parse(roles.get(campaign.guild_id, {}).get("permissions")), held,
                              is_owner=False)
    built_with = p.parse(campaign.bot_permissions) if campaign.bot_permissions else 0
    return p.missing(base, access.SERVER_NEEDS & (access.PRIVACY_NEEDS | access.BOT | built_with))


def expected_overwrites(campaign: Campaign, step: Step, bot_user_id: str) -> list[dict]:
    """The overwrites the campaign gives the step's channel: the one place this module states
    them, called as the build calls access.overwrites (campaigns/builder.py, `_overwrites`)."""
    return access.overwrites(
        guild_id=campaign.guild_id, players_role=_role(campaign, PLAYERS_ROLE_KEY),
        gm_role=_role(campaign, GM_ROLE_KEY), bot_user_id=bot_user_id,
        bot_permissions=p.parse(campaign.bot_permissions), access=step.access,
        spectators_role=_role(campaign, SPECTATORS_ROLE_KEY))


def restoring(campaign: Campaign, step: Step, current: dict, bot_user_id: str,
              existing_roles) -> list[dict]:
    """The campaign's overwrites `current` (a channel object) doesn't hold as they are, for
    targets that exist (`existing_roles`: role ids; a deleted role's overwrite can't be put)."""
    wanted = [o for o in expected_overwrites(campaign, step, bot_user_id)
              if o["id"] and (o["type"] == access.MEMBER or o["id"] in existing_roles)]
    return locks.changed(locks.plain(current.get("permission_overwrites")), wanted)


def letting_players_in(campaign: Campaign, current: dict) -> list[dict]:
    """The recorded players' own overwrites on `current` that allow View Channel: on a GM-only
    channel, what a fix removes besides putting the campaign's overwrites back."""
    players = set(campaign.players) - set(campaign.gms)
    return [o for o in locks.plain(current.get("permission_overwrites"))
            if o["type"] == access.MEMBER and o["id"] in players and p.parse(o["allow"]) & p.VIEW_CHANNEL]


def players_see(campaign: Campaign, channel: dict, roles: dict[str, dict]) -> bool:
    """Whether someone holding only the Players role, or a recorded player by an overwrite of
    their own, can view `channel` (developers/topics/permissions.mdx, "Permission Overwrites")."""
    players_role = _role(campaign, PLAYERS_ROLE_KEY)
    if players_role not in roles:
        return False
    base = p.base_permissions(p.parse(roles.get(campaign.guild_id, {}).get("permissions")),
                              [p.parse(roles[players_role].get("permissions"))], is_owner=False)
    who = [""] + sorted(set(campaign.players) - set(campaign.gms))
    return any(p.in_channel(base, channel.get("permission_overwrites") or [], guild_id=campaign.guild_id,
                            role_ids=[players_role], user_id=user) & p.VIEW_CHANNEL for user in who)


def _exposed_and_overwrites(campaign, steps, ids, presence, roles, bot_user) -> list[Finding]:
    found = []
    for step in steps:
        current = presence.channels.get(ids[step.key])
        if current is None:
            continue
        subject = _channel_name(current, step)
        if step.gm_only and players_see(campaign, current, roles):
            found.append(Finding(EXPOSED, subject, step.key, ids[step.key]))
        elif restoring(campaign, step, current, bot_user, roles):
            found.append(Finding(OVERWRITES, subject, step.key, ids[step.key]))
    return found


def roles_gone(campaign: Campaign, roles: dict[str, dict]) -> list[Finding]:
    """The plan's roles whose recorded id isn't among the server's `roles` (by id), or that have
    none recorded (a fix that forgot it failed before making it again)."""
    steps = [Step.from_dict(s) for s in campaign.plan if s["kind"] == ROLE]
    return [Finding(ROLE_GONE, f"@{md(campaign.resources.get(s.key, {}).get('name') or s.name)}", s.key,
                    _role(campaign, s.key))
            for s in steps if _role(campaign, s.key) not in roles]


def _too_low(campaign: Campaign, roles: dict[str, dict], bot_roles: list) -> list[Finding]:
    top = max((int(roles[str(r)].get("position") or 0) for r in bot_roles if str(r) in roles), default=0)
    found = []
    for key in (PLAYERS_ROLE_KEY, GM_ROLE_KEY):
        role = roles.get(_role(campaign, key))
        if role is not None and int(role.get("position") or 0) >= top:
            found.append(Finding(ROLE_TOO_LOW, f"@{md(role.get('name') or '')}", key, str(role["id"])))
    return found


def _missing_moved_hidden(campaign, steps, ids, presence) -> list[Finding]:
    category = ids.get("category", "")
    found = []
    for step in steps:
        channel_id = ids[step.key]
        current = presence.channels.get(channel_id)
        name = _channel_name(current, step)
        if channel_id in presence.hidden:
            found.append(Finding(HIDDEN, name, step.key, channel_id))
        elif current is None:
            found.append(Finding(MISSING, "the category" if step.kind == CATEGORY else name, step.key))
        elif step.kind == CHANNEL and category in presence.channels and current.get("parent_id") != category:
            found.append(Finding(MOVED, name, step.key, channel_id))
    return found


def _departed(deps, campaign: Campaign) -> list[Finding]:
    """Recorded GMs and players who left the server (roster.is_member)."""
    return [Finding(DEPARTED, f"<@{user}>", group, user)
            for group, members in (("gms", campaign.gms), ("players", campaign.players))
            for user in sorted(members) if not roster.is_member(deps, campaign.guild_id, user)]


def _extra(campaign: Campaign, ids: dict[str, str], presence: Presence) -> list[Finding]:
    category = ids.get("category")
    ours = {str(r.get("id")) for r in campaign.resources.values()}
    return [Finding(EXTRA, f"#{md(c.get('name') or '')}", target=c["id"])
            for c in presence.channels.values()
            if category and c.get("parent_id") == category and c["id"] not in ours]


def _threads(deps, campaign: Campaign, presence: Presence) -> list[Finding]:
    """Players of per-player channels without their thread; one who left the server is
    DEPARTED's, not this."""
    lacking = player_threads.without_thread(deps, campaign, set(presence.channels))
    here = {user: roster.is_member(deps, campaign.guild_id, user) for user in {u for _, _, u in lacking}}
    return [Finding(THREADS, f"<@{user}> in #{md(presence.channels[channel].get('name') or '')}", key, user)
            for key, channel, user in lacking if here[user]]


def _channel_name(current: dict | None, step: Step) -> str:
    name = (current or {}).get("name") or step.name
    return f"#{md(name)}"


def _role(campaign: Campaign, key: str) -> str:
    return str(campaign.resources.get(key, {}).get("id") or "")
