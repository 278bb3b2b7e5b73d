"""The worker's poller: a thread that long-polls the task queue and invokes the worker handler.

One poller, one invocation at a time, on purpose: in Lambda each concurrent invocation has its own
container, so the handler's module state (cached clients, the REST client's per-invocation
deadline) is never shared; in one process it would be. FIFO message groups still keep each
server's steps in order, and SQS (moto) still enforces visibility and the redrive policy.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from .sqs_event_source import SqsEventSource

log = logging.getLogger("local.worker")


@dataclass
class LambdaContext:
    """The parts of Lambda's context object handlers use, with the function's real timeout."""

    function_name: str
    timeout_s: float
    memory_limit_in_mb: int = 128
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_s - time.monotonic()) * 1000))


def context_factory(function_name: str, timeout_s: float, memory_mb: int) -> Callable[[], LambdaContext]:
    return lambda: LambdaContext(function_name, timeout_s, memory_mb)


class WorkerLoop:
    """Polls until stopped; `wait_seconds` bounds how long a stop takes to be noticed."""

    def __init__(self, source: SqsEventSource, *, wait_seconds: int = 1,
                 dead_letters: Callable[[], int] | None = None):
        self._source = source
        self._wait = wait_seconds
        self._dead_letters = dead_letters
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dead_seen = 0

    def start(self) -> "WorkerLoop":
        self._thread = threading.Thread(target=self._run, name="worker-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Lets a running invocation finish (as Lambda would), then returns."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the worker is still running an invocation; leaving it behind")
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stats = self._source.stats
                before = (stats.succeeded, stats.failed)
                received = self._source.poll_once(wait_seconds=self._wait)
                if received:
                    log.info("worker: %d task(s), %d done, %d handed back", received,
                             stats.succeeded - before[0], stats.failed - before[1])
                self._watch_dead_letters()
            except Exception:
                # Lambda's poller keeps going whatever happens; so does this one (after a pause, so
                # a broken endpoint does not spin).
                log.exception("the worker poller failed; retrying in 1 s")
                self._stop.wait(1.0)

    def _watch_dead_letters(self) -> None:
        if self._dead_letters is None:
            return
        dead = self._dead_letters()
        if dead > self._dead_seen:
            log.warning("%d task(s) moved to the dead-letter queue after too many receives "
                        "(%d there now)", dead - self._dead_seen, dead)
        self._dead_seen = dead
