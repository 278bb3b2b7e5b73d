"""How fast a 10-channel campaign is built, against the Discord emulator with latency L per request.

For each scenario it reports: wall time of the build (first worker poll to the summary),
divided by (requests that must be sequential x L); Discord requests per campaign; 429s received;
worker (Lambda) invocations per campaign. Sequential requests are everything on the build's
critical path — all requests except the intermediate progress edits, which a background thread
sends while the build goes on. Targets: ratio <= 1.25 with no 429 while the emulator's buckets
allow the work; <= 3 worker invocations per campaign.

Run: .venv/bin/python bench/campaign_build.py [--latency 0.05 0.1]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]

for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                    "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_LOG_LEVEL": "ERROR"}.items():
    os.environ[name] = value

from moto import mock_aws  # noqa: E402

from channelwright.discord import permissions as p  # noqa: E402
from discord_emulator import DiscordEmulator  # noqa: E402
from tests.support.aws import AwsResources  # noqa: E402
from tests.support.bot import Bot  # noqa: E402

BOT_PERMISSIONS = (p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
                   | p.READ_MESSAGE_HISTORY | p.CONNECT | p.SPEAK)


class AwsTime:
    """Seconds spent in AWS (moto) calls, via botocore's event hooks: moto costs ~10 ms a call
    here, more than DynamoDB or SQS in a region, so the table shows how much of the wall it is."""

    def __init__(self, *clients):
        self.seconds, self._started = 0.0, {}
        for client in clients:
            client.meta.events.register("before-call", self._before)
            client.meta.events.register("after-call", self._after)

    def _before(self, context, **_):
        context["bench_started"] = time.perf_counter()

    def _after(self, context, **_):
        self.seconds += time.perf_counter() - context.get("bench_started", time.perf_counter())


def build_once(emu: DiscordEmulator, latency: float, roomy_buckets: bool) -> dict:
    emu.reset()
    if roomy_buckets:
        emu.set_bucket(r".*", 1000, 1.0)
        emu.set_global_limit(None)
    with mock_aws():
        bot = Bot(AwsResources.create(), emu)
        guild = emu.add_guild(name="Bench", bot_permissions=BOT_PERMISSIONS)
        gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
        payload = bot.add_campaign(guild, gm)
        emu.latency = latency
        emu.clear_requests()
        aws_time = AwsTime(bot.aws.sqs, bot.aws.dynamodb)
        start = time.perf_counter()
        delivery = bot.run_worker()
        wall = time.perf_counter() - start
        emu.latency = 0.0
        assert bot.campaign(guild).status == "completed", "the build did not complete"
    requests = emu.requests
    edits = [r for r in requests if r.method == "PATCH" and "@original" in r.path]
    sequential = len(requests) - len(edits) + 1  # the final summary edit is waited for
    return {"wall": wall, "aws": aws_time.seconds, "requests": len(requests), "sequential": sequential,
            "ratio": wall / (sequential * latency), "429s": emu.count(status=429),
            "invocations": delivery.invocations, "edits": len(edits),
            "summary": emu.message_history(payload["token"])[-1].splitlines()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    args = parser.parse_args()
    rows = []
    with DiscordEmulator(bot_token="bench-token", application_id="1100000000000000001") as emu:
        for latency in args.latency:
            rows.append((f"L={latency * 1000:.0f} ms, roomy buckets", build_once(emu, latency, True)))
        rows.append((f"L={args.latency[0] * 1000:.0f} ms, default buckets (10/s)",
                     build_once(emu, args.latency[0], False)))
    header = ("scenario", "wall s", "of it in AWS calls", "seq. requests", "ratio", "requests",
              "progress edits", "429s", "invocations")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, r in rows:
        print(f"| {name} | {r['wall']:.2f} | {r['aws']:.2f} | {r['sequential']} | {r['ratio']:.2f} | "
              f"{r['requests']} | {r['edits']} | {r['429s']} | {r['invocations']} |")
    print("\nTargets: ratio <= 1.25 with 0 429s when buckets allow the work; invocations <= 3.")


if __name__ == "__main__":
    main()
