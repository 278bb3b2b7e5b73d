"""How fast a campaign is built, against the Discord emulator with latency L per request.

"Discord waiting" is the build's wall time (first worker poll to the summary) less its time in AWS
calls (moto here): the time it spends waiting on Discord. The issue's yardstick divides it by
13 x L, what the 13 strictly sequential requests a 10-channel campaign needs would cost (two
roles, the category, ten channels; giving the GM role rides along). With tight buckets the bound
is what the emulator's bucket allows the creates, computed from its settings (not by hand). Also
reported: requests, 429s, worker invocations. Targets: <= 0.6 at every L with roomy buckets;
within 1.1x of the bucket bound with tight ones; no more 429s than before.

Run: .venv/bin/python bench/campaign_build.py [--latency 0.05 0.1 0.2]
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]

for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                    "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_LOG_LEVEL": "ERROR"}.items():
    os.environ[name] = value

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from channelwright.discord import permissions as p  # noqa: E402
from channelwright.discord.budget_slots import BudgetSlots  # noqa: E402
from channelwright.discord.rate_budget import RateBudget  # noqa: E402
from channelwright.discord.rest import DiscordRest  # noqa: E402
from channelwright.templates.schema import ChannelSpec, Template  # noqa: E402
from discord_emulator import DiscordEmulator  # noqa: E402
from tests.support.aws import AwsResources  # noqa: E402
from tests.support.bot import Bot  # noqa: E402

BOT_PERMISSIONS = (p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
                   | p.READ_MESSAGE_HISTORY | p.CONNECT | p.SPEAK)


class AwsTime:
    """Seconds spent in AWS (moto) calls, via botocore's event hooks: moto costs ~10 ms a call
    here, more than DynamoDB or SQS in a region, so the table shows how much of the wall it is.
    Calls from several build threads at once count once (the time any call was in flight), so
    the Discord waiting left over is never understated."""

    def __init__(self, *clients):
        self.seconds, self._in_flight, self._since = 0.0, 0, 0.0
        self._lock = threading.Lock()
        for client in clients:
            client.meta.events.register("before-call", self._before)
            client.meta.events.register("after-call", self._after)
            client.meta.events.register("after-call-error", self._after)

    def _before(self, **_):
        with self._lock:
            if not self._in_flight:
                self._since = time.perf_counter()
            self._in_flight += 1

    def _after(self, **_):
        with self._lock:
            self._in_flight -= 1
            if not self._in_flight:
                self.seconds += time.perf_counter() - self._since


# The prod stage's worker_max_concurrency (channelwright_stack/settings.py): each worker keeps a
# tenth of the bot's global budget and leases the slots of idle ones (rate_budget.py).
PROD_WORKERS = 5
CREATES = r"POST /guilds/\{guild_id\}/(channels|roles)"
SEQUENTIAL = 13  # two roles, the category, ten channels


def big_template(count: int = 45) -> Template:
    kinds = ("text", "voice", "text")
    return Template("saga", "A Long Saga", tuple(
        ChannelSpec(f"chapter-{i:02}", kinds[i % 3], i % 7 == 0) for i in range(count)))


def bucket_bound(emu: DiscordEmulator, route: str, creates: int) -> float:
    """Seconds the emulator's bucket for `route` makes `creates` requests take at least: the
    first window holds `limit`, each later one `limit` more, `per` seconds apart."""
    limit, per, _ = emu.rate_limiter.config(route, webhook=False)
    return (creates - 1) // limit * per


def build_once(emu: DiscordEmulator, latency: float, buckets: tuple | None, channels: int = 10,
               workers: int | None = None) -> dict:
    """One build; `workers`: the worker's budget as the stack's maximum concurrency sets it
    (rate_budget.py: its floor, and the slots it leases in the table while the others are idle,
    claimed as the handler does, beside the invocation's first AWS calls), None for no budget."""
    emu.reset()
    if buckets is None:
        emu.set_bucket(r".*", 1000, 1.0)
    else:
        emu.set_bucket(CREATES, *buckets)  # each create route its own bucket, as on Discord
    emu.set_global_limit(None)
    with mock_aws():
        bot = Bot(AwsResources.create(), emu)
        budget = None
        if workers is not None:
            # Its own client: the leases' calls run beside the build, not in the AWS time above.
            slots = BudgetSlots(boto3.client("dynamodb"), bot.aws.table_name, workers)
            budget = RateBudget.share(workers, slots=slots)
            bot.worker.rest = DiscordRest(emu.base_url, emu.bot_token, budget=budget)
        guild = emu.add_guild(name="Bench", bot_permissions=BOT_PERMISSIONS)
        gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
        options = []
        if channels != 10:
            bot.templates.put(guild, big_template(channels), author_id=gm)
            options = [{"type": 3, "name": "template", "value": "saga"}]
        payload = emu.create_interaction(guild, gm, "add-campaign", options=[
            {"type": 3, "name": "name", "value": "Curse of Strahd"}, *options])
        bot.interact(payload)
        emu.latency = latency
        emu.clear_requests()
        aws_time = AwsTime(bot.aws.sqs, bot.aws.dynamodb)
        start = time.perf_counter()
        if budget is not None:
            budget.begin()
        delivery = bot.run_worker()
        wall = time.perf_counter() - start
        if budget is not None:
            budget.end()
        emu.latency = 0.0
        assert bot.campaign(guild).status == "completed", "the build did not complete"
    requests = emu.requests
    creates = channels + 3
    waiting = wall - aws_time.seconds
    bound = max(bucket_bound(emu, "POST /guilds/{guild_id}/channels", creates - 2),
                bucket_bound(emu, "POST /guilds/{guild_id}/roles", 2)) if buckets else None
    return {"wall": wall, "aws": aws_time.seconds, "waiting": waiting, "requests": len(requests),
            "ratio": waiting / (SEQUENTIAL * latency), "bound": bound,
            "of_bound": waiting / bound if bound else None, "429s": emu.count(status=429),
            "invocations": delivery.invocations, "max_in_flight": max_overlap(requests)}


def max_overlap(requests) -> int:
    """The most requests the emulator had in flight at once."""
    edges = sorted([(r.started, 1) for r in requests] + [(r.finished or r.started, -1) for r in requests],
                   key=lambda e: (e[0], e[1]))
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    args = parser.parse_args()
    rows = []
    with DiscordEmulator(bot_token="bench-token", application_id="1100000000000000001") as emu:
        for latency in args.latency:
            rows.append((f"10 channels, L={latency * 1000:.0f} ms, roomy buckets",
                         build_once(emu, latency, None)))
        rows.append((f"10 channels, L={args.latency[0] * 1000:.0f} ms, creates 5 per 5 s",
                     build_once(emu, args.latency[0], (5, 5.0))))
        rows.append((f"45 channels, L={args.latency[0] * 1000:.0f} ms, roomy buckets",
                     build_once(emu, args.latency[0], None, channels=45)))
        rows.append((f"10 channels, L={args.latency[0] * 1000:.0f} ms, roomy buckets, the global budget "
                     f"of one of {PROD_WORKERS} workers (its floor and leased slots)",
                     build_once(emu, args.latency[0], None, workers=PROD_WORKERS)))
    header = ("scenario", "wall s", "in AWS calls s", "Discord waiting s", "÷ (13 × L)",
              "bucket bound s", "÷ bound", "requests", "most in flight", "429s", "invocations")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, r in rows:
        bound = f"{r['bound']:.1f}" if r["bound"] is not None else ""
        of_bound = f"{r['of_bound']:.2f}" if r["of_bound"] is not None else ""
        print(f"| {name} | {r['wall']:.2f} | {r['aws']:.2f} | {r['waiting']:.2f} | {r['ratio']:.2f} | "
              f"{bound} | {of_bound} | {r['requests']} | {r['max_in_flight']} | {r['429s']} | "
              f"{r['invocations']} |")
    print("\nTargets: ÷ (13 × L) <= 0.6 with roomy buckets; ÷ bound <= 1.1 with tight ones; 0 429s.")


if __name__ == "__main__":
    main()
