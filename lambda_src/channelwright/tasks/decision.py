"""What a task does now, given its campaign as the record shows it: one rule, two readers.

The worker follows the Decision; `python -m channelwright.ops dlq show` prints its `reason` as
what a redrive would do. Both call decide(), so what the operator is told is what happens.

A task belongs to one campaign run (Task.campaign_run): the campaign's interaction id when it was
queued. A task whose run is gone — the campaign was deleted, deleted and made again under the same
name, or rebuilt by a newer run — does nothing. Build tasks stay silent then (the newer run, or
the delete, tells the user); a member change, /campaign-info, a delete or a re-run tells whoever
asked, because they are waiting on its answer. A re-run's task (payloads.Rerun) names the run it
would replace; once it has taken the campaign over, the run is the task's own.
"""

from dataclasses import dataclass

from channelwright.campaigns.liveness import SILENT_FOR_MS
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
from channelwright.discord.snowflake import created_ms
from channelwright.tasks.payloads import (
    AdoptConfirm,
    AdoptPreview,
    Archive,
    CampaignInfo,
    ConfirmDelete,
    Delete,
    Doctor,
    DoctorFix,
    MemberChange,
    Rerun,
    Roster,
    TemplateExport,
    TemplateImport,
    TemplateRemove,
    Unarchive,
)
from channelwright.tasks.queue import BuildStep, Task
from channelwright.text.names import md

RUN, RESUME, IGNORE, REFUSE = "run", "resume", "ignore", "refuse"


@dataclass(frozen=True)
class Decision:
    kind: str    # RUN, RESUME (a build's failed step finishes the whole build), IGNORE, REFUSE
    reason: str  # for operators and logs: what the worker does with the task, and why
    tell: str = ""  # REFUSE only: the answer the asker gets instead

    @property
    def acts(self) -> bool:
        return self.kind in (RUN, RESUME)


def decide(task: Task, campaign: Campaign | None) -> Decision:
    """The decision for `task` given its campaign's record (None: no record of that name)."""
    if isinstance(task.payload, TemplateImport):  # belongs to a server, not to a campaign
        return Decision(RUN, "the worker imports the template again and edits the asker's answer.")
    if isinstance(task.payload, TemplateRemove):
        return Decision(RUN, "the worker removes the server's template (if the asker may) and "
                             "edits the asker's answer.")
    judge = _JUDGES.get(type(task.payload))
    if judge is None:
        return Decision(IGNORE, f"nothing: the worker does not know tasks of kind {task.kind!r} "
                                "and drops them.")
    return judge(task, campaign)


def same_run(task: Task, campaign: Campaign) -> bool:
    """Whether the task was queued for the campaign's current run.

    Bodies from before `campaign_run` existed (member and info tasks named no run) are judged by
    time instead: the campaign they were about existed when they were asked, so a record created
    after the asking interaction is a newer campaign of the same name.
    """
    if task.campaign_run:
        return task.campaign_run == campaign.interaction_id
    return campaign.created_at <= created_ms(task.interaction_id)


def _build(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None:
        return Decision(IGNORE, "nothing: the campaign no longer exists (deleted).")
    if not same_run(task, campaign):
        return Decision(IGNORE, "nothing: the campaign was started again since (someone re-ran "
                                "/add-campaign, or deleted it and made it again), and tasks of an "
                                "earlier run are ignored.")
    if campaign.status == COMPLETED:
        return Decision(IGNORE, "nothing: the campaign has completed since.")
    if campaign.status == DELETING:
        return Decision(IGNORE, "nothing: the campaign is being deleted, and a campaign being "
                                "deleted is never built further.")
    if campaign.status == FAILED:
        failure = campaign.failure or {}
        if failure.get("transient") and failure.get("step") == task.step:
            return Decision(RESUME, f"the worker resumes the build at step {task.step} and "
                                    "finishes it, updating the user's progress message (or "
                                    "posting in the campaign's first text channel once that "
                                    "message is gone or its 15-minute token has expired).")
        if not failure.get("transient"):
            return Decision(IGNORE, "nothing: the build stopped for a reason retrying cannot fix; "
                                    "the user was told what to change and resumes it with "
                                    "/add-campaign.")
        return Decision(IGNORE, f"nothing: the build stopped at step {failure.get('step')}; that "
                                "step's task is the one that resumes it.")
    return Decision(RUN, f"the worker runs step {task.step} again (the campaign is "
                         f"{campaign.status}).")


def _rerun(task: Task, campaign: Campaign | None) -> Decision:
    """A re-run the worker decides (rerun.py). Before taking over, `task.campaign_run` is the run
    the asker found failed or stalled; once taken over, the campaign's run is the task's own."""
    if campaign is None:
        return _refuse(None, "nothing was resumed")
    if campaign.interaction_id == task.interaction_id:
        return _taken_over(task, campaign)
    name = md(campaign.name)
    if campaign.interaction_id != task.campaign_run:
        return Decision(REFUSE, "nothing: another run took the campaign over, or it was deleted "
                                "and made again, since this re-run was asked; the asker is told.",
                        f"“{name}” was resumed by someone else, or deleted and made again, since "
                        "you asked, so I left it as it is.")
    if campaign.status == FAILED or _still_stalled(task, campaign):
        return Decision(RUN, "the worker checks the asker holds the campaign's GM role or manages "
                             "the server; if so it takes the campaign over (a new run that keeps "
                             "what exists) and builds the rest, editing the asker's answer; if "
                             "not, only the asker is told and the campaign is left as it was.")
    if campaign.status in (QUEUED, BUILDING):
        minutes = SILENT_FOR_MS // 60_000
        return Decision(REFUSE, "nothing: the build the asker found stalled went on since; the "
                                "asker is told.",
                        f"“{name}” is being built again since you asked, so I left it to finish. "
                        f"If it makes no progress for {minutes} minutes, run `/add-campaign` "
                        "again with the same name.")
    return Decision(REFUSE, f"nothing: the campaign is {campaign.status} now; the asker is told.",
                    f"“{name}” is {campaign.status} now, so there was nothing to resume.")


def _still_stalled(task: Task, campaign: Campaign) -> bool:
    """Whether the queued or building run the asker found stalled (liveness.py) still is.

    One whose request was cut off before sending every task (`tasks_sent` False) stays stalled
    whatever the tasks it did send still do: nothing will send the rest. One that fell silent
    stays stalled only while it stays silent: any write since (`progress_at` is every write's
    stamp; `seen` is the one the asker's request found) means a run is alive after all, such as
    an operator's redrive.
    """
    return campaign.status in (QUEUED, BUILDING) and (
        not campaign.tasks_sent or task.payload_as(Rerun).seen == campaign.progress_at)


def _taken_over(task: Task, campaign: Campaign) -> Decision:
    """The re-run's own build, carried by its one task: a retry or a redrive carries on."""
    if campaign.status == COMPLETED:
        return Decision(IGNORE, "nothing: the build this re-run took over has completed.")
    if campaign.status == DELETING:
        return Decision(IGNORE, "nothing: the campaign is being deleted, and a campaign being "
                                "deleted is never built further.")
    if campaign.status == FAILED and not (campaign.failure or {}).get("transient"):
        return Decision(IGNORE, "nothing: the build stopped for a reason retrying cannot fix; "
                                "the user was told what to change and resumes it with "
                                "/add-campaign.")
    if campaign.status == FAILED:
        return Decision(RESUME, "the worker resumes the build this re-run took over and finishes "
                                "it, updating the user's progress message (or posting in the "
                                "campaign's first text channel once that message is gone).")
    return Decision(RUN, "the worker carries on with the build this re-run took over (the "
                         f"campaign is {campaign.status}), keeping whatever is already made.")


def _gone(campaign: Campaign | None, asked: str) -> str:
    """What the asker is told when the campaign they asked about is not the one there now."""
    if campaign is None:
        return f"That campaign was deleted since you asked, so {asked}."
    return (f"“{md(campaign.name)}” was deleted or rebuilt since you asked, so {asked}. "
            "Run the command again if you still want it.")


def _member(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was changed")
    if campaign.status not in (COMPLETED, ARCHIVED):  # an archived campaign's roles still work
        return Decision(REFUSE, f"nothing: the campaign is {campaign.status}; the asker is told.",
                        f"“{md(campaign.name)}” is {campaign.status} now, so nothing was changed.")
    change = task.payload_as(MemberChange).describe()
    return Decision(RUN, f"the worker {change} and edits the asker's answer.")


def _info(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "there is nothing to show for it")
    return Decision(RUN, "the worker reads the server and edits the asker's /campaign-info answer.")


def _export(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "there is no layout to export")
    return Decision(RUN, "the worker reads the campaign's channels and answers the asker with its "
                         "layout as a template file.")


def _confirm_delete(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "there is nothing to delete")
    return Decision(RUN, "the worker checks the asker may delete the campaign and, if so, edits "
                         "their answer into the Delete/Cancel question.")


def _delete(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None:
        # Most often a duplicate of this very delete, already done and answered.
        return Decision(IGNORE, "nothing: the campaign is already deleted.")
    if not same_run(task, campaign):
        return _refuse(campaign, "nothing was deleted")
    return Decision(RUN, f"the worker deletes the campaign (status {campaign.status}), carrying on "
                         "from whatever an earlier try already deleted.")


def _archive(task: Task, campaign: Campaign | None) -> Decision:
    """An archive runs on a completed campaign, and carries on one whose archive or unarchive
    stopped part way (the snapshot it recorded first is kept: archive.py)."""
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was archived")
    return _archive_run(task, campaign, start=(COMPLETED,), end=ARCHIVED, verb="archive")


def _unarchive(task: Task, campaign: Campaign | None) -> Decision:
    """An unarchive runs on an archived campaign, or one whose archive or unarchive stopped part
    way: either way the snapshot recorded before the first edit says what to put back."""
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was unarchived")
    return _archive_run(task, campaign, start=(ARCHIVED,), end=COMPLETED, verb="unarchive")


def _archive_run(task: Task, campaign: Campaign, *, start: tuple[str, ...], end: str,
                 verb: str) -> Decision:
    """The shared rule: `start` statuses (and a stopped archive or unarchive) run, and so does
    a duplicate of the task that reached the `end` state (it only answers); anything else is
    refused in words."""
    if campaign.status in (*start, ARCHIVING, UNARCHIVING):
        return Decision(RUN, f"the worker {verb}s the campaign (status {campaign.status}), "
                             "carrying on from whatever an earlier try already changed, and "
                             "edits the asker's answer.")
    if campaign.status == end and campaign.archive_run == task.interaction_id:
        # This very task finished it; whether its answer went out is unknown: answer again.
        return Decision(RUN, f"the worker finds this task's {verb} done, changes nothing, and "
                             "edits the asker's answer with its summary again.")
    name = md(campaign.name)
    if campaign.status == end:
        already = "archived" if end == ARCHIVED else "not archived"
        return Decision(REFUSE, f"nothing: the campaign is {already} already; the asker is told.",
                        f"“{name}” is {already} already, so nothing was changed.")
    return Decision(REFUSE, f"nothing: the campaign is {campaign.status}; the asker is told.",
                    f"“{name}” is {campaign.status} now, so nothing was changed.")


def _refuse(campaign: Campaign | None, asked: str) -> Decision:
    why = "no longer exists (deleted)" if campaign is None else \
        "was deleted and made again, or rebuilt, since this was asked"
    return Decision(REFUSE, f"nothing: the campaign {why}; the asker is told that {asked}.",
                    _gone(campaign, asked))


def _adopt(task: Task, campaign: Campaign | None) -> Decision:
    """An adoption belongs to the server until its Confirm records the campaign: the worker
    re-reads the server each time, and a record of another run refuses it (campaigns/adopt.py)."""
    if isinstance(task.payload, AdoptConfirm):
        return Decision(RUN, "the worker checks the category still reads as previewed and adopts "
                             "it, carrying on from whatever an earlier try recorded; it refuses if "
                             "another run adopted it since.")
    return Decision(RUN, "the worker reads the category and edits the asker's answer into the "
                         "adoption's preview.")


def _roster(task: Task, campaign: Campaign | None) -> Decision:
    """A roster change works on a built campaign's roles (campaigns/roster.py): completed, or
    archived for leaving and handing the lead over."""
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was changed")
    roster = task.payload_as(Roster)
    allowed = (COMPLETED, ARCHIVED) if roster.action in ("leave", "transfer", "settings") else (COMPLETED,)
    if campaign.status not in allowed:
        return Decision(REFUSE, f"nothing: the campaign is {campaign.status}; the asker is told.",
                        f"“{md(campaign.name)}” is {campaign.status} now, so nothing was changed.")
    return Decision(RUN, f"the worker checks who left the server, then does the roster change "
                         f"({roster.describe()}) unless it was done already, and edits the "
                         "asker's answer.")


def _doctor(task: Task, campaign: Campaign | None) -> Decision:
    """The doctor reads, and its fix changes, a completed campaign only: a campaign being built,
    archived or deleted is expected to differ from its plan."""
    fixing = isinstance(task.payload, DoctorFix)
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was fixed" if fixing else "there is nothing to check")
    if campaign.status != COMPLETED:
        return Decision(REFUSE, f"nothing: the campaign is {campaign.status}; the asker is told.",
                        f"“{md(campaign.name)}” is {campaign.status} now, so I "
                        f"{'changed' if fixing else 'checked'} nothing.")
    if fixing:
        return Decision(RUN, "the worker checks the campaign again and fixes what the asker "
                             "picked that it still finds, then edits the asker's answer.")
    return Decision(RUN, "the worker compares the server with the campaign and edits the asker's "
                         "answer with what differs.")


_JUDGES = {BuildStep: _build, MemberChange: _member, CampaignInfo: _info, Delete: _delete,
           ConfirmDelete: _confirm_delete, TemplateExport: _export, Rerun: _rerun,
           Archive: _archive, Unarchive: _unarchive,
           AdoptPreview: _adopt, AdoptConfirm: _adopt, Roster: _roster,
           Doctor: _doctor, DoctorFix: _doctor}
