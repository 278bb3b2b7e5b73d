"""`/campaign-template` (import, list, show, remove) and the template autocomplete.

list/show/remove answer at once from the table. import only checks the attachment's name and size
on the interactions path (no download there: the 3-second deadline), queues a `template_import`
task and defers; the worker downloads the file from Discord's CDN, validates it, stores it, and
edits the deferred answer with the result or with every problem found in the file.
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import permissions
from .commands import Invocation
from .discord_errors import DiscordRejected, DiscordUnavailable
from .observability import logger, request_path_failure
from .problems import Problem
from .task_queue import Task
from .template_library import MAX_SERVER_TEMPLATES, describe_channels, template_to_dict
from .template_schema import FILE_SUFFIXES, MAX_FILE_BYTES, TemplateInvalid, parse_template_file

TEMPLATE_IMPORT = "template_import"
DEFERRED_EPHEMERAL = {"type": 5, "data": {"flags": 64}}
AUTOCOMPLETE_RESULT = 8
# Options that name a template, by (command, subcommand or None, option).
TEMPLATE_OPTIONS = {("add-campaign", None, "template"), ("campaign-template", "show", "name"),
                    ("campaign-template", "remove", "name")}
DOWNLOAD_TIMEOUT = (3.05, 10)  # connect, read (per socket read)
DOWNLOAD_DEADLINE_S = 20.0     # the whole body, however slowly it drips in
MESSAGE_LIMIT = 2000
STORAGE_ERRORS = (BotoCoreError, ClientError)
ICONS = {"text": "#", "voice": "🔊 ", "forum": "💬 "}
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|>[]"})


def _md(text: str) -> str:
    """User text shown literally: a title like `**x**` must not restyle the message."""
    return str(text).translate(_MARKDOWN)


def _reply(text: str) -> dict:
    from .interactions import ephemeral  # interactions imports this module

    return ephemeral(text)


def _fit(lines: list[str], tail: str = "", limit: int = MESSAGE_LIMIT) -> str:
    """The lines that fit in one message, then "...and K more", then `tail`."""
    body = "\n".join(lines + ([tail] if tail else []))
    if len(body) <= limit:
        return body
    for keep in range(len(lines) - 1, -1, -1):
        more = f"...and {len(lines) - keep} more"
        body = "\n".join(lines[:keep] + [more] + ([tail] if tail else []))
        if len(body) <= limit:
            return body
    return body[:limit]


# -- the interactions side ------------------------------------------------------------------


def campaign_template(invocation: Invocation, deps: Any) -> dict:
    """The interaction response for `/campaign-template <subcommand>`.

    `deps.templates` is a TemplateLibrary, `deps.tasks` a TaskQueue (used by import only)."""
    if not invocation.guild_id:
        return _reply(Problem("`/campaign-template` only works inside a server.",
                              "Templates belong to a server, like its campaigns.",
                              "Run the command in the server whose templates you want.").text())
    handler = _SUBCOMMANDS.get(invocation.subcommand or "")
    if handler is None:
        command = " ".join(filter(None, ["/campaign-template", invocation.subcommand]))
        return _reply(Problem(f"I don't know `{command}`.",
                              "The commands registered for this bot are out of date.",
                              "Ask the bot operator to register the current commands.").text())
    if handler in (_import, _remove):
        problem = _may_change_templates(invocation)
        if problem:
            return _reply(problem.text())
    try:
        return handler(invocation, deps)
    except STORAGE_ERRORS as error:
        request_path_failure("template storage unavailable", error)
        return _reply(Problem("I couldn't reach my template storage.",
                              "It is unavailable right now; nothing was changed.",
                              "Try the command again in a minute.").text())


def _may_change_templates(invocation: Invocation) -> Problem | None:
    if permissions.missing(invocation.member_permissions, permissions.MANAGE_CHANNELS):
        return Problem("You need the Manage Channels permission to change this server's templates.",
                       "Templates decide which channels campaigns get.",
                       "Ask a server admin to do it, or to give one of your roles Manage Channels.")
    return None


def _list(invocation: Invocation, deps: Any) -> dict:
    found = deps.templates.list(invocation.guild_id)
    line = lambda t: f"• `{t.id}` — {_md(t.title)}: {describe_channels(t)}"  # noqa: E731
    builtins = [line(t) for t, builtin in found if builtin]
    own = [line(t) for t, builtin in found if not builtin]
    lines = ["**Campaign templates** (use one with `/add-campaign template:`)", "**Built-in**", *builtins,
             f"**This server's** ({len(own)} of {MAX_SERVER_TEMPLATES})"]
    lines += own or ["None yet: upload a JSON or YAML file with `/campaign-template import`."]
    return _reply(_fit(lines))


def _missing_template(name: str) -> dict:
    return _reply(Problem(f"There is no template named “{_md(name)}”.",
                          "Template names are the ids shown by `/campaign-template list`.",
                          "Pick one from the suggestions, or run `/campaign-template list`.").text())


def _show(invocation: Invocation, deps: Any) -> dict:
    name = str(invocation.options.get("name") or "")
    wanted = name.strip().lower()
    template, builtin = next(((t, b) for t, b in deps.templates.list(invocation.guild_id) if t.id == wanted),
                             (None, True))
    if template is None:
        return _missing_template(name)
    origin = "built-in" if builtin else "this server's"
    lines = [f"**{_md(template.title)}** (`{template.id}`, {origin}) — {describe_channels(template)}"]
    lines += [f"{i}. {ICONS[c.type]}{_md(c.name)}" + (" 🔒 GM only" if c.gm_only else "")
              for i, c in enumerate(template.channels, 1)]
    source = _file_text(template)
    copy = ("To adapt it, save this as a `.json` file, change its `id`, and "
            f"`/campaign-template import` it:\n```json\n{source}\n```")
    text = "\n".join(lines)
    if len(text) + 1 + len(copy) <= MESSAGE_LIMIT and "```" not in source:
        return _reply(text + "\n" + copy)
    return _reply(_fit(lines))


def _file_text(template) -> str:
    """The template as an importable JSON file, one channel a line."""
    data = template_to_dict(template)
    dump = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    channels = ",\n".join(f"    {dump(c)}" for c in data["channels"])
    return (f'{{\n  "id": {dump(data["id"])},\n  "title": {dump(data["title"])},\n'
            f'  "channels": [\n{channels}\n  ]\n}}')


def _remove(invocation: Invocation, deps: Any) -> dict:
    name = str(invocation.options.get("name") or "")
    try:
        removed = deps.templates.remove(invocation.guild_id, name)
    except TemplateInvalid as refused:
        return _reply(Problem(f"I can't remove “{_md(name)}”.", _md(refused.errors[0].split(": ", 1)[-1]),
                              "Nothing to do: built-in templates are only used when you pick them.").text())
    if not removed:
        return _missing_template(name)
    return _reply(f"🗑️ Removed the template `{name.strip().lower()}`. Campaigns already built from it "
                  "keep their channels.")


def _import(invocation: Invocation, deps: Any) -> dict:
    attachment = invocation.resolved_attachment("file")
    problem = _attachment_problem(attachment)
    if problem:
        return _reply(problem.text())
    task = Task(invocation.guild_id, campaign_key="", run=invocation.interaction_id, kind=TEMPLATE_IMPORT,
                args={"token": invocation.token, "url": attachment["url"],
                      "filename": str(attachment.get("filename") or ""), "user_id": invocation.user_id})
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue template import", error)
        return _reply(Problem("I couldn't start importing the template.",
                              "My task queue is unavailable right now; nothing was changed.",
                              "Try `/campaign-template import` again in a minute.").text())
    return DEFERRED_EPHEMERAL


def _attachment_problem(attachment: dict | None) -> Problem | None:
    again = "Run `/campaign-template import` again with a .json, .yaml or .yml file."
    if not isinstance(attachment, dict) or not attachment.get("url"):
        return Problem("I didn't receive a file.", "Discord sent the command without its attachment.",
                       again)
    filename = str(attachment.get("filename") or "")
    if not filename.lower().endswith(FILE_SUFFIXES):
        return Problem(f"“{_md(filename)}” isn't a template file.",
                       "Templates are JSON or YAML files whose names end in .json, .yaml or .yml.",
                       again)
    size = attachment.get("size")
    if isinstance(size, int) and size > MAX_FILE_BYTES:
        return Problem(f"“{_md(filename)}” is {size / 1024:.0f} KiB.",
                       f"Templates can be at most {MAX_FILE_BYTES // 1024} KiB; a large one fits in a few.",
                       "Remove what isn't a template (comments, other data) and upload it again.")
    if size == 0:
        return Problem(f"“{_md(filename)}” is empty.", "There is no template in it.", again)
    return None


_SUBCOMMANDS = {"import": _import, "list": _list, "show": _show, "remove": _remove}


def template_autocomplete(invocation: Invocation, deps: Any) -> dict:
    """Choices for /add-campaign `template` and /campaign-template show|remove `name`.

    remove offers only the server's own templates; on a storage error, the built-ins still come."""
    choices: list[dict] = []
    key = (invocation.command, invocation.subcommand, invocation.focused)
    if key in TEMPLATE_OPTIONS:
        typed = str(invocation.options.get(invocation.focused) or "")
        builtins = invocation.subcommand != "remove"
        try:
            choices = deps.templates.choices(invocation.guild_id, typed, builtins=builtins)
        except STORAGE_ERRORS as error:
            request_path_failure("template autocomplete without server templates", error)
            choices = deps.templates.choices(None, typed, builtins=builtins)
    return {"type": AUTOCOMPLETE_RESULT, "data": {"choices": choices}}


# -- the worker side --------------------------------------------------------------------------


class AttachmentGone(Exception):
    """Discord's CDN refused the link (expired or deleted): only a new upload helps."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def download_attachment(url: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file behind a Discord attachment URL, at most `limit` bytes.

    A plain GET: CDN links carry their own signature, so no bot token goes with them. Raises
    AttachmentGone (4xx), TemplateInvalid (too large), DiscordUnavailable (timeouts, 5xx, 429:
    worth retrying later)."""
    import requests  # the worker's job; the interactions Lambda's cold start stays lean

    from .discord_rest import USER_AGENT

    if not url.lower().startswith(("https://", "http://")):
        raise AttachmentGone(0)
    started = time.monotonic()
    route = "GET attachment"
    try:
        with requests.get(url, timeout=DOWNLOAD_TIMEOUT, stream=True,
                          headers={"User-Agent": USER_AGENT}) as response:
            status = response.status_code
            if status >= 500 or status in (408, 429):
                raise DiscordUnavailable(f"the CDN answered HTTP {status}", status=status, route=route)
            if status >= 400:
                raise AttachmentGone(status)
            too_big = TemplateInvalid([f"file: is larger than {limit // 1024} KiB, the most a "
                                       "template can be"])
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_big
            body = bytearray()
            for chunk in response.iter_content(chunk_size=16 * 1024):
                body += chunk
                if len(body) > limit:
                    raise too_big
                if time.monotonic() - started > DOWNLOAD_DEADLINE_S:
                    raise DiscordUnavailable("the download took too long", route=route)
            return bytes(body)
    except requests.RequestException as error:
        raise DiscordUnavailable(f"download failed ({type(error).__name__})", route=route) from None


def run_template_import(task: Task, deps: Any, *, last_attempt: bool = False) -> None:
    """Download, validate and store the uploaded template, then edit the deferred answer.

    `deps`: `.rest` (DiscordRest), `.templates` (TemplateLibrary), `.application_id`. Raises
    DiscordUnavailable (or a botocore error) when trying again later can help — unless
    `last_attempt`, when the user is told instead and the task ends."""
    filename = str(task.args.get("filename") or "the file")
    try:
        content = download_attachment(str(task.args.get("url") or ""))
        template = parse_template_file(content, filename)
        replaced = deps.templates.put(task.guild_id, template, author_id=str(task.args.get("user_id", "")))
    except AttachmentGone as gone:
        _edit(task, deps, Problem(
            f"I couldn't download “{_md(filename)}”.",
            "Discord's link to the upload no longer works" + (f" (HTTP {gone.status})" if gone.status else "")
            + "; attachment links expire.",
            "Run `/campaign-template import` again and attach the file anew.").text())
        return
    except TemplateInvalid as invalid:
        _edit(task, deps, invalid_text(filename, invalid.errors))
        return
    except (DiscordUnavailable, *STORAGE_ERRORS) as error:
        if not last_attempt:
            raise
        logger.error("template import gave up", error=str(error))
        _edit(task, deps, Problem(f"I couldn't import “{_md(filename)}”.",
                                  "Discord or my storage kept failing while I tried; nothing was saved.",
                                  "Run `/campaign-template import` again in a few minutes.").text())
        return
    _edit(task, deps, saved_text(template, replaced))


def saved_text(template, replaced: bool) -> str:
    names = ", ".join(f"{ICONS[c.type]}{_md(c.name)}" + (" 🔒" if c.gm_only else "")
                      for c in template.channels)
    text = (f"✅ Template `{template.id}` ({_md(template.title)}) saved: {describe_channels(template)}"
            + (", replacing the earlier version." if replaced else ".")
            + f"\nChannels: {names}\n"
            f"Use it with `/add-campaign name:<campaign> template:{template.id}`.")
    if len(text) <= MESSAGE_LIMIT:
        return text
    return text[:MESSAGE_LIMIT - 80].rsplit(", ", 1)[0] + ", …\n" \
        f"Use it with `/add-campaign name:<campaign> template:{template.id}`."


def invalid_text(filename: str, errors: list[str]) -> str:
    count = len(errors)
    head = (f"❌ **I couldn't import “{_md(filename)}”: it has {count} problem{'s' if count != 1 else ''}.**")
    tail = ("**What to do:** fix these in the file, then run `/campaign-template import` again. "
            "`/campaign-template show name:default` shows a working example.")
    lines = [head] + [f"• {_md(error)}" for error in errors]
    return _fit(lines, tail)


def _edit(task: Task, deps: Any, content: str) -> None:
    try:
        deps.rest.request("PATCH", f"/webhooks/{deps.application_id}/{task.args['token']}/messages/@original",
                          json={"content": content[:MESSAGE_LIMIT], "allowed_mentions": {"parse": []}})
    except DiscordRejected as error:
        # Past the token's 15 minutes (401 50027) there is no one left to tell; never retry it.
        logger.warning("could not edit the template import answer", status=error.status, code=error.code)
