"""/campaign-info (worker side): what a campaign has now, what is missing, who runs it.

Anyone may ask, but a private campaign's channel names go only to those who can see them: a
channel's name is shown if the caller can view it (its overwrites and their roles, computed as
Discord does) or manages the server; every other channel is only counted. Role names are shown:
Discord shows every member the server's roles.

A recorded channel missing from the server's channel list may only be hidden from the bot
(channel_presence.py): it is asked for by id and reported as hidden, not as missing.

The GMs shown are the recorded ones who still hold the GM role (authority.py: a GM is whoever
holds it now), each asked for by id; those an admin took it from are dropped from the record.
Someone given the role by hand can't be found: listing a server's members needs the privileged
GUILD_MEMBERS intent (developers/resources/guild.mdx, List Guild Members).

The roster line says how the campaign is joined, its seats, waitlist and lead GM; members who
left the server are found and dropped first (roster.sweep).

Every name is shown literally (names.md); a long answer continues in follow-up messages
(ProgressMessage.finish), so the "Missing" and "Also in its category" lines are never lost.
"""

from channelwright.campaigns import player_threads, roster
from channelwright.campaigns.access_marks import legend, marked
from channelwright.campaigns.authority import campaign_role
from channelwright.campaigns.channel_presence import may_miss_hidden, survey
from channelwright.campaigns.plan import (
    CATEGORY,
    CHANNEL,
    GM_ROLE_KEY,
    PARTY,
    PER_PLAYER,
    ROLE,
    Step,
    type_name,
)
from channelwright.campaigns.progress import ProgressMessage
from channelwright.campaigns.store import ARCHIVED
from channelwright.discord.errors import DiscordRejected, JsonErrorCode
from channelwright.text.names import md


def run_info(task, deps, standing) -> None:
    """`standing`: the caller's (authority.Standing); decides which names they may read."""
    reply = ProgressMessage.answering(deps.api, deps.application_id, task.payload.token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    campaign = roster.sweep(deps, campaign)
    steps = [Step.from_dict(s) for s in campaign.plan]
    recorded = [campaign.resources[s.key]["id"] for s in steps
                if s.kind in (CATEGORY, CHANNEL) and s.key in campaign.resources]
    presence = survey(deps.api, campaign.guild_id, recorded)
    present, missing, hidden = _listings(campaign, steps, presence, standing)
    category = campaign.resources.get("category", {}).get("id")
    gms = ", ".join(f"<@{g}>" for g in current_gms(deps, campaign)) or "nobody"
    status = campaign.status
    if campaign.status == ARCHIVED:
        status = ("🗜️ archived, collapsed into a transcript (`/unarchive-campaign` rebuilds it)"
                  if campaign.collapsed else
                  "📦 archived (read-only for its players; `/unarchive-campaign` puts it back)")
    made = ("adopted from existing channels" if campaign.origin == "adopted"
            else f"template “{md(campaign.template)}”")
    lines = [f"**{md(campaign.name)}** — {status}, {made}",
             f"GMs: {gms} · Players: {len(campaign.players)}",
             "Roster: " + roster.settings_text(campaign),
             f"✅ Exists ({present.count}): " + (present.text() or "nothing")]
    if missing.count:
        why = "deleted by the collapse" if campaign.collapsed else "deleted by hand or never built"
        lines.append(f"⚠️ Missing ({missing.count}), {why}: " + missing.text())
    if hidden.count:
        lines.append(f"🙈 Hidden from me ({hidden.count}), so I can't check them: " + hidden.text())
    extra = _strangers(campaign, category, presence.channels, standing)
    if extra.count:
        lines.append("➕ Also in its category (not made by me): " + extra.text())
    lines += legend(present.modes | missing.modes | hidden.modes)
    if category and may_miss_hidden(campaign.bot_permissions):
        lines.append("Channels hidden from me aren't listed: the category may hold others I can't see.")
    reply.finish("\n".join(lines))


def _listings(campaign, steps: list[Step], presence, standing) -> tuple["Listing", "Listing", "Listing"]:
    """The campaign's roles, category and channels as (present, missing, hidden from the bot),
    each labelled "mark name (kind)" (access_marks.py) and visible as `standing` allows."""
    roles = standing.guild.role_permissions  # GET /guilds/{id}: roles, and the owner for permissions
    present, missing, hidden = Listing(), Listing(), Listing()
    for step in steps:
        if step.kind not in (ROLE, CATEGORY, CHANNEL):
            continue
        resource = campaign.resources.get(step.key) or {}
        resource_id = resource.get("id")
        current = presence.channels.get(resource_id) if step.kind != ROLE and resource_id else None
        exists = resource_id in roles if step.kind == ROLE else current is not None
        kind = "role" if step.kind == ROLE else type_name(resource.get("type"), step.channel_type)
        # The name Discord shows now, else the one it gave when it was made.
        name = (current or {}).get("name") or resource.get("name") or step.name
        if step.access == PER_PLAYER:  # its threads are not channels of the guild: said apart
            kind += ", " + player_threads.threads_text(campaign, step.key)
        label = f"{marked(step.access, md(name))} ({kind})"
        visible = _visible(step, current if exists else None, campaign, standing)
        listing = present if exists else hidden if resource_id in presence.hidden else missing
        listing.add(label, visible, step.access)
    return present, missing, hidden


def _visible(step: Step, current: dict | None, campaign, standing) -> bool:
    """Whether the caller may read the name: a role's always; a channel's as it is now
    (`current`), or as the plan would make it when it isn't there."""
    if step.kind == ROLE:
        return True
    return standing.sees(current) if current is not None else standing.sees_planned(campaign, step)


def _strangers(campaign, category: str | None, channels: dict[str, dict], standing) -> "Listing":
    """The channels in the campaign's category that the bot did not make."""
    ours = {r.get("id") for r in campaign.resources.values()}
    extra = Listing()
    for channel in channels.values():
        if category and channel.get("parent_id") == category and channel["id"] not in ours:
            extra.add(f"#{md(channel['name'])}", standing.sees(channel))
    return extra


def current_gms(deps, campaign) -> list[str]:
    """The recorded GMs who hold the campaign's GM role now (Get Guild Member for each; one who
    left the server holds nothing); the others are dropped from the record."""
    role = campaign_role(campaign, GM_ROLE_KEY)
    if role is None:  # never built that far: the record is all there is
        return sorted(campaign.gms)
    holding = []
    for user_id in sorted(campaign.gms):
        try:
            roles = deps.api.get_member(campaign.guild_id, user_id).get("roles")
        except DiscordRejected as error:
            if error.code != JsonErrorCode.UNKNOWN_MEMBER:
                raise
            roles = []
        if role in (roles or []):
            holding.append(user_id)
        else:
            deps.store.remove_member(campaign, "gms", user_id)
    return holding


class Listing:
    """Names the caller may read, the access modes (plan.py) of those, and a count of those they
    may not read."""

    def __init__(self):
        self.names: list[str] = []
        self.modes: set[str] = set()
        self.hidden = 0

    def add(self, name: str, visible: bool, access: str = PARTY) -> None:
        if visible:
            self.names.append(name)
            self.modes.add(access)
        else:
            self.hidden += 1

    @property
    def count(self) -> int:
        return len(self.names) + self.hidden

    def text(self) -> str:
        if not self.hidden:
            return ", ".join(self.names)
        unseen = f"{self.hidden} channel{'s' if self.hidden != 1 else ''} you can't see"
        return ", ".join([*self.names, unseen])
