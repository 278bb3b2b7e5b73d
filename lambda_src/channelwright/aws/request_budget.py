"""AWS clients for the interactions function: every AWS call ends in time for Discord.

Discord invalidates an interaction that gets no answer within 3 s (developers/interactions/
receiving-and-responding.mdx, "Interaction Callback"), and the function itself is stopped at its
5 s timeout (StageSettings.ingress_timeout_seconds). boto3's defaults (60 s connect and read
timeouts, several attempts) let a single stalled DynamoDB or SQS call outlive both: the user sees
"The application did not respond" and the function dies wherever it was.

So the request path's clients get (docs/operations.md, "The 3-second path", has the sums):
- per attempt: connect ≤ CONNECT_TIMEOUT_S, read ≤ READ_TIMEOUT_S (these small requests answer
  in about 10 ms inside a region);
- at most MAX_ATTEMPTS attempts per call, the first included (botocore's "standard" retry mode:
  one retry, after a jittered backoff of at most 50 ms, or 1 s when throttled; botocore releases
  before 2025 wait up to 1 s for any retry);
- and one budget for the whole interaction: an attempt starts only if it can end inside
  BUDGET_S from the handler's start. An attempt that cannot raises BudgetSpent before anything
  is sent, and the handler answers with what it has.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, overload

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

if TYPE_CHECKING:  # the typed clients of boto3-stubs (requirements-dev.txt); never loaded at run time
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient

CONNECT_TIMEOUT_S = 0.25
READ_TIMEOUT_S = 0.5
MAX_ATTEMPTS = 2
ATTEMPT_S = CONNECT_TIMEOUT_S + READ_TIMEOUT_S
BUDGET_S = 2.0

# total_max_attempts counts the first attempt; botocore's older `max_attempts` counts only retries.
CONFIG = Config(connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS})

# The deadline (a time.monotonic() value) of the interaction being handled in this thread, or None
# outside one. A context variable, so concurrent requests in local mode keep their own.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("aws_deadline", default=None)


class BudgetSpent(BotoCoreError):
    """The interaction's AWS time is used up; this attempt was not sent."""

    fmt = "No AWS time left for {operation} in this interaction (budget {budget} s)"


@contextmanager
def budget(seconds: float | None = None,
           clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Limit the AWS calls made inside the block to `seconds` (default BUDGET_S) in all."""
    token = _deadline.set(clock() + (BUDGET_S if seconds is None else seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


@overload
def client(service: Literal["dynamodb"], clock: Callable[[], float] = ...) -> DynamoDBClient: ...
@overload
def client(service: Literal["sqs"], clock: Callable[[], float] = ...) -> SQSClient: ...
def client(service: Literal["dynamodb", "sqs"],
           clock: Callable[[], float] = time.monotonic) -> DynamoDBClient | SQSClient:
    """A boto3 client for the request path's services (DynamoDB, SQS) with its timeouts, retries
    and budget."""
    aws = boto3.client(service, config=CONFIG)

    def refuse_late_attempt(request, event_name: str = "", **_) -> None:
        deadline = _deadline.get()
        if deadline is not None and clock() + ATTEMPT_S > deadline:
            raise BudgetSpent(operation=event_name.rsplit(".", 1)[-1], budget=BUDGET_S)

    # before-send fires once per attempt, retries included, after any backoff; first, so no other
    # handler (a stub in tests) sees an attempt that is refused.
    aws.meta.events.register_first("before-send", refuse_late_attempt)
    return aws
