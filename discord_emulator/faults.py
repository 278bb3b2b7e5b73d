"""Fault injection: the failures a real client must survive, on demand.

The server consults faults at four points of the request pipeline:
  0. first of all, at Discord's edge (Cloudflare), before any API check:
     `edge_rate_limit` (a 429 that is not the API's JSON) and `cloudflare_block`
     (403 40333). They carry no X-RateLimit-* headers and consume nothing.
  1. before rate limiting: `fail_next` (5xx) and `rate_limit_storm` (429). They
     consume no bucket capacity, like an edge or gateway failure would not.
  2. after rate limiting: `forbid` (403 50013), so it carries the bucket headers
     a real permission failure has.
  3. around the action: `lose_reply` lets the action happen, then drops the
     connection without a byte of response.
None of 0, 1 or 2 performs the action. Filters: `method` (case-insensitive) and
`path_regex` (re.search on the path after /api/v10, e.g. r"/guilds/\\d+/channels$").
"""

import math
import re
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    kind: str  # "edge" | "block" | "fail" | "storm" | "forbid" | "lose"
    remaining: int | None  # None: until removed
    method: str | None = None
    path_regex: str | None = None
    status: int = 500
    retry_after: float = 0.05
    is_global: bool = False
    hits: int = 0
    body: str = "html"  # edge 429s: "html" | "text" | "json"; retry_after None: no Retry-After

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

    def edge_rate_limit(self, n: int = 1, body: str = "html", retry_after: float | None = 60,
                        method=None, path_regex=None) -> Fault:
        """Next `n` matching requests get a 429 from Discord's edge rather than the API
        (DOCS/rl "Invalid Request Limit aka Cloudflare bans"): no X-RateLimit-* headers, a
        `Retry-After` header of whole seconds only if `retry_after` is not None, and a body
        that is not the API's 429 JSON: "html" (Cloudflare's "Error 1015" page,
        discord/discord-api-docs#1771 "get error 1015 with no headers about ratelimits"),
        "text" ("error code: 1015", text/plain) or "json" (the static ban notice with code 0
        and no `retry_after`, discord/discord-api-docs#5810)."""
        if body not in EDGE_BODIES:
            raise ValueError(f"body must be one of {sorted(EDGE_BODIES)}")
        return self._add(Fault("edge", n, method, path_regex, status=429, retry_after=retry_after,
                               body=body))

    def cloudflare_block(self, n: int | None = 1, method=None, path_regex=None) -> Fault:
        """Next `n` matching requests (None: until removed) get 403
        `{"message": "internal network error", "code": 40333}`, Cloudflare refusing the
        request before the API sees it (discord/discord-api-docs#6473)."""
        return self._add(Fault("block", n, method, path_regex, status=403))

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


_CLOUDFLARE_1015 = (b"<!DOCTYPE html>\n<html><head><title>Access denied | discord.com used Cloudflare to "
                    b"restrict access</title></head>\n<body><h1>Error 1015</h1>\n<h2>You are being rate "
                    b"limited</h2>\n<p>The owner of this website (discord.com) has banned you temporarily "
                    b"from accessing this website.</p></body></html>\n")
EDGE_BODIES = {
    "html": ("text/html; charset=UTF-8", _CLOUDFLARE_1015),
    "text": ("text/plain; charset=UTF-8", b"error code: 1015"),
    "json": (None, None),  # a dict: the server adds Content-Type: application/json
}
BLOCKED_NOTICE = {"code": 0, "message": "You are being blocked from accessing our API temporarily due to "
                  "exceeding our rate limits frequently. Please read our docs at "
                  "https://discord.com/developers/docs/topics/rate-limits to prevent this moving forward."}


def edge_response(fault: Fault) -> tuple[int, object, dict[str, str]]:
    """(status, body, headers) of an edge fault; a bytes body is sent as is."""
    if fault.kind == "block":
        return 403, {"message": "internal network error", "code": 40333}, {}
    content_type, raw = EDGE_BODIES[fault.body]
    headers = {"Content-Type": content_type} if content_type else {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(fault.retry_after)))
    return 429, (dict(BLOCKED_NOTICE) if raw is None else raw), headers
