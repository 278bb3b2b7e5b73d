"""Slots of the bot's global budget that a busy worker instance leases and an idle one gives back.

Half of the budget is split evenly between the N worker instances that may run at once, each
keeping its part whatever the others do (rate_budget.py); the other half is N slots held in one
item of the campaign table. An instance leases slots for LEASE_S seconds with a conditional write
(the item's version must be the one it read), so no two instances ever hold one slot: whatever
their views, the slots held add up to at most N. It takes at most its fair count, ceil(N ÷ the
instances present), counting every instance that claimed in the last LEASE_S; it renews every
RENEW_S while it sends (a busy instance's renewal also gives back what is over its fair count once
others come), and gives everything back when its invocation ends. An instance alone thus sends at
(N + 1) ÷ 2N of the budget instead of 1 ÷ N; N busy ones at 1 ÷ N each, as an even split.

Every claim is made on a background thread, never on a request's path. A slot is used only until
SKEW_S before its lease ends (lease ends are wall-clock epoch seconds; Lambda's clocks are
NTP-synchronised well within that) and is dropped locally before a write gives it back, so its
next holder never overlaps its last; requests this instance already timed at the rate a slot gave
(a build sends from several threads) may still be due, so a slot given back stays taken, by
nobody, until the last of them plus SKEW_S. AWS errors cost only the slots: the instance keeps its own
part of the budget.
"""

import math
import threading
import time
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from channelwright.aws.observability import logger

SLOTS_KEY = {"guild_id": {"S": "~bot~"}, "campaign_key": {"S": "~discord-budget-slots~"}}
LEASE_S = 10.0  # how long a claim holds a slot, and counts an instance as present
RENEW_S = 2.0  # how often a sending instance claims again (renewal, fair count)
SKEW_S = 1.0  # a slot is used only until this long before its lease ends
NOBODY = ""  # the holder of a slot given back while requests it paid for are still to be sent


class BudgetSlots:
    """This instance's leases on the N shared slots. `on_change()` is called whenever the slots
    it may use change (before a write that gives some back, after one that takes some)."""

    def __init__(self, dynamodb, table_name: str, slots: int, *,
                 wall_clock: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic, instance_id: str | None = None):
        if slots < 1:
            raise ValueError("there is at least one slot")
        self._db, self._table, self.count = dynamodb, table_name, slots
        self._wall, self._clock = wall_clock, clock
        self.instance_id = instance_id or uuid.uuid4().hex
        self._held: dict[str, float] = {}  # slot -> monotonic time until which it may be used
        self._lock = threading.Lock()
        self._claiming: threading.Thread | None = None
        self._claimed_at: float | None = None
        self.on_change: Callable[[], None] = lambda: None
        # Seconds until the requests already scheduled on the slots held have been sent.
        self.settle: Callable[[], float] = lambda: 0.0

    def usable_until(self) -> list[float]:
        """The monotonic times until which each held slot may be used (some may be past)."""
        with self._lock:
            return sorted(self._held.values())

    def claim_soon(self, *, now: bool = False) -> None:
        """Claim on a background thread if RENEW_S passed since the last claim (or `now`)."""
        with self._lock:
            due = now or self._claimed_at is None or self._clock() - self._claimed_at >= RENEW_S
            if not due or (self._claiming is not None and self._claiming.is_alive()):
                return
            self._claimed_at = self._clock()
            self._claiming = threading.Thread(target=self.claim, name="budget-slots", daemon=True)
            self._claiming.start()

    def wait_for_claim(self, timeout: float | None = None) -> None:
        """Wait for a claim under way (tests and benchmarks)."""
        claiming = self._claiming
        if claiming is not None:
            claiming.join(timeout)

    def claim(self, *, give_back: bool = False) -> None:
        """One read and one conditional write: renew what is held up to the fair count, take free
        slots up to it, give back the rest (everything if `give_back`). A lost race is tried once
        more; AWS errors leave the instance holding nothing."""
        for _ in range(2):
            try:
                if self._claim_once(give_back):
                    return
            except (BotoCoreError, ClientError) as error:
                logger.warning("could not lease global-budget slots", error=str(error))
                self._drop(set(self._held))
                return

    def release(self) -> None:
        """Give every slot back (the invocation is over)."""
        self.wait_for_claim()
        self.claim(give_back=True)

    def _claim_once(self, give_back: bool) -> bool:
        item = self._db.get_item(TableName=self._table, Key=SLOTS_KEY, ConsistentRead=True).get("Item") or {}
        version = int(item.get("v", {}).get("N", "0"))
        wall = self._wall()
        present = {who: float(u["N"]) for who, u in item.get("present", {}).get("M", {}).items()
                   if float(u["N"]) > wall and who != self.instance_id}
        slots = {k: (s["M"]["holder"]["S"], float(s["M"]["until"]["N"]))
                 for k, s in item.get("slots", {}).get("M", {}).items() if float(s["M"]["until"]["N"]) > wall}
        fair = 0 if give_back else math.ceil(self.count / (len(present) + 1))
        mine = sorted(k for k, (holder, _) in slots.items() if holder == self.instance_id)
        free = [str(k) for k in range(self.count) if str(k) not in slots]
        keep = mine[:fair]
        take = keep + free[:fair - len(keep)]
        self._drop(set(self._held) - set(keep))  # stop using what goes back before it is free
        until = wall + LEASE_S
        others = {k: v for k, v in slots.items() if v[0] != self.instance_id}
        settle = self.settle()
        if settle > 0:  # sends reserved at the rate those slots gave are still to go out
            others.update(dict.fromkeys(set(mine) - set(keep), (NOBODY, wall + settle + SKEW_S)))
        if not give_back:
            present[self.instance_id] = until
        new = {k: {"M": {"holder": {"S": holder}, "until": {"N": f"{u:.3f}"}}}
               for k, (holder, u) in {**others, **dict.fromkeys(take, (self.instance_id, until))}.items()}
        try:
            self._db.put_item(TableName=self._table, Item={
                **SLOTS_KEY, "v": {"N": str(version + 1)}, "slots": {"M": new},
                "present": {"M": {who: {"N": f"{u:.3f}"} for who, u in present.items()}}},
                ConditionExpression="attribute_not_exists(v) OR v = :v",
                ExpressionAttributeValues={":v": {"N": str(version)}})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False  # another instance wrote first: read again
            raise
        use_until = self._clock() + (until - self._wall()) - SKEW_S
        with self._lock:
            self._held = dict.fromkeys(take, use_until)
        self.on_change()
        return True

    def _drop(self, slots: set[str]) -> None:
        if not slots:
            return
        with self._lock:
            for slot in slots:
                self._held.pop(slot, None)
        self.on_change()
