"""Every task belongs to one campaign run, and decide() says what it does now — for the worker
and for `ops dlq show` alike.

End to end: a dead-lettered /assign-gm redriven after its campaign was deleted and made again
under the same name (and, for contrast, redriven while its campaign is still the same). Then
decide() on its own, over the cases both readers rely on, including task bodies written before
tasks named their run.
"""

import json
from dataclasses import replace

import pytest

from channelwright.discord import permissions as p
from channelwright.ops.peek import peek
from channelwright.campaigns.plan import build_plan, load_template
from channelwright.discord.snowflake import DISCORD_EPOCH_MS
from channelwright.campaigns.store import Campaign
from channelwright.tasks.decision import IGNORE, REFUSE, RESUME, RUN, decide
from channelwright.tasks.payloads import CampaignInfo, Delete, MemberChange, TemplateImport, Unknown
from channelwright.tasks.queue import BuildStep, Task
from tests.support.bot import Bot
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS, NAME, campaign_state
from tests.commands.test_lifecycle import ask_to_delete, click, command
from tests.ops.test_ops_dlq import dlq


@pytest.fixture
def world(aws, emu):
    bot = Bot(aws, emu)
    bot.rest._max_retries = 0  # each Discord failure costs a task attempt at once
    guild = emu.add_guild(name="Barovia", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    carol = emu.add_member(guild, name="carol", permissions=0)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    return bot, emu, guild, gm, carol


def assign_gm(bot, guild, gm, user) -> dict:
    payload, reply = command(bot, guild, gm, "assign-gm",
                             [{"type": 3, "name": "campaign", "value": NAME},
                              {"type": 6, "name": "user", "value": user}], users=[user])
    assert reply == {"type": 5, "data": {"flags": 64}}
    return payload


def gm_role(emu, guild) -> str:
    return next(r["id"] for r in campaign_state(emu, guild)[0] if r["name"] == f"{NAME} GM")


def dead_letter_an_assign_gm(bot, emu, guild, gm, carol) -> tuple[dict, str]:
    """/assign-gm while Discord answers 503 to every role change: it ends in the DLQ."""
    emu.faults.fail_next(1000, status=503, method="PUT", path_regex=carol)
    payload = assign_gm(bot, guild, gm, carol)
    bot.run_worker()
    emu.faults.clear()
    assert "Discord kept failing" in emu.message_history(payload["token"])[-1]
    [letter] = peek(bot.aws.sqs, bot.aws.dlq_url, wait_seconds=0).letters
    return payload, letter.message_id


def redrive(bot, aws):
    run = dlq(aws, "redrive", "--yes")
    assert run.code == 0, run.stderr
    bot.run_worker()


def test_a_dead_lettered_assign_gm_redriven_after_delete_and_recreate_does_nothing(world, aws):
    bot, emu, guild, gm, carol = world
    asked, letter = dead_letter_an_assign_gm(bot, emu, guild, gm, carol)

    # The campaign is deleted, then made again under the same name.
    confirm, _ = ask_to_delete(bot, guild, gm)
    click(bot, confirm["token"], gm, "delete:")
    bot.run_worker()
    assert bot.campaign(guild) is None
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"

    shown = dlq(aws, "show", letter)
    assert shown.code == 0, shown.stderr
    assert "Step:        member: give GM role, user " + carol in shown.stdout
    assert ("On redrive: nothing: the campaign was deleted and made again, or rebuilt, since "
            "this was asked; the asker is told that nothing was changed.") in shown.stdout

    redrive(bot, aws)

    assert gm_role(emu, guild) not in emu.member_role_ids(guild, carol)
    assert carol not in bot.campaign(guild).gms
    assert emu.message_history(asked["token"])[-1] == (
        f"“{NAME}” was deleted or rebuilt since you asked, so nothing was changed. "
        "Run the command again if you still want it.")
    assert emu.count(method="PUT", path_regex=carol, status=204) == 0


def test_a_dead_lettered_assign_gm_redriven_for_the_same_campaign_does_it(world, aws):
    bot, emu, guild, gm, carol = world
    asked, letter = dead_letter_an_assign_gm(bot, emu, guild, gm, carol)

    shown = dlq(aws, "show", letter)
    assert "On redrive: the worker gives the campaign's GM role to user " + carol in shown.stdout

    redrive(bot, aws)
    assert gm_role(emu, guild) in emu.member_role_ids(guild, carol)
    assert emu.message_history(asked["token"])[-1] == f"✅ <@{carol}> is now a GM in **{NAME}**."


def test_a_dead_lettered_assign_gm_redriven_after_delete_says_so(world, aws):
    bot, emu, guild, gm, carol = world
    asked, letter = dead_letter_an_assign_gm(bot, emu, guild, gm, carol)
    confirm, _ = ask_to_delete(bot, guild, gm)
    click(bot, confirm["token"], gm, "delete:")
    bot.run_worker()

    assert "On redrive: nothing: the campaign no longer exists (deleted); the asker is told" \
        in dlq(aws, "show", letter).stdout
    redrive(bot, aws)
    assert emu.message_history(asked["token"])[-1] == (
        "That campaign was deleted since you asked, so nothing was changed.")


# -- decide() on its own -------------------------------------------------------------------------

RUN_1, RUN_2 = "1300000000000000001", "1300000000000000002"
ASKED = "1300000000000000050"  # an interaction id: when the user asked
ASKED_MS = (int(ASKED) >> 22) + DISCORD_EPOCH_MS


def campaign(**changes) -> Campaign:
    plan = [s.to_dict() for s in build_plan(NAME, load_template())]
    made = Campaign(guild_id="1", key="curse of strahd", name=NAME, template="default", plan=plan,
                    interaction_id=RUN_1, interaction_token="t", requested_by="2",
                    requested_by_name="alice", bot_permissions="0", created_at=ASKED_MS - 60_000)
    return replace(made, **changes)


def build(step=4, run=RUN_1) -> Task:
    return Task("1", "curse of strahd", run, BuildStep(step), campaign_run=run)


def member(run=RUN_1) -> Task:
    return Task("1", "curse of strahd", ASKED,
                MemberChange(token="t", group="gms", action="add", user_id="9"), campaign_run=run)


TRANSIENT = {"what": "x", "step": 4, "transient": True}

CASES = [
    # build tasks: silent when their run is gone; the failed step's task resumes the build
    ("build, deleted", build(), None, IGNORE, "no longer exists"),
    ("build, re-run since", build(), campaign(interaction_id=RUN_2), IGNORE, "started again since"),
    ("build, running", build(), campaign(status="building"), RUN, "runs step 4 again"),
    ("build, completed", build(), campaign(status="completed"), IGNORE, "completed since"),
    ("build, being deleted", build(), campaign(status="deleting"), IGNORE, "being deleted"),
    ("build, its step failed", build(), campaign(status="failed", failure=TRANSIENT), RESUME,
     "resumes the build at step 4"),
    ("build, another step failed", build(step=5), campaign(status="failed", failure=TRANSIENT),
     IGNORE, "stopped at step 4"),
    ("build, refused", build(), campaign(status="failed", failure={"what": "x", "step": 4}), IGNORE,
     "retrying cannot fix"),
    # member changes: the asker is told when the campaign is not the one they asked about
    ("member, same campaign", member(), campaign(status="completed"), RUN, "gives the campaign's GM"),
    ("member, deleted", member(), None, REFUSE, "no longer exists"),
    ("member, made again", member(), campaign(status="completed", interaction_id=RUN_2), REFUSE,
     "deleted and made again"),
    ("member, being deleted", member(), campaign(status="deleting"), REFUSE, "is deleting"),
    # deletes: a duplicate after the delete finished is silent; a rebuilt campaign is not deleted
    ("delete, done already", Task("1", "k", ASKED, Delete(), campaign_run=RUN_1), None,
     IGNORE, "already deleted"),
    ("delete, rebuilt", Task("1", "k", ASKED, Delete(), campaign_run=RUN_1),
     campaign(interaction_id=RUN_2, status="failed"), REFUSE, "rebuilt"),
    ("delete, resumed", Task("1", "k", ASKED, Delete(), campaign_run=RUN_1),
     campaign(status="deleting"), RUN, "carrying on"),
    ("info, made again", Task("1", "k", ASKED, CampaignInfo(), campaign_run=RUN_1),
     campaign(interaction_id=RUN_2), REFUSE, "made again"),
    ("template import", Task("1", "", ASKED, TemplateImport()), None, RUN, "imports"),
    ("unknown kind", Task("1", "k", ASKED, Unknown("roll-dice", {})), None, IGNORE, "does not know"),
]


@pytest.mark.parametrize("task, record, kind, says", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decide(task, record, kind, says):
    decision = decide(task, record)
    assert (decision.kind, decision.acts) == (kind, kind in (RUN, RESUME))
    assert says in decision.reason
    assert bool(decision.tell) == (kind == REFUSE)


def legacy_body(kind: str, **args) -> str:
    """A task body as the worker wrote them before tasks named their campaign run."""
    return json.dumps({"guild_id": "1", "campaign_key": "curse of strahd", "run": ASKED, "step": 0,
                       "kind": kind, "args": {"token": "t", **args}})


def test_older_task_bodies_still_decode_and_are_judged_sensibly():
    build_task = Task.from_body(json.dumps({"guild_id": "1", "campaign_key": "k", "run": RUN_1,
                                            "step": 3}))
    assert build_task.campaign_run == RUN_1, "a build task's run was always its campaign run"
    delete = Task.from_body(legacy_body("delete", run=RUN_1))
    assert delete.campaign_run == RUN_1, "a delete named its run in args"

    assign = Task.from_body(legacy_body("member", group="gms", action="add", user_id="9"))
    assert assign.campaign_run == ""
    # No run named: the campaign it was about existed when it was asked; a newer one did not.
    assert decide(assign, campaign(status="completed")).kind == RUN
    recreated = campaign(status="completed", interaction_id=RUN_2, created_at=ASKED_MS + 60_000)
    assert decide(assign, recreated).kind == REFUSE


def test_bodies_name_their_campaign_run_and_round_trip():
    task = Task("1", "k", ASKED, MemberChange(token="t"), campaign_run=RUN_1)
    assert json.loads(task.to_body())["campaign_run"] == RUN_1
    assert Task.from_body(task.to_body()) == task
    assert "campaign_run" not in json.loads(Task("1", "", ASKED, TemplateImport()).to_body())
