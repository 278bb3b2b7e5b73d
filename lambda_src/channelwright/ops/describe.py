"""What a dead letter means: its campaign, the step that failed, the last error, and what a
redrive of it would do.

"What a redrive would do" is channelwright.tasks.decision.decide(), the function the worker
itself follows, so the two cannot disagree.
"""

from dataclasses import dataclass

from channelwright.campaigns.store import Campaign
from channelwright.tasks.decision import decide
from channelwright.tasks.payloads import ROLE_NAMES, MemberChange
from channelwright.tasks.queue import BuildStep

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
        if (task is None or not isinstance(task.payload, BuildStep) or campaign is None
                or not 0 <= task.step < len(campaign.plan)):
            return None
        return campaign.plan[task.step]

    def step_label(self) -> str:
        task = self.letter.task
        if task is None:
            return "?"
        if not isinstance(task.payload, BuildStep):  # a command's deferred half, not a plan step
            return describe_request(task.payload)
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
        task = self.letter.task
        if task is None:
            return ("fails again: the worker cannot read this message (not a build task). "
                    "Purge it.")
        return decide(task, self.campaign).reason


def describe_request(payload) -> str:
    """A command's deferred half in a few words (payload: any but a BuildStep)."""
    if isinstance(payload, MemberChange):
        role = ROLE_NAMES.get(payload.group, "Players")
        verb = "give" if payload.action == "add" else "take"
        return f"{payload.KIND}: {verb} {role} role, user {payload.user_id or '?'}"
    return payload.KIND


def describe_step(step: dict) -> str:
    kind, name = step.get("kind", "?"), step.get("name", "")
    if kind == "channel":
        gm_only = ", GM only" if step.get("gm_only") else ""
        return f"channel {name!r} ({step.get('channel_type', '?')}{gm_only})"
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
