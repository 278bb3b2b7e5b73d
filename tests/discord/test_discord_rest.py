"""DiscordRest against the emulator: buckets, 429s, retries, typed errors, headers."""

import pytest
import requests

from channelwright.discord import permissions as p
from channelwright.discord.errors import (DiscordRejected, DiscordUnavailable, OutcomeUnknown,
                                          RateLimitedTooLong)
from channelwright.discord.rest import MIN_SEND_S, DiscordRest
from channelwright.discord.routes import (CREATE_GUILD_CHANNEL, CREATE_GUILD_ROLE, EDIT_ORIGINAL_INTERACTION_RESPONSE,
                                          GET_GUILD_CHANNELS, GET_GUILD_ROLES)

TOKEN = "test-bot-token"


@pytest.fixture
def guild(emu):
    return emu.add_guild(name="G", bot_permissions=p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL)


@pytest.fixture
def rest(emu):
    return DiscordRest(emu.base_url, TOKEN, timeout=(1.0, 2.0))


def requests_to(emu, guild, method="POST"):
    return [r for r in emu.requests if r.method == method and r.path.startswith(f"/guilds/{guild}/")]


def test_routes_key_buckets_by_top_level_resource_and_hide_tokens():
    route = CREATE_GUILD_CHANNEL.compile(guild_id="123456789")
    assert (route.label, route.major) == ("POST /guilds/{id}/channels", "guilds:123456789")
    edit = EDIT_ORIGINAL_INTERACTION_RESPONSE.compile(application_id="42424242", interaction_token="s3cr3t-token")
    assert edit.label == "PATCH /webhooks/{id}/{token}/messages/@original"
    assert "s3cr3t" not in edit.label + edit.major + repr(edit) + str(edit.bucket_key)


def test_waits_for_the_bucket_instead_of_collecting_429s(rest, emu, guild):
    emu.set_bucket(r"POST /guilds/\{guild_id\}/roles", 2, 0.4)
    for i in range(5):
        rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": f"r{i}", "permissions": "0"})
    sent = requests_to(emu, guild)
    assert [r.status for r in sent] == [200] * 5
    assert sent[2].started - sent[0].started >= 0.35, "the third request waited for the reset"
    assert rest.stats["rate_limited"] == 0


def test_429_waits_retry_after_then_succeeds(rest, emu, guild):
    emu.faults.rate_limit_storm(3, method="POST", path_regex=r"/roles$", retry_after=0.05)
    role = rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": "after storm"})
    assert role["name"] == "after storm"
    assert [r.status for r in requests_to(emu, guild)] == [429, 429, 429, 200]
    assert rest.stats["rate_limited"] == 3


def test_global_429_pauses_every_route(rest, emu, guild):
    emu.faults.rate_limit_storm(1, method="GET", path_regex=r"/roles$", retry_after=0.2, is_global=True)
    rest.request(GET_GUILD_ROLES.compile(guild_id=guild))
    rest.request(GET_GUILD_CHANNELS.compile(guild_id=guild))
    gets = requests_to(emu, guild, "GET")
    assert [r.status for r in gets] == [429, 200, 200]
    assert gets[1].started - gets[0].finished >= 0.19


def test_idempotent_requests_retry_5xx(rest, emu, guild):
    emu.faults.fail_next(2, status=502, method="GET")
    assert rest.request(GET_GUILD_ROLES.compile(guild_id=guild))
    assert [r.status for r in requests_to(emu, guild, "GET")] == [502, 502, 200]


def test_a_create_answered_with_500_is_reported_as_unknown_outcome(rest, emu, guild):
    emu.faults.fail_next(1, status=500, method="POST")
    with pytest.raises(OutcomeUnknown) as caught:
        rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": "maybe"})
    assert caught.value.retryable
    assert len(requests_to(emu, guild)) == 1, "a create is never re-sent blindly"


def test_lost_reply_to_a_create_is_an_unknown_outcome_not_a_retry(rest, emu, guild):
    emu.faults.lose_reply(1, method="POST", path_regex=r"/channels$")
    with pytest.raises(OutcomeUnknown):
        rest.request(CREATE_GUILD_CHANNEL.compile(guild_id=guild), json={"name": "lost", "type": 0})
    assert [c["name"] for c in emu.guild_channels(guild)].count("lost") == 1
    assert len(requests_to(emu, guild)) == 1


@pytest.mark.parametrize("status", [401, 403, 404])
def test_refusals_are_never_retried(emu, guild, status):
    rest = DiscordRest(emu.base_url, "wrong-token" if status == 401 else TOKEN)
    if status == 403:
        emu.faults.forbid(method="POST", path_regex=r"/roles$")
    route = CREATE_GUILD_ROLE.compile(guild_id=guild if status != 404 else "999999999999999999")
    with pytest.raises(DiscordRejected) as caught:
        rest.request(route, json={"name": "nope"})
    assert caught.value.status == status and not caught.value.retryable
    assert len([r for r in emu.requests if r.path == route.path]) == 1


@pytest.mark.spec_exempt("sends an empty channel name to provoke a form error")
def test_discord_json_errors_become_typed_errors(rest, emu, guild):
    with pytest.raises(DiscordRejected) as caught:
        rest.request(CREATE_GUILD_CHANNEL.compile(guild_id=guild), json={"name": "", "type": 0})
    error = caught.value
    assert (error.status, error.code) == (400, 50035)
    assert "name" in error.detail
    assert "POST /guilds/{id}/channels" in str(error)


def test_server_errors_that_outlast_retries_are_retryable(emu, guild):
    rest = DiscordRest(emu.base_url, TOKEN, max_retries=1, sleep=lambda s: None)
    emu.faults.fail_next(5, status=503, method="GET")
    with pytest.raises(DiscordUnavailable) as caught:
        rest.request(GET_GUILD_ROLES.compile(guild_id=guild))
    assert caught.value.retryable


def test_never_waits_past_the_deadline(rest, emu, guild):
    emu.faults.rate_limit_storm(1, method="GET", retry_after=30)
    rest.deadline = rest._clock() + 1
    with pytest.raises(RateLimitedTooLong):
        rest.request(GET_GUILD_ROLES.compile(guild_id=guild))


def test_nothing_is_sent_with_too_little_time_left(rest, emu, guild):
    rest.deadline = rest._clock() + MIN_SEND_S / 2
    with pytest.raises(DiscordUnavailable) as caught:
        rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": "x"})
    assert caught.value.retryable and not isinstance(caught.value, OutcomeUnknown)
    assert requests_to(emu, guild) == [], "not sent"


def test_a_slow_answer_is_given_up_at_the_deadline_not_at_the_timeout(emu, guild):
    rest = DiscordRest(emu.base_url, TOKEN, timeout=(1.0, 30.0))
    emu.latency = 3.0  # Discord answers long after the invocation's time is over
    rest.deadline = rest._clock() + 1.0
    try:
        with pytest.raises(OutcomeUnknown):  # sent, so the next try finds out whether it was made
            rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": "x"})
    finally:
        emu.latency = 0.0
    assert len(requests_to(emu, guild)) == 1


def test_unreachable_discord_is_retryable_and_never_hangs():
    rest = DiscordRest("http://127.0.0.1:9/api/v10", TOKEN, max_retries=1, sleep=lambda s: None)
    with pytest.raises(DiscordUnavailable):
        rest.request(CREATE_GUILD_ROLE.compile(guild_id="1"), json={})


def test_headers_identify_the_bot_and_explain_the_action(rest, emu, guild):
    rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild), json={"name": "x"},
                 reason="Channelwright: campaign “Ünïcode” requested by alice")
    [sent] = requests_to(emu, guild)
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["authorization"] == f"Bot {TOKEN}"
    assert headers["user-agent"].startswith("DiscordBot (https://")
    assert requests.utils.unquote(headers["x-audit-log-reason"]) == \
        "Channelwright: campaign “Ünïcode” requested by alice"


def test_webhook_edits_carry_no_bot_token(rest, emu, guild):
    member = emu.add_member(guild, name="m", permissions=p.MANAGE_CHANNELS)
    payload = emu.create_interaction(guild, member, "add-campaign", options=[])
    emu.acknowledge(payload, {"type": 5})
    rest.request(EDIT_ORIGINAL_INTERACTION_RESPONSE.compile(application_id=emu.application_id,
                                                           interaction_token=payload["token"]),
                 json={"content": "hi", "allowed_mentions": {"parse": []}})
    [edit] = [r for r in emu.requests if r.method == "PATCH"]
    assert "authorization" not in {k.lower() for k in edit.headers}
    assert emu.message_history(payload["token"])[-1] == "hi"


def test_concurrent_senders_learn_the_bucket_first_and_never_overdraw_it(rest, emu, guild):
    """A first request alone learns the bucket; then no more go at once than it announces left."""
    from concurrent.futures import ThreadPoolExecutor

    emu.set_bucket(r"POST /guilds/\{guild_id\}/roles", 4, 0.6)
    emu.latency = 0.05
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: rest.request(CREATE_GUILD_ROLE.compile(guild_id=guild),
                                             json={"name": f"r{i}", "permissions": "0"}), range(10)))
    emu.latency = 0.0
    sent = sorted(requests_to(emu, guild), key=lambda r: r.started)
    assert [r.status for r in sent] == [200] * 10 and rest.stats["rate_limited"] == 0
    assert all(other.started >= sent[0].finished for other in sent[1:]), "the first went alone"
    overlapping = max(sum(1 for o in sent if o.started < r.finished and o.finished > r.started) for r in sent)
    assert 1 < overlapping <= 4
