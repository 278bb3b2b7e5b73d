"""Both Lambdas log JSON lines keyed by interaction and guild, emit EMF metrics, and leak no token."""

import io
import json
from collections import Counter

import pytest

from channelwright import interactions, worker
from channelwright.aws import metric_catalog, observability
from channelwright.discord import permissions as p
from channelwright_local.worker_loop import LambdaContext as LocalContext
from discord_emulator import DiscordEmulator
from discord_emulator.signing import InteractionSigner
from tests.support.spec_gate import watching

BOT_TOKEN = "bot-token-that-must-never-be-logged"




def front_context() -> LocalContext:
    """Lambda's context object as it passes it to the interactions handler (3 s timeout)."""
    return LocalContext("Interactions", timeout_s=3)


def back_context() -> LocalContext:
    """... and to the worker: a fresh one per invocation, whose remaining time starts at 30 s."""
    return LocalContext("Worker", timeout_s=30)


LOG = io.StringIO()


def output_lines(capsys):
    """JSON log lines and EMF metric blobs printed since the last call."""
    text = LOG.getvalue() + capsys.readouterr().out
    LOG.seek(0)
    LOG.truncate()
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def emf_metrics(lines):
    return {name for line in lines if "_aws" in line
            for metric in line["_aws"]["CloudWatchMetrics"] for name in [m["Name"] for m in metric["Metrics"]]}


@pytest.fixture
def deployed(aws, monkeypatch, capsys):
    """The two handlers configured as the stack configures them, Discord emulated."""
    # The logger bound its stream (stdout) at import; read its lines from a buffer instead.
    original = observability.logger.registered_handler.setStream(LOG)
    signer = InteractionSigner()
    with DiscordEmulator(bot_token=BOT_TOKEN, application_id="1100000000000000001") as emu, watching(emu):
        for name, value in {"DISCORD_PUBLIC_KEY": signer.public_key_hex,
                            "DISCORD_APPLICATION_ID": emu.application_id,
                            "DISCORD_API_BASE_URL": emu.base_url, "DISCORD_BOT_TOKEN": BOT_TOKEN,
                            "CAMPAIGN_TABLE_NAME": aws.table_name, "TASK_QUEUE_URL": aws.queue_url,
                            "TASK_MAX_RECEIVE_COUNT": "5"}.items():
            monkeypatch.setenv(name, value)
        interactions.default_deps.cache_clear()
        worker.default_deps.cache_clear()
        yield signer, emu
        interactions.default_deps.cache_clear()
        worker.default_deps.cache_clear()
    observability.logger.registered_handler.setStream(original)


def test_logs_and_metrics_of_a_whole_campaign(deployed, aws, capsys):
    signer, emu = deployed
    guild = emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL
                          | p.SEND_MESSAGES)
    user = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    payload = emu.create_interaction(guild, user, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Logged"}])
    context = front_context()
    response = interactions.handler(signer.api_gateway_event(payload), context)
    emu.acknowledge(payload, response)
    front = output_lines(capsys)

    logs = [line for line in front if "level" in line]
    assert logs and all(line["interaction_id"] == payload["id"] and line["guild_id"] == guild
                        for line in logs)
    # Lambda's request id ties each line to its invocation's REPORT line and X-Ray trace.
    assert all(line["function_request_id"] == context.aws_request_id for line in logs)
    assert {"CampaignsStarted", "AckLatency"} <= emf_metrics(front)

    back = []
    while True:
        messages = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10,
                                           AttributeNames=["All"]).get("Messages", [])
        if not messages:
            break
        event = {"Records": [{"messageId": m["MessageId"], "body": m["Body"],
                              "attributes": m["Attributes"]} for m in messages]}
        context = back_context()
        assert worker.handler(event, context) == {"batchItemFailures": []}
        lines = output_lines(capsys)
        assert all(line["function_request_id"] == context.aws_request_id for line in lines if "level" in line)
        back.extend(lines)
        for m in messages:
            aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=m["ReceiptHandle"])

    assert {"ChannelsCreated", "CampaignsCompleted", "BuildSeconds", "DiscordRateLimited"} <= emf_metrics(back)
    worker_logs = [line for line in back if "level" in line]
    assert any(line["message"] == "campaign completed" for line in worker_logs)
    assert all(line["guild_id"] == guild for line in worker_logs)
    everything = json.dumps(front + back)
    assert payload["token"] not in everything and BOT_TOKEN not in everything


def test_discord_errors_are_counted_by_code(deployed, aws, capsys):
    signer, emu = deployed
    guild = emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL)
    user = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    emu.faults.forbid(method="POST", path_regex=r"/roles$")
    payload = emu.create_interaction(guild, user, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Refused"}])
    emu.acknowledge(payload, interactions.handler(signer.api_gateway_event(payload), front_context()))
    capsys.readouterr()
    messages = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"])["Messages"]
    worker.handler({"Records": [{"messageId": m["MessageId"], "body": m["Body"],
                                 "attributes": m["Attributes"]} for m in messages]}, back_context())
    lines = output_lines(capsys)
    codes = [line["code"] for line in lines if "_aws" in line and "DiscordErrors" in line]
    assert codes == ["50013"]
    # A missing permission is the server admin's to fix: graphed as refused, never paged.
    assert "CampaignsRefused" in emf_metrics(lines)
    assert "CampaignsFailed" not in emf_metrics(lines)


# --- the metric catalogue: what the code emits is exactly what the alarms may watch --------------


def emitted(lines, service):
    """(name, service, dimension names) of every metric in the EMF blobs of one function."""
    found = set()
    for line in lines:
        if "_aws" not in line:
            continue
        for directive in line["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == metric_catalog.NAMESPACE
            for dimensions in directive["Dimensions"]:
                assert line.get("service") == service
                for metric in directive["Metrics"]:
                    found.add((metric["Name"], service, tuple(sorted(dimensions))))
    return found


def as_function(monkeypatch, service):
    """The module-level metrics as the stack configures one function (POWERTOOLS_SERVICE_NAME)."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", service)  # read by single_metric
    observability.metrics.service = service


def worker_records(aws, receive_count=None):
    messages = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10,
                                       AttributeNames=["All"]).get("Messages", [])
    records = [{"messageId": m["MessageId"], "body": m["Body"], "attributes": dict(m["Attributes"])}
               for m in messages]
    for record in records:
        if receive_count:
            record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    for m in messages:
        aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=m["ReceiptHandle"])
    return records


def test_every_catalogued_metric_is_emitted_by_its_function_and_nothing_else(deployed, aws, capsys,
                                                                             monkeypatch):
    signer, emu = deployed
    service = observability.metrics.service
    found = set()

    def front(payload):
        as_function(monkeypatch, metric_catalog.INTERACTIONS)
        response = interactions.handler(signer.api_gateway_event(payload), front_context())
        found.update(emitted(output_lines(capsys), metric_catalog.INTERACTIONS))
        return response

    def back(records):
        as_function(monkeypatch, metric_catalog.WORKER)
        worker.handler({"Records": records}, back_context())
        found.update(emitted(output_lines(capsys), metric_catalog.WORKER))

    everyone = p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
    try:
        # A campaign built; one refused by the server (a missing permission); one that kept
        # failing to its last attempt; one paused by a long Discord limit; one request the store
        # could not record; one payload the code can't read.
        for name, fault in (("Built", None), ("Refused", "forbid"), ("Unlucky", "5xx"),
                            ("Paused", "long limit")):
            guild = emu.add_guild(name=name, bot_permissions=everyone)
            user = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
            payload = emu.create_interaction(guild, user, "add-campaign",
                                             options=[{"type": 3, "name": "name", "value": name}])
            emu.acknowledge(payload, front(payload))
            if fault == "forbid":
                emu.faults.forbid(method="POST", path_regex=r"/roles$")
            elif fault == "5xx":
                emu.faults.fail_next(100, status=502, method="POST", path_regex=r"/roles$")
            elif fault == "long limit":
                emu.faults.rate_limit_storm(1, method="POST", path_regex=r"/roles$", retry_after=5400)
            while records := worker_records(aws, receive_count=5 if fault == "5xx" else None):
                back(records)
            emu.faults.clear()
        guild = emu.add_guild(name="No table", bot_permissions=everyone)
        payload = emu.create_interaction(guild, emu.add_member(guild, permissions=p.MANAGE_CHANNELS),
                                         "add-campaign", options=[{"type": 3, "name": "name", "value": "X"}])
        malformed = {**payload, "member": "admin"}
        monkeypatch.setenv("CAMPAIGN_TABLE_NAME", "no-such-table")
        interactions.default_deps.cache_clear()
        front(payload)
        front(malformed)
    finally:
        observability.metrics.service = service

    catalogue = {(m.name, m.service, tuple(sorted(m.dimensions))) for m in metric_catalog.CATALOG.values()}
    assert found == catalogue


def test_a_metric_missing_from_the_catalogue_is_refused():
    with pytest.raises(ValueError, match="metric_catalog"):
        observability.count("CampaignsFialed")


# --- how a build ends decides which metric counts it, and so whether the operator is paged -------


def build_metrics(signer, emu, aws, capsys, guild, user, *, receive_count=None) -> Counter:
    """Every metric (summed by name) the worker emits while building one campaign in `guild`."""
    payload = emu.create_interaction(guild, user, "add-campaign",
                                     options=[{"type": 3, "name": "name", "value": "Strahd"}])
    emu.acknowledge(payload, interactions.handler(signer.api_gateway_event(payload), front_context()))
    output_lines(capsys)
    totals = Counter()
    while records := worker_records(aws, receive_count):
        worker.handler({"Records": records}, back_context())
        for line in output_lines(capsys):
            for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
                for metric in directive["Metrics"]:
                    value = line[metric["Name"]]
                    totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals


EVERYONE = p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
ENDINGS = ("CampaignsCompleted", "CampaignsFailed", "CampaignsRefused", "CampaignsPaused")


@pytest.mark.parametrize("case, ending", [
    ("built", "CampaignsCompleted"),
    # The server's to fix: never paged.
    ("requester is no server manager", "CampaignsRefused"),
    ("bot can't keep it private", "CampaignsRefused"),
    ("bot's role lacks a permission", "CampaignsRefused"),
    # Discord's long limit: the user is told when to run it again; no page either.
    ("long rate limit", "CampaignsPaused"),
    # Ours, or Discord's: pages.
    ("Discord down to the last attempt", "CampaignsFailed"),
    ("Discord's edge blocks the bot", "CampaignsFailed"),
])
def test_each_way_a_build_ends_is_counted_once_under_its_own_name(deployed, aws, capsys, case, ending):
    signer, emu = deployed
    guild = emu.add_guild(name="G", bot_permissions=(EVERYONE & ~p.MANAGE_ROLES
                                                     if case == "bot can't keep it private" else EVERYONE))
    user = emu.add_member(guild, name="gm", permissions=(
        p.SEND_MESSAGES if case == "requester is no server manager" else p.MANAGE_CHANNELS))
    roles = {"method": "POST", "path_regex": r"/roles$"}
    if case == "bot's role lacks a permission":
        emu.faults.forbid(**roles)
    elif case == "long rate limit":
        emu.faults.rate_limit_storm(1, retry_after=5400, **roles)
    elif case == "Discord down to the last attempt":
        emu.faults.fail_next(100, status=502, **roles)
    elif case == "Discord's edge blocks the bot":
        emu.faults.cloudflare_block(None, **roles)

    totals = build_metrics(signer, emu, aws, capsys, guild, user,
                           receive_count=5 if case == "Discord down to the last attempt" else None)

    assert {name: totals[name] for name in ENDINGS} == {name: int(name == ending) for name in ENDINGS}
    assert totals["DiscordLongRateLimits"] == int(case == "long rate limit")
    # Every failed attempt is counted as it happens, so a step that keeps failing keeps the
    # steps-failing alarm up; only transient failures are handed back to be tried again.
    assert (totals["TaskAttemptsFailed"] > 0) == (case == "Discord down to the last attempt")
