"""Every request is checked with Ed25519 over timestamp + raw body; any failure is a bare 401."""

import json
import time

import pytest

from channelwright.interactions import Deps, handler, respond, default_deps
from channelwright_local.worker_loop import LambdaContext
from channelwright.aws.http import HttpRequest
from channelwright.discord.signature import SignatureVerifier
from channelwright.campaigns.store import CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from discord_emulator.signing import InteractionSigner, api_gateway_event
from tests.support import interactions

PING = {"id": "787053080478613555", "token": "ThisIsATokenFromDiscordThatIsVeryLong", "type": 1, "version": 1}


@pytest.fixture
def signer():
    return InteractionSigner()


@pytest.fixture
def deps(aws, signer):
    return Deps(SignatureVerifier(signer.public_key_hex),
                CampaignStore(aws.dynamodb, aws.table_name), TaskQueue(aws.sqs, aws.queue_url),
                TemplateLibrary(aws.dynamodb, aws.table_name))


def call(event, deps):
    return respond(HttpRequest.from_api_gateway(event), deps)


def assert_refused(response, aws):
    assert response.status == 401
    assert "type" not in response.body
    assert aws.drain() == [] and aws.items() == []


def test_valid_signature_answers_ping(signer, deps):
    response = call(signer.api_gateway_event(PING), deps)
    assert response.status == 200
    assert json.loads(response.body) == {"type": 1}
    assert response.headers["content-type"] == "application/json"


def test_wrong_key_is_refused(deps, aws):
    impostor = InteractionSigner()
    assert_refused(call(impostor.api_gateway_event(interactions.add_campaign()), deps), aws)


def test_tampered_body_is_refused(signer, deps, aws):
    event = signer.api_gateway_event(interactions.add_campaign("Honest"))
    event["body"] = event["body"].replace("Honest", "Forged")
    assert_refused(call(event, deps), aws)


def test_tampered_timestamp_is_refused(signer, deps, aws):
    event = signer.api_gateway_event(interactions.add_campaign())
    event["headers"]["x-signature-timestamp"] = str(int(event["headers"]["x-signature-timestamp"]) - 1)
    assert_refused(call(event, deps), aws)


@pytest.mark.parametrize("header", ["x-signature-ed25519", "x-signature-timestamp"])
def test_missing_header_is_refused(signer, deps, aws, header):
    event = signer.api_gateway_event(interactions.add_campaign())
    del event["headers"][header]
    assert_refused(call(event, deps), aws)


@pytest.mark.parametrize("signature", ["not-hex-at-all", "abcd", "zz" * 64, ""])
def test_malformed_signature_is_refused(signer, deps, aws, signature):
    event = signer.api_gateway_event(interactions.add_campaign())
    event["headers"]["x-signature-ed25519"] = signature
    assert_refused(call(event, deps), aws)


def test_base64_body_is_decoded_before_verifying(signer, deps):
    response = call(signer.api_gateway_event(PING, base64_body=True), deps)
    assert response.status == 200 and json.loads(response.body) == {"type": 1}


def test_invalid_base64_body_is_refused(signer, deps, aws):
    event = signer.api_gateway_event(PING, base64_body=True)
    event["body"] = "%%%not base64%%%"
    assert_refused(call(event, deps), aws)


def test_header_names_match_in_any_case(signer, deps):
    body = json.dumps(PING).encode()
    headers = {"X-SIGNATURE-ED25519" if "Ed25519" in k else k.swapcase(): v
               for k, v in signer.headers(body).items()}
    response = call(api_gateway_event(body, headers), deps)
    assert response.status == 200 and json.loads(response.body) == {"type": 1}


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_stale_or_future_timestamp_is_refused(signer, deps, aws, age):
    event = signer.api_gateway_event(interactions.add_campaign(), timestamp=str(int(time.time()) - age))
    assert_refused(call(event, deps), aws)


def test_non_numeric_timestamp_is_refused(signer, deps, aws):
    event = signer.api_gateway_event(PING, timestamp="yesterday")
    assert_refused(call(event, deps), aws)


def test_lambda_handler_verifies_with_the_configured_key(signer, aws, monkeypatch):
    monkeypatch.setenv("DISCORD_PUBLIC_KEY", signer.public_key_hex)
    monkeypatch.setenv("CAMPAIGN_TABLE_NAME", aws.table_name)
    monkeypatch.setenv("TASK_QUEUE_URL", aws.queue_url)
    default_deps.cache_clear()
    try:
        good = handler(signer.api_gateway_event(PING), LambdaContext("Interactions", timeout_s=3))
        bad = handler(InteractionSigner().api_gateway_event(PING), LambdaContext("Interactions", timeout_s=3))
    finally:
        default_deps.cache_clear()
    assert good["statusCode"] == 200 and json.loads(good["body"]) == {"type": 1}
    assert bad["statusCode"] == 401
