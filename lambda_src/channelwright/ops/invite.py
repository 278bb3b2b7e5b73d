"""The URL that adds the bot to a server, with exactly the permissions it needs.

`python -m channelwright.ops.invite [APPLICATION_ID]` (or DISCORD_APPLICATION_ID) prints it.

The bot needs Manage Channels and Manage Roles to build, and must itself hold every permission
its overwrites grant: Discord lets an overwrite allow or deny only permissions the bot has
(developers/resources/guild.mdx, Create Guild Channel), and access.py masks them that way, so a
missing one would silently leave the players' or GMs' channels short of it.

The URL is Discord's bot authorization flow: client_id, scope `bot` (plus `applications.commands`
for the slash commands) and `permissions`, the integer of the permission bits
(developers/topics/oauth2.mdx, "Bot Authorization Flow").
"""

import os
import sys
import urllib.parse

from channelwright.campaigns import access
from channelwright.discord import permissions as p

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")
INVITE_PERMISSIONS = access.SERVER_NEEDS


def invite_url(application_id: str) -> str:
    """The bot authorization URL for `application_id` (a snowflake; ValueError otherwise)."""
    if not str(application_id).isdigit():
        raise ValueError(f"an application id is a number (a Discord snowflake), not {application_id!r}")
    query = urllib.parse.urlencode({"client_id": application_id, "scope": " ".join(SCOPES),
                                    "permissions": str(INVITE_PERMISSIONS)},
                                   quote_via=urllib.parse.quote)
    return f"{AUTHORIZE_URL}?{query}"


def main(argv: list[str] | None = None, environ=os.environ) -> int:
    argv = sys.argv[1:] if argv is None else argv
    application_id = (argv[0] if argv else environ.get("DISCORD_APPLICATION_ID", "")).strip()
    if not application_id:
        print("usage: python -m channelwright.ops.invite APPLICATION_ID  (or set DISCORD_APPLICATION_ID)",
              file=sys.stderr)
        return 2
    try:
        print(invite_url(application_id))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"permissions {INVITE_PERMISSIONS}: "
          + ", ".join(sorted(p.LABELS.get(bit, name.replace("_", " ").title())
                             for name, bit in vars(p).items()
                             if name.isupper() and isinstance(bit, int) and bit.bit_count() == 1
                             and INVITE_PERMISSIONS & bit)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
