"""Cut-offs on the request path: /add-campaign stopped between its AWS calls, then run again.

The interactions function writes the interaction's token (its own expiring item) and the campaign
record, sends the build tasks in batches of ten, then notes that they were all sent. Lambda can stop it after any of those calls (its 5 s timeout),
and an AWS call can fail after its effect landed (a lost answer) or before it was sent. Whatever
happened, the user who runs `/add-campaign` again within a minute gets the campaign built exactly
once, is told when it is ready, and the record never stays queued or building.

The AWS clients of the request path are wrapped to end the Nth call one of those ways; the worker,
Discord (the emulator) and the rest are the real thing.
"""

import json
import time
from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from channelwright.campaigns import liveness
from channelwright.aws.http import HttpRequest
from channelwright.interactions import Deps, respond
from channelwright.campaigns.store import CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from tests.campaigns.test_campaign_build import (FORUM, NAME, TEXT, assert_complete_and_private, channel_made,
                                                 poll_once_stopping)

STOPPED, ANSWER_LOST, NOT_SENT = "stopped", "answer lost", "not sent"
# The interaction token's own expiring item, the record, the two task batches, `tasks_sent`.
FRESH_PATH = ["put_item", "put_item", "send_message_batch", "send_message_batch", "update_item"]
# A re-run by someone not holding the campaign's GM role: the token, the create that finds the
# name taken, the one task that asks the worker to check them and take over (rerun.py).
RERUN_PATH = ["put_item", "put_item", "send_message_batch"]
# A re-run by its GM: the token, the create that finds the name taken, the restart, the batches,
# `tasks_sent`.
GM_TAKEOVER_PATH = ["put_item", "put_item", "put_item", "send_message_batch", "send_message_batch",
                    "update_item"]
AFTER_RECORD, AFTER_FIRST_BATCH = 2, 3  # cuts right after these calls of FRESH_PATH
WITHIN_A_MINUTE_MS = 30_000


class Stopped(BaseException):
    """Lambda stopped the function right here: no line after it ran, no answer went out.

    A BaseException, so no `except Exception` in the product can catch it, as none can catch a
    timeout that freezes the process."""


@dataclass
class Cut:
    """Counts the request path's AWS calls and ends call number `at` the way `how` says."""

    at: int | None = None
    how: str = STOPPED
    calls: list[str] = field(default_factory=list)

    def around(self, operation: str, send):
        self.calls.append(operation)
        if len(self.calls) != self.at:
            return send()
        if self.how == NOT_SENT:
            raise ConnectTimeoutError(endpoint_url=f"https://aws.invalid/{operation}")
        send()  # the call lands; its answer never reaches the handler
        if self.how == STOPPED:
            raise Stopped(operation)
        raise ReadTimeoutError(endpoint_url=f"https://aws.invalid/{operation}")


class CutClient:
    """A boto3 client whose API calls go through a Cut."""

    def __init__(self, client, cut: Cut):
        self._client, self._cut = client, cut

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name in ("exceptions", "meta") or not callable(attribute):
            return attribute
        return lambda **kwargs: self._cut.around(name, lambda: attribute(**kwargs))


def front(bot, cut: Cut | None = None, *, later_ms: int = 0) -> Deps:
    """The interactions function's collaborators, its AWS calls cut by `cut`, its clock
    `later_ms` ahead (the user coming back later)."""
    dynamodb, sqs = bot.aws.dynamodb, bot.aws.sqs
    if cut is not None:
        dynamodb, sqs = CutClient(dynamodb, cut), CutClient(sqs, cut)
    return Deps(bot.front.verifier, CampaignStore(dynamodb, bot.aws.table_name),
                TaskQueue(sqs, bot.aws.queue_url), TemplateLibrary(dynamodb, bot.aws.table_name),
                now_ms=lambda: int(time.time() * 1000) + later_ms)


def add_campaign(bot, guild, user, deps: Deps) -> tuple[dict, dict | None]:
    """/add-campaign through `deps`: (payload, answer), answer None if the function was stopped.
    An answer reaches Discord (is acknowledged) as it would."""
    payload = bot.emulator.create_interaction(guild, user, "add-campaign",
                                              options=[{"type": 3, "name": "name", "value": NAME}])
    event = bot.signer.api_gateway_event(payload)
    try:
        response = respond(HttpRequest.from_api_gateway(event), deps)
    except Stopped:
        return payload, None
    assert response.status == 200, response.body
    answer = json.loads(response.body)
    bot.emulator.acknowledge(payload, answer)
    return payload, answer


def assert_built_once(bot, emu, guild, gm, player):
    """One set of roles, one category, ten channels — nothing twice, nothing outside."""
    assert_complete_and_private(emu, guild, gm, player)
    names = TEXT + FORUM + ["voice-chat"]
    assert len([c for c in emu.guild_channels(guild) if c["name"] in names]) == 10
    assert len([c for c in emu.guild_channels(guild) if c["name"] == NAME]) == 1


def summaries(emu, guild, payloads) -> list[str]:
    """Every place the user was told the campaign is ready: edited answers and channel posts."""
    told = [text for payload in payloads for text in emu.message_history(payload["token"])[-1:]
            if text.startswith("✅ Campaign ready")]
    announcements = emu.find_channel(guild, "announcements")
    if announcements:
        told += [m["content"] for m in emu.channel_messages(announcements["id"])
                 if m["content"].startswith("✅ Campaign ready")]
    return told


def assert_recovered(bot, emu, guild, gm, player, payloads):
    bot.run_worker()
    assert_built_once(bot, emu, guild, gm, player)
    assert bot.campaign(guild).status == "completed", "the record is not left stuck"
    assert len(summaries(emu, guild, payloads)) == 1, "told once that it is ready"
    assert bot.aws.drain() == [] and bot.aws.drain(bot.aws.dlq_url) == []


# -- the request path, as it is -------------------------------------------------------------------

def test_add_campaign_makes_these_aws_calls_in_this_order(bot, guild, gm):
    cut = Cut()
    _, answer = add_campaign(bot, guild, gm, front(bot, cut))
    assert answer == {"type": 5}
    # The token, the record, the tasks (ten to a batch), then the note that they were all sent.
    assert cut.calls == FRESH_PATH
    campaign = bot.campaign(guild)
    assert campaign.tasks_sent and campaign.status == "queued"


# -- story 3 --------------------------------------------------------------------------------------

def test_a_cut_after_the_record_write_is_finished_by_running_the_command_again(bot, emu, guild, gm,
                                                                              player):
    first, answer = add_campaign(bot, guild, gm, front(bot, Cut(at=AFTER_RECORD, how=STOPPED)))
    assert answer is None, "Discord got no answer: the user sees 'did not respond'"
    stuck = bot.campaign(guild)
    assert (stuck.status, stuck.tasks_sent) == ("queued", False)

    again, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))

    assert answer == {"type": 5}
    assert_recovered(bot, emu, guild, gm, player, [first, again])
    assert emu.message_history(again["token"])[-1].startswith("✅ Campaign ready")
    assert bot.campaign(guild).run_count == 2


@pytest.mark.parametrize("worker_first", [False, True], ids=["rerun-first", "worker-first"])
def test_a_cut_between_the_two_task_batches_builds_everything_once(bot, emu, guild, gm, player,
                                                                   worker_first):
    first, _ = add_campaign(bot, guild, gm, front(bot, Cut(at=AFTER_FIRST_BATCH, how=STOPPED)))
    if worker_first:  # the ten tasks that arrived carry the whole build: the first runs every step
        assert_recovered(bot, emu, guild, gm, player, [first])
        return
    again, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))
    assert answer == {"type": 5}
    assert_recovered(bot, emu, guild, gm, player, [first, again])


def test_running_the_command_again_moments_after_a_cut_says_to_wait_a_few_seconds(bot, emu, guild,
                                                                                  gm, player):
    first, _ = add_campaign(bot, guild, gm, front(bot, Cut(at=AFTER_RECORD, how=STOPPED)))
    # Within the request's own time limit it might still be running: taking over could race it.
    soon, answer = add_campaign(bot, guild, gm, front(bot, later_ms=2_000))
    assert "is still being started" in answer["data"]["content"]
    assert "again with the same name in a few seconds" in answer["data"]["content"]
    assert bot.campaign(guild).interaction_id == first["id"]

    later, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))
    assert answer == {"type": 5}
    assert_recovered(bot, emu, guild, gm, player, [first, soon, later])


def test_a_build_that_is_going_fine_is_not_taken_over(bot, emu, guild, gm, player):
    first, _ = add_campaign(bot, guild, gm, front(bot))
    poll_once_stopping(bot, emu, after=channel_made)  # its time ran short before the summary
    again, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))
    assert "already exists and is being built" in answer["data"]["content"]
    assert bot.campaign(guild).interaction_id == first["id"]
    bot.run_worker()
    assert_built_once(bot, emu, guild, gm, player)
    assert emu.message_history(first["token"])[-1].startswith("✅ Campaign ready")


def test_a_build_silent_for_longer_than_its_retries_take_is_resumed_by_a_rerun(bot, emu, guild, gm,
                                                                                player):
    # Tasks all sent, but the worker died on the last try without marking the build failed:
    # nothing writes the record again.
    first, _ = add_campaign(bot, guild, gm, front(bot))
    poll_once_stopping(bot, emu, after=channel_made)  # its time ran short before the summary
    bot.aws.drain()  # the remaining tasks went to the dead-letter queue, say
    assert bot.campaign(guild).status == "building"

    still, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))
    assert "already exists and is being built" in answer["data"]["content"]

    silent = liveness.SILENT_FOR_MS + 60_000
    again, answer = add_campaign(bot, guild, gm, front(bot, later_ms=silent))
    assert answer == {"type": 5}
    assert_recovered(bot, emu, guild, gm, player, [first, still, again])


def test_delete_of_a_build_left_queued_by_a_cut_is_refused_then_allowed(bot, emu, guild, gm):
    add_campaign(bot, guild, gm, front(bot, Cut(at=AFTER_RECORD, how=STOPPED)))

    def ask_to_delete(later_ms):
        payload = emu.create_interaction(guild, gm, "delete-campaign",
                                         options=[{"type": 3, "name": "name", "value": NAME}])
        answer = json.loads(respond(HttpRequest.from_api_gateway(bot.signer.api_gateway_event(
            payload)), front(bot, later_ms=later_ms)).body)
        emu.acknowledge(payload, answer)
        return payload, answer

    _, answer = ask_to_delete(later_ms=2_000)
    assert "is still being built" in answer["data"]["content"]
    listing = emu.create_interaction(guild, gm, "list-campaigns")
    text = json.loads(respond(HttpRequest.from_api_gateway(bot.signer.api_gateway_event(listing)),
                              front(bot, later_ms=WITHIN_A_MINUTE_MS)).body)["data"]["content"]
    assert f"**{NAME}** — queued (stalled: run `/add-campaign` again to finish it)" in text

    payload, answer = ask_to_delete(later_ms=WITHIN_A_MINUTE_MS)
    # The GM role was never made, so the worker decides whether the asker manages the server.
    assert answer["type"] == 5
    bot.run_worker()
    question = emu.original_message(payload["token"])
    assert question["content"].startswith(f"Delete **{NAME}**?")
    click = emu.click(payload["token"], gm, question["components"][0]["components"][0]["custom_id"])
    emu.acknowledge(click, json.loads(respond(HttpRequest.from_api_gateway(
        bot.signer.api_gateway_event(click)), front(bot, later_ms=WITHIN_A_MINUTE_MS)).body))
    bot.run_worker()
    assert bot.campaign(guild) is None, "the name is free again"
    assert emu.message_history(payload["token"])[-1].startswith(f"🗑️ Deleted **{NAME}**")


# -- the sweep ------------------------------------------------------------------------------------

@pytest.mark.parametrize("worker_first", [False, True], ids=["rerun-first", "worker-first"])
@pytest.mark.parametrize("how", [STOPPED, ANSWER_LOST, NOT_SENT])
@pytest.mark.parametrize("at", range(1, len(FRESH_PATH) + 1))
def test_a_cut_after_any_aws_call_is_recovered_by_running_the_command_again(
        bot, emu, guild, gm, player, at, how, worker_first):
    cut = Cut(at=at, how=how)
    first, answer = add_campaign(bot, guild, gm, front(bot, cut))
    assert cut.calls[:at] == FRESH_PATH[:at]
    if how != STOPPED:
        assert answer is not None, "a failed AWS call gets an answer, not a 500"
    if worker_first:
        bot.run_worker()

    again, answer = add_campaign(bot, guild, gm, front(bot, later_ms=WITHIN_A_MINUTE_MS))

    content = (answer.get("data") or {}).get("content", "")
    assert answer == {"type": 5} or "already exists and is being built" in content \
        or (worker_first and "already exists in this server" in content), content
    assert_recovered(bot, emu, guild, gm, player, [first, again])


@pytest.mark.parametrize("how", [STOPPED, ANSWER_LOST])
@pytest.mark.parametrize("at", range(1, len(RERUN_PATH) + 1))
def test_a_cut_while_taking_over_a_cut_build_is_recovered_too(bot, emu, guild, gm, player, at, how):
    """The build was cut off before its GM role was given, so the re-run is the worker's to
    clear (rerun.py); the request that asks for it is cut in turn."""
    first, _ = add_campaign(bot, guild, gm, front(bot, Cut(at=AFTER_RECORD, how=STOPPED)))
    cut = Cut(at=at, how=how)
    second, _ = add_campaign(bot, guild, gm, front(bot, cut, later_ms=WITHIN_A_MINUTE_MS))
    assert cut.calls[:at] == RERUN_PATH[:at]

    third, answer = add_campaign(bot, guild, gm, front(bot, later_ms=2 * WITHIN_A_MINUTE_MS))

    content = (answer.get("data") or {}).get("content", "")
    assert answer == {"type": 5} or "already exists and is being built" in content, content
    assert_recovered(bot, emu, guild, gm, player, [first, second, third])


@pytest.mark.parametrize("how", [STOPPED, ANSWER_LOST])
@pytest.mark.parametrize("at", range(1, len(GM_TAKEOVER_PATH) + 1))
def test_a_cut_while_a_gm_takes_over_a_failed_build_is_recovered_too(bot, emu, guild, gm, player,
                                                                     at, how):
    """The build stopped after giving Alice its GM role, so her re-run takes over on the request
    path; that request is cut after any of its AWS calls, and she runs the command again."""
    emu.faults.forbid(method="POST", path_regex=r"/guilds/\d+/channels$")
    first, _ = add_campaign(bot, guild, gm, front(bot))
    bot.run_worker()
    emu.faults.clear()
    assert bot.campaign(guild).status == "failed"
    cut = Cut(at=at, how=how)
    second, _ = add_campaign(bot, guild, gm, front(bot, cut, later_ms=WITHIN_A_MINUTE_MS))
    assert cut.calls[:at] == GM_TAKEOVER_PATH[:at]

    third, answer = add_campaign(bot, guild, gm, front(bot, later_ms=2 * WITHIN_A_MINUTE_MS))

    content = (answer.get("data") or {}).get("content", "")
    assert answer == {"type": 5} or "already exists and is being built" in content, content
    assert_recovered(bot, emu, guild, gm, player, [first, second, third])
