"""The leased half of the global budget (budget_slots.py, rate_budget.py): an instance alone sends
far faster than an even split allows, busy instances share fairly, and the whole bot still never
sends more than the budget's burst plus its rate in any second."""

import heapq
import random

import pytest

from channelwright.discord.budget_slots import LEASE_S, BudgetSlots
from channelwright.discord.rate_budget import BOT_BURST, BOT_RATE_PER_S, RateBudget
from tests.discord.test_rate_budget import Clock, most_in_one_second

N = 5  # the prod stage's worker_max_concurrency


def instance(aws, clock, name: str) -> RateBudget:
    slots = BudgetSlots(aws.dynamodb, aws.table_name, N, wall_clock=lambda: 1.7e9 + clock(), clock=clock,
                        instance_id=name)
    return RateBudget.share(N, clock=clock, slots=slots)


def begin(budget: RateBudget) -> None:
    budget.begin()
    budget.slots.wait_for_claim()


def held(budget: RateBudget) -> int:
    return len(budget.slots.usable_until())


def test_an_instance_alone_leases_every_slot_and_gives_them_back(aws):
    clock = Clock()
    alone = instance(aws, clock, "a")
    begin(alone)
    assert held(alone) == N
    assert alone.bucket.rate == pytest.approx(BOT_RATE_PER_S * (N + 1) / (2 * N))  # 24/s, not 8/s
    alone.end()
    assert held(alone) == 0 and alone.bucket.rate == pytest.approx(BOT_RATE_PER_S / (2 * N))
    other = instance(aws, clock, "b")
    begin(other)
    assert held(other) == N, "the idle instance's slots went to the busy one"


def test_busy_instances_converge_on_fair_counts_and_never_share_a_slot(aws):
    clock = Clock()
    budgets = [instance(aws, clock, name) for name in "abcde"]
    for budget in budgets:
        begin(budget)
    for _ in range(2):  # each renewal gives back what is over the fair count, the next takes it
        for budget in budgets:
            budget.slots.claim()
    assert [held(b) for b in budgets] == [1] * N
    budgets[0].end()
    budgets[1].slots.claim()
    assert held(budgets[1]) == 2, "four present: ceil(5 / 4) = 2, the slot given back among them"
    clock.sleep(LEASE_S)  # the instance that left no longer counts as present
    for budget in budgets[1:]:
        budget.slots.claim()
    assert sum(held(b) for b in budgets) <= N


def test_the_whole_bot_stays_under_its_budget_with_slots_changing_hands(aws):
    """Five instances sending as fast as their budgets allow, each invocation of a few seconds
    with idle gaps, on one clock: the busiest second holds at most burst + rate."""
    clock, rng = Clock(0.0), random.Random(5)
    budgets = [instance(aws, clock, name) for name in "abcde"]
    events = [(rng.uniform(0, 2), i, "begin") for i in range(N)]
    ends = {}
    sends: list[float] = []
    while events:
        at, i, what = heapq.heappop(events)
        clock.now = at
        budget = budgets[i]
        if what == "begin":
            begin(budget)
            ends[i] = at + rng.uniform(1.0, 6.0)
            heapq.heappush(events, (at, i, "send"))
        elif at >= ends[i]:
            budget.end()
            if at < 40:
                heapq.heappush(events, (at + rng.uniform(0.2, 3.0), i, "begin"))
        else:
            wait = budget.wait_before_sending()
            budget.slots.wait_for_claim()
            sends.append(at + wait)
            heapq.heappush(events, (at + wait + rng.uniform(0.0, 0.1), i, "send"))
    assert most_in_one_second(sends) <= BOT_RATE_PER_S + BOT_BURST
    assert len(sends) > 40 * BOT_RATE_PER_S / 2, "the slots were used, not only the floors"


@pytest.mark.parametrize("seed", range(4))
def test_the_whole_bot_stays_under_its_budget_with_many_requests_in_flight_per_instance(aws, seed):
    """As above, but each instance sends from ten threads at once, as a build does: requests
    reserved at one rate are still to go out when slots come or go, and must not add to what
    the next rate (or the slots' next holder) sends."""
    senders, clock, rng = 10, Clock(0.0), random.Random(seed)
    budgets = [instance(aws, clock, name) for name in "abcde"]
    events = [(rng.uniform(0, 2), i, "begin") for i in range(N)]
    ends, sending = {}, {}
    sends: list[float] = []
    while events:
        at, i, what = heapq.heappop(events)
        clock.now = at
        budget = budgets[i]
        if what == "begin":
            begin(budget)
            ends[i], sending[i] = at + rng.uniform(1.0, 6.0), senders
            events += [(at, i, "send")] * senders
            heapq.heapify(events)
        elif what == "sent" and at >= ends[i]:
            sending[i] -= 1
            if not sending[i]:  # the invocation ends once its last request is answered
                budget.end()
                if at < 40:
                    heapq.heappush(events, (at + rng.uniform(0.2, 3.0), i, "begin"))
        elif what == "sent":
            heapq.heappush(events, (at + rng.uniform(0.02, 0.3), i, "send"))
        else:
            wait = budget.wait_before_sending()
            budget.slots.wait_for_claim()
            sends.append(at + wait)
            heapq.heappush(events, (at + wait, i, "sent"))
    assert most_in_one_second(sends) <= BOT_RATE_PER_S + BOT_BURST
    assert len(sends) > 40 * BOT_RATE_PER_S / 2, "the slots were used, not only the floors"
