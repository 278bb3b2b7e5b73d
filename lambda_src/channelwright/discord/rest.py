"""DiscordRest: the one place that talks HTTP to Discord, waits for rate limits and retries.

Modelled on discord.py's `http.py` and discord.js's REST package: one small Bucket per rate limit,
looked up by route template until Discord names the bucket (X-RateLimit-Bucket), then by that hash,
always per top-level resource (guild, channel, webhook+token) as developers/topics/rate-limits.mdx
says: both come from the CompiledRoute (routes.py), whose `label` is what logs and errors show.
A request waits *before* it would be limited, so steady work meets no 429; requests may be sent
from several threads at once, each reserving its place in its bucket first (Bucket). Nothing waits
or runs past `deadline` (the Lambda's remaining time less its safety margin): a wait that would is
not begun, a request is sent only with MIN_SEND_S left and its connect/read timeouts are cut to the
time left, so the task goes back to SQS instead (a create cut off there is reconciled by the next
try, as any lost reply). A wait longer than `longest_wait` is one of Discord's long limits:
RateLimitedLong says until when.
Requests that count toward the bot's global limit also wait for this instance's share of it and
for a pause any instance shared (rate_budget.py); interaction webhooks, which that limit exempts,
wait for neither.
"""

import math
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.util.retry import Retry

from channelwright import PROJECT_URL, __version__
from channelwright.discord.errors import (
    DiscordError,
    DiscordUnavailable,
    OutcomeUnknown,
    RateLimitedLong,
    RateLimitedTooLong,
    from_response,
)
from channelwright.discord.rate_budget import RateBudget, counts_toward_global_limit
from channelwright.discord.routes import CompiledRoute

USER_AGENT = f"DiscordBot ({PROJECT_URL}, {__version__})"
IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})
RESET_MARGIN = 0.05  # Discord's reset times are rounded; discord.js adds the same offset
MAX_429_RETRIES = 5
# A single wait longer than this is one of Discord's long limits, not congestion: the caller is
# told (RateLimitedLong) instead of waiting or retrying. Two minutes: a worker task handed back to
# SQS returns after the queue's visibility timeout (3 minutes by default), so any longer wait
# would only burn attempts, and the last attempt must end within the 15-minute interaction token.
LONGEST_WAIT_S = 120.0
# A request is not sent with less time than this before the deadline: its reply would most likely
# be cut off, leaving an outcome for the next invocation to find out.
MIN_SEND_S = 0.5
# Connections kept per host: enough for the requests a build sends at once (campaigns/builder.py).
POOL_SIZE = 12

class Bucket:
    """What Discord last told us about one rate limit, and our requests in flight on it.

    Several threads may send on one bucket at once. Each reserves a request before sending it
    (`reserve`), so concurrent senders never overdraw what Discord announced: `remaining` is the
    room Discord last announced (X-RateLimit-Remaining, developers/topics/rate-limits.mdx "Header
    Format") less every request reserved since. An answer may have been counted before or after
    the requests still in flight, so it is assumed counted first (the cautious reading); within
    one window an answer only ever lowers `remaining`, since answers can arrive out of order.
    Until Discord has answered once, a single request learns the bucket and the others wait.
    """

    def __init__(self):
        self.lock = threading.Condition()
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at = 0.0
        self.in_flight = 0

    def reserve(self, now: float) -> float | None:
        """Under `lock`: 0.0 once one request is reserved (count it in flight); seconds until the
        window resets when it is full; None to wait for an answer in flight (unknown bucket)."""
        if self.remaining is not None and now >= self.reset_at:
            # A fresh window: the announced limit again, or learn it anew.
            self.remaining = None if self.limit is None else self.limit - self.in_flight
        if self.remaining is None:
            if self.in_flight:
                return None
        elif self.remaining <= 0:
            return self.reset_at - now if now < self.reset_at else None
        else:
            self.remaining -= 1
        self.in_flight += 1
        return 0.0

    def answered(self, headers, now: float) -> None:
        """Under `lock`: one reserved request is over; learn from its headers (None: no answer)."""
        self.in_flight -= 1
        self.lock.notify_all()
        try:
            remaining = int(headers["X-RateLimit-Remaining"])
            reset_after = float(headers["X-RateLimit-Reset-After"])
        except (KeyError, ValueError, TypeError):
            return
        if not math.isfinite(reset_after) or reset_after < 0:
            return  # not a time: ignore it rather than wait forever
        try:
            self.limit = int(headers["X-RateLimit-Limit"])
        except (KeyError, ValueError):
            self.limit = None
        announced, reset_at = remaining - self.in_flight, now + reset_after + RESET_MARGIN
        if self.remaining is None or now >= self.reset_at:
            self.remaining, self.reset_at = announced, reset_at
        else:
            self.remaining, self.reset_at = min(self.remaining, announced), max(self.reset_at, reset_at)


def _was_sent(error: requests.RequestException) -> bool:
    """Whether the request may have reached Discord (so a create may have happened)."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    reason = error.args[0] if error.args else None
    return not (isinstance(reason, MaxRetryError) and isinstance(reason.reason, NewConnectionError))


def audit_reason(text: str) -> str:
    """X-Audit-Log-Reason takes 1-512 URL-encoded UTF-8 characters (developers/resources/audit-log.mdx)."""
    encoded = urllib.parse.quote(text, safe=" ")
    while len(encoded) > 512:
        text = text[:-1]
        encoded = urllib.parse.quote(text, safe=" ")
    return encoded


class DiscordRest:
    def __init__(self, base_url: str, token: str | None, *, session: requests.Session | None = None,
                 timeout: tuple[float, float] = (3.05, 10.0), max_retries: int = 3,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 wall_clock: Callable[[], float] = time.time,
                 longest_wait: float = LONGEST_WAIT_S, budget: RateBudget | None = None):
        # budget: this instance's share of the bot's global limit (rate_budget.py); None = no cap.
        self.budget = budget
        self._base = base_url.rstrip("/")
        self._token = token
        self._session = session or self._new_session()
        self._timeout, self._max_retries = timeout, max_retries
        self._clock, self._sleep, self._wall_clock = clock, sleep, wall_clock
        self.longest_wait = longest_wait
        self._lock = threading.Lock()
        self._hashes: dict[str, str] = {}
        self._buckets: dict[str, Bucket] = {}
        self._global_until = 0.0
        self.deadline = float("inf")
        self.stats: Counter = Counter()

    @staticmethod
    def _new_session() -> requests.Session:
        # Connection failures never reach Discord, so urllib3 may retry them; anything after the
        # request was sent is ours to judge (a lost reply to a create must not be re-sent blindly).
        retry = Retry(total=2, connect=2, read=0, status=0, other=0, backoff_factor=0.2,
                      respect_retry_after_header=False, raise_on_status=False)
        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=POOL_SIZE))
        session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=POOL_SIZE))
        session.headers["User-Agent"] = USER_AGENT
        return session

    def request(self, route: CompiledRoute, *, json: Any = None, reason: str | None = None,
                files: list | None = None) -> Any:
        """Send `route` (routes.py) with an optional JSON body and audit-log `reason`; the parsed
        JSON reply (None for 204). `files`: a multipart body instead of JSON, as files.parts
        gives it (its payload_json holds the body). Raises DiscordRejected (4xx),
        DiscordUnavailable (5xx, network, edge blocks; OutcomeUnknown for a create whose reply
        was lost), RateLimitedLong and RateLimitedTooLong (errors.py)."""
        headers = self._headers(route, reason)
        label = route.label
        failures = limited = 0
        while True:
            response = self._send(route, {"json": json} if files is None else {"files": files}, headers)
            if isinstance(response, requests.RequestException):  # never reached Discord
                failures += 1
                if failures > self._max_retries:
                    raise DiscordUnavailable(f"unreachable ({type(response).__name__})", route=label)
                self._pause(self._backoff(failures), label)
                continue
            status = response.status_code
            if status < 300:
                return response.json() if response.content else None
            if status == 429:
                limited += 1
                self._wait_out_429(response, label, limited)
                continue
            if status >= 500:
                failures += 1
                if self._may_retry_server_error(route, status, failures):
                    continue
            raise from_response(status, response.content, label)

    def _headers(self, route: CompiledRoute, reason: str | None) -> dict[str, str]:
        headers = {}
        if self._token and route.uses_bot_token:
            headers["Authorization"] = f"Bot {self._token}"
        if reason:
            headers["X-Audit-Log-Reason"] = audit_reason(reason)
        return headers

    def _send(self, route: CompiledRoute, body: dict[str, Any],
              headers: dict[str, str]) -> requests.Response | requests.RequestException:
        """One try, once its bucket (and the global limit) has room: Discord's response, or the
        connection error of a request that never reached Discord or may safely be sent again.
        OutcomeUnknown if a create may have been sent but its reply was lost. `body`: the
        `json=` or `files=` argument of requests."""
        template, major = route.bucket_key
        bucket = self._reserve(template, major, route.label)
        response = None
        try:
            self._wait_for_global_limit(route)
            timeout = self._timeout_within_deadline(route.label)
            self._count("requests")
            try:
                response = self._session.request(route.method, self._base + route.path, **body,
                                                 headers=headers, timeout=timeout)
            except requests.RequestException as error:
                if _was_sent(error) and route.method not in IDEMPOTENT:
                    raise OutcomeUnknown(f"no reply ({type(error).__name__})", route=route.label) from None
                return error
        finally:
            with bucket.lock:
                bucket.answered(response.headers if response is not None else None, self._clock())
        self._learn_bucket(template, major, response.headers.get("X-RateLimit-Bucket"), bucket)
        return response

    def _timeout_within_deadline(self, label: str) -> tuple[float, float]:
        """The (connect, read) timeouts, each cut to the time left before `deadline`;
        DiscordUnavailable, before anything is sent, when less than MIN_SEND_S is left."""
        left = self.deadline - self._clock()
        if left < MIN_SEND_S:
            raise DiscordUnavailable(f"not sent: {max(left, 0):.1f}s left of this invocation's time",
                                     route=label)
        connect, read = self._timeout
        return min(connect, left), min(read, left)

    def _wait_for_global_limit(self, route: CompiledRoute) -> None:
        """Interaction webhooks are outside the global limit (rate_budget.py), so a user is still
        told about a build that a global limit stopped."""
        if not counts_toward_global_limit(route.path):
            return
        self._pause(self._global_until - self._clock(), route.label, bot_wide=True)
        if self.budget is not None:
            # This instance's share of the global limit, and the pause all share.
            self._pause(self.budget.wait_before_sending(), route.label, bot_wide=True)

    def _may_retry_server_error(self, route: CompiledRoute, status: int, failures: int) -> bool:
        """After a 5xx: whether to send again (after a backoff); OutcomeUnknown for a create
        answered 500 or 504, which Discord may have finished before failing to answer."""
        if route.method not in IDEMPOTENT and status in (500, 504):
            raise OutcomeUnknown(f"HTTP {status} to a create", status=status, route=route.label)
        if failures > self._max_retries:
            return False
        self._pause(self._backoff(failures), route.label)
        return True

    def _reserve(self, template: str, major: str, label: str) -> Bucket:
        """Wait until the route's bucket has room, and reserve one request on it."""
        while True:
            bucket = self._bucket(template, major)
            with bucket.lock:
                wait = bucket.reserve(self._clock())
                if wait == 0.0:
                    return bucket
                if wait is None:
                    # The answer in flight will tell what the bucket allows.
                    bucket.lock.wait(timeout=sum(self._timeout))
                    continue
            self._pause(wait, label)

    def _count(self, stat: str) -> None:
        with self._lock:
            self.stats[stat] += 1

    def _bucket(self, template: str, major: str) -> Bucket:
        with self._lock:
            key = f"{self._hashes.get(template, template)}:{major}"
            return self._buckets.setdefault(key, Bucket())

    def _learn_bucket(self, template: str, major: str, bucket_hash: str | None, bucket: Bucket) -> None:
        if not bucket_hash:
            return
        with self._lock:
            if self._hashes.get(template) != bucket_hash:
                self._hashes[template] = bucket_hash
                self._buckets.setdefault(f"{bucket_hash}:{major}", bucket)

    def _wait_out_429(self, response: requests.Response, route: str, attempts: int) -> None:
        self._count("rate_limited")
        try:
            body = response.json()
            retry_after = float(body["retry_after"])
            if not math.isfinite(retry_after) or retry_after < 0:
                raise ValueError("retry_after is not a time")
        except (ValueError, KeyError, TypeError):
            # A 429 without Discord's JSON is the edge (Cloudflare) refusing us: back off for real.
            raise DiscordUnavailable("blocked by Discord's edge (429 without JSON)", status=429,
                                     route=route) from None
        if attempts > MAX_429_RETRIES:
            raise DiscordUnavailable("still rate limited after several waits", status=429, route=route)
        if body.get("global"):
            self._count("global_rate_limited")
            self._global_until = self._clock() + retry_after
            if self.budget is not None:
                self.budget.global_limit_hit(retry_after)
        self._pause(retry_after, route, bot_wide=bool(body.get("global")))

    def _backoff(self, failures: int) -> float:
        return min(0.25 * 2 ** (failures - 1), 4.0)

    def _pause(self, seconds: float, route: str, *, bot_wide: bool = False) -> None:
        """Sleep `seconds`; a wait past `longest_wait` is RateLimitedLong instead (`bot_wide`:
        the wait is for the bot's global limit, not for `route`'s)."""
        if seconds <= 0:
            return
        if seconds > self.longest_wait:
            raise RateLimitedLong(f"Discord asks for a wait of {seconds:.0f}s", route=route,
                                  retry_at=self._wall_clock() + seconds, bot_wide=bot_wide)
        if self._clock() + seconds > self.deadline:
            raise RateLimitedTooLong(f"would wait {seconds:.1f}s, past this invocation's time",
                                     route=route)
        self._sleep(seconds)


__all__ = ["DiscordRest", "DiscordError", "USER_AGENT"]
