"""Reading the dead-letter queue without consuming it.

SQS has no "browse": the only way to see a message is to receive it, which hides it for the
visibility timeout and counts a receive. So a peek receives with a short timeout, keeps what it
received in flight until it has seen everything, and then makes it all visible again at once
(ChangeMessageVisibility to 0). Nothing is deleted, and on a FIFO queue each message goes back to
its place at the head of its group, so the order is kept.

Why hold messages until the end: while a message is in flight, a FIFO queue returns no other
message of the same group (that lock is what keeps a group in order), and releasing early would
make the next receive hand back the same messages again. Holding them lets every receive move on
to groups not yet seen. The flip side: a group's later messages can only be received together
with its head, in one receive of at most 10, so a group with more than 10 dead letters shows only
its first 10 — the counts SQS reports tell the operator so.
"""

import json
from dataclasses import dataclass, field

from channelwright.tasks.queue import Task

# Long enough to receive a few hundred messages; if the tool dies midway, this is how long the
# messages stay hidden (from a redrive too) before they reappear by themselves.
PEEK_VISIBILITY_S = 60
SQS_BATCH = 10
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    body: str
    attributes: dict[str, str]          # SQS system attributes (SentTimestamp, MessageGroupId, ...)
    message_attributes: dict = field(default_factory=dict)

    @property
    def task(self) -> Task | None:
        """The build task, or None when the body is not one (the worker could not read it either)."""
        try:
            return Task.from_body(self.body)
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def group_id(self) -> str:
        return self.attributes.get("MessageGroupId", "")

    @property
    def sent_ms(self) -> int | None:
        sent = self.attributes.get("SentTimestamp")
        return int(sent) if sent else None

    @property
    def receive_count(self) -> int:
        return int(self.attributes.get("ApproximateReceiveCount") or 0)

    def pretty_body(self) -> str:
        """The body for an operator's eyes: interaction tokens (credentials) are redacted."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return self.body
        if isinstance(data, dict) and isinstance(data.get("args"), dict) and "token" in data["args"]:
            data["args"]["token"] = "<redacted>"
        return json.dumps(data, indent=2, sort_keys=True)


@dataclass(frozen=True)
class QueueCounts:
    visible: int
    in_flight: int
    delayed: int

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


@dataclass(frozen=True)
class Peek:
    letters: list[DeadLetter]
    counts: QueueCounts               # as SQS reported them before the peek
    limited: bool = False             # stopped at the limit; more may be there
    unreleased: int = 0               # messages that could not be made visible again

    def notes(self) -> list[str]:
        """What the operator should know about how complete this view is."""
        notes = []
        if self.limited and self.counts.total > len(self.letters):
            notes.append(f"Showing the first {len(self.letters)}; SQS counts about "
                         f"{self.counts.total}. Pass --limit to see more.")
        elif self.counts.visible > len(self.letters):
            notes.append(f"SQS counts about {self.counts.visible} visible dead letters but "
                         f"{len(self.letters)} could be read: a FIFO receive returns at most 10 "
                         "messages of one group, and counts lag by up to a minute.")
        if self.counts.in_flight:
            notes.append(f"{self.counts.in_flight} more are in flight (another `dlq list` or "
                         "`show`, or a redrive, holds them); they are not shown.")
        if self.unreleased:
            notes.append(f"{self.unreleased} message(s) could not be made visible again; they "
                         f"reappear by themselves within {PEEK_VISIBILITY_S} s.")
        return notes


def queue_counts(sqs, queue_url: str) -> QueueCounts:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return QueueCounts(int(attributes.get("ApproximateNumberOfMessages", 0)),
                       int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                       int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)))


def peek(sqs, queue_url: str, *, limit: int = DEFAULT_LIMIT, wait_seconds: int = 1) -> Peek:
    """Every message on the queue (up to `limit`), each guild's in queue order, left where it was.

    `wait_seconds` > 0 makes each receive a long poll, which asks all of SQS's servers rather
    than a sample; a short poll can answer "empty" while messages exist. The cost is one wait of
    that length whenever a round of receives runs dry.
    """
    counts = queue_counts(sqs, queue_url)
    held = _Held()
    try:
        held.receive_all(sqs, queue_url, limit, wait_seconds)
        # A receive returns at most 10 messages, so a group's head can come back without the rest
        # of the group, which its held head then locks. While SQS counts more than were seen, give
        # each group a turn alone: release it (the others stay locked) and receive from its head.
        turns = 0
        while turns < len(held.groups) and len(held.letters) < min(counts.visible, limit):
            group = list(held.groups)[turns]
            turns += 1
            release(sqs, queue_url, held.drop_receipts(group))
            held.receive_all(sqs, queue_url, limit, wait_seconds)
    finally:
        unreleased = release(sqs, queue_url, held.drop_receipts())
    letters = sorted(held.letters.values(), key=lambda letter: held.groups[letter.group_id])
    return Peek(letters, counts, limited=held.limited, unreleased=unreleased)


class _Held:
    """What a peek has received so far, and the receipt handles that still hold it in flight."""

    def __init__(self):
        self.letters: dict[str, DeadLetter] = {}
        self.receipts: dict[str, str] = {}
        self.groups: dict[str, int] = {}    # group -> order of first appearance
        self.limited = False

    def receive_all(self, sqs, queue_url: str, limit: int, wait_seconds: int) -> None:
        """Receive until nothing new comes back, holding everything received."""
        while True:
            if len(self.letters) >= limit:
                self.limited = True
                return
            batch = sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=min(SQS_BATCH, limit - len(self.letters)),
                VisibilityTimeout=PEEK_VISIBILITY_S, WaitTimeSeconds=wait_seconds,
                MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            fresh = 0
            for message in batch:
                # Only the latest receipt handle of a message can change its visibility.
                self.receipts[message["MessageId"]] = message["ReceiptHandle"]
                if message["MessageId"] in self.letters:
                    continue
                fresh += 1
                letter = DeadLetter(message["MessageId"], message.get("Body", ""),
                                    dict(message.get("Attributes", {})),
                                    dict(message.get("MessageAttributes", {})))
                self.letters[letter.message_id] = letter
                self.groups.setdefault(letter.group_id, len(self.groups))
            if not fresh:
                return

    def drop_receipts(self, group: str | None = None) -> list[str]:
        """The receipt handles of one group (or all), forgotten here so they are released once."""
        ids = [i for i in self.receipts if group is None or self.letters[i].group_id == group]
        return [self.receipts.pop(i) for i in ids]


def release(sqs, queue_url: str, receipt_handles: list[str]) -> int:
    """Make received messages visible again now; returns how many could not be."""
    failed = 0
    for start in range(0, len(receipt_handles), SQS_BATCH):
        chunk = receipt_handles[start:start + SQS_BATCH]
        result = sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
            for i, handle in enumerate(chunk)])
        failed += len(result.get("Failed", []))
    return failed
