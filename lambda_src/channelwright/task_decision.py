"""What a task does now, given its campaign as the record shows it: one rule, two readers.

The worker follows the Decision; `python -m channelwright.ops dlq show` prints its `reason` as
what a redrive would do. Both call decide(), so what the operator is told is what happens.

A task belongs to one campaign run (Task.campaign_run): the campaign's interaction id when it was
queued. A task whose run is gone — the campaign was deleted, deleted and made again under the same
name, or rebuilt by a newer run — does nothing. Build tasks stay silent then (the newer run, or
the delete, tells the user); a member change, /campaign-info or a delete tells whoever asked,
because they are waiting on its answer.
"""

from dataclasses import dataclass

from .lifecycle import CONFIRM_DELETE, DELETE, INFO, MEMBER
from .names import md
from .snowflake import created_ms
from .store import COMPLETED, DELETING, FAILED, Campaign
from .task_queue import BUILD, Task
from .template_commands import TEMPLATE_IMPORT, TEMPLATE_REMOVE

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
    if task.kind == TEMPLATE_IMPORT:  # belongs to a server, not to a campaign
        return Decision(RUN, "the worker imports the template again and edits the asker's answer.")
    if task.kind == TEMPLATE_REMOVE:
        return Decision(RUN, "the worker removes the server's template (if the asker may) and "
                             "edits the asker's answer.")
    judge = _JUDGES.get(task.kind)
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
    return campaign.created_at <= created_ms(task.run)


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


def _gone(campaign: Campaign | None, asked: str) -> str:
    """What the asker is told when the campaign they asked about is not the one there now."""
    if campaign is None:
        return f"That campaign was deleted since you asked, so {asked}."
    return (f"“{md(campaign.name)}” was deleted or rebuilt since you asked, so {asked}. "
            "Run the command again if you still want it.")


def _member(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "nothing was changed")
    if campaign.status != COMPLETED:
        return Decision(REFUSE, f"nothing: the campaign is {campaign.status}; the asker is told.",
                        f"“{md(campaign.name)}” is {campaign.status} now, so nothing was changed.")
    args = task.args
    role = "GM" if args.get("group") == "gms" else "Players"
    verb = "gives" if args.get("action") == "add" else "takes away"
    return Decision(RUN, f"the worker {verb} the campaign's {role} role to user "
                         f"{args.get('user_id', '?')} and edits the asker's answer.")


def _info(task: Task, campaign: Campaign | None) -> Decision:
    if campaign is None or not same_run(task, campaign):
        return _refuse(campaign, "there is nothing to show for it")
    return Decision(RUN, "the worker reads the server and edits the asker's /campaign-info answer.")


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


def _refuse(campaign: Campaign | None, asked: str) -> Decision:
    why = "no longer exists (deleted)" if campaign is None else \
        "was deleted and made again, or rebuilt, since this was asked"
    return Decision(REFUSE, f"nothing: the campaign {why}; the asker is told that {asked}.",
                    _gone(campaign, asked))


_JUDGES = {BUILD: _build, MEMBER: _member, INFO: _info, DELETE: _delete,
           CONFIRM_DELETE: _confirm_delete}
