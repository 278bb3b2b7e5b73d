"""Running /add-campaign again on a failed campaign: who may take it over, and when.

Who may manage a campaign rests on server-level permissions and current role
membership, and where deciding needs Discord data the worker decides. Resuming a campaign is
managing it: its GMs (who hold its GM role now, which the interaction's `member.roles` says) take
it over at once on the request path; anyone else's re-run is checked by the worker before the
record changes at all (rerun.py). Cut-offs during a takeover stay recoverable.

End to end: signed interactions in, the worker on moto's SQS, Discord emulated.
"""

import pytest
from botocore.exceptions import ReadTimeoutError

from channelwright.discord import permissions as p
from channelwright.campaigns.store import BUILDING, COMPLETED, FAILED, QUEUED, Campaign, CampaignStore
from channelwright.tasks.decision import IGNORE, REFUSE, RESUME, RUN, decide
from channelwright.tasks.payloads import Rerun
from channelwright.tasks.queue import Task
from tests.support.servers import MEMBER, overwrite
from tests.campaigns.test_campaign_build import NAME, assert_complete_and_private, campaign_state
from tests.commands.test_lifecycle import click

EPHEMERAL = 64
VOICE = 2
READY = "✅ Campaign ready"
OUT_OF_DATE = "That button is out of date"


@pytest.fixture
def manager(emu, guild):
    """Carol manages the server (Manage Channels through a role) but is no GM of the campaign."""
    return emu.add_member(guild, name="carol", permissions=p.MANAGE_CHANNELS)


@pytest.fixture
def dana(emu, guild):
    """Manage Channels on one voice channel only: Discord shows her /add-campaign there, but she
    manages nothing else (developers/topics/permissions.mdx: overwrites apply to one channel)."""
    dana = emu.add_member(guild, name="dana")
    lounge = emu.add_channel(guild, "Lounge", type=VOICE, permission_overwrites=[
        overwrite(dana, MEMBER, allow=p.MANAGE_CHANNELS)])
    return dana, lounge


def failed_build(bot, emu, guild, gm) -> dict:
    """Alice's build stops at the category (Discord refuses channel creates): its roles exist and
    she holds its GM role. The admin then fixes the cause."""
    emu.faults.forbid(method="POST", path_regex=r"/guilds/\d+/channels$")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    emu.faults.clear()
    campaign = bot.campaign(guild)
    assert campaign.status == FAILED
    assert "Undo partial build" in str(emu.original_message(payload["token"]))
    return payload


def rerun(bot, guild, user, channel_id=None) -> dict:
    """`user` runs /add-campaign again with the same name (the worker not run yet)."""
    payload = bot.emulator.create_interaction(guild, user, "add-campaign", channel_id=channel_id,
                                              options=[{"type": 3, "name": "name", "value": NAME}])
    assert bot.interact(payload) == {"type": 5}, "deferred, in public, like any /add-campaign"
    return payload


def private_answer(emu, payload) -> str:
    """What only the asker saw: their public "thinking…" is gone, an ephemeral follow-up says why."""
    assert emu.original_message(payload["token"]) is None
    [followup] = emu.followup_messages(payload["token"])
    assert followup["flags"] & EPHEMERAL
    return followup["content"]


def undo_by(bot, emu, guild, payload, user):
    """`user` presses “Undo partial build” on the failed build's message."""
    _, reply = click(bot, payload["token"], user, "undo:")
    assert reply["type"] == 7, reply  # the GM's click edits the summary: accepted
    bot.run_worker()
    assert bot.campaign(guild) is None and campaign_state(emu, guild) == ([], [], [])


# -- who takes over, and when ----------------------------------------------------------------------

def test_a_gms_re_run_takes_the_campaign_over_at_once(bot, emu, guild, gm, player):
    first = failed_build(bot, emu, guild, gm)

    again = rerun(bot, guild, gm)
    resumed = bot.campaign(guild)  # before the worker has run: her GM role was enough
    assert (resumed.status, resumed.run_count, resumed.interaction_id) == (QUEUED, 2, again["id"])

    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.message_history(again["token"])[-1].startswith(READY)
    assert OUT_OF_DATE in click(bot, first["token"], gm, "undo:")[1]["data"]["content"]


def test_a_server_managers_re_run_takes_over_once_the_worker_has_checked_her(bot, emu, guild, gm,
                                                                            player, manager):
    first = failed_build(bot, emu, guild, gm)
    before = bot.campaign(guild)

    again = rerun(bot, guild, manager)
    assert bot.campaign(guild) == before, "nothing changes until the worker has checked her"

    bot.run_worker()
    resumed = bot.campaign(guild)
    assert (resumed.status, resumed.run_count, resumed.requested_by) == (COMPLETED, 2, manager)
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.message_history(again["token"])[-1].startswith(READY)
    assert "Undo" in str(emu.original_message(again["token"])["components"])
    assert OUT_OF_DATE in click(bot, first["token"], gm, "undo:")[1]["data"]["content"]
    assert bot.aws.drain() == [] and bot.aws.drain(bot.aws.dlq_url) == []


def test_a_non_managers_re_run_leaves_the_failed_campaign_exactly_as_it_was(bot, emu, guild, gm,
                                                                           dana):
    dana, lounge = dana
    first = failed_build(bot, emu, guild, gm)
    before = bot.campaign(guild)
    failure_message = emu.original_message(first["token"])

    again = rerun(bot, guild, dana, channel_id=lounge)
    bot.run_worker()

    assert "Only the GMs of “Curse of Strahd” or server managers can resume it." in \
        private_answer(emu, again)
    assert bot.campaign(guild) == before, "run, requester, channel, failure and status untouched"
    assert bot.store.token(before) == first["token"], "the run's token is still the GM's"
    assert emu.original_message(first["token"]) == failure_message
    undo_by(bot, emu, guild, first, gm)  # the GM's Undo still works


def test_a_refused_re_run_whose_token_expired_is_told_where_it_was_typed(bot, emu, guild, gm, dana):
    dana, lounge = dana
    failed_build(bot, emu, guild, gm)
    before = bot.campaign(guild)

    again = rerun(bot, guild, dana, channel_id=lounge)
    emu.expire_token(again["token"])
    bot.run_worker()

    [post] = emu.channel_messages(lounge)
    assert "Only the GMs of “Curse of Strahd” or server managers can resume it." in post["content"]
    assert post["allowed_mentions"] == {"parse": []}
    assert bot.campaign(guild) == before


def test_two_managers_re_running_at_once_build_it_once_and_the_second_is_told_why(
        bot, emu, guild, gm, player, manager):
    erin = emu.add_member(guild, name="erin", permissions=p.MANAGE_CHANNELS)
    failed_build(bot, emu, guild, gm)

    carols, erins = rerun(bot, guild, manager), rerun(bot, guild, erin)
    bot.run_worker()

    assert_complete_and_private(emu, guild, gm, player)
    assert bot.campaign(guild).requested_by == manager
    assert emu.message_history(carols["token"])[-1].startswith(READY)
    assert "was resumed by someone else" in private_answer(emu, erins)


def test_a_re_run_queued_behind_an_undo_builds_nothing(bot, emu, guild, gm, manager):
    first = failed_build(bot, emu, guild, gm)
    _, reply = click(bot, first["token"], gm, "undo:")
    assert reply["type"] == 7
    again = rerun(bot, guild, manager)  # the record is still there: the worker hasn't deleted it

    bot.run_worker()

    assert bot.campaign(guild) is None and campaign_state(emu, guild) == ([], [], [])
    assert "That campaign was deleted since you asked, so nothing was resumed." in \
        private_answer(emu, again)


# -- cut-offs during the takeover -------------------------------------------------------

class CutRestart(CampaignStore):
    """The worker's store, its next restart cut off: before its write reached DynamoDB ("not
    sent") or after (the answer lost, as when Lambda's timeout stops the invocation there)."""

    def __init__(self, store: CampaignStore, how: str):
        super().__init__(store._db, store._table)
        self.how, self.cuts = how, 1

    def restart(self, old: Campaign, **changes) -> Campaign | None:
        if not self.cuts:
            return super().restart(old, **changes)
        self.cuts -= 1
        if self.how == "answer lost":
            super().restart(old, **changes)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.invalid/PutItem")


@pytest.mark.parametrize("how", ["not sent", "answer lost"])
def test_a_worker_cut_off_while_taking_over_is_finished_by_the_tasks_next_delivery(
        bot, emu, guild, gm, player, manager, how):
    failed_build(bot, emu, guild, gm)
    bot.worker.store = CutRestart(bot.store, how)

    again = rerun(bot, guild, manager)
    bot.run_worker()

    assert bot.worker.store.cuts == 0, "the cut happened"
    resumed = bot.campaign(guild)
    assert (resumed.status, resumed.run_count, resumed.interaction_id) == (COMPLETED, 2, again["id"])
    assert_complete_and_private(emu, guild, gm, player)
    assert len([t for t in emu.message_history(again["token"]) if t.startswith(READY)]) == 1
    assert bot.aws.drain() == [] and bot.aws.drain(bot.aws.dlq_url) == []


def test_a_gm_re_running_a_re_run_cut_off_after_its_takeover_finishes_it(bot, emu, guild, gm,
                                                                         player, manager):
    """Carol's re-run took the campaign over, then every delivery of its task failed (Discord
    down), so the build was marked failed on the last one; Alice, its GM, runs it again."""
    failed_build(bot, emu, guild, gm)
    carols = rerun(bot, guild, manager)
    emu.faults.fail_next(1000, status=503, method="GET", path_regex=r"/guilds/\d+/members/\d+$")
    bot.run_worker()
    emu.faults.clear()
    stopped = bot.campaign(guild)
    assert (stopped.status, stopped.interaction_id) == (FAILED, carols["id"])
    assert stopped.failure["transient"]

    alices = rerun(bot, guild, gm)
    bot.run_worker()

    assert_complete_and_private(emu, guild, gm, player)
    assert bot.campaign(guild).interaction_id == alices["id"]
    assert emu.message_history(alices["token"])[-1].startswith(READY)


# -- what the worker (and `ops dlq show`) decides for a re-run's task --------------------------------

SEEN = 1_700_000_000_000
OLD_RUN, RERUN_ID, OTHER_RUN = "1111111111111111111", "2222222222222222222", "3333333333333333333"


def campaign(status=FAILED, run=OLD_RUN, *, tasks_sent=True, progress_at=SEEN, failure=None):
    return Campaign(guild_id="1", key="k", name="K", template="default", plan=[],
                    interaction_id=run, interaction_token="", requested_by="9",
                    requested_by_name="alice", status=status, tasks_sent=tasks_sent,
                    progress_at=progress_at, failure=failure)


@pytest.mark.parametrize("record, kind, says", [
    (None, REFUSE, "deleted since you asked"),
    (campaign(FAILED), RUN, "checks the asker"),
    (campaign(BUILDING, tasks_sent=False, progress_at=SEEN + 5), RUN, "checks the asker"),
    (campaign(BUILDING), RUN, "checks the asker"),
    (campaign(BUILDING, progress_at=SEEN + 5), REFUSE, "went on since"),
    (campaign(COMPLETED), REFUSE, "completed now"),
    (campaign(FAILED, OTHER_RUN), REFUSE, "another run took the campaign over"),
    (campaign(QUEUED, RERUN_ID), RUN, "carries on"),
    (campaign(FAILED, RERUN_ID, failure={"transient": True}), RESUME, "resumes the build"),
    (campaign(FAILED, RERUN_ID, failure={"transient": False}), IGNORE, "retrying cannot fix"),
    (campaign(COMPLETED, RERUN_ID), IGNORE, "has completed"),
])
def test_what_a_re_runs_task_does_given_the_record(record, kind, says):
    task = Task("1", "k", RERUN_ID, Rerun(seen=SEEN), campaign_run=OLD_RUN)
    decision = decide(task, record)
    assert decision.kind == kind and says in decision.reason + decision.tell, decision
