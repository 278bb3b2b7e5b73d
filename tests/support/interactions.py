"""Interaction payloads shaped like Discord's (developers/interactions/application-commands.mdx)."""

from channelwright.discord import permissions

GUILD_ID = "290926798626357999"
USER_ID = "53908232506183680"
APPLICATION_ID = "775799577604522054"


def command(name: str = "add-campaign", options: dict | None = None, *, interaction_id: str = "786008729715212338",
            guild_id: str | None = GUILD_ID,
            member_permissions: int = permissions.MANAGE_CHANNELS,
            app_permissions: int = permissions.MANAGE_CHANNELS | permissions.MANAGE_ROLES
            | permissions.VIEW_CHANNEL | permissions.SEND_MESSAGES) -> dict:
    payload = {
        "type": 2, "id": interaction_id, "application_id": APPLICATION_ID,
        "token": "A_UNIQUE_TOKEN", "version": 1, "channel_id": "645027906669510667",
        "app_permissions": str(app_permissions), "locale": "en-US",
        "data": {"id": "771825006014889984", "name": name, "type": 1,
                 "options": [{"type": 3, "name": k, "value": v} for k, v in (options or {}).items()]},
    }
    user = {"id": USER_ID, "username": "Mason", "discriminator": "0"}
    if guild_id:
        payload["guild_id"] = guild_id
        # The server installed the bot (developers/interactions/receiving-and-responding.mdx,
        # Authorizing Integration Owners Object: key "0" maps to the guild id).
        payload["authorizing_integration_owners"] = {"0": guild_id}
        payload["member"] = {"user": user, "roles": ["539082325061836999"],
                             "permissions": str(member_permissions)}
    else:
        payload["user"] = user
    return payload


def add_campaign(name="Curse of Strahd", **kwargs) -> dict:
    return command("add-campaign", {"name": name}, **kwargs)
