"""Registering the slash commands with Discord, and saying what that changed.

    PYTHONPATH=lambda_src python -m channelwright.commands register [--guild ID] [--dry-run]

One bulk overwrite (`PUT /applications/{app}/commands`, or `.../guilds/{guild}/commands`) sends the
whole of `definitions.DEFINITIONS`: it is idempotent, removes commands no longer defined, and unlike
one POST per command does not spend the 200-creates-a-day budget on commands that already exist
(developers/interactions/application-commands.mdx, "Bulk Overwrite"). The list registered before
is read first, so the output names what was added, updated (and which fields), removed or left
unchanged. Guild commands update at once: handy while developing.

Exit codes: 0 done; 1 Discord refused or could not be reached; 2 bad usage or missing settings.
The bot token is read from the environment and never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from channelwright.commands.definitions import DEFINITIONS
from channelwright.discord.api import DiscordApi, commands_path
from channelwright.discord.errors import (
    DiscordError,
    DiscordRejected,
    JsonErrorCode,
    RateLimitedLong,
    RateLimitedTooLong,
)
from channelwright.discord.rest import DiscordRest
from channelwright.discord.types import ApplicationCommandType

DEFAULT_API = "https://discord.com/api/v10"
MAX_WAIT_S = 60.0  # a longer rate limit (e.g. the daily create budget) ends the run instead
# Fields Channelwright sets; others Discord fills in (id, version, integration_types, ...) are its own.
_DEFAULTS = {"type": ApplicationCommandType.CHAT_INPUT}


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # name -> changed fields
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _normal(value: Any) -> Any:
    """Discord leaves out (or sends as null/false/[]) what is unset; compare without the noise."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v not in (None, False, [], {})}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _option_changes(current: list | None, wanted: list | None) -> list[str]:
    now = {o.get("name"): _normal(o) for o in current or []}
    then = {o.get("name"): o for o in (_normal(o) for o in wanted or [])}
    changed = [f"options.{name}" + ("" if name in now else " (added)")
               for name, option in then.items() if now.get(name) != option]
    changed += [f"options.{name} (removed)" for name in now if name not in then]
    if not changed and list(now) != list(then):
        changed.append("options (order)")
    return changed


def changed_fields(current: dict, wanted: dict) -> list[str]:
    """The fields of `wanted` that differ in the registered `current` (option by option)."""
    changed = []
    for name in wanted:
        mine, theirs = wanted.get(name, _DEFAULTS.get(name)), current.get(name, _DEFAULTS.get(name))
        if name == "options":
            changed += _option_changes(theirs, mine)
        elif _normal(mine) != _normal(theirs):
            changed.append(name)
    return changed


def diff_commands(current: list[dict], wanted: list[dict]) -> Changes:
    """What PUTting `wanted` over `current` does, by command name (and type)."""
    key = lambda c: (c.get("name"), c.get("type", ApplicationCommandType.CHAT_INPUT))  # noqa: E731  (names are unique per type)
    registered = {key(c): c for c in current}
    changes = Changes()
    for command in wanted:
        old = registered.pop(key(command), None)
        if old is None:
            changes.added.append(command["name"])
        elif fields := changed_fields(old, command):
            changes.updated[command["name"]] = fields
        else:
            changes.unchanged.append(command["name"])
    changes.removed = [c.get("name", "?") for c in registered.values()]
    return changes


def register(api: DiscordApi, application_id: str, definitions: list[dict], *,
             guild_id: str | None = None, out: TextIO = sys.stdout) -> Changes:
    """Read what is registered, overwrite it with `definitions`, and report the difference."""
    current = api.get_commands(application_id, guild_id)
    changes = diff_commands(current, definitions)
    registered = api.put_commands(application_id, definitions, guild_id)
    where = f"in server {guild_id}" if guild_id else "globally"
    print(f"Registered {len(registered)} command{'s' if len(registered) != 1 else ''} {where} "
          f"for application {application_id}:", file=out)
    print_changes(changes, out)
    return changes


def print_changes(changes: Changes, out: TextIO) -> None:
    for name in changes.added:
        print(f"  + {name}: added", file=out)
    for name, fields in changes.updated.items():
        print(f"  ~ {name}: updated ({', '.join(fields)})", file=out)
    for name in changes.removed:
        print(f"  - {name}: removed", file=out)
    for name in changes.unchanged:
        print(f"  = {name}: unchanged", file=out)
    print(f"{len(changes.added)} added, {len(changes.updated)} updated, {len(changes.removed)} removed, "
          f"{len(changes.unchanged)} unchanged.", file=out)


def dry_run(definitions: list[dict], out: TextIO) -> None:
    json.dump(definitions, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _explain(error: DiscordError, guild_id: str | None) -> str:
    if isinstance(error, (RateLimitedTooLong, RateLimitedLong)):
        return ("Discord asked me to wait longer than I will. Each server (and the global scope) "
                "may create at most 200 commands a day; try again tomorrow, or register in "
                "another scope.")
    if error.status == 401:
        return "Discord refused DISCORD_BOT_TOKEN: check that it is the bot's current token."
    if error.code == JsonErrorCode.MISSING_ACCESS and guild_id:
        return (f"The bot can't manage commands in server {guild_id}: invite it there with the "
                "applications.commands scope.")
    if error.status in (403, 404):
        return ("Discord refused the application or server id: check that DISCORD_APPLICATION_ID "
                "belongs to the bot token"
                + (" and that --guild is a server the bot is in." if guild_id else "."))
    if error.code == JsonErrorCode.INVALID_FORM_BODY:
        return f"Discord refused a command definition: {error.detail}"
    return "Try again in a few minutes."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m channelwright.commands",
                                     description="Manage Channelwright's slash commands on Discord.")
    sub = parser.add_subparsers(dest="action", required=True)
    reg = sub.add_parser("register", help="overwrite the registered commands with the current ones",
                         description="PUT the full command list (bulk overwrite) and print what changed. "
                                     "Reads DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID and optionally "
                                     "DISCORD_API_BASE_URL from the environment.")
    reg.add_argument("--guild", metavar="ID", help="register in one server (updates instantly) "
                                                  "instead of globally")
    reg.add_argument("--dry-run", action="store_true",
                     help="print the JSON that would be sent; needs no token")
    return parser


def main(argv: list[str] | None = None, *, environ: Mapping[str, str] | None = None,
         definitions: list[dict] | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    env = os.environ if environ is None else environ
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if definitions is None:
        definitions = DEFINITIONS
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    guild_id = args.guild
    if guild_id is not None and not guild_id.isdigit():
        print(f"error: --guild takes a server id (digits), got {guild_id!r}", file=err)
        return 2
    application_id = (env.get("DISCORD_APPLICATION_ID") or "").strip()
    if args.dry_run:
        dry_run(definitions, out)
        print(f"(dry run: would PUT {len(definitions)} commands to "
              f"{commands_path(application_id or '<DISCORD_APPLICATION_ID>', guild_id)}; nothing sent)",
              file=err)
        return 0
    token = (env.get("DISCORD_BOT_TOKEN") or "").strip()
    missing = [name for name, value in (("DISCORD_BOT_TOKEN", token),
                                        ("DISCORD_APPLICATION_ID", application_id)) if not value]
    if missing:
        print(f"error: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
              "Set the bot token and application id from the Developer Portal in the environment "
              "(or use --dry-run to only print the commands).", file=err)
        return 2
    if not application_id.isdigit():
        print(f"error: DISCORD_APPLICATION_ID must be the application's numeric id, got {application_id!r}",
              file=err)
        return 2
    rest = DiscordRest(env.get("DISCORD_API_BASE_URL") or DEFAULT_API, token)
    rest.deadline = time.monotonic() + MAX_WAIT_S
    try:
        register(DiscordApi(rest), application_id, definitions, guild_id=guild_id, out=out)
    except DiscordError as error:
        kind = "refused" if isinstance(error, DiscordRejected) else "could not be reached for"
        print(f"error: Discord {kind} the registration ({error}).\n{_explain(error, guild_id)}", file=err)
        return 1
    return 0
