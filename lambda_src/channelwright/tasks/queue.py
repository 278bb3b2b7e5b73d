"""The build's tasks on the SQS FIFO queue: one message per plan step.

MessageGroupId is the server id: SQS then hands one server's steps to one worker at a time, in
order (which is also how Discord rate-limits writes), while other servers proceed in parallel.
Deduplication ids derive from the interaction id, so a retried request enqueues nothing twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from channelwright.tasks.payloads import Answered, Unknown

SQS_BATCH_LIMIT = 10
P = TypeVar("P")


@dataclass(frozen=True)
class BuildStep:
    """A build task's payload: one step of a campaign's plan (plan.py), by its index. Every other
    kind's payload is in payloads.py."""

    KIND: ClassVar[str] = "build"
    step: int = 0


BUILD = BuildStep.KIND


@dataclass(frozen=True)
class Task:
    """One unit of worker work: the envelope (server, campaign, the interaction that queued it,
    the campaign run it belongs to) around its kind's typed payload (payloads.py).

    `campaign_run` names the campaign run the task belongs to: the campaign's `interaction_id`
    when the task was queued (for a build task, its own run). decision.decide() compares it with
    the record, so a task queued for a campaign that was since deleted, made again or rebuilt does
    nothing. A server's task (template import, remove) belongs to no campaign: "" for both
    `campaign_key` and `campaign_run`.

    Wire format (to_body), unchanged since before payloads were typed, so bodies already queued
    and bodies read by an earlier release decode alike: {"guild_id", "campaign_key", "run" (the
    interaction id), "step", "kind", "args" (the payload), "campaign_run"}; a build step's body
    leaves out kind and args, a server's task campaign_run.
    """

    guild_id: str
    campaign_key: str
    interaction_id: str  # the interaction that queued this task (its token answers it)
    payload: BuildStep | Answered | Unknown
    campaign_run: str = ""

    @property
    def kind(self) -> str:
        return self.payload.KIND

    def payload_as(self, kind: type[P]) -> P:
        """The payload, as the `kind` its handler was chosen for (decide() dispatches on
        `kind`); TypeError if it is another kind, which is a bug in that dispatch."""
        if not isinstance(self.payload, kind):
            raise TypeError(f"a {self.kind} task's payload is not a {kind.__name__}")
        return self.payload

    @property
    def step(self) -> int:
        """The plan step a build task carries out; 0 for any other task."""
        return self.payload.step if isinstance(self.payload, BuildStep) else 0

    def to_body(self) -> str:
        data: dict = {"guild_id": self.guild_id, "campaign_key": self.campaign_key,
                      "run": self.interaction_id, "step": self.step}
        if not isinstance(self.payload, BuildStep):
            data["kind"], data["args"] = self.kind, self.payload.to_args(self.campaign_run)
        if self.campaign_run:
            data["campaign_run"] = self.campaign_run
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_body(cls, body: str) -> "Task":
        """ValueError for a body of any other shape than `to_body` writes."""
        try:
            data = json.loads(body)
            kind, args, run = str(data.get("kind", BUILD)), dict(data.get("args") or {}), str(data["run"])
            # Older bodies: a build task's run was the campaign run, a delete named it in
            # args["run"]; member and info tasks named none ("", which decide() judges by the
            # record's age).
            legacy = run if kind == BUILD else str(args.get("run", ""))
            payload: BuildStep | Answered | Unknown
            if kind == BUILD:
                payload = BuildStep(int(data.get("step", 0)))
            else:
                # Deferred: the request path only writes tasks; the kinds load where they're read.
                from channelwright.tasks.payloads import payload_from
                payload = payload_from(kind, args)
            return cls(str(data["guild_id"]), str(data.get("campaign_key", "")), run, payload,
                       str(data.get("campaign_run") or legacy))
        except (TypeError, KeyError, AttributeError, ValueError, RecursionError) as error:
            raise ValueError(f"not a task body ({type(error).__name__})") from None


def _deduplication_id(task: Task) -> str:
    """The same for a retried request's same task: a build step by its index, any other task by
    its kind (a re-run's task, step 0, must not share an id with its run's first build step)."""
    return (f"{task.interaction_id}-{task.step}" if task.kind == BUILD
            else f"{task.interaction_id}-{task.kind}")


class EnqueueFailed(Exception):
    """Not every task reached the queue. `maybe_sent`: some may have (a batch went out, or a
    request's answer was lost), so the tasks' campaign may already be in the worker's hands."""

    def __init__(self, message: str, *, maybe_sent: bool = True):
        super().__init__(message)
        self.maybe_sent = maybe_sent


class TaskQueue:
    errors = (EnqueueFailed, BotoCoreError, ClientError)

    def __init__(self, client, queue_url: str):
        self._sqs = client
        self._url = queue_url

    def enqueue(self, tasks: list[Task]) -> None:
        """Send the tasks in order, ten to a batch; EnqueueFailed if any did not arrive."""
        for start in range(0, len(tasks), SQS_BATCH_LIMIT):
            chunk = tasks[start:start + SQS_BATCH_LIMIT]
            try:
                result = self._sqs.send_message_batch(QueueUrl=self._url, Entries=[
                    {"Id": str(t.step), "MessageBody": t.to_body(), "MessageGroupId": t.guild_id,
                     "MessageDeduplicationId": _deduplication_id(t)}
                    for t in chunk
                ])
            except ClientError as error:  # SQS answered: this batch was refused as a whole
                raise EnqueueFailed(f"SQS refused the batch: {error}", maybe_sent=start > 0) from error
            except BotoCoreError as error:  # no answer: the batch may have arrived all the same
                raise EnqueueFailed(f"SQS did not answer: {error}", maybe_sent=True) from error
            if result.get("Failed"):
                codes = sorted({f.get("Code", "?") for f in result["Failed"]})
                raise EnqueueFailed(f"SQS refused {len(result['Failed'])} task(s): {', '.join(codes)}",
                                    maybe_sent=start > 0 or bool(result.get("Successful")))
