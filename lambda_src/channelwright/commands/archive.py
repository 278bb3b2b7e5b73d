"""/archive-campaign and /unarchive-campaign (request-path halves).

Each answers within Discord's 3 seconds from the campaign store: a refusal in plain words when
the campaign's status says the command can't apply (changing nothing), else a private deferred
answer and one task for the worker, which checks the caller (its GMs, server managers:
authority.py), does the work with progress and edits the answer with its summary
(campaigns/archive.py). The worker judges the status again when the task runs (tasks/decision.py),
so a refusal here is a courtesy, not the guard.

A stopped archive or unarchive (status archiving or unarchiving) is accepted by both commands:
either carries on from the snapshot the first one recorded.
"""

from channelwright.campaigns import liveness
from channelwright.campaigns.store import (
    ARCHIVED,
    ARCHIVING,
    BUILDING,
    COMPLETED,
    DELETING,
    FAILED,
    QUEUED,
    UNARCHIVING,
    Campaign,
)
from channelwright.commands.definitions import Invocation, request_fields
from channelwright.commands.lifecycle import enqueue, find_campaign
from channelwright.tasks.payloads import Archive, Unarchive
from channelwright.tasks.queue import Task
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred

MODES = ("lock", "collapse")  # the `mode` choices (definitions.ARCHIVE_CAMPAIGN)


def archive_campaign(invocation: Invocation, deps) -> dict:
    campaign = find_campaign(invocation, deps, "name")
    mode = str(invocation.options.get("mode") or "lock")
    if mode not in MODES:
        raise Refusal(Problem(f"I don't know the archive mode “{md(mode[:40])}”.",
                              "The modes are: " + ", ".join(MODES) + ".",
                              "Pick one from the command's choices."))
    if campaign.status == ARCHIVED:
        raise Refusal(Problem(f"“{md(campaign.name)}” is archived already.",
                              "Nothing was changed.",
                              "Use `/unarchive-campaign` to put it back as it was."))
    _refuse_unless(campaign, (COMPLETED, ARCHIVING, UNARCHIVING), deps, "archived")
    archive = Archive(**request_fields(invocation, "archive it"), mode=mode,
                      reveal_gm_channels=invocation.options.get("reveal-gm-channels") is True,
                      by=invocation.user_name)
    return _queue(invocation, deps, campaign, archive)


def unarchive_campaign(invocation: Invocation, deps) -> dict:
    campaign = find_campaign(invocation, deps, "name")
    if campaign.status == COMPLETED:
        raise Refusal(Problem(f"“{md(campaign.name)}” isn't archived.",
                              "Nothing was changed.",
                              "Use `/archive-campaign` to archive it."))
    _refuse_unless(campaign, (ARCHIVED, ARCHIVING, UNARCHIVING), deps, "unarchived")
    unarchive = Unarchive(**request_fields(invocation, "unarchive it"), by=invocation.user_name)
    return _queue(invocation, deps, campaign, unarchive)


def _queue(invocation: Invocation, deps, campaign: Campaign, payload) -> dict:
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, payload,
                campaign_run=campaign.interaction_id)
    return enqueue(deps, task, deferred(private=True))


def _refuse_unless(campaign: Campaign, statuses: tuple[str, ...], deps, done: str) -> None:
    """Refusal, saying why, unless the campaign's status is one of `statuses`."""
    if campaign.status in statuses:
        return
    name = md(campaign.name)
    if campaign.status in (QUEUED, BUILDING) and not liveness.stalled(campaign, deps.now_ms()):
        why = "It is still being built."
        then = "Wait for the build to finish, then run the command again."
    elif campaign.status in (QUEUED, BUILDING, FAILED):
        why = "Its build didn't finish."
        then = "Run `/add-campaign` again with the same name to finish it first."
    elif campaign.status == DELETING:
        why = "It is being deleted."
        then = "Nothing to do: it will be gone in a moment."
    else:
        why = f"Its status is {campaign.status}."
        then = "Run the command again once that has settled."
    raise Refusal(Problem(f"“{name}” can't be {done} now.", f"{why} Nothing was changed.", then))
