"""What Lambda's SQS event source mapping does, for running the worker outside AWS.

It receives up to `batch_size` messages, calls the handler with an SQS-shaped event, deletes what
succeeded, and leaves reported failures to come back after their visibility timeout (made 0 here
so tests need not wait), where the queue's redrive policy moves them to the DLQ once
`maxReceiveCount` is exceeded. A handler that raises fails the whole batch, as on Lambda.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Delivery:
    invocations: int = 0
    succeeded: int = 0
    failed: int = 0


class SqsEventSource:
    def __init__(self, sqs, queue_url: str, handler: Callable[[dict, Any], dict], *,
                 batch_size: int = 10, retry_delay: int = 0, region: str = "us-east-1"):
        self._sqs, self._url, self._handler = sqs, queue_url, handler
        self._batch_size, self._retry_delay = batch_size, retry_delay
        self._arn = f"arn:aws:sqs:{region}:123456789012:{queue_url.rsplit('/', 1)[-1]}"
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
        for message in messages:
            if message["MessageId"] in failed:
                self.stats.failed += 1
                self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=message[
                    "ReceiptHandle"], VisibilityTimeout=self._retry_delay)
            else:
                self.stats.succeeded += 1
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def drain(self, *, max_invocations: int = 100, deliver_twice: bool = False) -> Delivery:
        """Poll until the queue is empty (bounded, so a stuck message can't hang a test)."""
        for _ in range(max_invocations):
            if not self.poll_once(deliver_twice=deliver_twice):
                break
        return self.stats

    def _invoke(self, event: dict, context: Any) -> set[str]:
        self.stats.invocations += 1
        try:
            result = self._handler(event, context) or {}
        except Exception:  # Lambda retries the whole batch when the function errors
            return {r["messageId"] for r in event["Records"]}
        return {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._arn.split(":")[3],
        }
