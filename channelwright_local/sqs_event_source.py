"""What Lambda's SQS event source mapping does, for running the worker outside AWS.

It receives up to `batch_size` messages, calls the handler with an SQS-shaped event, deletes what
succeeded, and leaves reported failures to come back, where the queue's redrive policy moves them
to the DLQ once `maxReceiveCount` is exceeded. A handler that raises fails the whole batch, as on
Lambda, and so does an invocation that overruns `function_timeout` (Lambda would have stopped it).

When failures come back: Lambda does not touch a failed message, so it reappears after the
queue's visibility timeout (`retry_delay=None`, what local mode's `serve` does). A number instead
makes them visible again after that many seconds: 0 for tests that need not wait, a second or two
for `--fast-retries` demos.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("local.sqs")


@dataclass
class Delivery:
    invocations: int = 0
    succeeded: int = 0
    failed: int = 0


class SqsEventSource:
    def __init__(self, sqs, queue_url: str, handler: Callable[[dict, Any], dict], *,
                 batch_size: int = 10, retry_delay: int | None = 0, region: str = "us-east-1",
                 context_factory: Callable[[], Any] | None = None,
                 function_timeout: float | None = None, report_batch_item_failures: bool = True):
        self._sqs, self._url, self._handler = sqs, queue_url, handler
        self._partial = report_batch_item_failures
        self._batch_size, self._retry_delay = batch_size, retry_delay
        self._context_factory, self._function_timeout = context_factory, function_timeout
        self._region = region
        self._arn: str | None = None
        self.stats = Delivery()

    def poll_once(self, *, wait_seconds: int = 0, deliver_twice: bool = False,
                  context: Any = None) -> int:
        """One receive and one invocation (two if `deliver_twice`); returns messages received."""
        messages = self._sqs.receive_message(
            QueueUrl=self._url, MaxNumberOfMessages=self._batch_size, WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        failed = self._invoke(event, context)
        if deliver_twice:  # at-least-once: the same batch again, as after a lost delete
            failed |= self._invoke(event, context)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        for message in messages:
            if message["MessageId"] in failed:
                self.stats.failed += 1
                if self._retry_delay is not None:
                    self._sqs.change_message_visibility(
                        QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=self._retry_delay)
            else:
                self.stats.succeeded += 1
        return len(messages)

    def drain(self, *, max_invocations: int = 100, deliver_twice: bool = False) -> Delivery:
        """Poll until the queue is empty (bounded, so a stuck message can't hang a test)."""
        for _ in range(max_invocations):
            if not self.poll_once(deliver_twice=deliver_twice):
                break
        return self.stats

    def _invoke(self, event: dict, context: Any) -> set[str]:
        self.stats.invocations += 1
        if context is None and self._context_factory is not None:
            context = self._context_factory()
        everything = {r["messageId"] for r in event["Records"]}
        started = time.monotonic()
        try:
            result = self._handler(event, context) or {}
        except Exception:  # Lambda retries the whole batch when the function errors
            log.exception("the worker raised; all %d messages of the batch will be retried",
                          len(everything))
            return everything
        elapsed = time.monotonic() - started
        if self._function_timeout is not None and elapsed > self._function_timeout:
            log.warning("the worker ran %.1f s, past its %s s timeout; on Lambda it would have been "
                        "stopped, so the whole batch will be retried", elapsed, self._function_timeout)
            return everything
        if not self._partial:  # without ReportBatchItemFailures, Lambda ignores the answer
            return set()
        try:
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        except (AttributeError, KeyError, TypeError):
            failed = None
        if failed is None or not failed <= everything:
            # Lambda's rule: an unreadable answer, or one naming messages not in the batch,
            # fails the whole batch.
            log.warning("the worker's batchItemFailures is malformed; the whole batch will be retried")
            return everything
        return failed

    @property
    def queue_arn(self) -> str:
        if self._arn is None:
            try:
                self._arn = self._sqs.get_queue_attributes(
                    QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            except Exception:  # a fake client without attributes: make the ARN SQS would
                self._arn = (f"arn:aws:sqs:{self._region}:123456789012:"
                             f"{self._url.rsplit('/', 1)[-1]}")
        return self._arn

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.queue_arn.split(":")[3],
        }
