"""Who Discord lets invoke a registered command, and from where (DOCS/ac).

Discord only sends an interaction for a command the user could pick, so the emulator
refuses to fake one it would never send. The rules:

  * `default_member_permissions` (DOCS/ac "Permissions" > "Using Default Permissions"):
    "the permissions a user must have to use it"; `"0"` prohibits "anyone in a guild from
    using the command unless ... the user has admin permissions"; "Members with the
    Administrator permission can use all commands" (the owner holds every permission).
    Judged on the member's permissions in the channel the command is typed in, overwrites
    included (the stricter reading: the client offers commands per channel).
  * `contexts` (DOCS/ac "Interaction Contexts"): the interaction context types (GUILD 0,
    BOT_DM 1, PRIVATE_CHANNEL 2) where the command can be used.
  * `integration_types` (DOCS/ac "Installation Context"; DOCS/rr "Authorizing Integration
    Owners Object"): a key of `authorizing_integration_owners` is present only if "the
    command must be supported in the installation context"; with no key left, nobody
    authorised the command there. Guild-scoped commands are guild-install only.

Command-level overwrites (set with a Bearer token) are not modelled.
"""

from .permissions import ADMINISTRATOR

GUILD_INSTALL, USER_INSTALL = "0", "1"


class CommandUnavailable(ValueError):
    """Discord would never send this interaction: the user cannot see or use the command."""


def registered_command(commands, name: str, guild_id: str | None) -> tuple[dict, bool] | None:
    """The chat-input command `name` as registered (guild scope first, then global), with
    whether it is guild-scoped; None when the bot never registered it in the emulator."""
    if commands is None:
        return None
    scopes = ([(guild_id, True)] if guild_id else []) + [(None, False)]
    for scope, guild_scoped in scopes:
        for command in commands.by_scope.get(scope, []):
            if command["name"] == name and command.get("type", 1) == 1:
                return command, guild_scoped
    return None


def supported_owners(command: dict, guild_scoped: bool, owners: dict) -> dict:
    """The `authorizing_integration_owners` entries the command supports."""
    types = [0] if guild_scoped else (command.get("integration_types") or [0])
    return {key: value for key, value in owners.items() if int(key) in types}


def refuse_unless_usable(command: dict, context: int, member_permissions: int | None) -> None:
    """Raise CommandUnavailable when `contexts` or `default_member_permissions` hide the
    command; `member_permissions` is None outside a guild."""
    name = command["name"]
    contexts = command.get("contexts")
    if contexts is not None and context not in contexts:
        raise CommandUnavailable(f"/{name} is not available in interaction context {context} "
                                 f"(its contexts are {contexts})")
    required = command.get("default_member_permissions")
    if required is None or member_permissions is None or member_permissions & ADMINISTRATOR:
        return
    required = int(required)
    if required == 0 or member_permissions & required != required:
        raise CommandUnavailable(
            f"/{name} needs default_member_permissions {required} in this channel; the member "
            f"has {member_permissions}, so Discord does not offer the command")
