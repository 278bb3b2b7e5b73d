"""/campaign-doctor and its fix buttons (request-path halves).

The command answers within Discord's 3 seconds from the campaign store: a refusal when the
campaign isn't completed (a campaign being built, archived or deleted differs from its plan on
purpose), else a private deferred answer and a task; the worker checks the caller (its GMs,
server managers: authority.py), reads the server and answers (campaigns/doctor_fix.py).

A fix button names the campaign's run and what to fix (buttons.doctor_choice). Its click
answers at once by showing the fix under way in the clicked message, its buttons gone, and
queues the fix; the worker checks the clicker too, and fixes only what it still finds, so a
second click fixes nothing twice.
"""

from channelwright.campaigns.buttons import doctor_choice
from channelwright.campaigns.store import COMPLETED
from channelwright.commands.definitions import Invocation, request_fields, rule
from channelwright.commands.lifecycle import enqueue, find_campaign
from channelwright.tasks.payloads import Doctor, DoctorFix
from channelwright.tasks.queue import Task
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred, ephemeral, update_message


def campaign_doctor(invocation: Invocation, deps) -> dict:
    campaign = find_campaign(invocation, deps, "name")
    if campaign.status != COMPLETED:
        raise Refusal(Problem(f"“{md(campaign.name)}” can't be checked now.",
                              f"Its status is {campaign.status}: only a finished campaign is "
                              "expected to be as its plan says. Nothing was changed.",
                              "Run `/campaign-doctor` again once it is built (or unarchived)."))
    ask = Doctor(**request_fields(invocation, "check the campaign"))
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, ask,
                campaign_run=campaign.interaction_id)
    return enqueue(deps, task, deferred(private=True))


def on_button(invocation: Invocation, deps) -> dict:
    """A fix button: the fix queued, the message showing it under way."""
    choice = doctor_choice(invocation.custom_id)
    campaign = (deps.store.find_by_run(invocation.guild_id, choice[0])
                if choice and invocation.guild_id else None)
    if choice is None or campaign is None:
        return ephemeral("That button is out of date: the campaign is gone or was rebuilt since. "
                         "Run `/campaign-doctor` again.")
    fix = DoctorFix(**{**request_fields(invocation, "fix the campaign"), "needs": rule("campaign-doctor")},
                    kind=choice[1], by=invocation.user_name)
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, fix, campaign_run=choice[0])
    return enqueue(deps, task, update_message(f"🩺 Fixing **{md(campaign.name)}**…", components=[]))
