"""What a dead letter means: its campaign, the step that failed, the last error, and what a
redrive of it would do.

"What a redrive would do" mirrors `channelwright.worker.run_task`: a redriven task runs only if it
belongs to the campaign's current run, and a failed campaign is resumed only by the task of the
step that failed transiently — that task then finishes the whole build. Keep the two in step.
"""

from dataclasses import dataclass

from channelwright.store import COMPLETED, FAILED, Campaign

from .peek import DeadLetter

NO_ERROR = "no recorded error"


@dataclass(frozen=True)
class Diagnosis:
    letter: DeadLetter
    campaign: Campaign | None

    @property
    def guild_id(self) -> str:
        task = self.letter.task
        return task.guild_id if task else self.letter.group_id

    @property
    def step(self) -> dict | None:
        task, campaign = self.letter.task, self.campaign
        if task is None or campaign is None or not 0 <= task.step < len(campaign.plan):
            return None
        return campaign.plan[task.step]

    def step_label(self) -> str:
        task = self.letter.task
        if task is None:
            return "?"
        return f"{task.step}: {describe_step(self.step)}" if self.step else str(task.step)

    def campaign_label(self) -> str:
        if self.letter.task is None:
            return "(unreadable task)"
        if self.campaign is None:
            return f"(no campaign {self.letter.task.campaign_key!r})"
        return self.campaign.name

    def status(self) -> str:
        return self.campaign.status if self.campaign else "-"

    def last_error(self) -> str:
        failure = (self.campaign.failure if self.campaign else None) or {}
        text = " ".join(part for part in (failure.get("what"), failure.get("why")) if part)
        return text or NO_ERROR

    def on_redrive(self) -> str:
        task, campaign = self.letter.task, self.campaign
        if task is None:
            return ("fails again: the worker cannot read this message (not a build task). "
                    "Purge it.")
        if campaign is None:
            return "nothing: the campaign no longer exists (deleted)."
        if campaign.interaction_id != task.run:
            return ("nothing: the campaign was started again since (someone re-ran /add-campaign), "
                    "and tasks of an earlier run are ignored.")
        if campaign.status == COMPLETED:
            return "nothing: the campaign has completed since."
        if campaign.status == FAILED:
            failure = campaign.failure or {}
            if failure.get("transient") and failure.get("step") == task.step:
                return (f"the worker resumes the build at step {task.step} and finishes it, "
                        "updating the user's progress message (or posting in the campaign's "
                        "first channel once the 15-minute interaction token has expired).")
            if not failure.get("transient"):
                return ("nothing: the build stopped for a reason retrying cannot fix; the user "
                        "was told what to change and resumes it with /add-campaign.")
            return (f"nothing: the build stopped at step {failure.get('step')}; that step's task "
                    "is the one that resumes it.")
        return f"the worker runs step {task.step} again (the campaign is {campaign.status})."


def describe_step(step: dict) -> str:
    kind, name = step.get("kind", "?"), step.get("name", "")
    if kind == "channel":
        return f"channel {name!r} ({step.get('channel_type', '?')}{', GM only' if step.get('gm_only') else ''})"
    if kind in ("role", "category"):
        return f"{kind} {name!r}"
    if kind == "assign_gm":
        return "give the GM role to the requester"
    if kind == "complete":
        return "final summary"
    return f"{kind} {name!r}" if name else kind


class CampaignLookup:
    """Campaign records by (guild, key), read once per command."""

    def __init__(self, store):
        self._store = store
        self._seen: dict[tuple[str, str], Campaign | None] = {}

    def diagnose(self, letter: DeadLetter) -> Diagnosis:
        task = letter.task
        if task is None:
            return Diagnosis(letter, None)
        key = (task.guild_id, task.campaign_key)
        if key not in self._seen:
            self._seen[key] = self._store.get(*key)
        return Diagnosis(letter, self._seen[key])
