"""/archive-campaign and /unarchive-campaign (worker side): lock a campaign read-only for its
players, and put it back exactly as it was.

Exactly once and resumable, without a mark per edit:
- before the first edit the record gets a snapshot of what an archive changes (each recorded
  channel's overwrites, name, type and position, the category's included), in one conditional
  write that also moves the status (store.begin_archive_run). The first snapshot is never
  replaced: a resumed or repeated archive locks from it, and /unarchive-campaign restores it;
- every edit is a target state computed from that snapshot (Edit Channel Permissions puts one
  overwrite whole; Modify Channel sets a name and a position), sent only where Discord's current
  state differs from it. So the server itself is the progress record: a retry after a lost
  reply, a crash between edits, a redelivered task or another asker's takeover re-reads the
  channels and sends just what is still missing — a mark written after each edit could not say
  whether an edit whose reply was lost happened; Discord's state can;
- only the last write moves the status on (ARCHIVED, or COMPLETED after an unarchive).

What someone else changed while the campaign was archived (a channel's name, the category's name
beyond the archive's mark, an overwrite beyond the bits a lock sets) is put back as the snapshot
has it too, since /unarchive-campaign promises the campaign as it was, and named in the summary
so that nobody's change is undone silently. Channels someone deleted are skipped and named in the
summary; channels hidden from the bot (channel_presence.py) can be neither read nor edited, so
they are left as they are and named too.
"""

import time
from collections.abc import Sequence
from dataclasses import asdict, replace

from channelwright.campaigns import archive_locks as locks
from channelwright.campaigns.capacity import Counts, totals_text
from channelwright.campaigns.channel_presence import Presence, survey
from channelwright.campaigns.plan import CATEGORY, CHANNEL, GM_ROLE_KEY, PLAYERS_ROLE_KEY, Step
from channelwright.campaigns.progress import ProgressMessage, bar
from channelwright.campaigns.store import ARCHIVED, ARCHIVING, COMPLETED, UNARCHIVING, Campaign
from channelwright.discord import permissions as p
from channelwright.discord.errors import DiscordRejected, JsonErrorCode
from channelwright.discord.types import ChannelType
from channelwright.text.names import md
from channelwright.text.problems import Problem

GONE, HIDDEN = "gone", "hidden"
LOCK, COLLAPSE = "lock", "collapse"  # the archive modes (/archive-campaign's `mode`)


def run_archive(task, deps, standing) -> None:
    """Lock the campaign (payloads.Archive), showing progress, then summarise; refused in plain
    words before any change if the bot no longer holds a permission the lock must put (`lacking`).
    `standing` (the caller's) gives the server's roles, from which the bot's permissions now."""
    asked = task.payload
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if mode_of(campaign, asked.mode) == COLLAPSE:
        # collapse.py builds on this module's edits, so it is imported where it is needed.
        from channelwright.campaigns import collapse
        return collapse.run_collapse(task, deps, standing, campaign)
    reply = ProgressMessage.answering(deps.api, deps.application_id, asked.token, task.interaction_id)
    presence = survey_campaign(deps, campaign)
    fresh = campaign.archive is None
    planned = replace(campaign, archive=take_snapshot(campaign, presence)) if fresh else campaign
    keeps = {role_id(campaign, GM_ROLE_KEY), *campaign.gms, deps.bot_user_id()}
    listing = list(presence.channels.values())
    held = bot_holds(deps, campaign, standing)

    def edits(entry, current):
        return lock_edits(campaign, entry, current, reveal=asked.reveal_gm_channels, keeps=keeps,
                          listing=listing, mask=locks.deny_mask(held))

    problem = lacking(planned, presence, held, edits, doing="archive", command="/archive-campaign")
    if problem is not None:
        reply.finish(problem.text(), components=[])
        return
    if fresh:
        deps.store.begin_archive_run(campaign, ARCHIVING, task.interaction_id, planned.archive)
        campaign = moved(campaign, ARCHIVING, task.interaction_id, planned.archive)
    elif campaign.archive_run != task.interaction_id:  # else this task's own, carried on
        deps.store.begin_archive_run(campaign, ARCHIVING, task.interaction_id)
        campaign = moved(campaign, ARCHIVING, task.interaction_id, campaign.archive)
    reason = f"Channelwright: archiving campaign “{campaign.name}”, asked by {asked.by or 'someone'}"
    skipped = apply_edits(campaign, presence, deps, reply, reason, verb="Archiving", edits=edits)
    if campaign.status == ARCHIVING:
        deps.store.end_archive_run(campaign, ARCHIVED, forget_snapshot=False)
    reply.finish(archived_text(campaign, skipped, reveal=asked.reveal_gm_channels), components=[])


def run_unarchive(task, deps, standing) -> None:
    """Put back what the archive changed, from its snapshot, then summarise with the server's
    counts against Discord's limits (capacity.py), which it also keeps for /list-campaigns.
    Refused in plain words before any change if the bot no longer holds a permission the
    snapshot's overwrites put back (`lacking`). A campaign whose snapshot is gone was unarchived
    already (a redelivered task, or a second asker's): told so, in words true of either mode.
    `standing` (the caller's) gives the server's roles."""
    asked = task.payload
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if mode_of(campaign, LOCK) == COLLAPSE:
        from channelwright.campaigns import collapse
        return collapse.run_uncollapse(task, deps, standing, campaign)
    reply = ProgressMessage.answering(deps.api, deps.application_id, asked.token, task.interaction_id)
    presence = survey_campaign(deps, campaign)
    skipped: dict[str, dict] = {}
    undone: list[str] = []
    restored = campaign.archive is not None
    if restored:
        problem = lacking(campaign, presence, bot_holds(deps, campaign, standing),
                          lambda entry, current: restore_edits(campaign, entry, current),
                          doing="unarchive", command="/unarchive-campaign")
        if problem is not None:
            reply.finish(problem.text(), components=[])
            return
        undone = changed_while_archived(campaign, presence)
        if campaign.archive_run != task.interaction_id:  # else this task's own, carried on
            deps.store.begin_archive_run(campaign, UNARCHIVING, task.interaction_id)
            campaign = moved(campaign, UNARCHIVING, task.interaction_id, campaign.archive)
        reason = (f"Channelwright: unarchiving campaign “{campaign.name}”, asked by "
                  f"{asked.by or 'someone'}")
        skipped = apply_edits(campaign, presence, deps, reply, reason, verb="Unarchiving",
                         edits=lambda entry, current: restore_edits(campaign, entry, current))
        deps.store.end_archive_run(campaign, COMPLETED, forget_snapshot=True)
    counts = Counts.read(list(presence.channels.values()), standing.guild.role_count,
                         int(time.time() * 1000))
    deps.store.put_server_counts(campaign.guild_id, asdict(counts))
    # The doctor's check of the campaign as it is back (doctor_fix.py edits channels with this
    # module's send_edits, so it is imported where it is needed).
    from channelwright.campaigns.doctor_fix import after_change
    checked, components = after_change(deps, deps.store.get(campaign.guild_id, campaign.key))
    summary = (unarchived_text(campaign, skipped, counts, undone) if restored
               else already_unarchived_text(campaign, counts))
    reply.finish(summary + "\n" + checked, components=components)


def bot_holds(deps, campaign: Campaign, standing) -> int:
    """The bot's server-level permissions now (bits), as Discord computes base permissions
    (developers/topics/permissions.mdx, compute_base_permissions): @everyone's and its roles', from
    this task's reading of the server's roles (`standing.guild`) and the bot's member (Get Guild
    Member). Raises DiscordRejected as the API does."""
    bot = deps.bot_user_id()
    roles = deps.api.get_member(campaign.guild_id, bot).get("roles") or []
    return standing.guild.base_permissions(bot, roles)


def lacking(campaign: Campaign, presence: Presence, held: int, edits, *, doing: str,
            command: str) -> Problem | None:
    """Why the bot, holding `held` server-wide, can't make `edits(entry, current)` on the
    snapshot's channels still there, in plain words; None if it can. Checked before any change,
    so that Discord's 403 50013 never stops a run half way: editing overwrites takes Manage Roles,
    renaming or moving a channel Manage Channels, and the bot may allow or deny only permissions
    it holds (developers/resources/channel.mdx, "Edit Channel Permissions", "Modify Channel")."""
    needs = p.MANAGE_ROLES | p.MANAGE_CHANNELS
    for entry in ((campaign.archive or {}).get("channels") or {}).values():
        current = presence.channels.get(entry["id"])
        if current is not None:
            needs |= locks.needed(edits(entry, current)[0])
    missing = p.missing(held, needs)
    if not missing:
        return None
    listed = p.label_list(missing)
    return Problem(f"I can't {doing} “{md(campaign.name)}”: my role is missing {listed} in this "
                   "server.",
                   "Discord lets me allow or deny in a channel's permissions only what I hold "
                   "server-wide, and I must put those in the campaign's channels. Nothing was "
                   "changed.",
                   f"In Server Settings → Roles, give my role {listed} (or @everyone), then run "
                   f"`{command}` again.")


def mode_of(campaign: Campaign, asked: str) -> str:
    """The mode an archive run follows: the one its snapshot recorded once begun (a resumed or
    repeated archive finishes what the first began), else the one `asked`."""
    return str((campaign.archive or {}).get("mode") or asked)


# -- reading and recording --------------------------------------------------------------------

def recorded(campaign: Campaign) -> list[Step]:
    """The campaign's channels with an id, in plan order, the category last (its name and
    position change last, so an archive under way still reads as the campaign's)."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    made = [s for s in steps if s.kind in (CHANNEL, CATEGORY) and campaign.resources.get(s.key, {}).get("id")]
    return [s for s in made if s.kind == CHANNEL] + [s for s in made if s.kind == CATEGORY]


def survey_campaign(deps, campaign: Campaign) -> Presence:
    ids = [campaign.resources[s.key]["id"] for s in recorded(campaign)]
    return survey(deps.api, campaign.guild_id, ids)


def take_snapshot(campaign: Campaign, presence: Presence) -> dict:
    """What the archive may change, as it is now: each visible recorded channel's `id`, `name`,
    `type`, `position`, `gm_only` and `overwrites`; the others under `skipped` with why."""
    channels, skipped = {}, {}
    for step in recorded(campaign):
        channel_id = campaign.resources[step.key]["id"]
        current = presence.channels.get(channel_id)
        if current is None:
            why = HIDDEN if channel_id in presence.hidden else GONE
            skipped[step.key] = {"name": _name(campaign, step), "why": why}
            continue
        channels[step.key] = {
            "id": channel_id, "name": current.get("name") or "", "type": int(current.get("type") or 0),
            "position": int(current.get("position") or 0), "gm_only": step.gm_only,
            "overwrites": locks.plain(current.get("permission_overwrites"))}
    return {"mode": LOCK, "at": int(time.time() * 1000), "channels": channels, "skipped": skipped}


def moved(campaign: Campaign, status: str, run: str, snapshot: dict | None) -> Campaign:
    """The record as begin_archive_run just wrote it."""
    return replace(campaign, status=status, archive_run=run, archive=snapshot)


def _name(campaign: Campaign, step: Step) -> str:
    return campaign.resources.get(step.key, {}).get("name") or step.name


# -- edits ------------------------------------------------------------------------------------

def apply_edits(campaign: Campaign, presence: Presence, deps, reply: ProgressMessage, reason: str, *,
           verb: str, edits) -> dict[str, dict]:
    """Send `edits(entry, current)` for each snapshot entry, in plan order, showing progress:
    (overwrites to put, overwrites to delete, channel changes). Returns what was skipped, by key
    ({"name", "why"}): the snapshot's own skips and channels gone or hidden since."""
    snapshot = campaign.archive or {}
    skipped = dict(snapshot.get("skipped") or {})
    entries = [(s.key, snapshot["channels"][s.key]) for s in recorded(campaign)
               if s.key in (snapshot.get("channels") or {})]
    try:
        for done, (key, entry) in enumerate(entries, start=1):
            current = presence.channels.get(entry["id"])
            why = send_edits(entry, current, deps, reason, edits) if current is not None else (
                HIDDEN if entry["id"] in presence.hidden else GONE)
            if why:
                skipped[key] = {"name": entry["name"], "why": why}
            reply.show(f"📦 {verb} **{md(campaign.name)}**\n\n{bar(done, len(entries))}")
    finally:
        # Stopped by a failure, the progress must not land after the worker's word on it.
        reply.close()
    return skipped


def send_edits(entry: dict, current: dict, deps, reason: str, edits) -> str:
    """One channel's edits; "" when done, GONE or HIDDEN when Discord says the channel went away
    or out of the bot's sight meanwhile (404 10003, 403 50001: developers/topics/
    opcodes-and-status-codes.mdx, "JSON Error Codes"). Any other refusal propagates."""
    put, delete, changes = edits(entry, current)
    try:
        for overwrite in put:
            deps.api.edit_channel_permissions(entry["id"], overwrite, reason=reason)
        for overwrite in delete:
            _delete_overwrite(deps, entry["id"], overwrite["id"], reason)
        if changes:
            deps.api.modify_channel(entry["id"], changes, reason=reason)
    except DiscordRejected as error:
        if error.code == JsonErrorCode.UNKNOWN_CHANNEL:
            return GONE
        if error.code == JsonErrorCode.MISSING_ACCESS:
            return HIDDEN
        raise
    return ""


def _delete_overwrite(deps, channel_id: str, overwrite_id: str, reason: str) -> None:
    try:
        deps.api.delete_channel_permission(channel_id, overwrite_id, reason=reason)
    except DiscordRejected as error:
        if error.status != 404 or error.code == JsonErrorCode.UNKNOWN_CHANNEL:
            raise  # 404 otherwise: the overwrite is gone already, as wanted


def lock_edits(campaign: Campaign, entry: dict, current: dict, *, reveal: bool, keeps: set[str],
               listing: list[dict], mask: int):
    """What locks one channel, from its snapshot `entry`, against its `current` state. `keeps`:
    the overwrite targets a lock leaves alone (the GM role, the GMs, the bot: archive_locks.py);
    `listing`: the server's channels, among which the category goes to the bottom; `mask`:
    archive_locks.deny_mask of what the bot holds now (bot_holds)."""
    target = locks.locked_overwrites(
        entry["overwrites"], channel_type=entry["type"], gm_only=entry.get("gm_only", False),
        reveal=reveal, guild_id=campaign.guild_id, players_role=role_id(campaign, PLAYERS_ROLE_KEY),
        keeps=keeps, mask=mask)
    now = locks.plain(current.get("permission_overwrites"))
    # A GM-only channel an earlier try revealed, now archived without revealing: hide it again.
    removable = {role_id(campaign, PLAYERS_ROLE_KEY)} if entry.get("gm_only") else set()
    changes: dict[str, str | int] = {}
    if entry["type"] == ChannelType.GUILD_CATEGORY:
        name = locks.archived_name(entry["name"])
        if current.get("name") != name:
            changes["name"] = name
        bottom = locks.bottom_position(listing, entry["id"])
        if bottom is not None:
            changes["position"] = bottom
    return locks.changed(now, target), locks.extra(now, target, removable=removable), changes


def restore_edits(campaign: Campaign, entry: dict, current: dict):
    """What puts one channel back as its snapshot `entry` has it: the overwrites an archive may
    have changed or added (the Players role's on a revealed GM-only channel), its name and
    position."""
    now = locks.plain(current.get("permission_overwrites"))
    before = entry["overwrites"]
    changes = {field: entry[field] for field in ("name", "position")
               if current.get(field) != entry[field]}
    return (locks.changed(now, before),
            locks.extra(now, before, removable={role_id(campaign, PLAYERS_ROLE_KEY)}), changes)


def changed_while_archived(campaign: Campaign, presence: Presence) -> list[str]:
    """What someone other than the archive changed on the snapshot's channels that are still
    there, in plan order, as the summary names it ("#general (its name and permissions)"). The
    archive renames only the category (archive_locks.archived_name) and changes only the lock's
    bits and View Channel and Read Message History in overwrites it keeps (archive_locks.py), so
    anything else differing from the snapshot was someone's hand."""
    snapshot = (campaign.archive or {}).get("channels") or {}
    named = []
    for step in recorded(campaign):
        entry = snapshot.get(step.key)
        current = presence.channels.get(entry["id"]) if entry else None
        if entry is None or current is None:
            continue
        category = entry["type"] == ChannelType.GUILD_CATEGORY
        ours = {entry["name"], locks.archived_name(entry["name"])} if category else {entry["name"]}
        what = ["name"] if current.get("name") not in ours else []
        if locks.overridden(entry["overwrites"], locks.plain(current.get("permission_overwrites")),
                            channel_type=entry["type"]):
            what.append("permissions")
        if what:
            named.append(f"{'the category' if category else '#' + md(entry['name'])} "
                         f"(its {' and '.join(what)})")
    return named


def role_id(campaign: Campaign, key: str) -> str:
    return str(campaign.resources.get(key, {}).get("id") or "")


# -- what the user reads ------------------------------------------------------------------------

def archived_text(campaign: Campaign, skipped: dict[str, dict], *, reveal: bool) -> str:
    name = md(campaign.name)
    lines = [f"📦 Archived **{name}**: its players can still read it, but can no longer post, "
             "react, start threads or join its voice channels.",
             f"**Category:** renamed “{md(locks.archived_name(campaign.name))}” and moved below "
             "the server's other categories.",
             "**GM-only channels:** " + ("now readable by players (read-only)." if reveal
                                         else "still private to the GMs.")]
    lines += skipped_lines(skipped)
    lines += ["", "Its roles are kept: `/add-player` still works (new players can read it). "
              "`/unarchive-campaign` puts everything back as it was."]
    return "\n".join(lines)


def unarchived_text(campaign: Campaign, skipped: dict[str, dict], counts: Counts,
                    undone: Sequence[str] = ()) -> str:
    lines = [f"📂 Unarchived **{md(campaign.name)}**: its channels' permissions and its "
             "category's name and position are back as they were before it was archived."]
    if undone:
        lines.append("✏️ Changed by someone while archived, and put back as before the archive: "
                     + ", ".join(undone) + ".")
    lines += skipped_lines(skipped)
    lines.append(totals_text(counts))
    return "\n".join(lines)


def already_unarchived_text(campaign: Campaign, counts: Counts) -> str:
    return "\n".join([f"📂 Unarchived **{md(campaign.name)}**: it was unarchived already, so "
                      "nothing more was changed.", totals_text(counts)])


def skipped_lines(skipped: dict[str, dict]) -> list[str]:
    gone = [f"#{md(s['name'])}" for s in skipped.values() if s["why"] == GONE]
    hidden = [f"#{md(s['name'])}" for s in skipped.values() if s["why"] == HIDDEN]
    lines = []
    if gone:
        lines.append(f"⚠️ Deleted by someone, so skipped: {', '.join(gone)}.")
    if hidden:
        lines.append(f"🙈 Hidden from me, so left as they are: {', '.join(hidden)}. Someone denied "
                     "my role View Channel there.")
    return lines
