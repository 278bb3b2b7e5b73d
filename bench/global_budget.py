"""The bot's one budget under Discord's global rate limit: many campaigns at once, many workers.

Twenty /add-campaign requests in twenty servers arrive together; W worker instances build them.
Each instance is a process of its own, with its own DiscordRest, boto3 clients and share of the
rate budget, as a Lambda container would be (the SQS event source runs at most W at once:
settings.worker_max_concurrency, passed to the worker as WORKER_MAX_CONCURRENCY). Discord is the
emulator with its global limit on (50 requests per second, developers/topics/rate-limits.mdx
"Global Rate Limit") and a fixed latency per request; DynamoDB is moto's server, in a process of
its own. SQS is modelled, not run: each server's steps go to one instance, in order, in batches of
up to 10 (what the FIFO event source does with one message group), and the servers are dealt out
to the instances in turn; failed steps are retried with their receive count raised.

Reported per scenario: global 429s (target 0), all 429s, the busiest second (the most requests
that count toward the global limit arriving within any one second), the wall time from the
workers' start to the last campaign's summary, and its ratio to the time Discord's limit itself
needs for the same requests, requests / 50 per second (target <= 1.2). The progress and summary
edits go to interaction webhooks, which the global limit exempts ("Interaction endpoints are not
bound to the bot's Global Rate Limit"), so there are two ratios: over the requests that count
toward the limit (what the budget governs), and over all requests.

Run: .venv/bin/python bench/global_budget.py [--campaigns 20] [--latency 0.05] [--workers 20 5]
"""

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]

QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}
os.environ.update(QUIET)

BATCH = 10  # what the SQS event source hands one invocation from a FIFO queue


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoProcess:
    """moto's server in its own process, so its CPU is not the workers' or the emulator's."""

    def __init__(self):
        self.port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "MotoProcess":
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise RuntimeError("moto's server did not start")

    def __exit__(self, *exc) -> None:
        self._process.terminate()
        self._process.wait(10)


class RecordedTasks:
    """The interactions side's task queue, keeping what it would send, per message group."""

    errors = ()

    def __init__(self):
        self.groups: dict[str, list[dict]] = {}

    def enqueue(self, tasks) -> None:
        for task in tasks:
            records = self.groups.setdefault(task.guild_id, [])
            records.append({"messageId": f"{task.guild_id}-{task.step}", "body": task.to_body(),
                            "attributes": {"MessageGroupId": task.guild_id,
                                           "ApproximateReceiveCount": "0"}})


def worker_instance(setting: dict, groups: list[list[dict]], ready, start, results) -> None:
    """One Lambda container (a process): build its servers' campaigns once `start` is set."""
    os.environ.update(setting["environment"])
    sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]
    import boto3

    from channelwright.campaigns.store import CampaignStore
    from channelwright.discord.budget_slots import BudgetSlots
    from channelwright.discord.global_pause import GlobalPause
    from channelwright.discord.rate_budget import RateBudget
    from channelwright.discord.rest import DiscordRest
    from channelwright.templates.library import TemplateLibrary
    from channelwright.worker import WorkerDeps, process_tasks
    from tests.support.aws import MAX_RECEIVE_COUNT

    dynamodb, table = boto3.client("dynamodb"), setting["table"]
    # As the worker's handler builds it (worker.py default_deps): a floor and leased slots.
    budget = (RateBudget.share(setting["instances"], pause=GlobalPause(dynamodb, table),
                               slots=BudgetSlots(dynamodb, table, setting["instances"]),
                               **setting["budget"]) if setting["budgeted"] else None)
    slept = []

    def sleep(seconds: float) -> None:  # DiscordRest's waits: the budget, buckets, 429s
        slept.append(seconds)
        time.sleep(seconds)

    deps = WorkerDeps(rest=DiscordRest(setting["base_url"], setting["token"], timeout=(2.0, 5.0),
                                       budget=budget, sleep=sleep),
                      store=CampaignStore(dynamodb, table), application_id=setting["application_id"],
                      max_receive_count=MAX_RECEIVE_COUNT, templates=TemplateLibrary(dynamodb, table))
    dynamodb.describe_table(TableName=table)  # connect before the clock starts, as a warm container
    invocations = 0
    ready.put(os.getpid())
    start.wait()
    began = time.perf_counter()
    for records in groups:
        while records:
            batch = records[:BATCH]
            for record in batch:
                count = int(record["attributes"]["ApproximateReceiveCount"]) + 1
                record["attributes"]["ApproximateReceiveCount"] = str(count)
            if budget is not None:
                budget.begin()  # as the handler does around each invocation
            try:
                failed = {f["itemIdentifier"]
                          for f in process_tasks({"Records": batch}, deps)["batchItemFailures"]}
            finally:
                if budget is not None:
                    budget.end()
            invocations += 1
            records = [r for r in records if r["messageId"] in failed] + records[BATCH:]
    results.put((invocations, time.perf_counter() - began, sum(slept)))


def busiest_second(times: list[float]) -> int:
    times, most, first = sorted(times), 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def scenario(emu, moto: MotoProcess, *, campaigns: int, workers: int, latency: float,
             budgeted: bool, budget: dict | None = None, shares: int | None = None) -> dict:
    """`workers` instances build `campaigns` campaigns; each has the budget of one of `shares`
    (`shares` defaults to `workers`: the event source's maximum concurrency): a floor of
    1/(2 x shares) and slots it leases while busy (rate_budget.py, budget_slots.py)."""
    from channelwright.discord import permissions as p
    from channelwright.discord.rate_budget import DISCORD_GLOBAL_LIMIT_PER_S, counts_toward_global_limit
    from tests.support.aws import AwsResources
    from tests.support.bot import Bot

    bot_permissions = (p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
                       | p.READ_MESSAGE_HISTORY | p.CONNECT | p.SPEAK)
    emu.reset()  # default buckets, and the global limit: 50 per second
    aws = AwsResources.create()
    front, tasks = Bot(aws, emu), RecordedTasks()
    front.front = replace(front.front, tasks=tasks)
    guilds = [emu.add_guild(name=f"Server {i}", bot_permissions=bot_permissions) for i in range(campaigns)]
    for i, guild in enumerate(guilds):
        front.add_campaign(guild, emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS),
                           name=f"Campaign {i}")
    setting = {"environment": {**os.environ}, "table": aws.table_name, "instances": shares or workers,
               "budgeted": budgeted, "budget": budget or {}, "base_url": emu.base_url, "token": emu.bot_token,
               "application_id": emu.application_id}
    dealt = [[tasks.groups[g] for g in guilds[i::workers]] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    processes = [context.Process(target=worker_instance, args=(setting, groups, ready, start, results))
                 for groups in dealt if groups]
    for process in processes:
        process.start()
    for _ in processes:  # every instance imported and connected: warm containers
        ready.get(timeout=300)
    emu.latency = latency
    emu.clear_requests()
    began = time.perf_counter()
    start.set()
    reports = [results.get(timeout=600) for _ in processes]
    wall = time.perf_counter() - began
    invocations = sum(r[0] for r in reports)
    for process in processes:
        process.join(30)
    emu.latency = 0.0
    done = sum(front.campaign(g, f"Campaign {i}").status == "completed" for i, g in enumerate(guilds))
    for name in (aws.table_name,):
        aws.dynamodb.delete_table(TableName=name)
    for url in (aws.queue_url, aws.dlq_url):
        aws.sqs.delete_queue(QueueUrl=url)

    requests = emu.requests
    counted = [r for r in requests if counts_toward_global_limit(r.path)]
    limited = [r for r in requests if r.status == 429]
    global_429s = [r for r in limited if isinstance(r.response, dict) and r.response.get("global")]
    budget_label = f"of {shares or workers}: floor + leased slots of 40/s" if budgeted else "none"
    return {"workers": workers, "budget": budget_label, "completed": done,
            "campaigns": campaigns, "requests": len(requests), "counted": len(counted),
            "global_429s": len(global_429s), "429s": len(limited), "invocations": invocations,
            "busy_s": sum(r[1] for r in reports) / len(reports),
            "waited_s": sum(r[2] for r in reports) / len(reports),
            "busiest": busiest_second([r.started for r in counted]), "wall": wall,
            "ratio": wall / (len(counted) / DISCORD_GLOBAL_LIMIT_PER_S),
            "ratio_all": wall / (len(requests) / DISCORD_GLOBAL_LIMIT_PER_S)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, nargs="+", default=[20, 5],
                        help="worker instances (= the event source's maximum concurrency) per run")
    parser.add_argument("--without-budget", type=int, nargs="*", default=[20, 5],
                        help="worker counts to also run with no budget, for comparison")
    parser.add_argument("--alone", type=int, default=5,
                        help="also build one campaign alone with the budget of one of ALONE "
                             "(prod: 5); 0: skip")
    args = parser.parse_args()

    from discord_emulator import DiscordEmulator

    rows = []
    with MotoProcess() as moto, DiscordEmulator(bot_token="bench-token",
                                                 application_id="1100000000000000001") as emu:
        os.environ.update({"AWS_ENDPOINT_URL": moto.endpoint_url, "AWS_ACCESS_KEY_ID": "bench",
                           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
        runs = [dict(campaigns=args.campaigns, workers=w, budgeted=True) for w in args.workers]
        runs += [dict(campaigns=args.campaigns, workers=w, budgeted=False) for w in args.without_budget]
        if args.alone:
            runs += [dict(campaigns=1, workers=1, budgeted=True, shares=args.alone),
                     dict(campaigns=1, workers=1, budgeted=False)]
        for run in runs:
            rows.append(scenario(emu, moto, latency=args.latency, **run))
    header = ("campaigns", "workers", "budget", "built", "requests (toward the global limit)",
              "global 429s", "all 429s", "busiest second", "wall s", "ratio (toward the limit)",
              "ratio (all)")
    print(f"Campaigns in as many servers at once, Discord latency {args.latency * 1000:.0f} ms; "
          "ratio = wall / (requests / 50 per s)\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print(f"| {r['campaigns']} | {r['workers']} | {r['budget']} | {r['completed']}/{r['campaigns']} | "
              f"{r['requests']} ({r['counted']}) | {r['global_429s']} | {r['429s']} | {r['busiest']} | "
              f"{r['wall']:.2f} | {r['ratio']:.2f} | {r['ratio_all']:.2f} |")
    print("\nTargets with the budget: 0 global 429s; ratio <= 1.2.")


if __name__ == "__main__":
    main()
