"""/add-campaign on the request path: checks, the recorded campaign, and the queued tasks."""

import json

import pytest
from botocore.exceptions import ClientError

from channelwright.discord import permissions
from channelwright.aws.http import HttpRequest
from channelwright.interactions import Deps, respond
from channelwright.discord.signature import SignatureVerifier
from channelwright.campaigns.store import FAILED, CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from discord_emulator.signing import InteractionSigner
from tests.support import interactions

DEFAULT_PLAN_LENGTH = 2 + 1 + 1 + 10 + 1  # roles, GM assignment, category, channels, complete


@pytest.fixture
def signer():
    return InteractionSigner()


@pytest.fixture
def store(aws):
    return CampaignStore(aws.dynamodb, aws.table_name)


@pytest.fixture
def send(aws, signer, store):
    deps = Deps(SignatureVerifier(signer.public_key_hex), store, TaskQueue(aws.sqs, aws.queue_url),
                TemplateLibrary(aws.dynamodb, aws.table_name))

    def send(payload):
        response = respond(HttpRequest.from_api_gateway(signer.api_gateway_event(payload)), deps)
        assert response.status == 200, response.body
        return json.loads(response.body)
    return send


def ephemeral_text(reply):
    assert reply["type"] == 4
    assert reply["data"]["flags"] == 64
    assert reply["data"]["allowed_mentions"] == {"parse": []}
    return reply["data"]["content"]


def test_accepted_campaign_is_recorded_queued_and_deferred(send, aws):
    reply = send(interactions.add_campaign("  Curse   of Strahd "))
    assert reply == {"type": 5}

    [campaign] = aws.items()
    assert campaign.guild_id == interactions.GUILD_ID
    assert campaign.name == "Curse of Strahd" and campaign.key == "curse of strahd"
    assert campaign.status == "queued" and campaign.requested_by == interactions.USER_ID
    assert [s["name"] for s in campaign.plan if s["kind"] == "role"] == [
        "Curse of Strahd Players", "Curse of Strahd GM"]
    assert len(campaign.plan) == DEFAULT_PLAN_LENGTH

    messages = aws.drain()
    assert [m["body"]["step"] for m in messages] == list(range(DEFAULT_PLAN_LENGTH))
    assert {m["group"] for m in messages} == {interactions.GUILD_ID}
    assert len({m["dedup"] for m in messages}) == DEFAULT_PLAN_LENGTH
    assert all(m["dedup"].startswith("786008729715212338-") for m in messages)
    assert all(m["body"]["run"] == "786008729715212338" for m in messages)


def test_retried_request_enqueues_nothing_twice(send, aws):
    assert send(interactions.add_campaign()) == {"type": 5}
    assert send(interactions.add_campaign()) == {"type": 5}
    assert len(aws.drain()) == DEFAULT_PLAN_LENGTH
    assert len(aws.items()) == 1


def test_same_name_in_any_case_already_exists(send, aws):
    send(interactions.add_campaign("Curse of Strahd"))
    aws.drain()
    reply = send(interactions.add_campaign("CURSE OF STRAHD", interaction_id="786008729715212999"))
    assert "already exists" in ephemeral_text(reply)
    assert aws.drain() == []
    [campaign] = aws.items()
    assert campaign.interaction_id == "786008729715212338"


def test_same_name_in_another_server_is_a_different_campaign(send, aws):
    send(interactions.add_campaign())
    assert send(interactions.add_campaign(interaction_id="786008729715213000",
                                          guild_id="111111111111111111")) == {"type": 5}
    assert sorted(c.guild_id for c in aws.items()) == ["111111111111111111", interactions.GUILD_ID]


def failed_campaign(send, aws, store):
    """A campaign whose build stopped after making its roles; the member's role 539082325061836999
    (tests/support/interactions.py) is made its GM role when `gm_role` says so."""
    send(interactions.add_campaign())
    aws.drain()
    [first] = aws.items()
    store.record(first, {"role:players": {"id": "1"}, "role:gm": {"id": "2"}})
    store.set_status(first, FAILED, failure={"what": "x", "why": "y", "fix": "z"})
    return store.get(first.guild_id, first.key)


def test_a_failed_campaign_is_resumed_at_once_by_a_re_run_of_its_gm(send, aws, store):
    """Holding the campaign's GM role (`member.roles`, server-wide and current) is enough to
    resume it, and that is known without asking Discord: the run is taken over here."""
    first = failed_campaign(send, aws, store)
    store.record(first, {"role:gm": {"id": "539082325061836999"}})

    assert send(interactions.add_campaign(interaction_id="786008729715219999")) == {"type": 5}
    [resumed] = aws.items()
    assert resumed.status == "queued" and resumed.run_count == 2 and resumed.failure is None
    assert resumed.interaction_id == "786008729715219999"
    assert resumed.resources == {"role:players": {"id": "1"}, "role:gm": {"id": "539082325061836999"}}
    messages = aws.drain()
    assert {m["body"]["run"] for m in messages} == {"786008729715219999"}
    assert len(messages) == DEFAULT_PLAN_LENGTH


def test_anyone_elses_re_run_leaves_the_failed_campaign_as_it_is_and_asks_the_worker(send, aws,
                                                                                     store):
    """Whether a caller without the GM role manages the server only the server's roles tell, so
    the request path queues one re-run task for the worker to decide and changes nothing."""
    first = failed_campaign(send, aws, store)

    assert send(interactions.add_campaign(interaction_id="786008729715219999")) == {"type": 5}
    assert aws.items() == [first], "the record is untouched"
    [message] = aws.drain()
    body = message["body"]
    assert (body["kind"], body["run"], body["campaign_run"]) == (
        "rerun", "786008729715219999", "786008729715212338")
    assert body["args"]["caller"] == {"id": interactions.USER_ID, "roles": ["539082325061836999"]}
    assert body["args"]["seen"] == first.progress_at
    assert message["group"] == interactions.GUILD_ID


def test_a_re_run_the_queue_refuses_changes_nothing_and_says_so(send, aws, signer, store):
    first = failed_campaign(send, aws, store)
    no_queue = TaskQueue(aws.sqs, aws.queue_url.replace(".fifo", "-gone.fifo"))  # SQS refuses
    deps = Deps(SignatureVerifier(signer.public_key_hex), store, no_queue,
                TemplateLibrary(aws.dynamodb, aws.table_name))
    payload = interactions.add_campaign(interaction_id="786008729715219999")
    reply = json.loads(respond(HttpRequest.from_api_gateway(signer.api_gateway_event(payload)),
                               deps).body)

    text = ephemeral_text(reply)
    assert "I couldn't resume “Curse of Strahd” just now." in text and "nothing was changed" in text
    assert aws.items() == [first] and aws.drain() == []


def test_outside_a_server_is_refused(send, aws):
    text = ephemeral_text(send(interactions.add_campaign(guild_id=None)))
    assert "only works inside a server" in text
    assert aws.items() == [] and aws.drain() == []


@pytest.mark.parametrize("member_permissions, app_permissions", [
    (0, 0), (permissions.SEND_MESSAGES, permissions.VIEW_CHANNEL),
    (permissions.ADMINISTRATOR, permissions.ADMINISTRATOR)])
def test_channel_scoped_permissions_decide_nothing(send, aws, member_permissions, app_permissions):
    """`member.permissions` and `app_permissions` describe the invoking channel only: whether the
    requester may add a campaign and whether I can build it privately are the worker's decisions
    (tests/campaigns/test_permissions.py), from the server's roles."""
    reply = send(interactions.add_campaign(member_permissions=member_permissions,
                                           app_permissions=app_permissions))
    assert reply == {"type": 5}
    [campaign] = aws.items()
    assert campaign.bot_permissions == "", "not taken from app_permissions"
    assert campaign.requested_by_roles == ["539082325061836999"]
    assert len(aws.drain()) == DEFAULT_PLAN_LENGTH


def test_an_installation_that_is_not_the_servers_is_refused(send, aws):
    payload = interactions.add_campaign()
    payload["authorizing_integration_owners"] = {"1": interactions.USER_ID}  # the user's own install
    text = ephemeral_text(send(payload))
    assert "I'm not installed in this server" in text
    assert aws.items() == [] and aws.drain() == []


@pytest.mark.parametrize("name, says", [
    ("", "empty"), ("   ", "empty"), ("x" * 91, "91 characters long"),
    ("Bad\u0000Name", "control characters"), ("Zero\u200bWidth", "control characters"),
])
def test_invalid_names_are_refused_and_change_nothing(send, aws, name, says):
    assert says in ephemeral_text(send(interactions.add_campaign(name)))
    assert aws.items() == [] and aws.drain() == []


def test_ninety_character_name_is_accepted(send, aws):
    assert send(interactions.add_campaign("x" * 90)) == {"type": 5}
    assert max(len(s.get("name", "")) for s in aws.items()[0].plan) <= 100


def test_missing_name_option_is_refused(send, aws):
    assert "empty" in ephemeral_text(send(interactions.command("add-campaign", {})))
    assert aws.items() == []


def test_name_with_mentions_is_stored_verbatim_and_never_pings(send, aws):
    assert send(interactions.add_campaign("@everyone party")) == {"type": 5}
    assert aws.items()[0].name == "@everyone party"


def test_unknown_command_gets_a_clear_answer(send, aws):
    assert "I don't know the command `/roll-dice`" in ephemeral_text(send(interactions.command("roll-dice")))
    assert aws.items() == []


def test_queue_failure_frees_the_name_and_says_so(aws, signer, store):
    broken = TaskQueue(aws.sqs, aws.queue_url.replace("channelwright-tasks", "missing-queue"))
    deps = Deps(SignatureVerifier(signer.public_key_hex), store, broken,
                TemplateLibrary(aws.dynamodb, aws.table_name))
    response = respond(HttpRequest.from_api_gateway(
        signer.api_gateway_event(interactions.add_campaign())), deps)
    assert "couldn't start building" in ephemeral_text(json.loads(response.body))
    assert aws.items() == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_gets_400_not_500(signer, aws, store, body):
    deps = Deps(SignatureVerifier(signer.public_key_hex), store, TaskQueue(aws.sqs, aws.queue_url),
                TemplateLibrary(aws.dynamodb, aws.table_name))
    # API Gateway base64-encodes bodies that are not valid text.
    event = signer.api_gateway_event(body, base64_body=body.startswith(b"\xff"))
    response = respond(HttpRequest.from_api_gateway(event), deps)
    assert response.status == 400 and "JSON" in response.body


def test_autocomplete_and_components_get_valid_answers(send):
    assert send({"type": 4, "id": "1", "token": "t", "data": {"name": "add-campaign"}})["type"] == 8
    assert ephemeral_text(send({"type": 3, "id": "1", "token": "t", "data": {}}))


class UnavailableStore(CampaignStore):
    """DynamoDB throttling or unreachable: every write fails."""

    def create(self, campaign):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                     "Message": "slow down"}}, "PutItem")


def test_store_failure_is_an_answer_not_a_500(aws, signer):
    deps = Deps(SignatureVerifier(signer.public_key_hex), UnavailableStore(aws.dynamodb, aws.table_name),
                TaskQueue(aws.sqs, aws.queue_url), TemplateLibrary(aws.dynamodb, aws.table_name))
    response = respond(HttpRequest.from_api_gateway(signer.api_gateway_event(interactions.add_campaign())), deps)
    assert response.status == 200
    text = ephemeral_text(json.loads(response.body))
    # The put may have landed before its answer was lost, so the answer promises no "nothing
    # changed"; it says how to carry on instead.
    assert "I couldn't start building “Curse of Strahd” just now" in text
    assert "Run `/add-campaign` again with the same name in a minute" in text
    assert aws.drain() == []
