"""Typed task payloads: every kind round-trips through the SQS body, and bodies written before
payloads were typed (the same wire format: `run`, `step`, `kind`, `args`) decode into them."""

import json

import pytest

from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, MANAGERS, Caller
from channelwright.tasks.payloads import (CampaignInfo, ConfirmDelete, Delete, MemberChange, Rerun,
                                          TemplateImport, TemplateRemove, Unknown)
from channelwright.tasks.queue import BuildStep, Task

ASKED, RUN = "1200000000000000009", "1200000000000000001"
GM = Caller("42", frozenset({"7", "8"}))

EVERY_KIND = [
    Task("1", "k", RUN, BuildStep(3), campaign_run=RUN),
    Task("1", "k", ASKED, CampaignInfo(token="t", caller=GM, channel_id="5", needs="everyone",
                                       doing="do that"), campaign_run=RUN),
    Task("1", "k", ASKED, ConfirmDelete(token="t", caller=GM, doing="delete it"), campaign_run=RUN),
    Task("1", "k", ASKED, MemberChange(token="t", caller=GM, group="gms", action="remove",
                                       user_id="9", by="Alice"), campaign_run=RUN),
    Task("1", "k", ASKED, Delete(token="t", caller=GM, by="Alice", public=True), campaign_run=RUN),
    Task("1", "", ASKED, TemplateImport(token="t", caller=GM, url="https://cdn.discordapp.com/a/b/w.yaml",
                                        filename="w.yaml", user_id="42")),
    Task("1", "", ASKED, TemplateRemove(token="t", caller=GM, name="west-marches")),
    Task("1", "k", ASKED, Rerun(token="t", caller=GM, by="Alice", channel_id="5", seen=1700),
         campaign_run=RUN),
]


@pytest.mark.parametrize("task", EVERY_KIND, ids=lambda t: t.kind)
def test_every_kind_round_trips_through_its_body(task):
    decoded = Task.from_body(task.to_body())
    assert decoded == task
    assert type(decoded.payload) is type(task.payload)


def legacy(kind: str, args: dict, **top) -> Task:
    """A body exactly as the code before typed payloads wrote it."""
    return Task.from_body(json.dumps({"guild_id": "1", "campaign_key": "k", "run": ASKED, "step": 0,
                                      "kind": kind, "args": args, **top}))


def test_legacy_bodies_decode_into_typed_fields():
    caller = {"id": "42", "roles": ["7", "8"]}
    member = legacy("member", {"token": "t", "caller": caller, "needs": CAMPAIGN_RUNNERS,
                               "doing": "do that", "channel_id": "5", "group": "gms",
                               "action": "add", "user_id": "9", "by": "Alice"}, campaign_run=RUN)
    assert member.payload == MemberChange(token="t", caller=GM, needs=CAMPAIGN_RUNNERS,
                                          channel_id="5", group="gms", action="add", user_id="9",
                                          by="Alice")
    delete = legacy("delete", {"token": "t", "caller": caller, "run": RUN, "public": True, "by": "A"})
    assert (delete.campaign_run, delete.payload.public, delete.payload.needs) == (RUN, True, CAMPAIGN_RUNNERS)
    rerun = legacy("rerun", {"token": "t", "caller": caller, "by": "A", "channel_id": "5",
                             "seen": 1700}, campaign_run=RUN)
    assert rerun.payload == Rerun(token="t", caller=GM, by="A", channel_id="5", seen=1700)
    bare = legacy("info", {"token": "t"})
    assert bare.payload == CampaignInfo(token="t")
    assert (bare.payload.caller, bare.payload.needs) == (Caller(""), MANAGERS), \
        "a body naming no rule gets the strictest"


def test_the_wire_format_is_the_one_earlier_releases_read():
    body = json.loads(Task("1", "k", ASKED, Delete(token="t", caller=GM, by="A"),
                           campaign_run=RUN).to_body())
    assert body == {"guild_id": "1", "campaign_key": "k", "run": ASKED, "step": 0, "kind": "delete",
                    "campaign_run": RUN,
                    "args": {"token": "t", "channel_id": "", "caller": {"id": "42", "roles": ["7", "8"]},
                             "needs": CAMPAIGN_RUNNERS, "doing": "do that", "by": "A",
                             "public": False, "run": RUN}}
    build = json.loads(Task("1", "k", RUN, BuildStep(2), campaign_run=RUN).to_body())
    assert build == {"guild_id": "1", "campaign_key": "k", "run": RUN, "step": 2, "campaign_run": RUN}


def test_an_unknown_kind_is_kept_as_it_came():
    task = legacy("roll-dice", {"sides": 20})
    assert task.payload == Unknown("roll-dice", {"sides": 20})
    assert json.loads(task.to_body())["args"] == {"sides": 20}


@pytest.mark.parametrize("body", ['{"guild_id": "1"}', '[]', '{"guild_id": "1", "run": "2", "step": "x"}',
                                  '{"guild_id": "1", "run": "2", "kind": "member", "args": [1]}'])
def test_bodies_of_another_shape_are_refused(body):
    with pytest.raises(ValueError, match="not a task body"):
        Task.from_body(body)


def test_a_handler_reads_the_payload_as_the_kind_it_was_chosen_for():
    delete = Task("1", "barovia", "2", Delete(token="t", by="Strahd"), "2")
    assert delete.payload_as(Delete).by == "Strahd"
    with pytest.raises(TypeError, match="a delete task's payload is not a MemberChange"):
        delete.payload_as(MemberChange)  # a dispatch bug fails loudly, never half-works
    assert Task("1", "barovia", "2", BuildStep(3)).payload_as(BuildStep).step == 3
