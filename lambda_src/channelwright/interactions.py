"""The interactions endpoint: verify, validate, record, enqueue, and answer within Discord's 3 s.

No Discord REST call happens here: the answer must hold on a cold start even when Discord is slow.
Everything long-running happens in the worker, driven by the queued tasks.
"""

import functools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from channelwright.aws import request_budget
from channelwright.aws.http import HttpRequest, HttpResponse
from channelwright.aws.observability import MetricUnit, count, logger, metrics, request_path_failure
from channelwright.campaigns import liveness
from channelwright.campaigns.authority import holds
from channelwright.campaigns.plan import build_plan
from channelwright.campaigns.store import (
    BUILDING,
    FAILED,
    QUEUED,
    Campaign,
    CampaignChanged,
    CampaignExists,
    CampaignStore,
)
from channelwright.commands.definitions import Invocation, campaign_key, campaign_name, outside_guild
from channelwright.commands.payload_fields import MalformedInteraction
from channelwright.discord.signature import SignatureVerifier
from channelwright.discord.types import InteractionType
from channelwright.tasks.queue import BuildStep, Task, TaskQueue
from channelwright.templates.library import TemplateLibrary
from channelwright.text import pages
from channelwright.text.names import clip, code, md
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import PONG, choices, deferred, ephemeral

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT = (InteractionType.PING, InteractionType.APPLICATION_COMMAND,
                                                InteractionType.MESSAGE_COMPONENT)
AUTOCOMPLETE = InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Deps:
    verifier: SignatureVerifier
    store: CampaignStore
    tasks: TaskQueue
    templates: TemplateLibrary
    # Decides when a cut-off build may be taken over, and when a long Discord limit is over.
    now_ms: Callable[[], int] = wall_clock_ms


@functools.cache
def default_deps() -> Deps:
    """Built on first use and kept for the container's life (one client per AWS service), with
    the request path's timeouts and retry budget (request_budget.py)."""
    dynamodb, table = request_budget.client("dynamodb"), os.environ["CAMPAIGN_TABLE_NAME"]
    return Deps(
        verifier=SignatureVerifier(os.environ["DISCORD_PUBLIC_KEY"]),
        store=CampaignStore(dynamodb, table),
        tasks=TaskQueue(request_budget.client("sqs"), os.environ["TASK_QUEUE_URL"]),
        templates=TemplateLibrary(dynamodb, table),
    )


@metrics.log_metrics  # flushed once the handler returns or raises
@logger.inject_lambda_context(clear_state=True)  # no keys from the last invocation; the request id
def handler(event: dict, context: Any) -> dict:
    """API Gateway's proxy event in, its proxy response out; `context` is Lambda's context object.

    Every log line of the invocation carries the Lambda context (function_request_id, cold_start)
    and, once read, the interaction's ids; the metrics, AckLatency (ms) among them, are flushed
    as one EMF blob however the handler ends."""
    started = time.perf_counter()
    try:
        with request_budget.budget():
            response = respond(HttpRequest.from_api_gateway(event), default_deps())
        logger.info("answered", status=response.status)
        return response.to_api_gateway()
    except Exception as error:  # API Gateway answers Discord 500: "The application did not respond"
        request_path_failure("unhandled error on the request path", error)
        raise
    finally:
        metrics.add_metric(name="AckLatency", unit=MetricUnit.Milliseconds,
                           value=round((time.perf_counter() - started) * 1000, 2))


def respond(request: HttpRequest, deps: Deps) -> HttpResponse:
    if not deps.verifier.verify(request.headers, request.body):
        return HttpResponse.text(401, "invalid request signature")
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        payload = None
    if not isinstance(payload, dict):  # signed by Discord, yet unreadable: ours to look into
        request_path_failure("signed request body is not a JSON object")
        return HttpResponse.json(400, {"error": "the request body is not a JSON object"})

    kind = payload.get("type")
    logger.append_keys(interaction_id=_loggable(payload.get("id")),
                       guild_id=_loggable(payload.get("guild_id")), interaction_type=_loggable(kind))
    if kind == PING:
        return HttpResponse.json(200, {"type": PONG})
    handler = HANDLERS.get(kind) if isinstance(kind, int) and not isinstance(kind, bool) else None
    if handler is None:  # nothing registered should send it: as stale as an unknown command
        request_path_failure("interaction type this code does not handle")
        return HttpResponse.json(200, ephemeral("I don't handle that kind of interaction yet."))
    return HttpResponse.json(200, _answer(handler, payload, deps, autocompleting=kind == AUTOCOMPLETE))


def _answer(handler, payload: dict, deps: Deps, *, autocompleting: bool) -> dict:
    """The handler's answer (dispatch), or one in plain words when the payload is malformed or
    the bot isn't installed in the server."""
    try:
        invocation = Invocation.from_payload(payload)
    except MalformedInteraction as bad:
        # Answered politely, but a payload this code can't read is ours to fix: it pages.
        count("MalformedInteractions")
        request_path_failure("malformed interaction", field=bad.field, why=bad.why)
        return choices([]) if autocompleting else ephemeral(Problem(
            "I couldn't read that request.",
            f"Discord sent it with a field I don't understand ({bad.field} {bad.why}).",
            "Try the command again; if it keeps happening, tell the bot operator.").text())
    if invocation.guild_id and not invocation.installed_here:
        logger.info("refused: not installed in this server")
        return choices([]) if autocompleting else not_installed()
    return dispatch(handler, invocation, deps, autocompleting=autocompleting)


def dispatch(handler, invocation: Invocation, deps: Deps, *, autocompleting: bool = False) -> dict:
    """`handler`'s answer to the invocation; a Refusal it raises becomes the ephemeral answer
    (no suggestions, for autocomplete), and an AWS failure an answer in plain words."""
    try:
        return handler(invocation, deps)
    except Refusal as refused:
        logger.info("refused", what=refused.problem.what)
        return choices([]) if autocompleting else ephemeral(refused.text())
    except (BotoCoreError, ClientError) as error:
        # An answer the user can act on beats a 500, which Discord shows as "did not respond".
        # (Anything else is a bug: it stays a 500, which handler() counts too.)
        request_path_failure("AWS call failed on the request path", error)
    if autocompleting:
        return choices([])  # no suggestions: the user can still type the value
    return ephemeral(Problem("I couldn't handle that just now.",
                             "My campaign store or task queue didn't answer; nothing was changed.",
                             "Try again in a minute.").text())


def not_installed() -> dict:
    """For an interaction from a user's own installation of the app, in a server that hasn't
    installed it: `authorizing_integration_owners` then lacks the GUILD_INSTALL key "0" (or maps it
    to another id). Nothing is recorded: the bot can't act in a server it isn't in."""
    return ephemeral(Problem(
        "I'm not installed in this server, so I can't build or change anything here.",
        "You ran my command through your own installation of the app. Campaigns are made of a "
        "server's roles and channels, which only my bot user, added to the server, can create.",
        "Ask a server admin to add me to this server, then run the command again.").text())


def _loggable(value: Any) -> str | int | None:
    """A payload value fit for a log line: ids are short; anything else is cut."""
    return value if value is None or isinstance(value, int) else str(value)[:40]


def autocomplete(invocation: Invocation, deps: Deps) -> dict:
    if not invocation.guild_id:
        return choices([])
    # /campaign-template export names a campaign; its other options name templates.
    names_template = invocation.command == "campaign-template" and invocation.subcommand != "export"
    if invocation.focused == "template" or names_template:
        from channelwright.commands import campaign_template
        return campaign_template.template_autocomplete(invocation, deps)
    from channelwright.commands import lifecycle
    return lifecycle.campaign_choices(invocation, deps)


def run_command(invocation: Invocation, deps: Deps) -> dict:
    if not invocation.guild_id:
        return ephemeral(outside_guild(invocation.command).text())
    command = COMMANDS.get(invocation.command)
    if command is None:
        request_path_failure("unknown command: registered commands are stale",
                             command=_loggable(invocation.command))
        return ephemeral(Problem(
            f"I don't know the command {code('/' + invocation.command)}.",
            "The commands registered for this bot are out of date.",
            "Ask the bot operator to register the current commands.").text())
    return command(invocation, deps)


def on_component(invocation: Invocation, deps: Deps) -> dict:
    """Buttons: page turns of a long answer, else the campaign buttons (delete, undo...)."""
    if invocation.custom_id.startswith(pages.PREFIX):
        return pages.turn_page(invocation, deps, PAGE_TEXTS)
    if invocation.custom_id.startswith("roster-"):  # a request to join's Approve/Decline
        from channelwright.commands import roster
        return roster.on_button(invocation, deps)
    if invocation.custom_id.startswith("doctor:"):  # a doctor's fix (campaigns/buttons.py)
        from channelwright.commands import doctor
        return doctor.on_button(invocation, deps)
    if invocation.custom_id.startswith("adopt"):  # an adoption's Confirm/Cancel (campaigns/buttons.py)
        from channelwright.commands import adopt
        return adopt.on_button(invocation, deps)
    from channelwright.commands import lifecycle
    return lifecycle.on_button(invocation, deps)


def add_campaign(invocation: Invocation, deps: Deps) -> dict:
    """Record and queue the build. Whether the requester may (Manage Channels from their roles) and
    whether I can build it privately (my server-level permissions) are decided by the worker before
    it creates anything: both need the server's roles, and this path makes no Discord call."""
    name = campaign_name(invocation.options.get("name"))
    template_id = str(invocation.options.get("template") or "default").strip()
    template = deps.templates.get(invocation.guild_id, template_id)
    if template is None:
        raise Refusal(Problem(
            f"There is no template called “{md(clip(template_id, 100))}”.",
            "A campaign is built from a built-in template or one imported into this server.",
            "Pick one from the suggestions, or see them all with `/campaign-template list`."))
    campaign = Campaign(
        guild_id=invocation.in_guild, key=campaign_key(name), name=name, template=template.id,
        plan=[step.to_dict() for step in build_plan(name, template)],
        interaction_id=invocation.interaction_id, interaction_token=invocation.token,
        requested_by=invocation.user_id, requested_by_name=invocation.user_name,
        requested_by_roles=sorted(invocation.member_roles), gms=frozenset({invocation.user_id}),
        lead_gm=invocation.user_id,  # kept when a re-run by someone else takes the campaign over
        channel_id=str(invocation.channel_id or ""), tasks_sent=False,
    )
    # The record first, then the tasks, then `tasks_sent`: a cut-off anywhere leaves a record that
    # says whether its tasks all went out, and a re-run of the command finishes the job
    # (_resume, liveness.py). Tasks sent before their record would find nothing to build.
    try:
        try:
            campaign = deps.store.create(campaign)
        except CampaignExists as exists:
            if exists.existing.interaction_id == invocation.interaction_id:
                campaign = exists.existing  # a retried request re-sends its own tasks
            elif holds(_resumable(exists.existing, deps), invocation.member_roles):
                campaign = _resume(exists.existing, invocation, deps)
            else:
                return _queue_rerun(exists.existing, invocation, deps)
        return _enqueue(campaign, deps)
    except (BotoCoreError, ClientError, CampaignChanged) as error:
        # The record may have been written (or taken over by a newer run meanwhile). Whatever
        # happened, running the command again carries on from there: the old run's tasks are
        # ignored, its record taken over.
        if isinstance(error, CampaignChanged):  # a newer run took it over: a race, not a failure
            logger.info("campaign taken over while starting", error=str(error))
        else:
            request_path_failure("AWS call failed while starting a campaign", error)
        return ephemeral(Problem(
            f"I couldn't start building “{md(name)}” just now.",
            "My campaign store or task queue didn't answer in time.",
            "Run `/add-campaign` again with the same name in a minute: it carries on from "
            "wherever this stopped, and nothing is built twice.").text())


def _resumable(existing: Campaign, deps: Deps) -> Campaign:
    """`existing` if a re-run of /add-campaign may resume it (failed, or stalled); else Refusal,
    saying what to do instead.

    Resuming is managing the campaign, so it is for its GMs and server managers (authority.py). A
    caller who holds its GM role (`member.roles`: server-wide and current, developers/resources/
    guild.mdx, Guild Member Object) takes it over here and now (_resume). Anyone else may be a
    server manager, which only the server's roles tell, and this path makes no Discord call: their
    re-run goes to the worker as one task (_queue_rerun), and the record keeps its run
    (interaction, token, requester, channel, failure, status: its Undo button works) until the
    worker has cleared them (rerun.py).
    """
    if existing.origin == "adopted":  # made of existing channels: no template to build it from
        raise Refusal(Problem(f"“{md(existing.name)}” is a campaign adopted from existing channels.",
                              f"Its status is {existing.status}; an adoption is finished by "
                              "adopting its category again, not by building it.",
                              "Run `/adopt-campaign` on its category."))
    failure = existing.failure or {}
    limited_until_s = failure.get("retry_at", 0) if existing.status == FAILED else 0
    if limited_until_s * 1000 > deps.now_ms():
        # Still inside a long Discord limit: the stored answer says until when; queue nothing.
        raise Refusal(Problem.from_dict(failure))
    if existing.status != FAILED and not liveness.stalled(existing, deps.now_ms()):
        raise Refusal(_exists_problem(existing))
    return existing


def _resume(existing: Campaign, invocation: Invocation, deps: Deps) -> Campaign:
    """The campaign taken over by the GM's re-run; Refusal if it moved on since it was read."""
    resumed = deps.store.restart(existing, interaction_id=invocation.interaction_id,
                                 interaction_token=invocation.token,
                                 requested_by=invocation.user_id,
                                 requested_by_name=invocation.user_name,
                                 requested_by_roles=sorted(invocation.member_roles),
                                 bot_permissions="",
                                 channel_id=str(invocation.channel_id or ""))
    if resumed is None:  # it moved on since it was read
        raise Refusal(_exists_problem(existing))
    logger.info("campaign resumed by a GM's re-run", campaign=existing.key,
                was=existing.status, previous_run=existing.interaction_id)
    return resumed


def _queue_rerun(existing: Campaign, invocation: Invocation, deps: Deps) -> dict:
    """Hand the re-run to the worker, which checks the caller and only then takes over (rerun.py).

    `seen` is the record's last write as found here: a build found stalled by its silence is
    taken over only if it has stayed silent since (decision._still_stalled). The answer is
    deferred in public like any /add-campaign: the build's progress edits it; a refusal replaces
    it with a private message.
    """
    # Deferred, like the other commands' modules: the cold start loads only BuildStep.
    from channelwright.tasks.payloads import Rerun
    rerun = Rerun(token=invocation.token, caller=invocation.caller, by=invocation.user_name,
                  channel_id=str(invocation.channel_id or ""), seen=existing.progress_at)
    task = Task(existing.guild_id, existing.key, invocation.interaction_id, rerun,
                campaign_run=existing.interaction_id)
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        logger.error("could not enqueue a re-run", error=str(error))
        if not getattr(error, "maybe_sent", True):
            return ephemeral(Problem(
                f"I couldn't resume “{md(existing.name)}” just now.",
                "My task queue is unavailable right now; nothing was changed.",
                "Run `/add-campaign` again with the same name in a minute.").text())
        return ephemeral(Problem(
            f"I can't tell whether resuming “{md(existing.name)}” has started.",
            "My task queue didn't answer in time; nothing is built twice either way.",
            "Run `/add-campaign` again with the same name in a minute: it says so if the build "
            "is under way, and resumes it if not.").text())
    # Counted as a start here, on the request path, like every other run of /add-campaign that
    # was handed to the worker (the worker may still refuse it, as it may refuse a first run).
    count("CampaignsStarted")
    logger.info("re-run queued for the worker to decide", campaign=existing.key,
                was=existing.status, previous_run=existing.interaction_id)
    return deferred()


def _exists_problem(existing: Campaign) -> Problem:
    name = md(existing.name)
    if existing.status in (QUEUED, BUILDING) and not existing.tasks_sent:
        # The request that started it may still be running, or was cut off moments ago.
        return Problem(f"A campaign named “{name}” already exists and is still being started.",
                       "The command that started it hasn't finished, or was cut off just now.",
                       "Run `/add-campaign` again with the same name in a few seconds: if its "
                       "start was cut off, that picks it up.")
    if existing.status in (QUEUED, BUILDING):
        minutes = liveness.SILENT_FOR_MS // 60_000
        return Problem(f"A campaign named “{name}” already exists and is being built.",
                       f"Its status is {existing.status}; names are unique per server, ignoring case.",
                       "Its summary appears on the message of the command that started it, or in "
                       f"its first text channel. If it makes no progress for {minutes} minutes, "
                       "running `/add-campaign` again with the same name picks it up.")
    return Problem(f"A campaign named “{name}” already exists in this server.",
                   f"Its status is {existing.status}; names are unique per server, ignoring case.",
                   "Pick a different name for the new campaign.")


def _enqueue(campaign: Campaign, deps: Deps) -> dict:
    tasks = [Task(campaign.guild_id, campaign.key, campaign.interaction_id, BuildStep(step),
                  campaign_run=campaign.interaction_id)
             for step in range(len(campaign.plan))]
    try:
        deps.tasks.enqueue(tasks)
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue campaign tasks", error)
        problem = Problem("I couldn't start building the campaign.",
                          "My task queue is unavailable right now; nothing new was created.",
                          "Try `/add-campaign` again in a minute.")
        if campaign.run_count == 1 and not getattr(error, "maybe_sent", True):
            deps.store.forget_request(campaign)  # no task went out: free the name
        else:
            # Some tasks may be in the worker's hands already, and a deleted record would leave
            # what they create unowned. Failed is resumable by running the command again.
            deps.store.set_status(campaign, FAILED, failure=problem.to_dict())
        return ephemeral(problem.text())
    try:
        deps.store.mark_tasks_sent(campaign)
    except CampaignChanged:  # a newer run took it over meanwhile: its own tasks_sent counts
        logger.info("campaign taken over before its tasks were noted as sent")
    except Exception as error:  # the build goes ahead; a re-run could only take it over
        request_path_failure("could not note that the tasks were sent", error)
    count("CampaignsStarted")
    logger.info("campaign queued", campaign=campaign.key, run=campaign.run_count, steps=len(tasks))
    return deferred()


# The other commands' modules load on first use: the cold start pays only for /add-campaign
# (Lambda compiles the asset's modules at every cold start, so each import costs real time).

def _list_campaigns(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import lifecycle
    return lifecycle.list_campaigns(invocation, deps)


def _campaign_info(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import lifecycle
    return lifecycle.campaign_info(invocation, deps)


def _change_member(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import lifecycle
    return lifecycle.change_member(invocation, deps)


def _delete_campaign(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import lifecycle
    return lifecycle.delete_campaign(invocation, deps)


def _campaign_template(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import campaign_template
    return campaign_template.campaign_template(invocation, deps)


def _archive_campaign(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import archive
    return archive.archive_campaign(invocation, deps)


def _unarchive_campaign(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import archive
    return archive.unarchive_campaign(invocation, deps)


def _adopt_campaign(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import adopt
    return adopt.adopt_campaign(invocation, deps)


def _roster(command: str) -> Callable[[Invocation, Deps], dict]:
    """/join-campaign, /leave-campaign, /campaign-settings, /transfer-campaign (commands/roster.py)."""
    def run(invocation: Invocation, deps: Deps) -> dict:
        from channelwright.commands import roster
        return getattr(roster, command)(invocation, deps)
    return run


def _campaign_doctor(invocation: Invocation, deps: Deps) -> dict:
    from channelwright.commands import doctor
    return doctor.campaign_doctor(invocation, deps)


def _campaigns_text(invocation: Invocation, deps: Deps, argument: str) -> str:
    from channelwright.commands import lifecycle
    return lifecycle.campaigns_text(invocation, deps, argument)


def _templates_text(invocation: Invocation, deps: Deps, argument: str) -> str:
    from channelwright.commands import campaign_template
    return campaign_template.templates_text(invocation, deps, argument)


def _template_text(invocation: Invocation, deps: Deps, argument: str) -> str:
    from channelwright.commands import campaign_template
    return campaign_template.template_text(invocation, deps, argument)


COMMANDS = {
    "add-campaign": add_campaign,
    "list-campaigns": _list_campaigns,
    "campaign-info": _campaign_info,
    "add-player": _change_member,
    "remove-player": _change_member,
    "assign-gm": _change_member,
    "add-spectator": _change_member,
    "remove-spectator": _change_member,
    "delete-campaign": _delete_campaign,
    "campaign-template": _campaign_template,
    "archive-campaign": _archive_campaign,
    "unarchive-campaign": _unarchive_campaign,
    "adopt-campaign": _adopt_campaign,
    "join-campaign": _roster("join_campaign"),
    "leave-campaign": _roster("leave_campaign"),
    "campaign-settings": _roster("campaign_settings"),
    "transfer-campaign": _roster("transfer_campaign"),
    "campaign-doctor": _campaign_doctor,
}
# What builds each paged view's text (pages.VIEWS), for a Previous/Next click.
PAGE_TEXTS = {pages.CAMPAIGNS: _campaigns_text, pages.TEMPLATES: _templates_text,
              pages.TEMPLATE: _template_text}
HANDLERS: dict[int, Callable[[Invocation, Deps], dict]] = {
    APPLICATION_COMMAND: run_command, AUTOCOMPLETE: autocomplete, MESSAGE_COMPONENT: on_component}
