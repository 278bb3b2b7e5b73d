"""The interactions function's AWS clients: timeouts, retries, and one time budget per request.

docs/operations.md ("The 3-second path") states the numbers and their sum; these tests hold the
code to them and show what a request whose budget is spent gets.
"""

import json

import pytest

from channelwright import interactions
from channelwright.aws import request_budget
from channelwright.aws.request_budget import (ATTEMPT_S, BUDGET_S, CONNECT_TIMEOUT_S, MAX_ATTEMPTS,
                                          READ_TIMEOUT_S, BudgetSpent, budget)
from channelwright_local.worker_loop import LambdaContext
from discord_emulator.signing import InteractionSigner
from tests.support import interactions as payloads

DISCORD_DEADLINE_S = 3.0     # developers/interactions/receiving-and-responding.mdx
INGRESS_TIMEOUT_S = 5        # StageSettings.ingress_timeout_seconds
# botocore standard mode's first backoff (botocore/retries/standard.py, ExponentialBackoff):
STALL_BACKOFF_S = 0.05       # after a timeout or a 5xx
THROTTLED_BACKOFF_S = 1.0    # after a throttling error, which itself answers at once


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_numbers_fit_discords_deadline_and_the_function_timeout():
    assert ATTEMPT_S == CONNECT_TIMEOUT_S + READ_TIMEOUT_S == 0.75
    # A call whose first attempt stalls to its timeouts is retried, and the retry fits the budget;
    # so does a retry after throttling.
    assert ATTEMPT_S + STALL_BACKOFF_S + ATTEMPT_S <= BUDGET_S
    assert THROTTLED_BACKOFF_S + ATTEMPT_S <= BUDGET_S
    # Everything AWS does for one interaction ends inside the budget, which leaves room for the
    # answer before Discord's deadline and never reaches the function's timeout.
    assert BUDGET_S + 0.5 <= DISCORD_DEADLINE_S < INGRESS_TIMEOUT_S


def test_request_path_clients_carry_the_timeouts_and_retry_budget(aws):
    sqs = request_budget.client("sqs")
    config = sqs.meta.config
    assert (config.connect_timeout, config.read_timeout) == (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    assert config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}


def test_no_attempt_starts_that_could_end_after_the_budget(aws):
    clock = Clock()
    sqs = request_budget.client("sqs", clock=clock)
    with budget(2.0, clock=clock):
        clock.now += 2.0 - ATTEMPT_S  # an attempt started now can still end in time
        sqs.send_message(QueueUrl=aws.queue_url, MessageBody="\"in time\"", MessageGroupId="g",
                         MessageDeduplicationId="1")
        clock.now += 0.01
        with pytest.raises(BudgetSpent, match="SendMessage"):
            sqs.send_message(QueueUrl=aws.queue_url, MessageBody="\"too late\"", MessageGroupId="g",
                             MessageDeduplicationId="2")
    assert [m["body"] for m in aws.drain()] == ["in time"], "the late attempt was never sent"
    # Outside an interaction (tools, tests) there is no budget.
    sqs.send_message(QueueUrl=aws.queue_url, MessageBody="\"later\"", MessageGroupId="g",
                     MessageDeduplicationId="3")
    assert len(aws.drain()) == 1


def test_an_interaction_whose_budget_is_spent_gets_an_answer_not_a_timeout(aws, monkeypatch):
    signer = InteractionSigner()
    monkeypatch.setenv("DISCORD_PUBLIC_KEY", signer.public_key_hex)
    monkeypatch.setenv("CAMPAIGN_TABLE_NAME", aws.table_name)
    monkeypatch.setenv("TASK_QUEUE_URL", aws.queue_url)
    monkeypatch.setattr(request_budget, "BUDGET_S", 0.0)  # AWS is so slow nothing fits
    interactions.default_deps.cache_clear()
    try:
        result = interactions.handler(signer.api_gateway_event(payloads.add_campaign()),
                                      LambdaContext("Interactions", timeout_s=3))
    finally:
        interactions.default_deps.cache_clear()
    assert result["statusCode"] == 200
    text = json.loads(result["body"])["data"]["content"]
    assert "I couldn't start building “Curse of Strahd” just now" in text
    assert aws.items() == [] and aws.drain() == []


def test_a_call_that_times_out_is_tried_twice_in_all(aws):
    from botocore.exceptions import ConnectTimeoutError

    sqs = request_budget.client("sqs")
    attempts = []

    def stall(request, **_):
        attempts.append(request.url)
        raise ConnectTimeoutError(endpoint_url=request.url)

    sqs.meta.events.register_first("before-send", stall)
    with pytest.raises(ConnectTimeoutError):
        sqs.get_queue_attributes(QueueUrl=aws.queue_url, AttributeNames=["All"])
    assert len(attempts) == MAX_ATTEMPTS == 2
