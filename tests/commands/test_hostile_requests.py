"""The request path against odd and hostile input: a bad signature of any shape is 401, a signed
but malformed payload gets a plain ephemeral answer (never a 5xx), and an AWS failure on any
kind of interaction gets an answer in plain words."""

import copy
import json
import time

import pytest
from botocore.exceptions import ClientError

from channelwright.discord import permissions
from channelwright.aws.http import HttpRequest
from channelwright.interactions import Deps, default_deps, handler, respond
from channelwright_local.worker_loop import LambdaContext
from channelwright.discord.signature import SignatureVerifier
from channelwright.campaigns.store import CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from discord_emulator.signing import InteractionSigner
from tests.support import interactions


@pytest.fixture
def signer():
    return InteractionSigner()


def make_deps(aws, signer, store_class=CampaignStore, library_class=TemplateLibrary):
    return Deps(SignatureVerifier(signer.public_key_hex), store_class(aws.dynamodb, aws.table_name),
                TaskQueue(aws.sqs, aws.queue_url), library_class(aws.dynamodb, aws.table_name))


@pytest.fixture
def deps(aws, signer):
    return make_deps(aws, signer)


def send(signer, deps, payload):
    response = respond(HttpRequest.from_api_gateway(signer.api_gateway_event(payload)), deps)
    assert response.status == 200, response.body
    return json.loads(response.body)


def plain_answer(reply) -> str:
    assert reply["type"] == 4 and reply["data"]["flags"] == 64
    assert reply["data"]["allowed_mentions"] == {"parse": []}
    return reply["data"]["content"]


# -- signatures of every shape -----------------------------------------------------------------


def now() -> str:
    return str(int(time.time()))


@pytest.mark.parametrize("timestamp", [
    "9" * 400,                    # used to overflow float arithmetic: an unauthenticated 500
    "1" * 5000,                   # past Python's int-parsing digit limit
    "١٧٠٠٠٠٠٠٠٠",                 # Arabic-Indic digits: int() would accept them
    " " + "1700000000", "+1700000000", "-1", "1_700_000_000", "1.7e9", "0x65", "1700000000\n",
])
def test_any_malformed_timestamp_is_401(signer, deps, aws, timestamp):
    event = signer.api_gateway_event(interactions.add_campaign(), timestamp=timestamp)
    response = respond(HttpRequest.from_api_gateway(event), deps)
    assert response.status == 401
    assert aws.items() == [] and aws.drain() == []


@pytest.mark.parametrize("mangle", [
    lambda sig: sig[:-2],          # 63 bytes
    lambda sig: sig + "00",        # 65 bytes
    lambda sig: sig[:-1] + "g",    # not hex
    lambda sig: sig[:-1],          # odd length
    lambda sig: " " + sig[1:],
    lambda sig: "é" * 128,
    lambda sig: sig * 50,
])
def test_any_malformed_signature_is_401(signer, deps, aws, mangle):
    event = signer.api_gateway_event(interactions.add_campaign())
    event["headers"]["x-signature-ed25519"] = mangle(event["headers"]["x-signature-ed25519"])
    assert respond(HttpRequest.from_api_gateway(event), deps).status == 401
    assert aws.items() == []


@pytest.mark.parametrize("event", [
    {}, {"headers": None}, {"headers": "x", "body": "{}"}, {"requestContext": "x"},
    {"requestContext": {"http": []}, "headers": {}, "body": 12},
    {"headers": {"x-signature-ed25519": None, "x-signature-timestamp": ["1"]}, "body": "{}"},
])
def test_events_of_odd_shapes_are_refused_not_crashed(deps, event):
    assert respond(HttpRequest.from_api_gateway(event), deps).status == 401


def test_the_lambda_handler_answers_401_to_a_400_digit_timestamp(signer, aws, monkeypatch):
    monkeypatch.setenv("DISCORD_PUBLIC_KEY", signer.public_key_hex)
    monkeypatch.setenv("CAMPAIGN_TABLE_NAME", aws.table_name)
    monkeypatch.setenv("TASK_QUEUE_URL", aws.queue_url)
    default_deps.cache_clear()
    try:
        event = signer.api_gateway_event(interactions.add_campaign(), timestamp="9" * 400)
        result = handler(event, LambdaContext("Interactions", timeout_s=3))
    finally:
        default_deps.cache_clear()
    assert result["statusCode"] == 401


# -- signed but malformed payloads -----------------------------------------------------------


def mutate(**changes):
    """A valid /add-campaign payload with some fields replaced (a path "a.b" reaches inside)."""
    payload = copy.deepcopy(interactions.add_campaign())
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = payload
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return payload


DELETE = object()

MALFORMED = {
    "options not a list": mutate(data__options="name=Strahd"),
    "options a mapping": mutate(data__options={"name": "Strahd"}),
    "an option not an object": mutate(data__options=["Strahd"]),
    "option name not text": mutate(data__options=[{"type": 3, "name": 7, "value": "x"}]),
    "option value an object": mutate(data__options=[{"type": 3, "name": "name", "value": {"x": 1}}]),
    "member missing": mutate(member=DELETE),
    "member not an object": mutate(member="admin"),
    "user not an object": mutate(member__user=["id"]),
    "user id missing": mutate(member__user={"username": "x"}),
    "user id not a snowflake": mutate(member__user={"id": "../../x"}),
    "permissions not a number": mutate(member__permissions="all"),
    "permissions negative": mutate(member__permissions="-1"),
    "permissions a float": mutate(member__permissions="16.0"),
    "permissions beyond 64 bits": mutate(member__permissions=str(1 << 70)),
    "permissions with a sign": mutate(member__permissions="+16"),
    "permissions in other digits": mutate(member__permissions="١٦"),
    "app_permissions negative": mutate(app_permissions="-1"),
    "guild_id not a snowflake": mutate(guild_id="my-server"),
    "guild_id a number": mutate(guild_id=290926798626357999),
    "guild_id too long": mutate(guild_id="9" * 30),
    "id missing": mutate(id=DELETE),
    "token with a path": mutate(token="abc/../../channels/1/messages"),
    "token not text": mutate(token=12),
    "data a list": mutate(data=["add-campaign"]),
    "command name an object": mutate(data__name={"x": 1}),
    "resolved not an object": mutate(data__resolved="users"),
    "channel_id not a snowflake": mutate(channel_id="general"),
    # The caller's roles decide who is a campaign's GM (authority.py): never guessed from a mangled list.
    "roles not a list": mutate(member__roles="290926798626357999"),
    "a role id not a snowflake": mutate(member__roles=["290926798626357999", "@everyone"]),
    "a role id a number": mutate(member__roles=[290926798626357999]),
    "integration owners not an object": mutate(authorizing_integration_owners=["0"]),
    "server install owner not a snowflake": mutate(authorizing_integration_owners={"0": {"id": "1"}}),
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_signed_malformed_payload_gets_a_plain_ephemeral_answer(signer, deps, aws, payload):
    text = plain_answer(send(signer, deps, payload))
    assert "I couldn't read that request." in text
    assert aws.items() == [] and aws.drain() == []


@pytest.mark.parametrize("value", ["-1", "-8", str(-(1 << 63))])
def test_negative_permissions_never_read_as_every_permission(value):
    with pytest.raises(ValueError):
        permissions.parse(value)


@pytest.mark.parametrize("kind, extra", [
    (4, {"data": {"name": "add-campaign", "options": "x"}}),
    (4, {"data": {"name": "add-campaign", "options": [{"name": "name", "value": "a", "focused": True}]},
         "member": None}),
    (3, {"data": {"custom_id": {"x": 1}}}),
    (3, {"data": {"custom_id": "delete:1"}, "guild_id": "x"}),
])
def test_malformed_autocomplete_and_buttons_get_valid_answers(signer, deps, kind, extra):
    payload = {**interactions.add_campaign(), "type": kind, **extra}
    if extra.get("member", 0) is None:
        del payload["member"]
    reply = send(signer, deps, payload)
    if kind == 4:
        assert reply == {"type": 8, "data": {"choices": []}}
    else:
        assert "I couldn't read that request." in plain_answer(reply)


@pytest.mark.parametrize("kind", [None, "2", 2.5, True, 99, [2]])
def test_unknown_or_odd_interaction_types_are_answered(signer, deps, kind):
    payload = {**interactions.add_campaign(), "type": kind}
    if kind is True:  # JSON true == 1 in Python: it reads as a PING, which is harmless
        assert send(signer, deps, payload) == {"type": 1}
    else:
        assert "I don't handle that kind of interaction yet." in plain_answer(send(signer, deps, payload))


def test_deeply_nested_signed_json_is_a_400_not_a_crash(signer, deps):
    body = b"[" * 100_000 + b"]" * 100_000
    response = respond(HttpRequest.from_api_gateway(signer.api_gateway_event(body)), deps)
    assert response.status == 400


# -- AWS failing on every kind of interaction ----------------------------------------------------


def throttled(*args, **kwargs):
    raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                 "Message": "Rate of requests exceeds the allowed throughput."}}, "Query")


class ThrottledStore(CampaignStore):
    get = campaigns = find_by_run = create = throttled


class ThrottledLibrary(TemplateLibrary):
    get = list = choices = throttled


def focused(command, option, value, subcommand=None):
    options = [{"type": 3, "name": option, "value": value, "focused": True}]
    if subcommand:
        options = [{"type": 1, "name": subcommand, "options": options}]
    return {**interactions.command(command), "type": 4,
            "data": {"id": "1", "name": command, "type": 1, "options": options}}


@pytest.mark.parametrize("payload", [
    focused("delete-campaign", "name", "Cur"),
    focused("add-player", "campaign", ""),
    focused("add-campaign", "template", "we"),
    focused("campaign-template", "name", "", subcommand="show"),
], ids=["delete-campaign", "add-player", "add-campaign template", "template show"])
def test_autocomplete_while_dynamodb_throttles_offers_no_choices(aws, signer, payload):
    deps = make_deps(aws, signer, ThrottledStore, ThrottledLibrary)
    reply = send(signer, deps, payload)
    assert reply["type"] == 8
    assert all(c["value"] in ("default", "in-person", "one-shot", "play-by-post", "voice-vtt") for c in reply["data"]["choices"])


@pytest.mark.parametrize("custom_id", ["delete:786008729715212338", "undo:786008729715212338",
                                       "page:campaigns::2"])
def test_button_press_while_dynamodb_throttles_is_answered_in_plain_words(aws, signer, custom_id):
    deps = make_deps(aws, signer, ThrottledStore, ThrottledLibrary)
    payload = {**interactions.command("x"), "type": 3,
               "data": {"custom_id": custom_id, "component_type": 2}}
    text = plain_answer(send(signer, deps, payload))
    assert "I couldn't handle that just now." in text and "nothing was changed" in text


@pytest.mark.parametrize("command, options", [
    ("list-campaigns", {}), ("campaign-info", {"name": "x"}), ("delete-campaign", {"name": "x"}),
    ("add-campaign", {"name": "x"}),
])
def test_commands_while_dynamodb_throttles_are_answered_in_plain_words(aws, signer, command, options):
    deps = make_deps(aws, signer, ThrottledStore, ThrottledLibrary)
    text = plain_answer(send(signer, deps, interactions.command(command, options)))
    assert "I couldn't handle that just now." in text
