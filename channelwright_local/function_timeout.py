"""A function's configured timeout, enforced as Lambda enforces it: the caller stops waiting.

Lambda stops an invocation that runs past its timeout ("Task timed out after 5.00 seconds") and
the caller gets an error; for the HTTP API in front of the interactions function that is a 500
(http_gateway.py). The invocation's work stops wherever it was: a DynamoDB write may have landed,
the SQS send after it not. That is the cut-off the interactions function must recover from
(docs/operations.md, "The 3-second path"), so local mode reproduces it.

Python cannot freeze a thread the way Lambda freezes a container, so the abandoned call runs on,
detached, in a daemon thread; whatever it still does lands late, as work in a frozen container
can when the container is thawed for a later invocation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger("local.lambda")
T = TypeVar("T")


class FunctionTimedOut(Exception):
    """The invocation ran past its function's timeout; its caller was given up on."""


def call_with_timeout(call: Callable[[], T], timeout_s: float, function_name: str) -> T:
    """`call()`'s result or exception, or FunctionTimedOut after `timeout_s` seconds."""
    outcome: dict[str, object] = {}
    done = threading.Event()

    def invocation() -> None:
        try:
            outcome["result"] = call()
        except BaseException as error:  # handed to the caller, as Lambda reports it
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=invocation, name=f"{function_name}-invocation", daemon=True).start()
    if not done.wait(timeout_s):
        log.warning("%s: Task timed out after %.2f seconds; the invocation is abandoned and "
                    "runs on detached", function_name, timeout_s)
        raise FunctionTimedOut(f"{function_name}: Task timed out after {timeout_s:.2f} seconds")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]
