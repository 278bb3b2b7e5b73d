"""The bot's one budget under Discord's global rate limit, split between worker instances.

Discord: "All bots can make up to 50 requests per second to our API ... independent of any
individual rate limit on a route" (developers/topics/rate-limits.mdx, "Global Rate Limit"). The
limit is per bot, so every worker instance (Lambda container) sending with the token shares it,
and none of them sees what the others send. Interaction endpoints are exempt: "Interaction
endpoints are not bound to the bot's Global Rate Limit" (same section) — those are the
`/webhooks/{application id}/{token}/...` and `/interactions/...` routes, which carry no bot token.

The split: the SQS event source runs at most N worker invocations at once (its maximum
concurrency, WORKER_MAX_CONCURRENCY). The budget is 2N equal parts of rate R/2N and capacity B/2N:
each instance always has one (its floor), and the other N are slots an instance leases while it is
busy and gives back when idle (budget_slots.py), never more than its fair count ceil(N ÷ instances
present). Each instance's token bucket runs at its floor plus its slots, so at every moment the
rates add up to at most R and the capacities to at most B: in any window of t seconds the whole
bot sends at most B + R x t requests, at every concurrency the stack allows and however Discord
aligns its window. An instance alone sends at (N + 1) ÷ 2N of R (24/s of 40 for N = 5); N busy
instances at R/N each. Without slots (no table, e.g. one process alone) an instance keeps an even
share, R/N and B/N.

R = 40/s and B = 4: at most 44 of Discord's 50 in any second. The other 6 cover requests that
bunch up on the way (a request held up 150 ms lands in the next second's count: R x 0.15 = 6) and
the operator's own tools using the token. B is what lets an instance keep its full rate: a
bucket's capacity must cover the tokens that accrue while its own request is in flight (about
rate x 100 ms), or that time is lost to the budget. A bucket's capacity may be below 1: a fresh
instance then waits the rest of a token before its first request. bench/global_budget.py measures
all of this against the emulator.
"""

import os
import threading
import time
from collections.abc import Callable

# developers/topics/rate-limits.mdx, "Global Rate Limit": 50 requests per second per bot.
DISCORD_GLOBAL_LIMIT_PER_S = 50.0
BOT_RATE_PER_S = 40.0  # the whole bot's steady rate
BOT_BURST = 4.0  # what the whole bot may send at once on top of it
CONCURRENCY_ENV = "WORKER_MAX_CONCURRENCY"

# The routes Discord exempts from the global limit (see the module docstring).
EXEMPT_PREFIXES = ("/webhooks/", "/interactions/")


def counts_toward_global_limit(path: str) -> bool:
    """Whether a request to `path` (after /api/v10) uses the bot's global budget."""
    return not path.startswith(EXEMPT_PREFIXES)


class TokenBucket:
    """`rate` tokens a second, holding at most `capacity`; a request takes one token.

    `reserve()` takes the token at once and says how long to wait for it to exist (the token may
    be owed), so concurrent callers queue in order instead of racing. Any interval of t seconds
    then holds at most capacity + rate x t requests.
    """

    def __init__(self, rate: float, capacity: float, *, clock: Callable[[], float] = time.monotonic):
        if rate <= 0 or capacity <= 0:
            raise ValueError("a token bucket needs a positive rate and capacity")
        self.rate, self.capacity = rate, capacity
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 when it is there)."""
        with self._lock:
            self._refill(self._clock())
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def change(self, rate: float, capacity: float, at: float | None = None) -> None:
        """From `at` (a clock time, now by default) on, `rate` and `capacity`: the tokens accrued
        until then at the old rate, and any over the new capacity dropped. Tokens owed keep their
        time, not their count: the callers holding them send when the old rate told them to, so
        the new rate applies only after the last of them (at a faster rate, counting the debt
        in tokens would fit new callers in before them: more sends than either rate allows)."""
        with self._lock:
            self._refill(max(self._updated, self._clock() if at is None else at))
            if self._tokens < 0:
                self._tokens = self._tokens / self.rate * rate
            self.rate, self.capacity = rate, capacity
            self._tokens = min(self._tokens, capacity)

    def _refill(self, until: float) -> None:
        if until > self._updated:
            self._tokens = min(self.capacity, self._tokens + (until - self._updated) * self.rate)
            self._updated = until


class RateBudget:
    """This instance's share of the bot's global budget, and the pause every instance shares.

    `pause` is a GlobalPause (global_pause.py) or None (one process alone, e.g. tests); `slots` a
    BudgetSlots (budget_slots.py) whose leases add a part each to the bucket's floor, or None.
    """

    def __init__(self, bucket: TokenBucket, pause=None, slots=None):
        self.bucket, self.pause, self.slots = bucket, pause, slots
        self._part = (bucket.rate, bucket.capacity)  # what the floor and each slot are worth
        self._lock = threading.Lock()
        self._sends_until = float("-inf")  # the clock time of the latest send reserved
        if slots is not None:
            slots.on_change = self._follow_slots
            slots.settle = self._unsent

    @classmethod
    def share(cls, instances: int, *, pause=None, clock: Callable[[], float] = time.monotonic,
              rate: float = BOT_RATE_PER_S, burst: float = BOT_BURST, slots=None) -> "RateBudget":
        """The budget of one of `instances` instances that may run at once; with `slots` (as many
        as `instances`), half of it is leased (see the module docstring)."""
        if instances < 1:
            raise ValueError("there is at least one instance")
        parts = instances if slots is None else 2 * instances
        return cls(TokenBucket(rate / parts, burst / parts, clock=clock), pause, slots)

    def begin(self) -> None:
        """An invocation starts: lease slots now, in the background, ahead of its first request."""
        if self.slots is not None:
            self.slots.claim_soon(now=True)

    def end(self) -> None:
        """An invocation ends: its slots go back to the other instances."""
        if self.slots is not None:
            self.slots.release()

    def wait_before_sending(self) -> float:
        """Seconds to wait before the next request that counts toward the global limit."""
        if self.slots is not None:
            self._follow_slots()
            self.slots.claim_soon()
        paused = self.pause.remaining() if self.pause is not None else 0.0
        wait = max(self.bucket.reserve(), paused)
        with self._lock:
            self._sends_until = max(self._sends_until, self.bucket._clock() + wait)
        return wait

    def _unsent(self) -> float:
        """Seconds until every send reserved so far is due: slots given back meanwhile stay
        taken until then, since those sends were timed at the rate the slots gave."""
        with self._lock:
            return max(0.0, self._sends_until - self.bucket._clock())

    def _follow_slots(self) -> None:
        """The bucket's rate and capacity as the slots usable now make them; a slot whose time
        ran out stops counting from that very moment, not from when this is next called."""
        rate, capacity = self._part
        with self._lock:
            until = self.slots.usable_until()
            now = self.bucket._clock()
            for ended in [u for u in until if u <= now]:
                held = 1 + sum(u > ended for u in until)
                self.bucket.change(rate * held, capacity * held, at=ended)
            held = 1 + sum(u > now for u in until)
            self.bucket.change(rate * held, capacity * held, at=now)

    def global_limit_hit(self, retry_after: float) -> None:
        """Discord answered a global 429: every instance waits `retry_after` seconds."""
        if self.pause is not None:
            self.pause.extend(retry_after)


def instances_from_environment(environ=os.environ) -> int:
    """N, the event source's maximum concurrency, as the stack passes it (1 when not set)."""
    value = environ.get(CONCURRENCY_ENV, "").strip()
    if not value:
        return 1
    instances = int(value)
    if instances < 1:
        raise ValueError(f"{CONCURRENCY_ENV} must be a positive integer, got {value!r}")
    return instances
