"""/archive-campaign mode:collapse, and the /unarchive-campaign that undoes it (worker side).

A collapse keeps the campaign's messages as a transcript in one read-only channel and gives the
other channels' slots back. In this order, so that nothing is lost and nothing posted twice:
1. the snapshot, as a lock takes it (archive.py), naming the channels kept: the players' (the
   campaign's first text channel) and, while GM-only channels stay private, the GMs' (its first
   GM-only text channel) — GM-only messages never go into a file players can read;
2. every channel is locked as a lock does (archive_locks.py): from then on no player writes a
   message the transcript would miss;
3. every message is read (transcript.py) and the transcript posted in the kept channels, then the
   posted message ids are recorded in the snapshot (store.note_transcript). A reply lost, or a
   crash before that record, is reconciled from Discord: the kept channel's recent messages are
   read for the bot's own carrying the transcript's file names, and only what is missing is sent;
4. only once that is recorded: the kept channels leave the category under their new names, and
   the other channels, then the category, are deleted (404 10003: gone already);
5. status archived. Each step is judged against Discord's current state, so a retry, a
   redelivered task or a crash between deletes carries on from where it stopped.

Forum posts are threads (developers/topics/threads.mdx), which Get Channel Messages on the forum
doesn't list, and this bot doesn't read threads: a forum whose `last_message_id` is set ("the id
of the last thread created in this forum", developers/resources/channel.mdx, "Channel Object")
may hold posts, so the collapse is refused in plain words before anything changes (lock keeps
them). A forum that never had a post is deleted like any channel. A per-player channel holding
players' private threads (player_threads.py) is refused for the same reason.

The unarchive rebuilds the layout with the build's own steps (builder.py: pending marks before
each create, reconciled after a lost reply, so exactly once rests on the same mechanism), after
checking the server has room for what it makes (capacity.py), refusing with the numbers before
anything is created. The kept channels go back into the category under their names, positions
and permissions from the snapshot: the players' channel was the campaign's first text channel,
and it returns as that channel, its transcript in its history.
"""

import time
from dataclasses import asdict, replace

from channelwright.campaigns import archive, player_threads, transcript
from channelwright.campaigns import archive_locks as locks
from channelwright.campaigns.archive import GONE, HIDDEN
from channelwright.campaigns.builder import CampaignBuild
from channelwright.campaigns.capacity import Counts, shortfall, totals_text
from channelwright.campaigns.channel_presence import Presence, may_miss_hidden
from channelwright.campaigns.plan import CATEGORY, CHANNEL, GM_ROLE_KEY, Step
from channelwright.campaigns.progress import ProgressMessage, bar
from channelwright.campaigns.store import ARCHIVED, ARCHIVING, COMPLETED, UNARCHIVING, Campaign
from channelwright.discord import permissions as p
from channelwright.discord.errors import DiscordRejected, JsonErrorCode
from channelwright.discord.types import ChannelType
from channelwright.text.counts import counted
from channelwright.text.names import clip, md
from channelwright.text.problems import Problem

PLAYERS, GMS = "players", "gms"
# Channels whose messages Get Channel Messages lists: text channels, and voice channels' text chat
# (developers/resources/channel.mdx, "Channel Types").
SPOKEN = (ChannelType.GUILD_TEXT, ChannelType.GUILD_VOICE)
# What the bot needs, in each channel read, and in each kept channel: developers/resources/
# message.mdx, "Get Channel Messages" (Read Message History) and "Create Message" (Send Messages,
# and Attach Files for files).
READS = p.VIEW_CHANNEL | p.READ_MESSAGE_HISTORY
POSTS = p.VIEW_CHANNEL | p.SEND_MESSAGES | p.ATTACH_FILES
LOCK_INSTEAD = "Use `/archive-campaign` with mode lock instead: it keeps every channel as it is."


def run_collapse(task, deps, standing, campaign: Campaign) -> None:
    """Collapse the campaign (payloads.Archive, mode collapse), showing progress, then summarise
    with how many channel slots came back and the server's counts (kept for /list-campaigns).
    `standing` (the caller's) gives the server's roles."""
    asked = task.payload
    reply = ProgressMessage.answering(deps.api, deps.application_id, asked.token, task.interaction_id)
    if campaign.status == UNARCHIVING:  # its channels half rebuilt: finish that first
        reply.finish(Problem(f"“{md(campaign.name)}” is being unarchived, so it can't be collapsed now.",
                             "Nothing was changed.", "Run `/unarchive-campaign` again to finish "
                             "unarchiving it, then archive it.").text(), components=[])
        return
    presence = archive.survey_campaign(deps, campaign)
    mask = locks.deny_mask(held := archive.bot_holds(deps, campaign, standing))
    if campaign.archive is None:
        problem = _cannot_collapse(campaign, presence, deps, standing, reveal=asked.reveal_gm_channels)
        if problem is not None:
            reply.finish(problem.text(), components=[])
            return
        snapshot = {**archive.take_snapshot(campaign, presence), "mode": archive.COLLAPSE,
                    "reveal": asked.reveal_gm_channels}
        snapshot["kept"] = _kept(campaign, snapshot, reveal=asked.reveal_gm_channels)
        planned = replace(campaign, archive=snapshot)
        problem = archive.lacking(planned, presence, held, _lock_edits(planned, deps, mask),
                                  doing="collapse", command="/archive-campaign")
        if problem is not None:
            reply.finish(problem.text(), components=[])
            return
        deps.store.begin_archive_run(campaign, ARCHIVING, task.interaction_id, snapshot)
        campaign = archive.moved(campaign, ARCHIVING, task.interaction_id, snapshot)
    elif campaign.archive_run != task.interaction_id and campaign.status != ARCHIVED:
        deps.store.begin_archive_run(campaign, ARCHIVING, task.interaction_id)
        campaign = archive.moved(campaign, ARCHIVING, task.interaction_id, campaign.archive)
    snapshot = campaign.archive or {}
    skipped: dict[str, dict] = dict(snapshot.get("skipped") or {})
    if campaign.status == ARCHIVING:
        reason = (f"Channelwright: collapsing campaign “{campaign.name}”, asked by "
                  f"{asked.by or 'someone'}")
        skipped = _lock(campaign, presence, deps, reply, reason, mask)
        posted = snapshot.get("transcript") or _post_transcripts(campaign, presence, deps)
        campaign = replace(campaign, archive={**snapshot, "transcript": posted})
        _move_kept(campaign, presence, deps, reason)
        skipped.update(_delete_rest(campaign, presence, deps, reply, reason))
        deps.store.end_archive_run(campaign, ARCHIVED, forget_snapshot=False)
    listing = deps.api.guild_channels(campaign.guild_id)
    counts = Counts.read(listing, standing.guild.role_count, int(time.time() * 1000))
    deps.store.put_server_counts(campaign.guild_id, asdict(counts))
    reply.finish(collapsed_text(campaign, listing, skipped, counts), components=[])


def run_uncollapse(task, deps, standing, campaign: Campaign) -> None:
    """Rebuild a collapsed campaign's layout (payloads.Unarchive), showing progress as a build
    does, then summarise with the server's counts. Refused with numbers, changing nothing, if the
    server has no room for the channels to make again."""
    asked = task.payload
    reply = ProgressMessage.answering(deps.api, deps.application_id, asked.token, task.interaction_id)
    presence = archive.survey_campaign(deps, campaign)
    missing = _missing(campaign, presence)
    counts = Counts.read(list(presence.channels.values()), standing.guild.role_count,
                         int(time.time() * 1000))
    problem = shortfall(counts, channels=len(missing), roles=0,
                        may_miss_hidden=may_miss_hidden(campaign.bot_permissions),
                        command="/unarchive-campaign")
    if problem is not None:
        deps.store.put_server_counts(campaign.guild_id, asdict(counts))
        reply.finish(problem.text(), components=[])
        return
    if campaign.archive_run != task.interaction_id:  # else this task's own, carried on
        deps.store.begin_archive_run(campaign, UNARCHIVING, task.interaction_id)
        campaign = archive.moved(campaign, UNARCHIVING, task.interaction_id, campaign.archive)
    deps.store.forget(campaign, [s.key for s in missing if s.key in campaign.resources])
    campaign = replace(campaign, resources={k: r for k, r in campaign.resources.items()
                                            if k not in {s.key for s in missing}})
    build = CampaignBuild(campaign, api=deps.api, store=deps.store,
                          application_id=deps.application_id, bot_user_id=deps.bot_user,
                          guild=standing.guild)
    build.progress = reply  # the build's progress edits this unarchive's answer
    try:
        build.run_steps([i for i, s in enumerate(build.steps) if s in missing])
    finally:
        build.flush()
        reply.close()
    player_threads.after_made(deps, campaign, build.created_now)  # players added while collapsed
    campaign = replace(campaign, resources=build.resources)
    rebuilt = _rebuilt(campaign)
    reason = f"Channelwright: unarchiving campaign “{campaign.name}”, asked by {asked.by or 'someone'}"
    skipped = _restore(campaign, presence, deps, reply, reason, rebuilt={s.key for s in rebuilt})
    deps.store.end_archive_run(campaign, COMPLETED, forget_snapshot=True)
    listing = deps.api.guild_channels(campaign.guild_id)
    after = Counts.read(listing, standing.guild.role_count, int(time.time() * 1000))
    deps.store.put_server_counts(campaign.guild_id, asdict(after))
    # The doctor's check of the campaign as it is back (imported where needed: doctor_fix.py
    # builds on archive.py, which imports this module where it needs it).
    from channelwright.campaigns.doctor_fix import after_change
    checked, components = after_change(deps, deps.store.get(campaign.guild_id, campaign.key))
    reply.finish(uncollapsed_text(campaign, rebuilt, skipped, after) + "\n" + checked,
                 components=components)


# -- before anything changes --------------------------------------------------------------------

def _cannot_collapse(campaign: Campaign, presence: Presence, deps, standing, *,
                     reveal: bool) -> Problem | None:
    """Why the campaign can't be collapsed without losing something, in plain words; None if it
    can. Checked before the first edit, so a refusal changes nothing."""
    name = md(campaign.name)
    steps = {s.key: s for s in archive.recorded(campaign)}
    present = {key: presence.channels[campaign.resources[key]["id"]] for key in steps
               if campaign.resources[key]["id"] in presence.channels}
    forums = [f"#{md(c.get('name') or '')}" for c in present.values()
              if c.get("type") == ChannelType.GUILD_FORUM and c.get("last_message_id")]
    if forums:
        return Problem(f"I can't collapse “{name}”: its forum {', '.join(forums)} may hold posts.",
                       "A forum's posts are threads, which I can't read into a transcript, so "
                       "collapsing would lose them. Nothing was changed.", LOCK_INSTEAD)
    threaded = [f"#{md(present[key].get('name') or '')}"
                for key in sorted(player_threads.with_threads(campaign)) if key in present]
    if threaded:
        return Problem(f"I can't collapse “{name}”: the players' private threads in "
                       f"{', '.join(threaded)} would be lost.",
                       "A transcript holds a channel's messages, not its threads, so collapsing "
                       "would delete them. Nothing was changed.", LOCK_INSTEAD)
    kept = _kept(campaign, {"channels": present}, reveal=reveal)
    if not kept[PLAYERS]:
        return Problem(f"I can't collapse “{name}”: it has no text channel to keep the transcript in.",
                       "Nothing was changed.", LOCK_INSTEAD)
    me = deps.api.get_member(campaign.guild_id, deps.bot_user_id())
    roles, bot = me.get("roles") or [], deps.bot_user_id()
    for key, channel in present.items():
        needs = POSTS if key in kept.values() else READS if channel.get("type") in SPOKEN else 0
        lacking = p.missing(p.effective(standing.guild.permissions_in(channel, bot, roles)), needs)
        if lacking:
            return Problem(f"I can't collapse “{name}”: I lack {p.label_list(lacking)} in "
                           f"#{md(channel.get('name') or '')}.",
                           "I need them to read every message and post the transcript. Nothing "
                           "was changed.", "Give my role those permissions, or use "
                           "`/archive-campaign` with mode lock instead.")
    return None


def _kept(campaign: Campaign, snapshot: dict, *, reveal: bool) -> dict[str, str]:
    """The step keys of the channels kept: the players' (the first text channel that isn't
    GM-only) and the GMs' (the first GM-only text channel, unless GM-only channels are revealed:
    then their messages go with the players'); "" for none."""
    texts = [s for s in archive.recorded(campaign) if s.key in (snapshot.get("channels") or {})
             and s.kind == CHANNEL and s.channel_type == "text"]
    players = next((s.key for s in texts if not s.gm_only), "")
    gms = "" if reveal else next((s.key for s in texts if s.gm_only), "")
    return {PLAYERS: players, GMS: gms}


# -- the collapse -------------------------------------------------------------------------------

def _lock(campaign: Campaign, presence: Presence, deps, reply: ProgressMessage, reason: str,
          mask: int) -> dict[str, dict]:
    """Lock every channel as a lock does (`mask`: archive_locks.deny_mask of what the bot holds
    now)."""
    return archive.apply_edits(campaign, presence, deps, reply, reason, verb="Collapsing",
                               edits=_lock_edits(campaign, deps, mask))


def _lock_edits(campaign: Campaign, deps, mask: int):
    """A lock's edits of one channel (archive.lock_edits), but the category's: it is deleted, so
    it is left as it is."""
    snapshot = campaign.archive or {}
    keeps = {archive.role_id(campaign, GM_ROLE_KEY), *campaign.gms, deps.bot_user_id()}

    def edits(entry, current):
        if entry["type"] == ChannelType.GUILD_CATEGORY:
            return [], [], {}
        return archive.lock_edits(campaign, entry, current, reveal=bool(snapshot.get("reveal")),
                                  keeps=keeps, listing=[], mask=mask)

    return edits


def _post_transcripts(campaign: Campaign, presence: Presence, deps) -> dict:
    """Post each audience's transcript in its kept channel (what an earlier try posted is found
    and not sent again), then record it; returns the record: per audience, its channel id, the
    message ids, and how many messages it holds."""
    snapshot = campaign.archive or {}
    steps = archive.recorded(campaign)
    stem = transcript.PREFIX + transcript.slug(campaign.name)
    bot = deps.bot_user_id()
    posted: dict[str, dict] = {}
    for audience, kept in (snapshot.get("kept") or {}).items():
        if not kept:
            continue
        channel_id = snapshot["channels"][kept]["id"]
        sections = []
        for step in steps:
            entry = (snapshot.get("channels") or {}).get(step.key)
            if entry and entry["id"] in presence.channels and _heard_by(step, audience, snapshot):
                sections.append(transcript.Section(entry["name"], step.channel_type, transcript.read_history(
                    deps.api, entry["id"], skip=lambda m: transcript.is_transcript(m, bot, stem))))
        title = f"Transcript of “{campaign.name}”" + (" (GM-only channels)" if audience == GMS else "")
        files = transcript.files(title, stem + ("-gm" if audience == GMS else ""), sections)
        ids = _send_once(deps, channel_id, campaign.name, transcript.batches(files), bot, stem)
        posted[audience] = {"channel": channel_id, "messages": ids,
                            "count": sum(len(s.messages) for s in sections)}
    deps.store.note_transcript(campaign, posted)
    return posted


def _heard_by(step: Step, audience: str, snapshot: dict) -> bool:
    """Whether the step's channel carries messages that go in `audience`'s transcript."""
    entry = (snapshot.get("channels") or {}).get(step.key)
    if step.kind != CHANNEL or entry is None or entry["type"] not in SPOKEN:
        return False
    to_gms = step.gm_only and not snapshot.get("reveal")
    return to_gms == (audience == GMS)


def _send_once(deps, channel_id: str, campaign_name: str, batches: list, bot: str, stem: str) -> list[str]:
    """Post each batch of files as one message, unless the channel's recent messages show the bot
    posted it already (a reply lost, a crash before the record): then that message's id."""
    recent = [m for m in deps.api.channel_messages(channel_id, limit=transcript.PAGE)
              if transcript.is_transcript(m, bot, stem)]
    sent = {a.get("filename"): m["id"] for m in recent for a in m.get("attachments") or []}
    ids = []
    for n, batch in enumerate(batches, start=1):
        if batch[0].filename in sent:
            ids.append(sent[batch[0].filename])
            continue
        part = f" (message {n} of {len(batches)})" if len(batches) > 1 else ""
        text = clip(f"📜 The transcript of **{md(campaign_name)}**{part}: every message of its "
                    "channels, oldest first, kept when the campaign was collapsed.", 2000)
        ids.append(deps.api.create_message(channel_id, text, files=batch)["id"])
    return ids


def _move_kept(campaign: Campaign, presence: Presence, deps, reason: str) -> None:
    """Take the kept channels out of the category (deleting it would orphan them anyway:
    developers/resources/channel.mdx, "Delete/Close Channel") under their archive names."""
    snapshot = campaign.archive or {}
    for audience, key in (snapshot.get("kept") or {}).items():
        entry = snapshot["channels"].get(key) if key else None
        current = presence.channels.get(entry["id"]) if entry else None
        if entry is None or current is None or not current.get("parent_id"):
            continue
        suffix = "-gm-archive" if audience == GMS else "-archive"
        name = clip(campaign.name, 100 - len(suffix), ellipsis="") + suffix
        deps.api.modify_channel(entry["id"], {"parent_id": None, "name": name}, reason=reason)


def _delete_rest(campaign: Campaign, presence: Presence, deps, reply: ProgressMessage,
                 reason: str) -> dict[str, dict]:
    """Delete every channel but the kept ones, the category last; returns those left, by key
    ({"name", "why"}: hidden from me, so neither read nor deleted)."""
    snapshot = campaign.archive or {}
    kept = set((snapshot.get("kept") or {}).values())
    doomed = [(s.key, snapshot["channels"][s.key]) for s in archive.recorded(campaign)
              if s.key in snapshot["channels"] and s.key not in kept]
    left: dict[str, dict] = {}
    try:
        for done, (key, entry) in enumerate(doomed, start=1):
            if entry["id"] in presence.hidden:
                left[key] = {"name": entry["name"], "why": HIDDEN}
            elif entry["id"] in presence.channels:
                try:
                    deps.api.delete_channel(entry["id"], reason=reason)
                except DiscordRejected as error:
                    if error.code == JsonErrorCode.MISSING_ACCESS:
                        left[key] = {"name": entry["name"], "why": HIDDEN}
                    elif error.status != 404:
                        raise  # 404 10003: deleted already, as wanted
            reply.show(f"🗜️ Collapsing **{md(campaign.name)}**: deleting its channels\n\n"
                       f"{bar(done, len(doomed))}")
    finally:
        reply.close()
    return left


# -- the unarchive ------------------------------------------------------------------------------

def _missing(campaign: Campaign, presence: Presence) -> list[Step]:
    """The plan's category and channels that no longer exist (or were never recorded)."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    return [s for s in steps if s.kind in (CATEGORY, CHANNEL)
            and (s.key not in campaign.resources
                 or campaign.resources[s.key].get("id") in presence.gone)]


def _rebuilt(campaign: Campaign) -> list[Step]:
    """The snapshot's channels (and category) that now have another id: made again."""
    before = (campaign.archive or {}).get("channels") or {}
    return [s for s in archive.recorded(campaign)
            if s.key in before and campaign.resources[s.key]["id"] != before[s.key]["id"]]


def _restore(campaign: Campaign, presence: Presence, deps, reply: ProgressMessage, reason: str, *,
             rebuilt: set[str]) -> dict[str, dict]:
    """Put the channels that stayed back as the snapshot has them, in the (rebuilt) category;
    returns the ones skipped, by key, but for those made again."""
    category = campaign.resources["category"]["id"]
    before = ((campaign.archive or {}).get("channels") or {}).get("category")
    if "category" in rebuilt and before is not None:
        deps.api.modify_channel(category, {"position": before["position"]}, reason=reason)

    def edits(entry, current):
        put, delete, changes = archive.restore_edits(campaign, entry, current)
        if entry["type"] != ChannelType.GUILD_CATEGORY and current.get("parent_id") != category:
            changes = {**changes, "parent_id": category}
        return put, delete, changes

    skipped = archive.apply_edits(campaign, presence, deps, reply, reason, verb="Unarchiving", edits=edits)
    return {k: s for k, s in skipped.items() if k not in rebuilt or s["why"] != GONE}


# -- what the user reads ------------------------------------------------------------------------

def collapsed_text(campaign: Campaign, listing: list[dict], skipped: dict[str, dict],
                   counts: Counts) -> str:
    """The collapse's summary: where the transcripts are, the slots that came back, the counts."""
    snapshot = campaign.archive or {}
    posted = snapshot.get("transcript") or {}
    kept = set((snapshot.get("kept") or {}).values())
    existing = {c["id"] for c in listing}
    freed = [e for k, e in snapshot["channels"].items() if k not in kept and e["id"] not in existing]
    lines = [f"🗜️ Collapsed **{md(campaign.name)}**: its messages are kept as a transcript, and "
             "its other channels and its category are deleted."]
    for audience, who in ((PLAYERS, "its players can read it, and no longer post"),
                          (GMS, "GMs only: its GM-only channels' messages")):
        if audience in posted:
            record = posted[audience]
            count = record["count"]
            lines.append(f"**Transcript:** {count} message{'' if count == 1 else 's'} in "
                         f"<#{record['channel']}> ({who}).")
    categories = sum(e["type"] == ChannelType.GUILD_CATEGORY for e in freed)
    lines.append(f"**Channel slots back:** {len(freed)} ({counted(len(freed) - categories, 'channel')} "
                 f"and {counted(categories, 'category', 'categories')}).")
    lines += archive.skipped_lines(skipped)
    lines += ["", "Its roles are kept. `/unarchive-campaign` rebuilds its channels.", totals_text(counts)]
    return "\n".join(lines)


def uncollapsed_text(campaign: Campaign, rebuilt: list[Step], skipped: dict[str, dict],
                     counts: Counts) -> str:
    made = [f"#{md(s.name)}" for s in rebuilt if s.kind == CHANNEL]
    lines = [f"📂 Unarchived **{md(campaign.name)}**: its layout is rebuilt."]
    if made:
        lines.append(f"**Made again:** {', '.join(made)}" +
                     (" and the category." if any(s.kind == CATEGORY for s in rebuilt) else "."))
    lines.append("**Kept channels:** back in the category as they were, the transcript in "
                 "their history.")
    lines += archive.skipped_lines(skipped)
    lines.append(totals_text(counts))
    return "\n".join(lines)
