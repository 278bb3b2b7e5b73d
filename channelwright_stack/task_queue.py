"""The FIFO task queue between the interactions Lambda and the worker, and its dead-letter queue."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# An interaction token is valid for 15 minutes; after that the worker can no longer edit the
# user's progress message, so retrying past it only delays the fallback.
# https://discord.com/developers/docs/interactions/receiving-and-responding (responding to an interaction)
INTERACTION_TOKEN_LIFETIME = Duration.minutes(15)

# Lambda's guidance for SQS event sources: visibility at least 6 x the function timeout, so a
# message is not redelivered while a throttled or retried invocation still holds it.
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
VISIBILITY_PER_WORKER_TIMEOUT = 6


def max_receive_count(*, worker_timeout_s: int, visibility_timeout_s: int, deadline_s: int) -> int:
    """How many receives fit so that the last attempt still ends before the deadline.

    Attempt n (1-based) starts at the latest (n - 1) x visibility after the first receive and
    runs for at most the worker timeout, so it ends by deadline when
    (n - 1) x visibility + timeout <= deadline.
    """
    if worker_timeout_s > deadline_s:
        raise ValueError("a single attempt cannot finish before the deadline")
    return 1 + (deadline_s - worker_timeout_s) // visibility_timeout_s


class TaskQueue(Construct):
    """SQS FIFO queue of campaign steps (one message group per guild) with a FIFO DLQ."""

    def __init__(self, scope: Construct, id: str, *, worker_timeout: Duration) -> None:
        super().__init__(scope, id)
        timeout_s = int(worker_timeout.to_seconds())
        self.visibility_timeout = Duration.seconds(VISIBILITY_PER_WORKER_TIMEOUT * timeout_s)
        self.max_receive_count = max_receive_count(
            worker_timeout_s=timeout_s,
            visibility_timeout_s=int(self.visibility_timeout.to_seconds()),
            deadline_s=int(INTERACTION_TOKEN_LIFETIME.to_seconds()),
        )
        if self.max_receive_count < 2:
            raise ValueError(
                f"a {timeout_s} s worker timeout leaves no retry inside the interaction token's lifetime"
            )

        # A FIFO queue's DLQ must be FIFO too (CloudFormation rejects a mix); 14 days is SQS's
        # maximum retention, time for an operator to inspect and redrive.
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            fifo=True,
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            fifo=True,
            # The producer sends MessageDeduplicationId = interaction/step id, so a repeated
            # interaction is dropped even when its body differs (e.g. by a timestamp).
            content_based_deduplication=False,
            visibility_timeout=self.visibility_timeout,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=self.max_receive_count
            ),
        )
