"""`/campaign-template export name`: a campaign's channel layout as a template file to import.

For the campaign's GMs and server managers (a layout names its GM-only channels), so the worker
decides (worker._authorize) and answers privately. The request path finds the campaign and queues a
`template_export` task; the worker reads the server (what the channels are called now), makes the
file (templates/export.py) and edits the deferred answer with it.

The file is shown as YAML in code blocks, to save as a `.yaml` file: one block when it fits one
message (2000 characters, developers/resources/message.mdx "Create Message"), else one per message,
in order, each continuing the same file.
"""

from __future__ import annotations

from typing import Any

from channelwright.aws.observability import logger, request_path_failure
from channelwright.commands.definitions import Invocation, campaign_key, request_fields
from channelwright.discord.errors import DiscordError
from channelwright.discord.types import MESSAGE_CONTENT_LIMIT
from channelwright.tasks.payloads import TemplateExport
from channelwright.tasks.queue import Task
from channelwright.text.names import clip, md, normalise
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred, ephemeral

FENCE_OPEN, FENCE_CLOSE = "```yaml\n", "\n```"
LEFT_OUT_SHOWN = 10  # names of deleted channels in the heading; the rest are counted
CONTINUED = "(continued: part {part} of {parts} of the same file)\n"


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
    parts = messages(campaign.name, made)
    if parts is None:
        reply.finish(Problem(f"I can't show “{md(campaign.name)}”'s layout.",
                             "A channel's name holds ```, which would end the code block it is "
                             "shown in.", "Rename that channel, then export again.").text())
        return
    first, *rest = parts
    if not reply.finish(first):
        return
    try:
        for part in rest:
            deps.api.create_followup(deps.application_id, token, part, ephemeral=True)
    except DiscordError as error:
        # The first part is shown; trying again would repeat the parts already sent.
        logger.warning("export follow-up not sent", error=str(error))


def messages(campaign_name: str, made: Any) -> list[str] | None:
    """The answer as messages of at most 2000 characters: a heading, then the file in ```yaml
    blocks that, copied in order into one file, give it back exactly. None if the file itself
    holds ``` (no code block can show it)."""
    from channelwright.templates.library import describe_channels

    if "```" in made.file_text:
        return None
    heading = (f"📄 **{md(campaign_name)}**'s layout: {describe_channels(made.template)}.\n"
               f"Save the YAML below as `{made.filename}` and add it to this or another server with "
               "`/campaign-template import`, then build from it with "
               f"`/add-campaign template:{made.template.id}`.")
    if made.left_out:
        shown = [md(clip(n, 32)) for n in made.left_out[:LEFT_OUT_SHOWN]]
        more = len(made.left_out) - len(shown)
        heading += ("\nLeft out, deleted by hand: " + ", ".join(shown)
                    + (f" and {more} more" if more else "") + ".")
    heading += "\n"
    room = lambda prefix: MESSAGE_CONTENT_LIMIT - len(prefix) - len(FENCE_OPEN) - len(FENCE_CLOSE)  # noqa: E731
    # The longest continuation prefix, whatever the part numbers: every later part fits it.
    body = made.file_text.rstrip("\n")
    first_room, later_room = room(heading), room(CONTINUED.format(part=99, parts=99))
    chunks = _chunks(body, first_room, later_room)
    return [(heading if i == 0 else CONTINUED.format(part=i + 1, parts=len(chunks)))
            + FENCE_OPEN + chunk + FENCE_CLOSE for i, chunk in enumerate(chunks)]


def _chunks(text: str, first_room: int, later_room: int) -> list[str]:
    """`text` cut at line breaks into a first chunk of at most `first_room` characters and later
    ones of at most `later_room` (a template file's lines are far shorter than either)."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        room = first_room if not chunks else later_room
        if current and used + 1 + len(line) > room:
            chunks.append("\n".join(current))
            current, used = [], 0
        used += len(line) + (1 if current else 0)
        current.append(line)
    chunks.append("\n".join(current))
    return chunks
