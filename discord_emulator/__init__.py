"""An in-memory Discord HTTP API (v10) on a real local socket, for tests, benchmarks
and the local demo. Standard library only.

    from discord_emulator import DiscordEmulator, MANAGE_CHANNELS, MANAGE_ROLES
    with DiscordEmulator() as emu:
        gid = emu.add_guild(bot_permissions=MANAGE_CHANNELS | MANAGE_ROLES)
        ...  # point the bot's client at emu.base_url

Modules: `state` (storage), `model` (objects and JSON), `permissions` (bits and
the overwrite algorithm), `channel_names` (how Discord rewrites channel names),
`command_visibility` (who may invoke a registered command), `actions` / `messages` /
`interactions` / `application_commands` (Discord's rules per resource), `validation` (Discord's
form validation of request bodies and headers, 400 50035), `uploads` (multipart bodies with
files), `attachments` (the CDN serving uploaded files), `routes` (the route table), `server` (the HTTP
pipeline), `ratelimit`, `faults`, `recording`, `render`, `emulator` (the facade).
"""

from .emulator import DiscordEmulator
from .command_visibility import CommandUnavailable
from .errors import ApiError
from .faults import Fault
from .interactions import AcknowledgedTooLate
from .model import ANNOUNCEMENT as GUILD_ANNOUNCEMENT
from .model import CATEGORY as GUILD_CATEGORY
from .model import FORUM as GUILD_FORUM
from .model import STAGE as GUILD_STAGE_VOICE
from .model import TEXT as GUILD_TEXT
from .model import VOICE as GUILD_VOICE
from .permissions import *  # noqa: F401,F403  (every permission bit, ALL_PERMISSIONS, ...)
from .permissions import (ADMINISTRATOR, ALL_PERMISSIONS, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE,
                          MANAGE_CHANNELS, MANAGE_ROLES, VIEW_CHANNEL, permission_names)
from .ratelimit import DEFAULT_BUCKET, GLOBAL_LIMIT, ROLE_CREATE_LIMIT, WEBHOOK_BUCKET
from .recording import RecordedRequest

__all__ = [
    "DiscordEmulator", "RecordedRequest", "Fault", "ApiError", "AcknowledgedTooLate", "CommandUnavailable",
    "GUILD_TEXT", "GUILD_VOICE", "GUILD_CATEGORY", "GUILD_ANNOUNCEMENT", "GUILD_STAGE_VOICE", "GUILD_FORUM",
    "ADMINISTRATOR", "MANAGE_CHANNELS", "MANAGE_ROLES", "VIEW_CHANNEL", "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS", "DEFAULT_EVERYONE", "permission_names",
    "DEFAULT_BUCKET", "WEBHOOK_BUCKET", "GLOBAL_LIMIT", "ROLE_CREATE_LIMIT",
]
