"""/campaign-doctor's two tasks (worker side): the report, and the fix its buttons ask for.

A fix happens exactly once however often it is asked (a double click, a redelivered task): it
reads the server again first and fixes only what it still finds, and every fix is a target state
(an overwrite put whole, a channel's parent and position set, a member removed from a string
set) or, for a missing channel, the build's own create: its pending mark, written before the
create is sent, lets a retry after a lost reply find and keep what was made (builder.py,
reconcile.py) instead of making a twin.

Deleted roles are made first (the build's own role steps), given back to the members on the
record, and the campaign's overwrites naming them put back; then missing channels: a category
made again is where moved channels go back to.
"""

from dataclasses import replace

from channelwright.campaigns import capacity, player_threads, roster
from channelwright.campaigns.archive import GONE, send_edits
from channelwright.campaigns.builder import BuildStopped, CampaignBuild
from channelwright.campaigns.buttons import FIX_ALL
from channelwright.campaigns.doctor import (
    DEPARTED,
    EXPOSED,
    FIXABLE,
    MISSING,
    MOVED,
    OVERWRITES,
    ROLE_GONE,
    THREADS,
    Examination,
    Finding,
    examine,
    letting_players_in,
    restoring,
)
from channelwright.campaigns.doctor_text import fix_buttons, fixed_text, report, section
from channelwright.campaigns.plan import CHANNEL, GM_ROLE_KEY, PLAYERS_ROLE_KEY, SPECTATORS_ROLE_KEY, Step
from channelwright.campaigns.progress import ProgressMessage, bar
from channelwright.campaigns.store import Campaign
from channelwright.discord import permissions as p
from channelwright.discord.errors import DiscordError, DiscordRejected, JsonErrorCode
from channelwright.text.counts import counted
from channelwright.text.names import md


def run_doctor(task, deps, standing) -> None:
    """/campaign-doctor (payloads.Doctor): the findings and their fix buttons, for the asker
    only (a GM or server manager: `standing` needs no further look)."""
    reply = ProgressMessage.answering(deps.api, deps.application_id, task.payload.token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    text, components = report(campaign, examine(deps, campaign))
    reply.finish(text, components=components)


def run_fix(task, deps, standing) -> None:
    """A fix button (payloads.DoctorFix): fix what its kind names, with progress, then answer
    with what was done and what a fresh check still finds."""
    asked = task.payload
    reply = ProgressMessage.answering(deps.api, deps.application_id, asked.token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    kinds = set(FIXABLE) if asked.kind == FIX_ALL else {asked.kind} & set(FIXABLE)
    reason = f"Channelwright: fixing campaign “{campaign.name}”, asked by {asked.by or 'someone'}"
    done, failed = fix(deps, campaign, kinds, reply, reason)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    after = examine(deps, campaign)
    reply.finish(fixed_text(campaign, done, failed, after), components=fix_buttons(campaign, after))


def after_change(deps, campaign: Campaign) -> tuple[str, list[dict]]:
    """The doctor's lines and buttons for the end of an adoption or an unarchive; a line saying
    it couldn't look if Discord failed (what came before is done all the same)."""
    try:
        return section(campaign, examine(deps, campaign))
    except DiscordError:
        return ("🩺 Doctor: I couldn't read the server to check the campaign; "
                "run `/campaign-doctor` to try again."), []


def fix(deps, campaign: Campaign, kinds: set[str], reply: ProgressMessage,
        reason: str) -> tuple[dict[str, list[str]], list[str]]:
    """Fix the findings of `kinds` found now. Returns (kind -> subjects fixed, lines saying what
    couldn't be)."""
    done: dict[str, list[str]] = {kind: [] for kind in FIXABLE}
    failed: list[str] = []
    exam = examine(deps, campaign)
    if MISSING in kinds:
        # A channel's overwrites name the campaign's roles: a deleted one is made (and given
        # back) first, else the build would make it again silently, held by no one.
        kinds = kinds | {ROLE_GONE}
    try:
        if ROLE_GONE in kinds and exam.of(ROLE_GONE):
            reply.show(f"🩺 Fixing **{md(campaign.name)}**: recreating its deleted roles…")
            gone = exam.of(ROLE_GONE)
            unmade = _recreate_roles(deps, campaign, exam, gone, reason)
            failed += unmade
            if not unmade:
                fresh = deps.store.get(campaign.guild_id, campaign.key)
                done[ROLE_GONE] = _give_back(deps, fresh, gone, reason)
                kinds = kinds | {OVERWRITES}  # the overwrites naming the new roles
            campaign = deps.store.get(campaign.guild_id, campaign.key)
            exam = examine(deps, campaign)
        if MISSING in kinds and exam.of(MISSING) and exam.of(ROLE_GONE):
            roles = ", ".join(f.subject for f in exam.of(ROLE_GONE))
            failed += [f"⚠️ I couldn't recreate {', '.join(f.subject for f in exam.of(MISSING))}: the "
                       f"campaign's permissions there name {roles}, which must be made again first."]
        elif MISSING in kinds and exam.of(MISSING):
            reply.show(f"🩺 Fixing **{md(campaign.name)}**: recreating what is missing…")
            unmade = _recreate(deps, campaign, exam, exam.of(MISSING), reason)
            failed += unmade
            done[MISSING] = [f.subject for f in exam.of(MISSING)] if not unmade else []
            campaign = deps.store.get(campaign.guild_id, campaign.key)
            exam = examine(deps, campaign)
        todo = [f for f in exam.findings if f.kind in kinds and f.kind not in (ROLE_GONE, MISSING)]
        for count, finding in enumerate(todo, start=1):
            why = _refused_for_lack(exam, lambda f=finding: FIXES[f.kind](deps, campaign, exam, f, reason))
            if why:
                failed.append(f"⚠️ {finding.subject}: {why}")
            else:
                done[finding.kind].append(finding.subject)
            reply.show(f"🩺 Fixing **{md(campaign.name)}**\n\n{bar(count, len(todo))}")
    finally:
        reply.close()  # no progress edit may land after the answer
    return done, failed


def _recreate(deps, campaign: Campaign, exam: Examination, missing: list[Finding],
              reason: str) -> list[str]:
    """Make the missing channels (or roles) again with the build's own steps: their deleted ids
    forgotten first, so each step creates (pending mark, create, record) as in a build."""
    keys = [f.key for f in missing]
    deps.store.forget(campaign, keys)
    fresh = deps.store.get(campaign.guild_id, campaign.key)
    # No progress of the build's own: the fix's answer shows it.
    build = CampaignBuild(replace(fresh, interaction_token="", message_expired=True), api=deps.api,
                          store=deps.store, application_id=deps.application_id,
                          bot_user_id=deps.bot_user)
    build.reason = reason
    try:
        build.run_steps([i for i, step in enumerate(build.steps) if step.key in keys])
    except BuildStopped as stopped:
        return [f"⚠️ I couldn't recreate {', '.join(f.subject for f in missing)}: {stopped.problem.what}"]
    except DiscordRejected as error:
        if error.code != JsonErrorCode.MISSING_PERMISSIONS:
            raise
        return [f"⚠️ I couldn't recreate {', '.join(f.subject for f in missing)}: {_lack(exam)}"]
    finally:
        build.flush()
    player_threads.after_made(deps, fresh, build.created_now)  # the players' threads in it too
    return []


def _recreate_roles(deps, campaign: Campaign, exam: Examination, gone: list[Finding],
                    reason: str) -> list[str]:
    """The deleted roles made again by the build's own role steps (as _recreate does channels),
    unless the server has no room for them (capacity.py: 250 roles, @everyone included). Returns
    lines saying why not ([] when made)."""
    counts = capacity.Counts(len(exam.presence.channels), 0, len(exam.roles))
    problem = capacity.shortfall(counts, channels=0, roles=len(gone), may_miss_hidden=False,
                                 command="/campaign-doctor")
    if problem is not None:
        return [f"⚠️ I couldn't recreate {', '.join(f.subject for f in gone)}: {problem.why} {problem.fix}"]
    return _recreate(deps, campaign, exam, gone, reason)


def _give_back(deps, campaign: Campaign, gone: list[Finding], reason: str) -> list[str]:
    """Each recreated role given to the members its group holds on the record (Add Guild Member
    Role: a PUT, so giving it twice changes nothing); one who left the server (404 10007) is
    skipped. Returns each role's subject with whom it went to."""
    groups = {PLAYERS_ROLE_KEY: ("player", campaign.players), GM_ROLE_KEY: ("GM", campaign.gms),
              SPECTATORS_ROLE_KEY: ("spectator", campaign.spectators)}
    said = []
    for finding in gone:
        noun, members = groups[finding.key]
        role = campaign.resources[finding.key]["id"]
        for user in sorted(members):
            try:
                deps.api.add_member_role(campaign.guild_id, user, role, reason=reason)
            except DiscordRejected as error:
                if error.code != JsonErrorCode.UNKNOWN_MEMBER:
                    raise
        said.append(f"{finding.subject} (given back to the {counted(len(members), noun)} on the record)")
    return said


def _restore(deps, campaign: Campaign, exam: Examination, finding: Finding, reason: str) -> str:
    """The campaign's overwrites put back on one channel (mine first, @everyone's deny last, so
    I never lose sight of it part way); on a GM-only channel players' own overwrites letting
    them in go too."""
    step = _step(campaign, finding.key)
    current = exam.presence.channels[finding.target]

    def edits(entry, now):
        put = list(reversed(restoring(campaign, step, now, deps.bot_user_id(), exam.roles)))
        remove = letting_players_in(campaign, now) if finding.kind == EXPOSED else []
        return put, remove, {}
    return _said(send_edits({"id": finding.target}, current, deps, reason, edits))


def _move_back(deps, campaign: Campaign, exam: Examination, finding: Finding, reason: str) -> str:
    """Back into the category, at its place in the template (as the build creates it: its index
    among the template's channels; developers/resources/channel.mdx, "Modify Channel")."""
    channels = [s.key for s in (Step.from_dict(d) for d in campaign.plan) if s.kind == CHANNEL]
    changes = {"parent_id": campaign.resources["category"]["id"], "position": channels.index(finding.key)}
    current = exam.presence.channels[finding.target]
    return _said(send_edits({"id": finding.target}, current, deps, reason,
                            lambda entry, now: ([], [], changes)))


def _forget(deps, campaign: Campaign, exam: Examination, finding: Finding, reason: str) -> str:
    """The roster's own sweep: every departed member off the record at once, a departed lead
    followed by the longest-serving GM, the GMs told and freed seats given to the waitlist."""
    roster.sweep(deps, campaign)
    return ""


def _give_thread(deps, campaign: Campaign, exam: Examination, finding: Finding, reason: str) -> str:
    """The player into their thread in every per-player channel, made again if gone, once
    however often asked (player_threads.follow)."""
    player_threads.follow(deps, campaign, finding.target, adding=True)
    return ""
def _refused_for_lack(exam: Examination, act) -> str:
    """`act()`'s answer, or when Discord refuses it for a permission I lack (403 50013 "Missing
    Permissions": developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes") what to do
    about it; other refusals propagate."""
    try:
        return act()
    except DiscordRejected as error:
        if error.code != JsonErrorCode.MISSING_PERMISSIONS:
            raise
    return _lack(exam)


def _lack(exam: Examination) -> str:
    """What to do about a 403 50013: the permissions my role lacks, if any (else an overwrite on
    the channel denies me one)."""
    lacking = p.label_list(exam.bot_lacks) if exam.bot_lacks else ""
    if lacking:
        return (f"Discord refused: my role lacks {lacking}. Give my role {lacking} in Server "
                "Settings → Roles, then press the button again.")
    return ("Discord refused: I lack a permission this needs, though my role holds every one I need "
            "server-wide (an overwrite on the channel may deny me one there). Check my role's "
            "permissions there, then press the button again.")


def _said(why: str) -> str:
    """send_edits' GONE or HIDDEN in words ("" when done)."""
    if not why:
        return ""
    return "deleted meanwhile." if why == GONE else "hidden from me meanwhile."


def _step(campaign: Campaign, key: str) -> Step:
    return next(s for s in (Step.from_dict(d) for d in campaign.plan) if s.key == key)


FIXES = {EXPOSED: _restore, OVERWRITES: _restore, MOVED: _move_back, DEPARTED: _forget, THREADS: _give_thread}
