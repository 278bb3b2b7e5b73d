"""Which method and path does what: the route table of the emulated API.

Templates double as rate-limit route keys ("POST /guilds/{guild_id}/channels").
Webhook routes carry their credential (the interaction token) in the URL, need
no Authorization header and are not bound to the global limit (DOCS/rr).
"""

import re
from dataclasses import dataclass
from typing import Any, Callable

# The top-level resources Discord keys buckets by (DOCS/rl).
MAJOR_PARAMS = (("guild_id",), ("channel_id",), ("application_id", "interaction_token"),
                ("interaction_id", "interaction_token"))


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[..., tuple[int, Any]]

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def array_body(self) -> bool:
        return self.key in ARRAY_BODY

    @property
    def takes_files(self) -> bool:
        """Whether a multipart body with files may come here (uploads.py); its handler then
        takes the files as a fifth argument."""
        return self.key in TAKES_FILES

    @property
    def webhook(self) -> bool:
        return self.template.startswith(("/webhooks/", "/interactions/"))

    @property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template) + "$")

    def major(self, params: dict) -> str | None:
        for names in MAJOR_PARAMS:
            if all(n in params for n in names):
                return "/".join(params[n] for n in names)
        return None


# DOCS/ref "Boolean Query Strings": "True", "true" or "1" for true ("False", "false", "0" false;
# anything else is refused by validation before a handler runs).
TRUE_QUERY = ("True", "true", "1")


def _flag(query: dict, name: str) -> bool:
    return query.get(name, ["false"])[0] in TRUE_QUERY


def _answer(body) -> tuple[int, object]:
    """200 with a body, 204 without one."""
    return (204, None) if body is None else (200, body)


# Each handler: (api, params, body, query) -> (status, json or None); those of TAKES_FILES
# routes take the request's files (uploads.Upload, a tuple) fifth.
# `api` bundles state, actions, messages and interactions (see server.Api).
_TABLE = [
    ("GET", "/users/@me", lambda a, p, b, q: (200, a.state.bot.current_user_json())),
    ("GET", "/guilds/{guild_id}", lambda a, p, b, q: (200, a.actions.guild_object(p["guild_id"]))),
    # Only the channels the bot can view (changelog "Channel Obfuscation for Users and Bots").
    ("GET", "/guilds/{guild_id}/channels", lambda a, p, b, q: (200, a.actions.list_channels(p["guild_id"]))),
    # Discord answers a created channel with 201 Created.
    ("POST", "/guilds/{guild_id}/channels", lambda a, p, b, q: (
        201, a.actions.create_channel(p["guild_id"], b))),
    ("GET", "/guilds/{guild_id}/roles", lambda a, p, b, q: (200, a.actions.list_roles(p["guild_id"]))),
    ("POST", "/guilds/{guild_id}/roles", lambda a, p, b, q: (200, a.actions.create_role(p["guild_id"], b))),
    ("PATCH", "/guilds/{guild_id}/roles/{role_id}", lambda a, p, b, q: (
        200, a.actions.modify_role(p["guild_id"], p["role_id"], b))),
    ("DELETE", "/guilds/{guild_id}/roles/{role_id}", lambda a, p, b, q: (
        204, a.actions.delete_role(p["guild_id"], p["role_id"]))),
    ("GET", "/guilds/{guild_id}/members/{user_id}", lambda a, p, b, q: (
        200, a.actions.get_member(p["guild_id"], p["user_id"]))),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", lambda a, p, b, q: (
        204, a.actions.set_member_role(p["guild_id"], p["user_id"], p["role_id"], True))),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", lambda a, p, b, q: (
        204, a.actions.set_member_role(p["guild_id"], p["user_id"], p["role_id"], False))),
    ("GET", "/channels/{channel_id}", lambda a, p, b, q: (200, a.actions.get_channel(p["channel_id"]))),
    # A thread is a channel too (DOCS/channel "Modify Channel", JSON Params (Thread)).
    ("PATCH", "/channels/{channel_id}", lambda a, p, b, q: (
        200, a.threads.modify(p["channel_id"], b) if p["channel_id"] in a.threads.threads
        else a.actions.modify_channel(p["channel_id"], b))),
    ("DELETE", "/channels/{channel_id}", lambda a, p, b, q: (
        200, a.actions.delete_channel(p["channel_id"]))),
    ("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", lambda a, p, b, q: (
        204, a.actions.put_overwrite(p["channel_id"], p["overwrite_id"], b))),
    ("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", lambda a, p, b, q: (
        204, a.actions.delete_overwrite(p["channel_id"], p["overwrite_id"]))),
    # Private threads (threads.py): DOCS/channel "Start Thread without Message" answers 201
    # Created like any created channel; the member routes answer 204 (DOCS/channel).
    ("POST", "/channels/{channel_id}/threads", lambda a, p, b, q: (
        201, a.threads.start(p["channel_id"], b))),
    ("GET", "/channels/{channel_id}/thread-members", lambda a, p, b, q: (
        200, a.threads.list_members(p["channel_id"]))),
    ("GET", "/channels/{channel_id}/thread-members/{user_id}", lambda a, p, b, q: (
        200, a.threads.get_member(p["channel_id"], p["user_id"]))),
    ("PUT", "/channels/{channel_id}/thread-members/{user_id}", lambda a, p, b, q: (
        204, a.threads.add_member(p["channel_id"], p["user_id"]))),
    ("DELETE", "/channels/{channel_id}/thread-members/{user_id}", lambda a, p, b, q: (
        204, a.threads.remove_member(p["channel_id"], p["user_id"]))),
    ("GET", "/channels/{channel_id}/threads/archived/private", lambda a, p, b, q: (
        200, a.threads.archived_private(p["channel_id"]))),
    ("GET", "/guilds/{guild_id}/threads/active", lambda a, p, b, q: (
        200, a.threads.active(p["guild_id"]))),
    ("GET", "/channels/{channel_id}/messages", lambda a, p, b, q: (
        200, a.messages.list(p["channel_id"], q))),
    # A DM channel's messages are direct_messages.py's.
    ("POST", "/channels/{channel_id}/messages", lambda a, p, b, q, f: (
        200, a.dms.create_message(p["channel_id"], b, f) if a.dms.holds(p["channel_id"])
        else a.messages.create(p["channel_id"], b, f))),
    # DOCS/user "Create DM" (direct_messages.py).
    ("POST", "/users/@me/channels", lambda a, p, b, q: (200, a.dms.open(b))),
    # @original before {message_id}: the first route matching path and method wins.
    ("GET", "/webhooks/{application_id}/{interaction_token}/messages/@original", lambda a, p, b, q: (
        200, a.interactions.get_message(p["application_id"], p["interaction_token"], "@original"))),
    ("PATCH", "/webhooks/{application_id}/{interaction_token}/messages/@original", lambda a, p, b, q, f: (
        200, a.interactions.edit_message(p["application_id"], p["interaction_token"], "@original", b, f))),
    ("DELETE", "/webhooks/{application_id}/{interaction_token}/messages/@original", lambda a, p, b, q: (
        204, a.interactions.delete_message(p["application_id"], p["interaction_token"], "@original"))),
    ("GET", "/webhooks/{application_id}/{interaction_token}/messages/{message_id}", lambda a, p, b, q: (
        200, a.interactions.get_message(p["application_id"], p["interaction_token"], p["message_id"]))),
    ("PATCH", "/webhooks/{application_id}/{interaction_token}/messages/{message_id}", lambda a, p, b, q, f: (
        200, a.interactions.edit_message(p["application_id"], p["interaction_token"], p["message_id"], b,
                                         f))),
    ("DELETE", "/webhooks/{application_id}/{interaction_token}/messages/{message_id}", lambda a, p, b, q: (
        204, a.interactions.delete_message(p["application_id"], p["interaction_token"], p["message_id"]))),
    ("POST", "/webhooks/{application_id}/{interaction_token}", lambda a, p, b, q, f: (
        200, a.interactions.followup(p["application_id"], p["interaction_token"], b, f))),
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", lambda a, p, b, q, f: _answer(
        a.interactions.callback(p["interaction_id"], p["interaction_token"], b,
                                _flag(q, "with_response"), f))),
    # Application commands (DOCS/ac): only the bulk routes; PUT takes a JSON array.
    ("GET", "/applications/{application_id}/commands", lambda a, p, b, q: (
        200, a.commands.list(p["application_id"]))),
    ("PUT", "/applications/{application_id}/commands", lambda a, p, b, q: (
        200, a.commands.overwrite(p["application_id"], None, b))),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", lambda a, p, b, q: (
        200, a.commands.list(p["application_id"], p["guild_id"]))),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", lambda a, p, b, q: (
        200, a.commands.overwrite(p["application_id"], p["guild_id"], b))),
]
# Routes whose JSON body is an array rather than an object.
ARRAY_BODY = frozenset({"PUT /applications/{application_id}/commands",
                        "PUT /applications/{application_id}/guilds/{guild_id}/commands"})

# Routes that take files (uploads.py): DOCS/message "Create Message"; DOCS/rr "Create Followup
# Message", "Edit Original Interaction Response", "Edit Followup Message", and "Create
# Interaction Response" ("This endpoint also supports file attachments").
TAKES_FILES = frozenset({"POST /channels/{channel_id}/messages",
                         "POST /webhooks/{application_id}/{interaction_token}",
                         "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original",
                         "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                         "POST /interactions/{interaction_id}/{interaction_token}/callback"})

ROUTES = [Route(method, template, handler) for method, template, handler in _TABLE]
_PATTERNS = [(route, route.pattern) for route in ROUTES]


def resolve(method: str, path: str) -> tuple[Route | None, dict, set[str]]:
    """(route, params, methods allowed on this path); route None with methods means 405."""
    allowed: set[str] = set()
    for route, pattern in _PATTERNS:
        match = pattern.match(path)
        if match:
            allowed.add(route.method)
            if route.method == method:
                return route, match.groupdict(), allowed
    return None, {}, allowed
