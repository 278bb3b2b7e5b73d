"""/adopt-campaign (worker side): the preview, then, on Confirm, the change.

The preview (run_preview) reads the server (adopt_survey.read) and changes nothing: it names the
campaign, its channels grouped as the build summary groups them, which it takes as GM-only, the
roles it will create, and the overwrites it will set, under Confirm/Cancel (buttons.py).

Confirm (run_confirm), for any server manager (the preview is private to its asker, so in practice
theirs), goes ahead only if the server still reads as the preview showed (the fingerprint in the
button); else it refuses and asks for /adopt-campaign again. Then, each step recorded before the
next:
1. the campaign record (status building, `origin` "adopted"): a conditional put on its name, so a
   second Confirm (a double click, a second preview) finds it and changes nothing;
2. the missing roles, each created exactly once as a build creates them: a pending mark first,
   and after a lost reply the server's roles are read and the bot's own create recognised
   (reconcile.py) instead of sending another;
3. the GM role, if created, given to whoever confirmed (someone must run the campaign);
4. the overwrites, by Edit Channel Permissions (developers/resources/channel.mdx): each replaces
   one role's or member's overwrite and leaves the channel's others as they are, so nobody else's
   access changes. The category and every players' channel get the campaign's four (access.py:
   @everyone denied View Channel, Players and GM allowed in, me allowed); GM-only channels deny
   Players too. Syncing the channels with the category instead would drop their other overwrites,
   and Discord lets the bot send only the permission bits it holds (developers/resources/
   channel.mdx, "Modify Channel"), which others' overwrites may exceed.
Then the record is completed and the answer states the server's counts against Discord's limits.
A task that fails is retried by SQS and carries on from what the record holds; a Discord refusal
marks the adoption failed, and running /adopt-campaign again on the category takes it over.
"""

import time
from dataclasses import replace

from channelwright.campaigns import access, adopt_survey, capacity, liveness, reconcile
from channelwright.campaigns.adopt_survey import ADOPTED, Adoption
from channelwright.campaigns.buttons import adopt_buttons
from channelwright.campaigns.channel_presence import may_miss_hidden
from channelwright.campaigns.plan import (
    ASSIGN_GM,
    CATEGORY,
    CHANNEL,
    COMPLETE,
    GM_ONLY,
    GM_ROLE_KEY,
    PARTY,
    PLAYERS_ROLE_KEY,
    ROLE,
    Step,
    type_name,
)
from channelwright.campaigns.progress import ProgressMessage, bar
from channelwright.campaigns.store import BUILDING, COMPLETED, FAILED, Campaign, CampaignExists
from channelwright.campaigns.summary import GROUPS
from channelwright.discord.errors import DiscordRejected, OutcomeUnknown
from channelwright.text.counts import counted
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal

ASSIGN_KEY = "member:gm"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _read(task, deps, *, run: str = "") -> Adoption:
    ask = task.payload  # a payloads.AdoptPreview or AdoptConfirm
    return adopt_survey.read(deps.api, deps.store, task.guild_id, ask.category_id,
                             {PLAYERS_ROLE_KEY: ask.players_role, GM_ROLE_KEY: ask.gm_role},
                             bot_user_id=deps.bot_user_id(), now_ms=_now_ms(), run=run)


def run_preview(task, deps, standing) -> None:
    """Edit the asker's answer into the preview and its Confirm/Cancel; Refusal if it can't be."""
    ask = task.payload
    reply = ProgressMessage.answering(deps.api, deps.application_id, ask.token, task.interaction_id)
    adoption = _read(task, deps)
    reply.finish(preview_text(adoption), components=adopt_buttons(
        ask.category_id, ask.players_role, ask.gm_role, adoption.fingerprint()))


def preview_text(adoption: Adoption) -> str:
    """What adopting means, in the words the preview shows above Confirm/Cancel."""
    gm_only = [c for c in adoption.channels if c["id"] in adoption.gm_only]
    shared = len(adoption.channels) - len(gm_only)
    lines = [f"**Adopt “{md(adoption.name)}” as a campaign?** Nothing changes until you press Confirm.",
             "", f"**Category:** {md(adoption.name)}", f"**{counted(len(adoption.channels), 'channel')}:**",
             *_grouped(adoption), "", "**Roles:**", *_role_lines(adoption), "",
             "**What Confirm changes** (each role's or member's overwrite named here is replaced; "
             "every other overwrite stays as it is):",
             "• the category: @everyone denied View Channel; Players and GM allowed in; me allowed"]
    if shared:
        lines.append(f"• the {shared} players' channels: the same as the category")
    if gm_only:
        names = ", ".join(f"#{md(c.get('name') or '?')}" for c in gm_only)
        lines.append(f"• GM-only ({names}): @everyone and Players denied View Channel; GM and me allowed")
    lines += ["", "🔒 = taken as GM-only: hidden from @everyone by its own permissions and from "
              "someone who sees the category (or from the players role you gave).",
              _counts_line(adoption, len(adoption.to_create))]
    if may_miss_hidden(adoption.bot_permissions):
        lines.append("⚠️ Channels hidden from me aren't listed and aren't adopted: I can't see them. "
                     "To include one, give my role View Channel in it, then run `/adopt-campaign` again.")
    return "\n".join(lines)


def _grouped(adoption: Adoption) -> list[str]:
    """One line per kind, as the build summary groups channels (summary.GROUPS, then others)."""
    groups: dict[str, list[str]] = {}
    for channel in adoption.channels:
        group = type_name(channel.get("type"), "other")
        groups.setdefault(group if group in GROUPS else "other", []).append(
            ("🔒 " if channel["id"] in adoption.gm_only else "") + md(channel.get("name") or "?"))
    return [f"{group.title()}: " + ", ".join(groups[group]) for group in (*GROUPS, "other")
            if group in groups]


def _role_lines(adoption: Adoption) -> list[str]:
    lines = []
    for key, label in ((PLAYERS_ROLE_KEY, "Players"), (GM_ROLE_KEY, "GM")):
        name = md(adoption.role_name(key))
        if adoption.roles[key]:
            lines.append(f"{label}: @{name} (yours, kept as it is)")
        elif key in adoption.earlier:
            lines.append(f"{label}: @{name} (created by an earlier try at adopting it)")
        else:
            lines.append(f"{label}: @{name} (I'll create it"
                         + (", and give it to you)" if key == GM_ROLE_KEY else ")"))
    return lines


def _counts_line(adoption: Adoption, roles: int) -> str:
    return (f"{capacity.totals_text(adoption.counts)}. Adopting creates no channel and {roles} "
            f"role{'s' if roles != 1 else ''}.")


# -- Confirm ---------------------------------------------------------------------------------------

def run_confirm(task, deps, standing) -> None:
    """Carry the confirmed adoption out (the module's steps) and edit the preview into its
    summary; Refusal, changing nothing, if the server no longer reads as previewed or another run
    adopted it. A Discord refusal on the way marks the record failed and is raised on."""
    confirm = task.payload  # a payloads.AdoptConfirm
    reply = ProgressMessage.answering(deps.api, deps.application_id, confirm.token, task.interaction_id)
    adoption = _read(task, deps, run=task.interaction_id)
    if adoption.fingerprint() != confirm.fingerprint:
        raise Refusal(Problem("The category changed since the preview, so I changed nothing.",
                              "A channel was added, removed or moved, its permissions or name "
                              "changed, or a role you gave is gone.",
                              "Run `/adopt-campaign` again to see what adopting it means now."))
    campaign = _open_record(task, deps, adoption)
    reason = f"Channelwright: adopting “{adoption.name}” as a campaign, asked by {confirm.by or 'someone'}"
    try:
        campaign = _create_roles(campaign, adoption, deps, reply, reason)
        campaign = _give_gm_role(campaign, deps, reason)
        _set_overwrites(campaign, adoption, deps, reply, reason)
    except Exception as error:
        reply.close()  # no progress edit may land after the worker's answer to the failure
        if isinstance(error, DiscordRejected):
            # No retry can fix a refusal: the record says so (a new adoption takes it over).
            deps.store.set_status(campaign, FAILED, failure={
                "what": "Discord refused a change while adopting the category.", "why": str(error),
                "fix": "Run `/adopt-campaign` again on the category.", "transient": False})
        raise
    deps.store.set_status(campaign, COMPLETED)
    counts = replace(adoption.counts, roles=adoption.counts.roles + len(adoption.to_create))
    deps.store.put_server_counts(campaign.guild_id, {
        "channels": counts.channels, "categories": counts.categories, "roles": counts.roles,
        "read_at_ms": counts.read_at_ms})
    # The doctor's check of the adopted campaign (doctor_fix.py builds on the build and the
    # archive, so it is imported where it is needed).
    from channelwright.campaigns.doctor_fix import after_change
    checked, components = after_change(deps, deps.store.get(campaign.guild_id, campaign.key))
    reply.finish(_done_text(adoption, campaign, counts) + "\n" + checked, components=components)


def _open_record(task, deps, adoption: Adoption) -> Campaign:
    """The campaign record of this Confirm: made now, this task's own from an earlier try, or a
    failed or stalled adoption of the same category taken over. Refusal if another run holds it."""
    confirm = task.payload
    fresh = Campaign(
        guild_id=task.guild_id, key=adoption.key, name=adoption.name, template=ADOPTED,
        plan=[s.to_dict() for s in plan(adoption)], interaction_id=task.interaction_id,
        interaction_token=confirm.token, requested_by=confirm.caller.user_id,
        requested_by_name=confirm.by, requested_by_roles=sorted(confirm.caller.role_ids),
        bot_permissions=str(adoption.bot_permissions), status=BUILDING, resources=resources(adoption),
        channel_id=confirm.channel_id, origin=ADOPTED,
        gms=frozenset({confirm.caller.user_id} if _holds_given_gm_role(adoption, confirm.caller) else ()))
    try:
        return deps.store.create(fresh)
    except CampaignExists as exists:
        old = exists.existing
    if old.interaction_id == task.interaction_id:
        return old
    if old.origin == ADOPTED and (old.status == FAILED or liveness.stalled(old, _now_ms())):
        made = {k: r for k, r in old.resources.items() if k in adoption.not_given or k == ASSIGN_KEY}
        taken = deps.store.restart(old, interaction_id=task.interaction_id, interaction_token=confirm.token,
                                   requested_by=fresh.requested_by, requested_by_name=fresh.requested_by_name,
                                   requested_by_roles=fresh.requested_by_roles, plan=fresh.plan,
                                   resources={**made, **fresh.resources}, status=BUILDING,
                                   bot_permissions=fresh.bot_permissions, channel_id=fresh.channel_id,
                                   tasks_sent=True)
        if taken is not None:
            return taken
    raise Refusal(Problem(f"“{md(adoption.name)}” is already a campaign.",
                          "Someone confirmed adopting it already (a second click on Confirm, or "
                          "another preview's), so I changed nothing more.",
                          "See it with `/campaign-info`."))


def _holds_given_gm_role(adoption: Adoption, caller) -> bool:
    given = adoption.roles[GM_ROLE_KEY]
    return given is not None and given["id"] in caller.role_ids


def plan(adoption: Adoption) -> list[Step]:
    """The record's plan, as a build's plan describes a campaign (its roles, the GM role given
    if created, the category, its channels in sidebar order), so /campaign-info, /delete-campaign,
    the member commands and export read an adopted campaign like any other."""
    steps = [Step(PLAYERS_ROLE_KEY, ROLE, adoption.role_name(PLAYERS_ROLE_KEY)),
             Step(GM_ROLE_KEY, ROLE, adoption.role_name(GM_ROLE_KEY))]
    if adoption.roles[GM_ROLE_KEY] is None:
        steps.append(Step(ASSIGN_KEY, ASSIGN_GM))
    steps.append(Step("category", CATEGORY, adoption.name, "category"))
    steps += [Step(f"channel:{i}", CHANNEL, c.get("name") or "", type_name(c.get("type"), "text"),
                   GM_ONLY if c["id"] in adoption.gm_only else PARTY)
              for i, c in enumerate(adoption.channels)]
    return [*steps, Step("complete", COMPLETE)]


def resources(adoption: Adoption) -> dict[str, dict]:
    """What exists already: the category, its channels and the roles given ("given": the server's
    before, kept by a delete, teardown.py)."""
    made = {"category": _channel(adoption.category)}
    made.update({f"channel:{i}": _channel(c) for i, c in enumerate(adoption.channels)})
    made.update({key: {"id": role["id"], "name": role.get("name", ""), "given": True}
                 for key, role in adoption.roles.items() if role is not None})
    return made


def _channel(channel: dict) -> dict:
    return {"id": channel["id"], "type": channel["type"], "name": channel.get("name", "")}


def _create_roles(campaign: Campaign, adoption: Adoption, deps, reply, reason: str) -> Campaign:
    """Create the missing roles, each once: marked pending before its create is sent, and after
    a lost reply (this try's or an earlier one's) found on the server rather than sent again."""
    todo = [key for key in adoption.not_given if key not in campaign.resources]
    unmarked = [key for key in todo if key not in campaign.pending]
    if unmarked:
        now = _now_ms()
        deps.store.mark_pending(campaign, unmarked, now)
        campaign = replace(campaign, pending={**campaign.pending, **{key: now for key in unmarked}})
    for key in todo:
        step = Step(key, ROLE, adoption.role_name(key))
        role = None if key in unmarked else _reconcile(step, campaign, deps, reason)
        if role is None:
            try:
                role = deps.api.create_role(campaign.guild_id, {
                    "name": step.name, "permissions": "0", "mentionable": False, "hoist": False},
                    reason=reason)
            except OutcomeUnknown:
                role = _reconcile(step, campaign, deps, reason)
                if role is None:
                    raise  # not made after all: the retried task creates it
        made = {"id": role["id"], "name": role.get("name", step.name)}
        deps.store.record(campaign, {key: made})
        campaign = replace(campaign, resources={**campaign.resources, key: made})
        reply.show(f"Adopting **{md(adoption.name)}**: created @{md(made['name'])}")
    return campaign


def _reconcile(step: Step, campaign: Campaign, deps, reason: str) -> dict | None:
    """The role the bot made for `step` after its pending mark, if any (reconcile.py); provable
    twins are deleted."""
    owned = reconcile.owned_ids([c.resources for c in deps.store.campaigns(campaign.guild_id)])
    findings = reconcile.find(step, deps.api.guild_roles(campaign.guild_id),
                              since_ms=campaign.pending[step.key], owned=owned, idle=campaign.idle)
    for twin in findings.twins:
        try:
            deps.api.delete_role(campaign.guild_id, twin["id"], reason=reason)
        except DiscordRejected as error:
            if error.status != 404:
                raise
    return findings.adopt


def _give_gm_role(campaign: Campaign, deps, reason: str) -> Campaign:
    """A GM role created for the campaign goes to whoever confirmed (as a build gives it to its
    requester); a given one stays with those who hold it."""
    if not any(s.get("key") == ASSIGN_KEY for s in campaign.plan) or ASSIGN_KEY in campaign.resources:
        return campaign
    role, user = campaign.resources[GM_ROLE_KEY]["id"], campaign.requested_by
    deps.api.add_member_role(campaign.guild_id, user, role, reason=reason)
    deps.store.add_member(campaign, "gms", user)
    deps.store.record(campaign, {ASSIGN_KEY: {"role": role, "user": user}})
    return replace(campaign, gms=campaign.gms | {user},
                   resources={**campaign.resources, ASSIGN_KEY: {"role": role, "user": user}})


def _set_overwrites(campaign: Campaign, adoption: Adoption, deps, reply, reason: str) -> None:
    """The category's, then each channel's, overwrites for the campaign's roles and me, each
    channel recorded as done ("private") before the next."""
    targets = [("category", adoption.category, False)] + [
        (f"channel:{i}", c, c["id"] in adoption.gm_only) for i, c in enumerate(adoption.channels)]
    for done, (key, channel, gm_only) in enumerate(targets, start=1):
        if campaign.resources.get(key, {}).get("private"):
            continue  # an earlier try set these
        # Mine first and @everyone's deny last: denied View Channel before my own allow, I could
        # no longer see the channel to finish (403 50001 Missing Access).
        for overwrite in reversed(_overwrites(campaign, deps, gm_only)):
            deps.api.edit_channel_permissions(channel["id"], overwrite, reason=reason)
        deps.store.record(campaign, {key: {**campaign.resources[key], "private": True}})
        reply.show(f"Adopting **{md(adoption.name)}**\n\n{bar(done, len(targets))}")


def _overwrites(campaign: Campaign, deps, gm_only: bool) -> list[dict]:
    return access.overwrites(
        guild_id=campaign.guild_id, players_role=campaign.resources[PLAYERS_ROLE_KEY]["id"],
        gm_role=campaign.resources[GM_ROLE_KEY]["id"], bot_user_id=deps.bot_user_id(),
        bot_permissions=int(campaign.bot_permissions), access=GM_ONLY if gm_only else PARTY)


def _done_text(adoption: Adoption, campaign: Campaign, counts) -> str:
    created = [md(campaign.resources[k]["name"]) for k in adoption.not_given]
    gm_only = sum(c["id"] in adoption.gm_only for c in adoption.channels)
    lines = [f"✅ Adopted **{md(adoption.name)}** as a campaign: its category and "
             f"{counted(len(adoption.channels), 'channel')} ({gm_only} GM-only) are now visible only to "
             f"@{md(campaign.resources[PLAYERS_ROLE_KEY]['name'])} and "
             f"@{md(campaign.resources[GM_ROLE_KEY]['name'])}."]
    if created:
        lines.append("Created: " + ", ".join(f"@{name}" for name in created))
    lines += ["Give players the Players role with `/add-player`; `/campaign-info` shows it all.",
              capacity.totals_text(counts)]
    return "\n".join(lines)
