"""`/campaign-template export name`: a campaign's channel layout as a template file to import.

For the campaign's GMs and server managers (a layout names its GM-only channels), so the worker
decides (worker._authorize) and answers privately. The request path finds the campaign and queues a
`template_export` task; the worker reads the server (what the channels are called now), makes the
file (templates/export.py) and edits the deferred answer with it.

The answer is a short line and the file itself, attached as `<template id>.yaml`
(developers/reference.mdx "Uploading Files"; Edit Original Interaction Response takes files,
developers/interactions/receiving-and-responding.mdx): one message whatever the layout's size, and
`/campaign-template import` takes the attachment as it is.
"""

from __future__ import annotations

from typing import Any

from channelwright.aws.observability import logger, request_path_failure
from channelwright.commands.definitions import Invocation, campaign_key, request_fields
from channelwright.discord.errors import DiscordRejected
from channelwright.discord.files import File
from channelwright.tasks.payloads import TemplateExport
from channelwright.tasks.queue import Task
from channelwright.text.names import clip, md, normalise
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred, ephemeral

LEFT_OUT_SHOWN = 10  # names of deleted channels in the answer; the rest are counted
# RFC 9512 "YAML Media Type" registers application/yaml.
YAML_MEDIA_TYPE = "application/yaml"


# -- the interactions side ------------------------------------------------------------------


def export(invocation: Invocation, deps: Any) -> dict:
    """Queue the export of the campaign `name` names; Refusal if there is none."""
    name = str(invocation.options.get("name") or "")
    campaign = deps.store.get(invocation.in_guild, campaign_key(name)) if name.strip() else None
    if campaign is None:
        raise Refusal(Problem(
            f"There is no campaign named “{md(clip(normalise(name), 100))}” in this server.",
            "Campaign names are matched ignoring case and spacing.",
            "Use `/list-campaigns` to see the names, or pick one from the suggestions."))
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id,
                TemplateExport(**request_fields(invocation, "export its layout")),
                campaign_run=campaign.interaction_id)
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue template export", error)
        return ephemeral(Problem("I couldn't start the export.",
                                 "My task queue is unavailable right now; nothing was changed.",
                                 "Try `/campaign-template export` again in a minute.").text())
    return deferred(private=True)


# -- the worker side --------------------------------------------------------------------------


def run_export(task: Task, deps: Any, standing: Any = None) -> None:
    """Read the campaign's channels (channel_presence.survey), make its template file and edit
    the deferred answer with it, or with why there is none. DiscordError propagates (the worker
    retries, then tells the asker)."""
    from channelwright.campaigns.channel_presence import survey
    from channelwright.campaigns.plan import CHANNEL, Step
    from channelwright.campaigns.progress import ProgressMessage
    from channelwright.templates.export import NothingToExport
    from channelwright.templates.export import export as make_export
    from channelwright.templates.schema import TemplateInvalid


    token = task.payload_as(TemplateExport).token
    reply = ProgressMessage.answering(deps.api, deps.application_id, token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    recorded = [campaign.resources[s["key"]]["id"] for s in campaign.plan
                if Step.from_dict(s).kind == CHANNEL and s["key"] in campaign.resources]
    try:
        made = make_export(campaign, survey(deps.api, campaign.guild_id, recorded))
    except NothingToExport:
        reply.finish(Problem(f"“{md(campaign.name)}” has no channels left to export.",
                             "Every channel it was built with was deleted by hand.",
                             "Build a campaign with `/add-campaign`, or write a template file; "
                             "`/campaign-template show name:default` shows one.").text())
        return
    except TemplateInvalid as invalid:
        reply.finish(Problem(f"“{md(campaign.name)}”'s layout wouldn't import as it is now.",
                             "Its channels, as named now, break the template rules: "
                             + "; ".join(md(e) for e in invalid.errors) + ".",
                             "Rename those channels, then export again.").text())
        return
    if reply.expired:
        return
    answer_with_file(deps, token, answer_text(campaign.name, made),
                     File(made.filename, made.file_text.encode("utf-8"), YAML_MEDIA_TYPE))


def answer_with_file(deps: Any, token: str, text: str, file: File) -> None:
    """Edit the deferred answer to `text` with `file` attached. A token Discord no longer takes
    (401, 403, 404: expired, forgotten, or the answer deleted) ends it quietly, as
    ProgressMessage does; any other DiscordError propagates (the worker retries the task, whose
    edit replaces the answer again)."""
    try:
        deps.api.edit_original(deps.application_id, token, text, files=[file])
    except DiscordRejected as error:
        if error.status not in (401, 403, 404):
            raise
        logger.warning("export answer refused", error=str(error))


def answer_text(campaign_name: str, made: Any) -> str:
    """The line the file comes with: what the layout holds, how to use the file, and which
    channels were left out (deleted by hand)."""
    from channelwright.templates.library import describe_channels

    text = (f"📄 **{md(campaign_name)}**'s layout: {describe_channels(made.template)}.\n"
            f"Add the attached `{made.filename}` to this or another server with "
            "`/campaign-template import`, then build from it with "
            f"`/add-campaign template:{made.template.id}`.")
    if made.left_out:
        shown = [md(clip(n, 32)) for n in made.left_out[:LEFT_OUT_SHOWN]]
        more = len(made.left_out) - len(shown)
        text += ("\nLeft out, deleted by hand: " + ", ".join(shown)
                 + (f" and {more} more" if more else "") + ".")
    return text
