"""One rate budget for the whole bot: worker instances split Discord's global limit, and a global
429 seen by one of them pauses them all (rate_budget.py, global_pause.py, their DiscordRest hook)."""

import random

import pytest
from botocore.exceptions import ClientError

from channelwright.discord import permissions as p
from channelwright.discord.rest import DiscordRest
from channelwright.discord.routes import EDIT_ORIGINAL_INTERACTION_RESPONSE, GET_GUILD_CHANNELS, GET_GUILD_ROLES
from channelwright.discord.global_pause import PAUSE_KEY, GlobalPause
from channelwright.discord.rate_budget import (BOT_BURST, BOT_RATE_PER_S, DISCORD_GLOBAL_LIMIT_PER_S,
                                       RateBudget, TokenBucket, counts_toward_global_limit,
                                       instances_from_environment)
from tests.conftest import BOT_TOKEN


class Clock:
    """Time that passes only when someone sleeps: waits are exact and tests never wait."""

    def __init__(self, start: float = 1_000.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def most_in_one_second(times: list[float]) -> int:
    times, most, first = sorted(times), 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def busy_instance(budget: RateBudget, clock: Clock, seconds: float, rng: random.Random, *,
                  longest_request: float = 0.3, idle: bool = True) -> list[float]:
    """An instance sending as fast as its budget allows, each request taking up to
    `longest_request` seconds, with (if `idle`) gaps between invocations: the send times."""
    sends = []
    while clock.now < seconds:
        clock.sleep(budget.wait_before_sending())
        sends.append(clock.now)
        clock.sleep(rng.uniform(0.0, longest_request))
        if idle and rng.random() < 0.05:
            clock.sleep(rng.uniform(0.5, 3.0))  # between invocations: the bucket refills
    return sends


def whole_bot(instances: int, rng: random.Random, **behaviour) -> list[float]:
    """The send times of `instances` instances over 30 s, each with its own share and clock."""
    sends = []
    for _ in range(instances):
        clock = Clock(0.0)
        sends += busy_instance(RateBudget.share(instances, clock=clock), clock, 30.0, rng, **behaviour)
    return sends


# --- the budget -----------------------------------------------------------------------------


def test_the_whole_bot_stays_under_discords_limit_at_every_allowed_concurrency():
    assert BOT_RATE_PER_S + BOT_BURST < DISCORD_GLOBAL_LIMIT_PER_S
    rng = random.Random(13)
    for instances in (1, 2, 5, 10, 20):
        assert most_in_one_second(whole_bot(instances, rng)) <= BOT_RATE_PER_S + BOT_BURST, instances


def test_busy_instances_use_the_whole_budget():
    # Requests of up to 100 ms: ten or more instances could send far faster than 40/s together.
    rng = random.Random(7)
    for instances in (10, 20):
        sends = whole_bot(instances, rng, longest_request=0.1, idle=False)
        assert len(sends) >= 0.95 * BOT_RATE_PER_S * 30, instances


def test_a_bucket_queues_callers_at_its_rate_after_its_burst():
    clock = Clock()
    bucket = TokenBucket(rate=2.0, capacity=1.0, clock=clock)
    waits = [bucket.reserve() for _ in range(4)]  # four callers at the same instant
    assert waits == [0.0, 0.5, 1.0, 1.5]


def test_a_capacity_under_one_token_makes_a_fresh_instance_wait_the_rest_of_one():
    clock = Clock()
    bucket = TokenBucket(rate=2.0, capacity=0.2, clock=clock)
    assert bucket.reserve() == pytest.approx(0.4)


def test_share_splits_rate_and_burst_between_instances():
    budget = RateBudget.share(5)
    assert budget.bucket.rate == pytest.approx(BOT_RATE_PER_S / 5)
    assert budget.bucket.capacity == pytest.approx(BOT_BURST / 5)
    with pytest.raises(ValueError):
        RateBudget.share(0)


def test_instances_come_from_the_stacks_environment_variable():
    assert instances_from_environment({"WORKER_MAX_CONCURRENCY": "5"}) == 5
    assert instances_from_environment({}) == 1  # alone: local mode, tools
    with pytest.raises(ValueError):
        instances_from_environment({"WORKER_MAX_CONCURRENCY": "0"})


def test_interaction_endpoints_are_outside_the_global_limit():
    # developers/topics/rate-limits.mdx: "Interaction endpoints are not bound to the bot's
    # Global Rate Limit".
    assert not counts_toward_global_limit("/webhooks/1100000000000000001/tok/messages/@original")
    assert not counts_toward_global_limit("/interactions/123/tok/callback")
    assert counts_toward_global_limit("/guilds/123/channels")
    assert counts_toward_global_limit("/users/@me")


# --- the shared pause (DynamoDB, moto) -----------------------------------------------------------


def two_instances(aws, clock: Clock) -> tuple[GlobalPause, GlobalPause]:
    def pause():
        return GlobalPause(aws.dynamodb, aws.table_name, wall_clock=clock, clock=clock)
    return pause(), pause()


def test_a_pause_set_by_one_instance_reaches_the_others_at_their_next_read(aws):
    clock = Clock()
    first, second = two_instances(aws, clock)
    assert second.remaining() == 0.0  # read now: no pause
    first.extend(2.5)
    assert first.remaining() == pytest.approx(2.5)
    assert second.remaining() == 0.0  # it read less than a poll interval ago
    clock.sleep(1.0)
    assert second.remaining() == pytest.approx(1.5)
    clock.sleep(2.0)
    assert second.remaining() == 0.0


def test_a_shorter_pause_never_cuts_a_longer_one(aws):
    clock = Clock()
    first, second = two_instances(aws, clock)
    first.extend(10.0)
    second.extend(1.0)  # a later 429 with a shorter retry_after
    item = aws.dynamodb.get_item(TableName=aws.table_name, Key=PAUSE_KEY)["Item"]
    assert float(item["paused_until_epoch_s"]["N"]) == pytest.approx(clock.now + 10.0)
    assert second.remaining() == pytest.approx(10.0)


def test_the_pause_item_is_read_at_most_once_per_interval(aws):
    clock = Clock()
    reads = []
    aws.dynamodb.meta.events.register("before-call.dynamodb.GetItem", lambda **_: reads.append(1))
    pause = GlobalPause(aws.dynamodb, aws.table_name, wall_clock=clock, clock=clock, poll_s=1.0)
    for _ in range(50):
        pause.remaining()
        clock.sleep(0.1)
    assert len(reads) == 5


class BrokenDynamoDB:
    def get_item(self, **_):
        raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "gone"}}, "GetItem")

    update_item = get_item


def test_aws_trouble_never_stops_a_request():
    clock = Clock()
    pause = GlobalPause(BrokenDynamoDB(), "missing", wall_clock=clock, clock=clock)
    assert pause.remaining() == 0.0
    pause.extend(3.0)  # not shared, but still kept here
    assert pause.remaining() == pytest.approx(3.0)


# --- in DiscordRest, against the emulator ---------------------------------------------------


@pytest.fixture
def guild(emu):
    return emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL)


def rest_with(emu, budget: RateBudget, clock: Clock) -> DiscordRest:
    return DiscordRest(emu.base_url, BOT_TOKEN, timeout=(1.0, 2.0), clock=clock, sleep=clock.sleep,
                       budget=budget)


def test_requests_wait_for_the_budget_and_webhook_edits_do_not(emu, guild):
    emu.set_bucket(r".*", 1000, 1.0)
    clock = Clock()
    rest = rest_with(emu, RateBudget.share(1, clock=clock, rate=4.0, burst=1.0), clock)
    for _ in range(3):
        rest.request(GET_GUILD_CHANNELS.compile(guild_id=guild))
    assert clock.slept == [pytest.approx(0.25), pytest.approx(0.25)]
    payload = emu.create_interaction(guild, emu.add_member(guild), "add-campaign")
    emu.acknowledge(payload, {"type": 5})
    rest.request(EDIT_ORIGINAL_INTERACTION_RESPONSE.compile(application_id=emu.application_id,
                                                           interaction_token=payload["token"]),
                 json={"content": "progress"})
    assert len(clock.slept) == 2  # no wait for the exempt route


def test_a_global_429_at_one_instance_pauses_the_other(emu, guild, aws):
    wall = Clock(1_800_000_000.0)  # both containers' (synchronised) wall clock

    def instance() -> tuple[DiscordRest, Clock]:
        own = Clock()  # its monotonic clock, which its own waits advance
        pause = GlobalPause(aws.dynamodb, aws.table_name, wall_clock=wall, clock=own)
        return rest_with(emu, RateBudget.share(2, clock=own, pause=pause), own), own

    (first, _), (second, second_clock) = instance(), instance()
    second.request(GET_GUILD_ROLES.compile(guild_id=guild))  # reads the (empty) pause item
    emu.faults.rate_limit_storm(1, method="GET", path_regex=r"/channels$", retry_after=4.0, is_global=True)
    first.request(GET_GUILD_CHANNELS.compile(guild_id=guild))
    assert first.stats["global_rate_limited"] == 1
    wall.now += 1.0
    second_clock.now += 1.0  # its next read of the pause item is due
    second_clock.slept.clear()
    second.request(GET_GUILD_ROLES.compile(guild_id=guild))
    assert max(second_clock.slept) == pytest.approx(3.0, abs=0.05), "it waited out the rest of the pause"
    assert emu.count(status=429) == 1, "and did not collect a 429 of its own"


def test_a_faster_rate_never_sends_new_callers_before_those_already_waiting():
    clock = Clock()
    bucket = TokenBucket(1.0, 1.0, clock=clock)
    waits = [bucket.reserve() for _ in range(3)]  # sent at +0, +1 and +2 s
    bucket.change(10.0, 10.0)
    assert waits == [0.0, 1.0, 2.0]
    assert bucket.reserve() == pytest.approx(2.1), "after the last caller already waiting"
