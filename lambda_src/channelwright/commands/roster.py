"""/join-campaign, /leave-campaign, /campaign-settings, /transfer-campaign and the Approve/Decline
buttons of a request to join (request-path halves; the worker's are campaigns/roster.py).

What the record alone can refuse is refused here; everything else (who holds which role, who
left the server, who manages it) is the worker's, which reads the server.
"""

from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, holds
from channelwright.campaigns.buttons import request_choice
from channelwright.campaigns.store import ARCHIVED, CLOSED, COMPLETED, Campaign
from channelwright.commands.definitions import MAX_SEATS, Invocation, request_fields
from channelwright.commands.lifecycle import enqueue, find_campaign
from channelwright.tasks.payloads import Roster
from channelwright.tasks.queue import Task
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred, deferred_update, ephemeral


def join_campaign(invocation: Invocation, deps) -> dict:
    campaign = _built(find_campaign(invocation, deps, "name"), archived_too=False)
    if campaign.joining == CLOSED:
        raise Refusal(Problem(f"“{md(campaign.name)}” isn't open to requests: its GMs choose its "
                              "players.", "Its GMs haven't opened it with `/campaign-settings`.",
                              "Ask one of its GMs to add you with `/add-player`."))
    return _queue(invocation, deps, campaign, "join", "join it")


def leave_campaign(invocation: Invocation, deps) -> dict:
    campaign = _built(find_campaign(invocation, deps, "name"), archived_too=True)
    return _queue(invocation, deps, campaign, "leave", "leave it")


def campaign_settings(invocation: Invocation, deps) -> dict:
    campaign = _built(find_campaign(invocation, deps, "name"), archived_too=True)
    seats = invocation.options.get("seats")
    if seats is not None and not _whole_number_of_seats(seats):
        raise Refusal(Problem(f"Seats must be a whole number from 0 to {MAX_SEATS}.",
                              "0 means no cap; Discord's command form allows nothing else.",
                              f"Run `/campaign-settings` again and pick a number of seats from 0 "
                              f"to {MAX_SEATS}."))
    return _queue(invocation, deps, campaign, "settings", "change its settings",
                  joining=str(invocation.options.get("joining") or ""),
                  seats=-1 if seats is None else seats)


def _whole_number_of_seats(value) -> bool:
    """An INTEGER option's value within the bounds it was registered with (definitions.py); a
    boolean is not a number here, though Python counts it as one."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEATS


def transfer_campaign(invocation: Invocation, deps) -> dict:
    campaign = _built(find_campaign(invocation, deps, "name"), archived_too=True)
    user = invocation.resolved_user("member")
    if user is None or user.get("bot"):
        raise Refusal(Problem("That isn't someone who can lead a campaign.",
                              "Pick a person (not a bot) in this server.",
                              "Run the command again and choose a member."))
    return _queue(invocation, deps, campaign, "transfer", "hand its lead over",
                  user_id=str(user["id"]))


def on_button(invocation: Invocation, deps) -> dict:
    """Approve/Decline on a request to join in the GMs' channel. A GM's click (their roles say
    so) edits the request in place; anyone else's gets a private answer once the worker has
    checked them, and the request stays as it is."""
    action, run, user = request_choice(invocation.custom_id) or ("", "", "")
    campaign = deps.store.find_by_run(invocation.in_guild, run) if run else None
    if campaign is None:
        return ephemeral("That request is out of date: the campaign is gone or was rebuilt since.")
    gm = holds(campaign, invocation.member_roles)
    task = _task(invocation, campaign, action, f"{action} requests to join it",
                 needs=CAMPAIGN_RUNNERS, user_id=user, public=gm)
    return enqueue(deps, task, deferred_update() if gm else deferred(private=True))


def _built(campaign: Campaign, *, archived_too: bool) -> Campaign:
    """The campaign if its roles exist to be given or taken; else Refusal."""
    statuses = (COMPLETED, ARCHIVED) if archived_too else (COMPLETED,)
    if campaign.status not in statuses:
        then = (f"Ask one of its GMs to run `/unarchive-campaign` for “{md(campaign.name)}”, then try again."
                if campaign.status == ARCHIVED else "Try again once it is built, or ask one of its GMs.")
        raise Refusal(Problem(f"“{md(campaign.name)}” is {campaign.status}.",
                              "Its roster changes only while it is built and not archived."
                              if not archived_too else "Its roles must exist first.", then))
    return campaign


def _queue(invocation: Invocation, deps, campaign: Campaign, action: str, doing: str,
           **fields) -> dict:
    return enqueue(deps, _task(invocation, campaign, action, doing, **fields), deferred(private=True))


def _task(invocation: Invocation, campaign: Campaign, action: str, doing: str, **fields) -> Task:
    base = request_fields(invocation, doing)
    base.update(fields)
    return Task(campaign.guild_id, campaign.key, invocation.interaction_id,
                Roster(**base, action=action, by=invocation.user_name),
                campaign_run=campaign.interaction_id)
