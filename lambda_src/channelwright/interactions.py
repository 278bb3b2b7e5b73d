"""The interactions endpoint: verify, validate, record, enqueue, and answer within Discord's 3 s.

No Discord REST call happens here: the answer must hold on a cold start even when Discord is slow.
Everything long-running happens in the worker, driven by the queued tasks.
"""

import functools
import importlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from . import permissions
from .commands import Invocation, campaign_key, campaign_name
from .http import HttpRequest, HttpResponse
from .observability import MetricUnit, count, logger, metrics, request_path_failure
from .plan import build_plan
from .problems import Problem
from .responses import PONG, choices, deferred, ephemeral
from .signature import SignatureVerifier
from .store import FAILED, Campaign, CampaignExists, CampaignStore
from .task_queue import Task, TaskQueue
from .template_library import TemplateLibrary

# Interaction types (developers/interactions/receiving-and-responding.mdx).
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
BOT_NEEDS = permissions.MANAGE_CHANNELS | permissions.MANAGE_ROLES


@dataclass(frozen=True)
class Deps:
    verifier: SignatureVerifier
    store: CampaignStore
    tasks: TaskQueue
    templates: TemplateLibrary


@functools.cache
def default_deps() -> Deps:
    """Built on first use and kept for the container's life (one client per AWS service)."""
    dynamodb, table = boto3.client("dynamodb"), os.environ["CAMPAIGN_TABLE_NAME"]
    return Deps(
        verifier=SignatureVerifier(os.environ["DISCORD_PUBLIC_KEY"]),
        store=CampaignStore(dynamodb, table),
        tasks=TaskQueue(boto3.client("sqs"), os.environ["TASK_QUEUE_URL"]),
        templates=TemplateLibrary(dynamodb, table),
    )


def handler(event: dict, context: Any) -> dict:
    started = time.perf_counter()
    logger.clear_state()
    try:
        response = respond(HttpRequest.from_api_gateway(event), default_deps())
        logger.info("answered", status=response.status)
        return response.to_api_gateway()
    except Exception as error:  # API Gateway answers Discord 500: "The application did not respond"
        request_path_failure("unhandled error on the request path", error)
        raise
    finally:
        metrics.add_metric(name="AckLatency", unit=MetricUnit.Milliseconds,
                           value=round((time.perf_counter() - started) * 1000, 2))
        metrics.flush_metrics()


def respond(request: HttpRequest, deps: Deps) -> HttpResponse:
    if not deps.verifier.verify(request.headers, request.body):
        return HttpResponse.text(401, "invalid request signature")
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        return HttpResponse.json(400, {"error": "the request body is not a JSON object"})

    kind = payload.get("type")
    logger.append_keys(interaction_id=payload.get("id"), guild_id=payload.get("guild_id"),
                       interaction_type=kind)
    if kind == PING:
        return HttpResponse.json(200, {"type": PONG})
    if kind == APPLICATION_COMMAND:
        return HttpResponse.json(200, run_command(Invocation.from_payload(payload), deps))
    if kind == AUTOCOMPLETE:
        return HttpResponse.json(200, autocomplete(Invocation.from_payload(payload), deps))
    if kind == MESSAGE_COMPONENT:
        on_button = _later("lifecycle", "on_button")
        return HttpResponse.json(200, on_button(Invocation.from_payload(payload), deps))
    return HttpResponse.json(200, ephemeral("I don't handle that kind of interaction yet."))


def autocomplete(invocation: Invocation, deps: Deps) -> dict:
    if not invocation.guild_id:
        return choices([])
    if invocation.focused == "template" or invocation.command == "campaign-template":
        return _later("template_commands", "template_autocomplete")(invocation, deps)
    return _later("lifecycle", "campaign_choices")(invocation, deps)


def run_command(invocation: Invocation, deps: Deps) -> dict:
    if not invocation.guild_id:
        return ephemeral(Problem(f"`/{invocation.command}` only works inside a server.",
                                 "Campaigns are made of a server's roles and channels.",
                                 "Run the command in the server where the campaign lives.").text())
    command = COMMANDS.get(invocation.command)
    if command is None:
        request_path_failure(f"unknown command /{invocation.command}: registered commands are stale")
        return ephemeral(Problem(
            f"I don't know the command `/{invocation.command}`.",
            "The commands registered for this bot are out of date.",
            "Ask the bot operator to register the current commands.").text())
    try:
        return command(invocation, deps)
    except (BotoCoreError, ClientError) as error:
        # An answer the user can act on beats a 500, which Discord shows as "did not respond".
        request_path_failure("AWS call failed on the request path", error)
        return ephemeral(Problem("I couldn't handle that just now.",
                                 "My campaign store or task queue didn't answer; nothing was changed.",
                                 "Try again in a minute.").text())


def add_campaign(invocation: Invocation, deps: Deps) -> dict:
    problem = _may_add_campaign(invocation)
    name, name_problem = campaign_name(invocation.options.get("name"))
    problem = problem or name_problem
    if problem:
        return ephemeral(problem.text())

    template_id = str(invocation.options.get("template") or "default").strip()
    template = deps.templates.get(invocation.guild_id, template_id)
    if template is None:
        return ephemeral(Problem(
            f"There is no template called “{template_id}”.",
            "A campaign is built from a built-in template or one imported into this server.",
            "Pick one from the suggestions, or see them all with `/campaign-template list`.").text())
    campaign = Campaign(
        guild_id=invocation.guild_id, key=campaign_key(name), name=name, template=template.id,
        plan=[step.to_dict() for step in build_plan(name, template)],
        interaction_id=invocation.interaction_id, interaction_token=invocation.token,
        requested_by=invocation.user_id, requested_by_name=invocation.user_name,
        bot_permissions=str(invocation.app_permissions), gms=frozenset({invocation.user_id}),
    )
    try:
        deps.store.create(campaign)
    except CampaignExists as exists:
        campaign = _rerun_or_refuse(exists.existing, invocation, deps)
        if isinstance(campaign, dict):
            return campaign
    return _enqueue(campaign, deps)


def _may_add_campaign(invocation: Invocation) -> Problem | None:
    lacking = permissions.missing(invocation.member_permissions, permissions.MANAGE_CHANNELS)
    if lacking:
        return Problem("You need the Manage Channels permission to add a campaign.",
                       "Building a campaign creates channels and roles in this server.",
                       "Ask a server admin to run it, or to give one of your roles Manage Channels.")
    lacking = permissions.missing(invocation.app_permissions, BOT_NEEDS)
    if lacking:
        listed = " and ".join(lacking)
        return Problem(f"I'm missing the {listed} permission{'s' if len(lacking) > 1 else ''}.",
                       "I need Manage Channels to create the campaign's channels and Manage Roles "
                       "to create its roles and keep GM channels private.",
                       f"In Server Settings → Roles, give my role {listed} (or re-invite me with "
                       "those permissions), then run `/add-campaign` again.")
    return None


def _rerun_or_refuse(existing: Campaign, invocation: Invocation, deps: Deps) -> Campaign | dict:
    """A retried request re-sends its own tasks; a failed campaign may be resumed; else refuse."""
    if existing.interaction_id == invocation.interaction_id:
        return existing
    if existing.status == FAILED:
        resumed = deps.store.restart(existing, interaction_id=invocation.interaction_id,
                                     interaction_token=invocation.token,
                                     requested_by=invocation.user_id,
                                     requested_by_name=invocation.user_name,
                                     bot_permissions=str(invocation.app_permissions))
        if resumed:
            return resumed
    return ephemeral(Problem(
        f"A campaign named “{existing.name}” already exists in this server.",
        f"Its status is {existing.status}; names are unique per server, ignoring case.",
        "Pick a different name for the new campaign.").text())


def _enqueue(campaign: Campaign, deps: Deps) -> dict:
    tasks = [Task(campaign.guild_id, campaign.key, campaign.interaction_id, step)
             for step in range(len(campaign.plan))]
    try:
        deps.tasks.enqueue(tasks)
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue campaign tasks", error)
        problem = Problem("I couldn't start building the campaign.",
                          "My task queue is unavailable right now; nothing new was created.",
                          "Try `/add-campaign` again in a minute.")
        if campaign.run == 1:
            deps.store.forget_request(campaign)
        else:
            deps.store.set_status(campaign, FAILED, failure=problem.to_dict())
        return ephemeral(problem.text())
    count("CampaignsStarted")
    logger.info("campaign queued", campaign=campaign.key, run=campaign.run, steps=len(tasks))
    return deferred()


def _later(module: str, function: str):
    """A handler from a module imported on first use: the cold start pays only for /add-campaign.

    (Lambda compiles the asset's modules at every cold start, so each import costs real time.)
    """
    def run(invocation: Invocation, deps: Deps) -> dict:
        return getattr(importlib.import_module(f"{__package__}.{module}"), function)(invocation, deps)
    return run


COMMANDS = {
    "add-campaign": add_campaign,
    "list-campaigns": _later("lifecycle", "list_campaigns"),
    "campaign-info": _later("lifecycle", "campaign_info"),
    "add-player": _later("lifecycle", "change_member"),
    "remove-player": _later("lifecycle", "change_member"),
    "assign-gm": _later("lifecycle", "change_member"),
    "delete-campaign": _later("lifecycle", "delete_campaign"),
    "campaign-template": _later("template_commands", "campaign_template"),
}
