"""Fault injection: the failures a real client must survive, on demand.

The server consults faults at three points of the request pipeline:
  1. before rate limiting: `fail_next` (5xx) and `rate_limit_storm` (429). They
     consume no bucket capacity, like an edge or gateway failure would not.
  2. after rate limiting: `forbid` (403 50013), so it carries the bucket headers
     a real permission failure has.
  3. around the action: `lose_reply` lets the action happen, then drops the
     connection without a byte of response.
None of 1 or 2 performs the action. Filters: `method` (case-insensitive) and
`path_regex` (re.search on the path after /api/v10, e.g. r"/guilds/\\d+/channels$").
"""

import re
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    kind: str  # "fail" | "storm" | "forbid" | "lose"
    remaining: int | None  # None: until removed
    method: str | None = None
    path_regex: str | None = None
    status: int = 500
    retry_after: float = 0.05
    is_global: bool = False
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_regex is None or re.search(self.path_regex, path) is not None


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def fail_next(self, n: int = 1, status: int = 500, method=None, path_regex=None) -> Fault:
        """Next `n` matching requests get `status` with `{"message": "500: ...", "code": 0}`."""
        return self._add(Fault("fail", n, method, path_regex, status=status))

    def rate_limit_storm(self, n: int = 1, method=None, path_regex=None, retry_after: float = 0.05,
                         is_global: bool = False) -> Fault:
        """Next `n` matching requests get a 429 shaped like a real one."""
        return self._add(Fault("storm", n, method, path_regex, status=429, retry_after=retry_after,
                               is_global=is_global))

    def forbid(self, method=None, path_regex=None) -> Fault:
        """Every matching request gets 403 50013 until `remove(fault)` or `clear()`."""
        return self._add(Fault("forbid", None, method, path_regex, status=403))

    def lose_reply(self, n: int = 1, method="POST", path_regex=None) -> Fault:
        """Next `n` matching requests are performed, then the connection closes unanswered."""
        return self._add(Fault("lose", n, method, path_regex))

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._rules:
                self._rules.remove(fault)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._rules if f.remaining is None or f.remaining > 0]

    def take(self, kinds: tuple[str, ...], method: str, path: str) -> Fault | None:
        """The first registered fault of `kinds` matching this request, counted as used."""
        with self._lock:
            for fault in self._rules:
                if fault.kind in kinds and fault.matches(method, path):
                    fault.hits += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append(fault)
        return fault
