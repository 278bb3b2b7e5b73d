"""Per-route buckets, long per-route limits and the global limit, in Discord's model (DOCS/rl).

A bucket is keyed by (route template, major parameter): the guild id, channel id,
or webhook id + token in the path. Windows are fixed: the first request opens a
window of `per` seconds, and `limit` requests fit in it.

Defaults (real limits are unpublished and vary; tests override with `set_bucket`):
  * webhook and interaction routes (`/webhooks/...`, `/interactions/...`): 5 per 2 s
  * every other route: 10 per 1 s
  * global: 50 requests per 1 s across all non-webhook routes (DOCS/rl: interaction
    endpoints are not bound to the global limit)
  * long limits, counted beside the short bucket (a request needs room in both):
    role creation, 250 per guild per 48 hours. Public reports:
    discord/discord-api-docs#1480 ("a limit of creating, I think, 250 roles per 2 days"),
    discord-net/Discord.Net#1451 (POST /guilds/{id}/roles answered
    `X-RateLimit-Limit: 250`, `X-RateLimit-Reset-After: 101995`), Rapptz/discord.py#5840
    ("Role rate limits are rather new and harsh"). The headers announce whichever window
    binds, so a long wait is announced honestly (Reset-After and Retry-After in the
    thousands of seconds).
  * bucket hashes: DOCS/rl says `X-RateLimit-Bucket` is "non-inclusive of top-level
    resources in the path" (so one hash counts apart per guild or channel:
    discord/discord-api-docs#1551) and that limits "may" be shared "across a set of
    similar endpoints". A shared hash therefore does not prove shared counting: by
    default GET /guilds/{id}/channels and GET /guilds/{id}/roles report one hash yet
    count separately (`share_hash` makes more such pairs).
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
ROLE_CREATE_LIMIT = (250, 48 * 3600.0)
DEFAULT_LONG_LIMITS = ((r"^POST /guilds/\{guild_id\}/roles$",) + ROLE_CREATE_LIMIT,)
DEFAULT_SHARED_HASHES = (("GET /guilds/{guild_id}/channels", "GET /guilds/{guild_id}/roles"),)


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


@dataclass
class _Limit:
    """One counted window for a route: `limit` per `per` seconds, counted under `key`."""
    limit: int
    per: float
    key: str


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
        self._windows: dict[tuple[str, str | None], _Window] = {}
        self._global = _Window(0, 0.0)
        self.enabled = True
        self._defaults()

    def _defaults(self) -> None:
        self._overrides: list[tuple[re.Pattern, int, float, str | None]] = []
        self._long: list[tuple[re.Pattern, int, float]] = [
            (re.compile(regex), limit, per) for regex, limit, per in DEFAULT_LONG_LIMITS]
        self._hash_names: dict[str, str] = {}
        for routes in DEFAULT_SHARED_HASHES:
            self._share(routes)
        self.global_limit: tuple[int, float] | None = GLOBAL_LIMIT

    # -- settings ---------------------------------------------------------------------------

    def set_bucket(self, route_regex: str, limit: int, per_seconds: float, bucket: str | None = None):
        """Routes whose template matches `route_regex` (re.search on e.g.
        "POST /guilds/{guild_id}/channels") get `limit` per `per_seconds`. Routes given
        the same `bucket` name share one bucket, as some Discord routes do. Later calls win."""
        with self._lock:
            self._overrides.insert(0, (re.compile(route_regex), limit, per_seconds, bucket))
            self._windows.clear()

    def set_long_limit(self, route_regex: str, limit: int, per_seconds: float):
        """A second window for matching routes, counted beside their bucket: `limit` per
        `per_seconds` (minutes to days). Replaces any long limit set for the same regex."""
        with self._lock:
            self._long = [entry for entry in self._long if entry[0].pattern != route_regex]
            self._long.insert(0, (re.compile(route_regex), limit, per_seconds))
            self._windows.clear()

    def share_hash(self, *route_keys: str):
        """These routes (e.g. "GET /guilds/{guild_id}/roles") report one X-RateLimit-Bucket
        hash but keep counting apart."""
        with self._lock:
            self._share(route_keys)

    def _share(self, route_keys) -> None:
        for key in route_keys:
            self._hash_names[key] = route_keys[0]

    def set_global_limit(self, limit: int | None, per_seconds: float = 1.0):
        with self._lock:
            self.global_limit = None if limit is None else (limit, per_seconds)
            self._global = _Window(0, 0.0)

    def reset(self, overrides: bool = False):
        """Forget every open window; with `overrides`, also go back to the default settings
        (buckets, long limits, shared hashes, global limit)."""
        with self._lock:
            self._windows.clear()
            self._global = _Window(0, 0.0)
            if overrides:
                self._defaults()
                self.enabled = True

    # -- counting ---------------------------------------------------------------------------

    def config(self, route: str, webhook: bool) -> tuple[int, float, str]:
        """(limit, per, counting name) of the route's short bucket."""
        for pattern, limit, per, bucket in self._overrides:
            if pattern.search(route):
                return limit, per, bucket or route
        limit, per = WEBHOOK_BUCKET if webhook else DEFAULT_BUCKET
        return limit, per, route

    def _limits(self, route: str, webhook: bool) -> list[_Limit]:
        limit, per, name = self.config(route, webhook)
        limits = [_Limit(limit, per, name)]
        for pattern, long_limit, long_per in self._long:
            if pattern.search(route):
                limits.append(_Limit(long_limit, long_per, f"{route} (long)"))
                break
        return limits

    def _hash_for(self, name: str) -> str:
        return bucket_hash(self._hash_names.get(name, name))

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
            limits = self._limits(route, webhook)
            windows = [self._window((lim.key, major), lim.per, now) for lim in limits]
            full = [(lim, w) for lim, w in zip(limits, windows) if w.count >= lim.limit]
            allowed = not full or not self.enabled
            if allowed:
                for window in windows:
                    window.count += 1
            # The headers speak for the window that binds: the one refusing (the longest
            # wait), else the one with the fewest requests left (the longer one on a tie).
            binding = max(full, key=lambda p: p[1].reset_at) if full else \
                min(zip(limits, windows), key=lambda p: (p[0].limit - p[1].count, -p[1].reset_at))
            limit, window = binding
            reset_after = max(0.001, window.reset_at - now)
            headers = self._headers(limit.limit, max(0, limit.limit - window.count), reset_after,
                                    self._hash_for(limits[0].key))
            if allowed:
                return Verdict(True, headers)
            headers.update(limited_headers(reset_after, False))
            return Verdict(False, headers, reset_after)

    def _window(self, key: tuple[str, str | None], per: float, now: float) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.reset_at:
            window = self._windows[key] = _Window(0, now + per)
        return window

    def storm_headers(self, route: str, webhook: bool, retry_after: float, is_global: bool) -> dict:
        """Headers for an injected 429, shaped like a real one; consumes nothing."""
        if is_global:
            return limited_headers(retry_after, True)
        limit, _, name = self.config(route, webhook)
        headers = self._headers(limit, 0, retry_after, self._hash_for(name))
        headers.update(limited_headers(retry_after, False))
        return headers

    @staticmethod
    def _headers(limit: int, remaining: int, reset_after: float, hash_: str) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hash_,
        }
