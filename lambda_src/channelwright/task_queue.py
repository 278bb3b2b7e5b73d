"""The build's tasks on the SQS FIFO queue: one message per plan step.

MessageGroupId is the server id: SQS then hands one server's steps to one worker at a time, in
order (which is also how Discord rate-limits writes), while other servers proceed in parallel.
Deduplication ids derive from the interaction id, so a retried request enqueues nothing twice.
"""

import json
from dataclasses import asdict, dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

SQS_BATCH_LIMIT = 10


BUILD = "build"


@dataclass(frozen=True)
class Task:
    """One unit of worker work. Build steps carry only ids; the others (delete, member changes,
    info, template import) carry their request in `args`, including the interaction token their
    answer is edited with (valid 15 minutes; tools that show task bodies redact it)."""

    guild_id: str
    campaign_key: str
    run: str  # the interaction that started this work; tasks of an abandoned run are ignored
    step: int = 0
    kind: str = BUILD
    args: dict = field(default_factory=dict)

    def to_body(self) -> str:
        data = asdict(self)
        if self.kind == BUILD:
            del data["kind"], data["args"]
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_body(cls, body: str) -> "Task":
        """ValueError for a body of any other shape than `to_body` writes."""
        try:
            data = json.loads(body)
            return cls(str(data["guild_id"]), str(data.get("campaign_key", "")), str(data["run"]),
                       int(data.get("step", 0)), str(data.get("kind", BUILD)), dict(data.get("args") or {}))
        except (TypeError, KeyError, AttributeError, ValueError, RecursionError) as error:
            raise ValueError(f"not a task body ({type(error).__name__})") from None


class EnqueueFailed(Exception):
    pass


class TaskQueue:
    errors = (EnqueueFailed, BotoCoreError, ClientError)

    def __init__(self, client, queue_url: str):
        self._sqs = client
        self._url = queue_url

    def enqueue(self, tasks: list[Task]) -> None:
        for start in range(0, len(tasks), SQS_BATCH_LIMIT):
            chunk = tasks[start:start + SQS_BATCH_LIMIT]
            result = self._sqs.send_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(t.step), "MessageBody": t.to_body(), "MessageGroupId": t.guild_id,
                 "MessageDeduplicationId": f"{t.run}-{t.step}"}
                for t in chunk
            ])
            if result.get("Failed"):
                codes = sorted({f.get("Code", "?") for f in result["Failed"]})
                raise EnqueueFailed(f"SQS refused {len(result['Failed'])} task(s): {', '.join(codes)}")
