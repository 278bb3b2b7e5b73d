"""DiscordApi: one method per Discord endpoint the bot calls, and the rules every call obeys.

Business code says what it wants (`api.create_channel(guild_id, body, reason=...)`) and never sees
a URL, a method or a route (routes.py declares those). The rules applied here, once:
- an audit-log reason on every call that changes a server: Discord shows it in the audit log
  (developers/resources/audit-log.mdx, "X-Audit-Log-Reason"), so admins see who asked for what;
- `allowed_mentions: {"parse": []}` on every message: names the bot shows are users' data and
  must never ping anyone (developers/resources/message.mdx, "Allowed Mentions Object"); the one
  exception is a channel message that names the users it is meant to ping (`mentions`), and then
  those users only ("users": an id list, which `parse` must not also name);
- message content within Discord's 2000 characters (developers/resources/message.mdx, "Create
  Message"): a longer one is refused with ValueError before anything is sent, never cut, since
  callers lay long text out in parts (text/layout.split_text). Files (files.File) have no such
  limit beyond their size: a long text goes as a file in one message.
Every method returns the JSON Discord answered (a dict or list; None for 204) and raises the
DiscordError subclasses of errors.py (see DiscordRest.request).
"""

from typing import Any, Protocol

from channelwright.discord import routes as r
from channelwright.discord.files import File, parts, with_attachments
from channelwright.discord.routes import CompiledRoute
from channelwright.discord.types import MESSAGE_CONTENT_LIMIT, NO_MENTIONS, ChannelType, MessageFlags


class Rest(Protocol):
    """What the facade needs of a REST client: DiscordRest (rest.py)."""

    def request(self, route: CompiledRoute, *, json: Any = None, reason: str | None = None,
                files: list | None = None) -> Any: ...


def message(content: str, *, components: list | None = None, ephemeral: bool = False,
            mentions: tuple[str, ...] = ()) -> dict:
    """A message body: `content` (ValueError past 2000 characters), pinging only the users in
    `mentions` (none by default), optional `components` (an empty list removes a message's
    buttons) and the EPHEMERAL flag."""
    if len(content) > MESSAGE_CONTENT_LIMIT:
        raise ValueError(f"message content is {len(content)} characters; Discord takes at most "
                         f"{MESSAGE_CONTENT_LIMIT} (split it with text.layout.split_text)")
    # developers/resources/message.mdx, "Allowed Mentions Object": `users` is at most 100 ids.
    if len(mentions) > 100:
        raise ValueError(f"{len(mentions)} users to mention; Discord takes at most 100")
    allowed = {**NO_MENTIONS, "users": list(mentions)} if mentions else NO_MENTIONS
    body: dict[str, Any] = {"content": content, "allowed_mentions": allowed}
    if components is not None:
        body["components"] = components
    if ephemeral:
        body["flags"] = MessageFlags.EPHEMERAL
    return body


class DiscordApi:
    def __init__(self, rest: Rest):
        self.rest = rest

    # -- guilds (developers/resources/guild.mdx) ---------------------------------------------

    def get_guild(self, guild_id: str) -> dict:
        """"Get Guild": the guild object, with its `roles` and `owner_id`."""
        return self.rest.request(r.GET_GUILD.compile(guild_id=guild_id))

    def guild_channels(self, guild_id: str) -> list[dict]:
        """"Get Guild Channels": the channels the bot can view (hidden ones are left out)."""
        return self.rest.request(r.GET_GUILD_CHANNELS.compile(guild_id=guild_id))

    def create_channel(self, guild_id: str, body: dict, *, reason: str) -> dict:
        """"Create Guild Channel" with `body` (name, type, parent_id, permission_overwrites...)."""
        return self.rest.request(r.CREATE_GUILD_CHANNEL.compile(guild_id=guild_id), json=body,
                                 reason=reason)

    def guild_roles(self, guild_id: str) -> list[dict]:
        """"Get Guild Roles"."""
        return self.rest.request(r.GET_GUILD_ROLES.compile(guild_id=guild_id))

    def create_role(self, guild_id: str, body: dict, *, reason: str) -> dict:
        """"Create Guild Role" with `body` (name, permissions as a string, mentionable, hoist)."""
        return self.rest.request(r.CREATE_GUILD_ROLE.compile(guild_id=guild_id), json=body,
                                 reason=reason)

    def delete_role(self, guild_id: str, role_id: str, *, reason: str) -> None:
        """"Delete Guild Role"."""
        self.rest.request(r.DELETE_GUILD_ROLE.compile(guild_id=guild_id, role_id=role_id),
                          reason=reason)

    def get_member(self, guild_id: str, user_id: str) -> dict:
        """"Get Guild Member": the member object, with its `roles` (ids)."""
        return self.rest.request(r.GET_GUILD_MEMBER.compile(guild_id=guild_id, user_id=user_id))

    def add_member_role(self, guild_id: str, user_id: str, role_id: str, *, reason: str) -> None:
        """"Add Guild Member Role"."""
        self.rest.request(r.ADD_GUILD_MEMBER_ROLE.compile(guild_id=guild_id, user_id=user_id,
                                                          role_id=role_id), reason=reason)

    def remove_member_role(self, guild_id: str, user_id: str, role_id: str, *, reason: str) -> None:
        """"Remove Guild Member Role"."""
        self.rest.request(r.REMOVE_GUILD_MEMBER_ROLE.compile(guild_id=guild_id, user_id=user_id,
                                                             role_id=role_id), reason=reason)

    # -- channels and messages (developers/resources/channel.mdx, message.mdx) ---------------

    def get_channel(self, channel_id: str) -> dict:
        """"Get Channel"."""
        return self.rest.request(r.GET_CHANNEL.compile(channel_id=channel_id))

    def modify_channel(self, channel_id: str, changes: dict, *, reason: str) -> dict:
        """"Modify Channel" with `changes` (parent_id, permission_overwrites...)."""
        return self.rest.request(r.MODIFY_CHANNEL.compile(channel_id=channel_id), json=changes,
                                 reason=reason)

    def delete_channel(self, channel_id: str, *, reason: str) -> None:
        """"Delete/Close Channel"."""
        self.rest.request(r.DELETE_CHANNEL.compile(channel_id=channel_id), reason=reason)

    def edit_channel_permissions(self, channel_id: str, overwrite: dict, *, reason: str) -> None:
        """"Edit Channel Permissions": put `overwrite` ({"id", "type" 0 role / 1 member, "allow",
        "deny"}) on the channel, replacing that target's overwrite whole (a target state, so
        sending it twice is harmless)."""
        body = {"type": overwrite["type"], "allow": str(overwrite.get("allow") or "0"),
                "deny": str(overwrite.get("deny") or "0")}
        self.rest.request(r.EDIT_CHANNEL_PERMISSIONS.compile(
            channel_id=channel_id, overwrite_id=overwrite["id"]), json=body, reason=reason)

    def delete_channel_permission(self, channel_id: str, overwrite_id: str, *, reason: str) -> None:
        """"Delete Channel Permission": remove the overwrite of role or member `overwrite_id`."""
        self.rest.request(r.DELETE_CHANNEL_PERMISSION.compile(
            channel_id=channel_id, overwrite_id=overwrite_id), reason=reason)

    # -- private threads (developers/resources/channel.mdx, guild.mdx) ---------------------------

    def start_private_thread(self, channel_id: str, name: str, *, reason: str) -> dict:
        """"Start Thread without Message": a private thread (type 12) named `name` (1-100
        characters) under text channel `channel_id`, which only its members and those with Manage
        Threads there can see (topics/threads.mdx "Permissions"); `invitable` false, so only
        moderators add people. The channel object, with `id` and `parent_id`."""
        body = {"name": name, "type": ChannelType.GUILD_PRIVATE_THREAD, "invitable": False}
        return self.rest.request(r.START_THREAD_WITHOUT_MESSAGE.compile(channel_id=channel_id),
                                 json=body, reason=reason)

    def active_threads(self, guild_id: str) -> list[dict]:
        """"List Active Guild Threads": the `threads` (channel objects) the bot can see."""
        answer = self.rest.request(r.LIST_ACTIVE_GUILD_THREADS.compile(guild_id=guild_id))
        return list(answer.get("threads") or [])

    def archived_private_threads(self, channel_id: str) -> list[dict]:
        """"List Private Archived Threads": the `threads` under `channel_id` archived (the bot
        needs Read Message History and Manage Threads there). One page, the newest archived."""
        answer = self.rest.request(r.LIST_PRIVATE_ARCHIVED_THREADS.compile(channel_id=channel_id))
        return list(answer.get("threads") or [])

    def get_thread_member(self, thread_id: str, user_id: str) -> dict:
        """"Get Thread Member": the thread member object; 404 10007 Unknown Member if they are
        not in the thread ("returns a 404 response otherwise")."""
        return self.rest.request(r.GET_THREAD_MEMBER.compile(channel_id=thread_id, user_id=user_id))

    def add_thread_member(self, thread_id: str, user_id: str) -> None:
        """"Add Thread Member" (204 also when they already are one)."""
        self.rest.request(r.ADD_THREAD_MEMBER.compile(channel_id=thread_id, user_id=user_id))

    def remove_thread_member(self, thread_id: str, user_id: str) -> None:
        """"Remove Thread Member"."""
        self.rest.request(r.REMOVE_THREAD_MEMBER.compile(channel_id=thread_id, user_id=user_id))

    def create_message(self, channel_id: str, content: str, *, components: list | None = None,
                       files: list[File] | None = None, mentions: tuple[str, ...] = ()) -> dict:
        """"Create Message": `content` (at most 2000 characters, else ValueError), pinging no one
        but the user ids in `mentions`, with `files` attached (the bot needs Attach Files in the
        channel)."""
        return self._send_message(r.CREATE_MESSAGE.compile(channel_id=channel_id),
                                  message(content, components=components, mentions=mentions), files)

    def channel_messages(self, channel_id: str, *, before: str | None = None, limit: int = 100) -> list[dict]:
        """"Get Channel Messages": up to `limit` (1-100) message objects, newest first, all of them
        older than the message `before` when given (page back through a channel's history by
        passing the last one's id). Empty without Read Message History in the channel."""
        if not 1 <= limit <= 100:
            raise ValueError(f"limit is {limit}; Discord takes 1-100")
        route = r.GET_CHANNEL_MESSAGES.compile(channel_id=channel_id).with_query(before=before, limit=limit)
        return self.rest.request(route) or []

    # -- users (developers/resources/user.mdx) -----------------------------------------------

    def current_user(self) -> dict:
        """"Get Current User": the bot's own user object (its `id`)."""
        return self.rest.request(r.GET_CURRENT_USER.compile())

    def create_dm(self, user_id: str) -> dict:
        """"Create DM": the DM channel with the user (a channel object of type 1; the one open
        already if any). Opening it succeeds even when the user takes no DMs from me: a message
        sent there then answers 403 50007 "Cannot send messages to this user"
        (developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes")."""
        return self.rest.request(r.CREATE_DM.compile(), json={"recipient_id": str(user_id)})

    # -- interaction responses (developers/interactions/receiving-and-responding.mdx) --------
    # The interaction's token authorises these, for 15 minutes ("Interaction Callback").

    def edit_original(self, application_id: str, token: str, content: str, *,
                      components: list | None = None, files: list[File] | None = None) -> dict:
        """"Edit Original Interaction Response" to `content` (ValueError past 2000 characters),
        with `files` attached ("Uploading Files": the message then holds exactly these)."""
        route = r.EDIT_ORIGINAL_INTERACTION_RESPONSE.compile(application_id=application_id,
                                                             interaction_token=token)
        return self._send_message(route, message(content, components=components), files)

    def delete_original(self, application_id: str, token: str) -> None:
        """"Delete Original Interaction Response"."""
        self.rest.request(r.DELETE_ORIGINAL_INTERACTION_RESPONSE.compile(
            application_id=application_id, interaction_token=token))

    def create_followup(self, application_id: str, token: str, content: str, *,
                        ephemeral: bool = False, files: list[File] | None = None) -> dict:
        """"Create Followup Message": `content` (ValueError past 2000 characters), seen only by
        the user when `ephemeral`, with `files` attached."""
        route = r.CREATE_FOLLOWUP_MESSAGE.compile(application_id=application_id,
                                                  interaction_token=token)
        return self._send_message(route, message(content, ephemeral=ephemeral), files)

    def _send_message(self, route: CompiledRoute, body: dict, files: list[File] | None) -> dict:
        """`body` as JSON, or with `files` as multipart (developers/reference.mdx "Uploading
        Files"; ValueError past files.MAX_FILES or a file past files.MAX_FILE_BYTES)."""
        if not files:
            return self.rest.request(route, json=body)
        return self.rest.request(route, files=parts(with_attachments(body, files), files))

    # -- application commands (developers/interactions/application-commands.mdx) -------------

    def get_commands(self, application_id: str, guild_id: str | None = None) -> list[dict]:
        """"Get Global Application Commands", or "Get Guild Application Commands" for `guild_id`."""
        return self.rest.request(_commands_route(application_id, guild_id, write=False)) or []

    def put_commands(self, application_id: str, definitions: list[dict],
                     guild_id: str | None = None) -> list[dict]:
        """"Bulk Overwrite Global (or Guild) Application Commands" with `definitions`: the
        commands as Discord registered them."""
        return self.rest.request(_commands_route(application_id, guild_id, write=True),
                                 json=definitions) or []


def _commands_route(application_id: str, guild_id: str | None, *, write: bool) -> CompiledRoute:
    if guild_id:
        route = r.BULK_OVERWRITE_GUILD_APPLICATION_COMMANDS if write else r.GET_GUILD_APPLICATION_COMMANDS
        return route.compile(application_id=application_id, guild_id=guild_id)
    route = r.BULK_OVERWRITE_GLOBAL_APPLICATION_COMMANDS if write else r.GET_GLOBAL_APPLICATION_COMMANDS
    return route.compile(application_id=application_id)


def commands_path(application_id: str, guild_id: str | None = None) -> str:
    """Where a bulk overwrite of the commands goes, for telling an operator (no request is made):
    "/applications/{application_id}/commands", or its guild form."""
    if guild_id:
        return r.BULK_OVERWRITE_GUILD_APPLICATION_COMMANDS.path.format(application_id=application_id,
                                                                         guild_id=guild_id)
    return r.BULK_OVERWRITE_GLOBAL_APPLICATION_COMMANDS.path.format(application_id=application_id)
