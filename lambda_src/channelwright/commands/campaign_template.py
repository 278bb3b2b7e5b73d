"""`/campaign-template` (import, list, show, remove; export is template_export.py) and the
template autocomplete.

list/show answer at once from the table, for anyone. import and remove are for server managers
(Manage Channels from their roles, or the owner), which only the server's roles can tell, so they
are decided by the worker (worker._authorize): import only checks the attachment's name and size
on the interactions path (no download there: the 3-second deadline), queues a `template_import`
task and defers; the worker downloads the file from Discord's CDN, validates it, stores it, and
edits the deferred answer with the result or with every problem found in the file. remove queues
a `template_remove` task the same way.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from channelwright.aws.observability import logger, request_path_failure
from channelwright.campaigns.access_marks import legend, marked
from channelwright.commands.definitions import Invocation, request_fields
from channelwright.discord.errors import DiscordRejected, DiscordUnavailable
from channelwright.discord.types import MESSAGE_CONTENT_LIMIT
from channelwright.tasks.payloads import Answered, TemplateImport, TemplateRemove
from channelwright.tasks.queue import Task
from channelwright.templates.files import parse_template_file
from channelwright.templates.library import MAX_SERVER_TEMPLATES, describe_channels, template_to_dict
from channelwright.templates.schema import FILE_SUFFIXES, MAX_FILE_BYTES, TemplateInvalid
from channelwright.text import names
from channelwright.text.layout import split_text
from channelwright.text.names import clip, md
from channelwright.text.pages import TEMPLATE, TEMPLATES, paged
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import choices as answer_choices
from channelwright.text.responses import deferred, ephemeral

# Options that name a template, by (command, subcommand or None, option).
TEMPLATE_OPTIONS = {("add-campaign", None, "template"), ("campaign-template", "show", "name"),
                    ("campaign-template", "remove", "name")}
STORAGE_ERRORS = (BotoCoreError, ClientError)
ICONS = {"text": "#", "voice": "🔊 ", "forum": "💬 "}


def _file(filename: str) -> str:
    """An uploaded file's name as shown in a message: clipped and literal."""
    return md(clip(filename, 100))


def _fit(lines: list[str], tail: str = "", limit: int = MESSAGE_CONTENT_LIMIT) -> str:
    """The lines that fit in one message, then "...and K more", then `tail`; one pass, so a
    list of thousands of lines costs no more than reading it once."""
    body = "\n".join(lines + ([tail] if tail else []))
    if len(body) <= limit:
        return body
    room = limit - len(tail) - 1 - len(f"...and {len(lines)} more") - 1
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    if not kept:  # not even the first line fits: show its start, cut between words
        kept = [split_text(lines[0], max(1, room))[0]]
    more = f"...and {len(lines) - len(kept)} more" if len(kept) < len(lines) else "…"
    return "\n".join(kept + [more] + ([tail] if tail else []))


# -- the interactions side ------------------------------------------------------------------


def campaign_template(invocation: Invocation, deps: Any) -> dict:
    """The interaction response for `/campaign-template <subcommand>`.

    `deps.templates` is a TemplateLibrary, `deps.tasks` a TaskQueue (used by import only)."""
    if not invocation.guild_id:
        raise Refusal(Problem("`/campaign-template` only works inside a server.",
                              "Templates belong to a server, like its campaigns.",
                              "Run the command in the server whose templates you want."))
    handler = _SUBCOMMANDS.get(invocation.subcommand or "")
    if handler is None:
        command = " ".join(filter(None, ["/campaign-template", invocation.subcommand]))
        request_path_failure("unknown subcommand: registered commands are stale",
                             command=command[:60])
        raise Refusal(Problem(f"I don't know `{command}`.",
                              "The commands registered for this bot are out of date.",
                              "Ask the bot operator to register the current commands."))
    try:
        return handler(invocation, deps)
    except STORAGE_ERRORS as error:
        request_path_failure("template storage unavailable", error)
        return ephemeral(Problem("I couldn't reach my template storage.",
                              "It is unavailable right now; nothing was changed.",
                              "Try the command again in a minute.").text())


def _list(invocation: Invocation, deps: Any) -> dict:
    return paged(templates_text(invocation, deps), TEMPLATES)


def templates_text(invocation: Invocation, deps: Any, argument: str = "") -> str:
    """Every template this server can use, built-in and its own (pages.py shows it)."""
    found = deps.templates.available(invocation.guild_id)
    line = lambda t: f"• `{t.id}` — {md(t.title)}: {describe_channels(t)}"  # noqa: E731
    builtins = [line(t) for t, builtin in found if builtin]
    own = [line(t) for t, builtin in found if not builtin]
    lines = ["**Campaign templates** (use one with `/add-campaign template:`)", "**Built-in**", *builtins,
             f"**This server's** ({len(own)} of {MAX_SERVER_TEMPLATES})"]
    lines += own or ["None yet: upload a JSON or YAML file with `/campaign-template import`."]
    return "\n".join(lines)


def _missing_template(name: str) -> Problem:
    return Problem(f"There is no template named “{md(clip(names.normalise(name), 100))}”.",
                   "Template names are the ids shown by `/campaign-template list`.",
                   "Pick one from the suggestions, or run `/campaign-template list`.")


def _show(invocation: Invocation, deps: Any) -> dict:
    name = str(invocation.options.get("name") or "")
    wanted = names.normalise(name).lower()
    if not any(t.id == wanted for t, _ in deps.templates.available(invocation.guild_id)):
        raise Refusal(_missing_template(name))
    return paged(template_text(invocation, deps, wanted), TEMPLATE, wanted)


def template_text(invocation: Invocation, deps: Any, template_id: str) -> str:
    """A template's channels, one a line, and (when it all fits one message) a copy to adapt."""
    template, builtin = next(((t, b) for t, b in deps.templates.available(invocation.guild_id)
                              if t.id == template_id), (None, True))
    if template is None:
        return f"There is no template named “{md(template_id)}” any more."
    origin = "built-in" if builtin else "this server's"
    lines = [f"**{md(template.title)}** (`{template.id}`, {origin}) — {describe_channels(template)}"]
    lines += [f"{i}. " + marked(c.access, ICONS[c.type] + md(c.name))
              for i, c in enumerate(template.channels, 1)]
    lines += legend({c.access for c in template.channels})
    source = _file_text(template)
    copy = ("To adapt it, save this as a `.json` file, change its `id`, and "
            f"`/campaign-template import` it:\n```json\n{source}\n```")
    text = "\n".join(lines)
    if len(text) + 1 + len(copy) <= MESSAGE_CONTENT_LIMIT and "```" not in source:
        return text + "\n" + copy
    return text


def _file_text(template) -> str:
    """The template as an importable JSON file, one channel a line."""
    data = template_to_dict(template)
    dump = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    channels = ",\n".join(f"    {dump(c)}" for c in data["channels"])
    return (f'{{\n  "id": {dump(data["id"])},\n  "title": {dump(data["title"])},\n'
            f'  "channels": [\n{channels}\n  ]\n}}')


def _remove(invocation: Invocation, deps: Any) -> dict:
    remove = TemplateRemove(**request_fields(invocation, "change this server's templates"),
                            name=str(invocation.options.get("name") or ""))
    task = Task(invocation.in_guild, "", invocation.interaction_id, remove)
    return _defer(task, deps, "remove")


def remove_text(guild_id: str, name: str, deps: Any) -> str:
    """Remove a server template; the answer to show. TemplateInvalid is turned into words here."""
    try:
        removed = deps.templates.remove(guild_id, name)
    except TemplateInvalid as refused:
        return Problem(f"I can't remove “{md(clip(names.normalise(name), 100))}”.",
                       md(refused.errors[0].split(": ", 1)[-1]),
                       "Nothing to do: built-in templates are only used when you pick them.").text()
    if not removed:
        return _missing_template(name).text()
    return (f"🗑️ Removed the template `{name.strip().lower()}`. Campaigns already built from it "
            "keep their channels.")


def _import(invocation: Invocation, deps: Any) -> dict:
    attachment = _attachment(invocation)
    upload = TemplateImport(**request_fields(invocation, "change this server's templates"),
                            url=attachment["url"], filename=str(attachment.get("filename") or ""),
                            user_id=invocation.user_id)
    task = Task(invocation.in_guild, "", invocation.interaction_id, upload)
    return _defer(task, deps, "import")


def _defer(task: Task, deps: Any, what: str) -> dict:
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        request_path_failure(f"could not enqueue template {what}", error)
        return ephemeral(Problem(f"I couldn't start {'importing' if what == 'import' else 'removing'} "
                              "the template.",
                              "My task queue is unavailable right now; nothing was changed.",
                              f"Try `/campaign-template {what}` again in a minute.").text())
    return deferred(private=True)


def _attachment(invocation: Invocation) -> dict:
    """The uploaded file's attachment object; Refusal if it can't be a template file."""
    attachment = invocation.resolved_attachment("file")
    if attachment is None or not attachment.get("url"):
        raise Refusal(Problem("I didn't receive a file.", "Discord sent the command without its attachment.",
                              _IMPORT_AGAIN))
    problem = _attachment_problem(attachment)
    if problem:
        raise Refusal(problem)
    return attachment


_IMPORT_AGAIN = "Run `/campaign-template import` again with a .json, .yaml or .yml file."


def _attachment_problem(attachment: dict) -> Problem | None:
    again = _IMPORT_AGAIN
    filename = str(attachment.get("filename") or "")
    if not filename.lower().endswith(FILE_SUFFIXES):
        return Problem(f"“{_file(filename)}” isn't a template file.",
                       "Templates are JSON or YAML files whose names end in .json, .yaml or .yml.",
                       again)
    size = attachment.get("size")
    if isinstance(size, int) and size > MAX_FILE_BYTES:
        return Problem(f"“{_file(filename)}” is {size / 1024:.0f} KiB.",
                       f"Templates can be at most {MAX_FILE_BYTES // 1024} KiB; a large one fits in a few.",
                       "Remove what isn't a template (comments, other data) and upload it again.")
    if size == 0:
        return Problem(f"“{_file(filename)}” is empty.", "There is no template in it.", again)
    return None


def _export(invocation: Invocation, deps: Any) -> dict:
    from channelwright.commands import template_export  # loads on first use
    return template_export.export(invocation, deps)


_SUBCOMMANDS = {"import": _import, "list": _list, "show": _show, "remove": _remove, "export": _export}


def template_autocomplete(invocation: Invocation, deps: Any) -> dict:
    """Choices for /add-campaign `template` and /campaign-template show|remove `name`.

    remove offers only the server's own templates; on a storage error, the built-ins still come."""
    choices: list[dict] = []
    key = (invocation.command, invocation.subcommand, invocation.focused)
    if key in TEMPLATE_OPTIONS:
        typed = invocation.typed
        builtins = invocation.subcommand != "remove"
        try:
            choices = deps.templates.choices(invocation.guild_id, typed, builtins=builtins)
        except STORAGE_ERRORS as error:
            request_path_failure("template autocomplete without server templates", error)
            choices = deps.templates.choices(None, typed, builtins=builtins)
    return answer_choices([(choice["name"], choice["value"]) for choice in choices])


# -- the worker side --------------------------------------------------------------------------


def run_template_import(task: Task, deps: Any, *, last_attempt: bool = False) -> None:
    """Download, validate and store the uploaded template, then edit the deferred answer.

    `deps`: `.api` (DiscordApi), `.rest` (its DiscordRest: `deadline`), `.templates`
    (TemplateLibrary), `.application_id`, `.downloads` (a DownloadPolicy). Raises DownloadFailed /
    DiscordUnavailable or a botocore error when trying again later can help — unless
    `last_attempt`, when the user is told instead. Whatever else goes wrong, the user is told at
    once; a failure that isn't the file's (a bug) is raised too, so the task is retried and
    dead-lettered for the operator."""
    # The worker's job: the interactions Lambda, which imports this module, never loads these
    # (tests/test_import_isolation.py).
    from channelwright.discord.downloads import DownloadFailed, download
    from channelwright.discord.rest import USER_AGENT

    upload = task.payload_as(TemplateImport)
    filename = upload.filename or "the file"
    # The whole download ends before the invocation must (rest.deadline: its remaining time).
    remaining = max(0.0, getattr(deps.rest, "deadline", float("inf")) - time.monotonic())
    policy = replace(deps.downloads, deadline_s=min(deps.downloads.deadline_s, remaining))
    try:
        content = download(upload.url, policy, user_agent=USER_AGENT)
        template = parse_template_file(content, filename)
        replaced = deps.templates.put(task.guild_id, template, author_id=upload.user_id)
    except (DownloadFailed, DiscordUnavailable, *STORAGE_ERRORS) as error:
        if not last_attempt:
            raise
        logger.error("template import gave up", error=str(error))
        _edit(task, deps, Problem(f"I couldn't import “{_file(filename)}”.",
                                  "Discord or my storage kept failing while I tried; nothing was saved.",
                                  "Run `/campaign-template import` again in a few minutes.").text())
        return
    except Exception as error:
        _edit(task, deps, _refusal_text(filename, error))
        if _is_users_to_fix(error):
            return
        raise  # a bug: the task ends in the dead-letter queue, which pages the operator
    _edit(task, deps, saved_text(template, replaced))


def run_template_remove(task: Task, deps: Any, standing: Any = None) -> None:
    """The worker half of remove, once worker._authorize found the caller a server manager."""
    _edit(task, deps, remove_text(task.guild_id, task.payload_as(TemplateRemove).name, deps))


def _is_users_to_fix(error: Exception) -> bool:
    from channelwright.discord.downloads import DownloadGone, DownloadRefused, DownloadTooLarge

    return isinstance(error, (TemplateInvalid, DownloadGone, DownloadRefused, DownloadTooLarge))


def _refusal_text(filename: str, error: Exception) -> str:
    """What to tell the user when an import can't succeed, for any reason."""
    from channelwright.discord.downloads import DownloadGone, DownloadRefused, DownloadTooLarge

    shown = _file(filename)
    if isinstance(error, TemplateInvalid):
        return invalid_text(filename, error.errors)
    if isinstance(error, DownloadGone):
        return Problem(f"I couldn't download “{shown}”.",
                       f"Discord's link to the upload no longer works (HTTP {error.status}); "
                       "attachment links expire.",
                       "Run `/campaign-template import` again and attach the file anew.").text()
    if isinstance(error, DownloadRefused):
        return Problem(f"I couldn't download “{shown}”.",
                       "The file's link doesn't point at Discord's file storage, so I won't fetch it.",
                       "Attach the file to `/campaign-template import` itself, not a link to it.").text()
    if isinstance(error, DownloadTooLarge):
        return invalid_text(filename, [f"file: is larger than {error.limit // 1024} KiB, the most a "
                                       "template can be"])
    logger.error("template import failed", exc_info=error)
    return Problem(f"I couldn't import “{shown}”.",
                   "Something went wrong on my side while reading it; nothing was saved, and the "
                   "bot operator can see what happened.",
                   "Try again later, or upload the template as JSON.").text()


def saved_text(template, replaced: bool) -> str:
    """The whole confirmation, every channel listed (_edit lays a long one out in follow-ups)."""
    channels = ", ".join(marked(c.access, ICONS[c.type] + md(c.name)) for c in template.channels)
    saved = f"✅ Template `{template.id}` ({md(template.title)}) saved: {describe_channels(template)}"
    return "\n".join([saved + (", replacing the earlier version." if replaced else "."),
                      f"Channels: {channels}", *legend({c.access for c in template.channels}),
                      f"Use it with `/add-campaign name:<campaign> template:{template.id}`."])


def invalid_text(filename: str, errors: list[str]) -> str:
    count = len(errors)
    problems = f"{count} problem{'s' if count != 1 else ''}"
    head = f"❌ **I couldn't import “{_file(filename)}”: it has {problems}.**"
    tail = ("**What to do:** fix these in the file, then run `/campaign-template import` again. "
            "`/campaign-template show name:default` shows a working example.")
    lines = [head] + [f"• {md(error)}" for error in errors]
    return _fit(lines, tail)


def _edit(task: Task, deps: Any, content: str) -> None:
    """The import's (or remove's) answer: the deferred message edited, and what doesn't fit sent as
    ephemeral follow-ups (developers/interactions/receiving-and-responding.mdx, "Followup Messages")."""
    first, *rest = split_text(content)
    token = task.payload_as(Answered).token
    try:
        deps.api.edit_original(deps.application_id, token, first)
        for part in rest:
            deps.api.create_followup(deps.application_id, token, part, ephemeral=True)
    except DiscordRejected as error:
        # Past the token's 15 minutes (401 50027) there is no one left to tell; never retry it.
        logger.warning("could not edit the template import answer", status=error.status, code=error.code)
