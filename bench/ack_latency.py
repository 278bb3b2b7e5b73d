"""How fast the interactions endpoint answers: cold start and warm requests.

Cold: a fresh interpreter importing `channelwright.interactions` and creating its clients, against
a floor of importing `nacl.signing` and `boto3` and creating the two clients alone, measured side
by side (alternating runs) so the ratio holds on a noisy machine. Target: <= 1.2x the floor.
Warm: handler time per signed /add-campaign with AWS calls stubbed. Target: <= 2 ms.

Run: .venv/bin/python bench/ack_latency.py [--runs 15] [--requests 500]
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # keep the table readable

FLOOR = """
import time; t = time.perf_counter()
import nacl.signing, boto3
boto3.client("sqs"); boto3.client("dynamodb")
print(time.perf_counter() - t)
"""
MODULE = """
import time; t = time.perf_counter()
import channelwright.interactions as m
m.default_deps()
print(time.perf_counter() - t)
"""


def cold_seconds(code: str, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT / "lambda_src")
    return float(out.stdout.strip())


def cold(runs: int) -> tuple[float, float]:
    from nacl.signing import SigningKey
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench", "PYTHONDONTWRITEBYTECODE": "1",
           "DISCORD_PUBLIC_KEY": SigningKey.generate().verify_key.encode().hex(),
           "CAMPAIGN_TABLE_NAME": "bench", "TASK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q.fifo"}
    floor, module = [], []
    for _ in range(runs):  # alternate, so drift in machine load hits both alike
        floor.append(cold_seconds(FLOOR, env))
        module.append(cold_seconds(MODULE, env))
    return statistics.median(floor), statistics.median(module)


class StubStore:
    def __init__(self):
        self.items = {}

    def create(self, campaign):
        self.items[(campaign.guild_id, campaign.key)] = campaign
        return campaign

    def mark_tasks_sent(self, campaign):
        self.items[(campaign.guild_id, campaign.key)] = campaign


class StubQueue:
    errors = (RuntimeError,)

    def __init__(self):
        self.sent = 0

    def enqueue(self, tasks):
        self.sent += len(tasks)


class StubTemplates:
    def get(self, guild_id, template_id):
        from channelwright.campaigns.plan import load_template
        return load_template(template_id)


def warm(requests: int) -> float:
    from channelwright.aws.http import HttpRequest
    from channelwright.discord.signature import SignatureVerifier
    from channelwright.interactions import Deps, respond
    from discord_emulator.signing import InteractionSigner
    from tests.support.interactions import add_campaign

    signer = InteractionSigner()
    deps = Deps(SignatureVerifier(signer.public_key_hex), StubStore(), StubQueue(), StubTemplates())
    events = [signer.api_gateway_event(add_campaign(f"Campaign {i}", interaction_id=str(10**17 + i)))
              for i in range(requests)]
    respond(HttpRequest.from_api_gateway(events[0]), deps)  # warm-up: template file, caches
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # EMF metric blobs
        start = time.perf_counter()
        for event in events[1:]:
            response = respond(HttpRequest.from_api_gateway(event), deps)
            assert response.status == 200 and '"type":5' in response.body, response.body
        return (time.perf_counter() - start) / (len(events) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    floor, module = cold(args.runs)
    per_request = warm(args.requests)
    rows = [
        ("cold: import nacl.signing, boto3 + 2 clients (floor)", f"{floor * 1000:.0f} ms", ""),
        ("cold: import channelwright.interactions + clients", f"{module * 1000:.0f} ms",
         f"{module / floor:.2f}x floor (target <= 1.20x)"),
        ("warm: signed /add-campaign, AWS stubbed", f"{per_request * 1000:.2f} ms",
         "target <= 2 ms"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)} | {'median/mean':>11} | verdict")
    print(f"{'-' * width}-|-{'-' * 11}-|--------")
    for name, value, verdict in rows:
        print(f"{name.ljust(width)} | {value:>11} | {verdict}")
    print(f"\n{args.runs} cold runs each (medians, interpreter start excluded), "
          f"{args.requests} warm requests (mean).")


if __name__ == "__main__":
    main()
