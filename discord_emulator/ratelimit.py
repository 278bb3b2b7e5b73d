"""Per-route buckets and the global limit, in Discord's model (DOCS/rl).

A bucket is keyed by (route template, major parameter): the guild id, channel id,
or webhook id + token in the path. Windows are fixed: the first request opens a
window of `per` seconds, and `limit` requests fit in it.

Defaults (real limits are unpublished and vary; tests override with `set_bucket`):
  * webhook and interaction routes (`/webhooks/...`, `/interactions/...`): 5 per 2 s
  * every other route: 10 per 1 s
  * global: 50 requests per 1 s across all non-webhook routes (DOCS/rl: interaction
    endpoints are not bound to the global limit)
"""

import hashlib
import math
import re
import threading
import time
from dataclasses import dataclass, field

DEFAULT_BUCKET = (10, 1.0)
WEBHOOK_BUCKET = (5, 2.0)
GLOBAL_LIMIT = (50, 1.0)


@dataclass
class Verdict:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float = 0.0
    is_global: bool = False


@dataclass
class _Window:
    count: int
    reset_at: float  # time.monotonic()


def bucket_hash(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()


def limited_headers(retry_after: float, is_global: bool) -> dict[str, str]:
    """The headers only a 429 carries; DOCS/rl shows Retry-After as a whole number."""
    headers = {"Retry-After": str(max(1, math.ceil(retry_after))),
               "X-RateLimit-Scope": "global" if is_global else "user"}
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


class RateLimiter:
    def __init__(self):
        self._lock = threading.Lock()
        self._overrides: list[tuple[re.Pattern, int, float, str | None]] = []
        self._windows: dict[tuple[str, str | None], _Window] = {}
        self._global = _Window(0, 0.0)
        self.global_limit: tuple[int, float] | None = GLOBAL_LIMIT
        self.enabled = True

    def set_bucket(self, route_regex: str, limit: int, per_seconds: float, bucket: str | None = None):
        """Routes whose template matches `route_regex` (re.search on e.g.
        "POST /guilds/{guild_id}/channels") get `limit` per `per_seconds`. Routes given
        the same `bucket` name share one bucket, as some Discord routes do. Later calls win."""
        with self._lock:
            self._overrides.insert(0, (re.compile(route_regex), limit, per_seconds, bucket))
            self._windows.clear()

    def set_global_limit(self, limit: int | None, per_seconds: float = 1.0):
        with self._lock:
            self.global_limit = None if limit is None else (limit, per_seconds)
            self._global = _Window(0, 0.0)

    def reset(self, overrides: bool = False):
        """Forget every open window; with `overrides`, also the set_bucket/global settings."""
        with self._lock:
            self._windows.clear()
            self._global = _Window(0, 0.0)
            if overrides:
                self._overrides.clear()
                self.global_limit = GLOBAL_LIMIT
                self.enabled = True

    def config(self, route: str, webhook: bool) -> tuple[int, float, str]:
        for pattern, limit, per, bucket in self._overrides:
            if pattern.search(route):
                return limit, per, bucket or route
        limit, per = WEBHOOK_BUCKET if webhook else DEFAULT_BUCKET
        return limit, per, route

    def check(self, route: str, major: str | None, webhook: bool) -> Verdict:
        """Count one request; say whether it may proceed and which headers to send."""
        now = time.monotonic()
        with self._lock:
            if not webhook and self.global_limit and self.enabled:
                glimit, gper = self.global_limit
                if now >= self._global.reset_at:
                    self._global = _Window(0, now + gper)
                if self._global.count >= glimit:
                    wait = max(0.001, self._global.reset_at - now)
                    return Verdict(False, limited_headers(wait, True), wait, True)
                self._global.count += 1
            limit, per, name = self.config(route, webhook)
            key = (name, major)
            window = self._windows.get(key)
            if window is None or now >= window.reset_at:
                window = self._windows[key] = _Window(0, now + per)
            reset_after = max(0.001, window.reset_at - now)
            allowed = window.count < limit or not self.enabled
            if allowed:
                window.count += 1
            headers = self._headers(limit, max(0, limit - window.count), reset_after, name)
            if allowed:
                return Verdict(True, headers)
            headers.update(limited_headers(reset_after, False))
            return Verdict(False, headers, reset_after)

    def storm_headers(self, route: str, webhook: bool, retry_after: float, is_global: bool) -> dict:
        """Headers for an injected 429, shaped like a real one; consumes nothing."""
        if is_global:
            return limited_headers(retry_after, True)
        limit, _, name = self.config(route, webhook)
        headers = self._headers(limit, 0, retry_after, name)
        headers.update(limited_headers(retry_after, False))
        return headers

    @staticmethod
    def _headers(limit: int, remaining: int, reset_after: float, name: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(name),
        }
