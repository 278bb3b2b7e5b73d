"""Every Discord endpoint the bot calls, declared once: its method, path template and rate-limit key.

A `Route` is one endpoint as Discord's docs name it; `Route.compile(**ids)` fills in the ids and
gives the `CompiledRoute` the REST client sends. The rate-limit key is the route's template plus
its major parameter: "per-route rate limits often account for top-level resources within the path
... channels (`channel_id`), guilds (`guild_id`), and webhooks (`webhook_id` or `webhook_id +
webhook_token`)" (developers/topics/rate-limits.mdx, "Rate Limits"). An interaction's webhook is
`/webhooks/{application_id}/{interaction_token}` (developers/interactions/receiving-and-responding.mdx,
"Followup Messages"), so there the application id and token are the webhook's id and token.

Only discord/ (and tests) import this module: business code calls `DiscordApi` (api.py).
"""

import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field, replace

_PARAM = re.compile(r"\{(\w+)\}")
_TOKEN_PARAMS = ("webhook_token", "interaction_token")
# A path that starts at a top-level resource (rate-limits.mdx, above): the resource's id, and for
# a webhook its token, are the major parameter.
_MAJOR = re.compile(r"^/(guilds|channels)/\{(\w+)\}|^/webhooks/\{(\w+)\}/\{(\w+)\}")


@dataclass(frozen=True)
class CompiledRoute:
    """One request's route: `method`, `path` (ids filled in, relative to /api/v10), `template`
    (the Route's path template), `major` (the top-level resource, "guilds:123" or
    "webhooks:456:<token hash>"; "" when there is none) and `label`, the route as logs and error
    messages show it ("POST /guilds/{id}/channels": no ids, never a token)."""

    method: str
    path: str = field(repr=False)  # an interaction webhook's path holds its token
    template: str
    major: str
    label: str

    @property
    def bucket_key(self) -> tuple[str, str]:
        """(route template, major parameter): requests sharing it share a rate limit until
        Discord names the bucket (X-RateLimit-Bucket)."""
        return f"{self.method} {self.template}", self.major

    def with_query(self, **params: str | int | None) -> "CompiledRoute":
        """The same route with a query string of the `params` that are not None (values
        percent-encoded); the bucket and label are the route's, whatever the query."""
        given = {name: str(value) for name, value in params.items() if value is not None}
        return replace(self, path=f"{self.path}?{urllib.parse.urlencode(given)}") if given else self

    @property
    def uses_bot_token(self) -> bool:
        """Interaction webhooks are authorised by their token in the path, never the bot's
        (developers/interactions/receiving-and-responding.mdx, "Followup Messages": they "do
        not require a bot token")."""
        return not self.path.startswith("/webhooks/")


@dataclass(frozen=True)
class Route:
    """One Discord endpoint: `method` ("GET", ...) and `path`, a template such as
    "/guilds/{guild_id}/channels" relative to https://discord.com/api/v10."""

    method: str
    path: str

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    def compile(self, **ids: str | int) -> CompiledRoute:
        """Fill in every parameter of the template (each value percent-encoded, so no id can
        reach another path); ValueError names a missing or extra one."""
        if set(ids) != set(self.params):
            raise ValueError(f"{self.method} {self.path} takes {sorted(self.params)}, got {sorted(ids)}")
        values = {name: _segment(str(value)) for name, value in ids.items()}
        path = _PARAM.sub(lambda m: values[m.group(1)], self.path)
        return CompiledRoute(self.method, path, self.path, _major(self.path, values), self._label())

    def _label(self) -> str:
        shown = _PARAM.sub(lambda m: "{token}" if m.group(1) in _TOKEN_PARAMS else "{id}", self.path)
        return f"{self.method} {shown}"


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def _major(template: str, values: dict[str, str]) -> str:
    match = _MAJOR.match(template)
    if not match:
        return ""
    if match.group(1):
        return f"{match.group(1)}:{values[match.group(2)]}"
    # The token authorises the request: hashed, so a bucket key never holds it.
    token_hash = hashlib.sha256(values[match.group(4)].encode()).hexdigest()[:16]
    return f"webhooks:{values[match.group(3)]}:{token_hash}"


# developers/resources/guild.mdx
GET_GUILD = Route("GET", "/guilds/{guild_id}")  # "Get Guild"
GET_GUILD_CHANNELS = Route("GET", "/guilds/{guild_id}/channels")  # "Get Guild Channels"
CREATE_GUILD_CHANNEL = Route("POST", "/guilds/{guild_id}/channels")  # "Create Guild Channel"
GET_GUILD_MEMBER = Route("GET", "/guilds/{guild_id}/members/{user_id}")  # "Get Guild Member"
# "Add Guild Member Role", "Remove Guild Member Role"
ADD_GUILD_MEMBER_ROLE = Route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
REMOVE_GUILD_MEMBER_ROLE = Route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
GET_GUILD_ROLES = Route("GET", "/guilds/{guild_id}/roles")  # "Get Guild Roles"
CREATE_GUILD_ROLE = Route("POST", "/guilds/{guild_id}/roles")  # "Create Guild Role"
DELETE_GUILD_ROLE = Route("DELETE", "/guilds/{guild_id}/roles/{role_id}")  # "Delete Guild Role"
LIST_ACTIVE_GUILD_THREADS = Route("GET", "/guilds/{guild_id}/threads/active")  # "List Active Guild Threads"

# developers/resources/channel.mdx
GET_CHANNEL = Route("GET", "/channels/{channel_id}")  # "Get Channel"
MODIFY_CHANNEL = Route("PATCH", "/channels/{channel_id}")  # "Modify Channel"
DELETE_CHANNEL = Route("DELETE", "/channels/{channel_id}")  # "Delete/Close Channel"
# "Edit Channel Permissions", "Delete Channel Permission"
EDIT_CHANNEL_PERMISSIONS = Route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}")
DELETE_CHANNEL_PERMISSION = Route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}")
# "Start Thread without Message"
START_THREAD_WITHOUT_MESSAGE = Route("POST", "/channels/{channel_id}/threads")
# "Add Thread Member", "Remove Thread Member", "Get Thread Member"
GET_THREAD_MEMBER = Route("GET", "/channels/{channel_id}/thread-members/{user_id}")
ADD_THREAD_MEMBER = Route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
REMOVE_THREAD_MEMBER = Route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
LIST_PRIVATE_ARCHIVED_THREADS = Route("GET", "/channels/{channel_id}/threads/archived/private")

# developers/resources/message.mdx
CREATE_MESSAGE = Route("POST", "/channels/{channel_id}/messages")  # "Create Message"
GET_CHANNEL_MESSAGES = Route("GET", "/channels/{channel_id}/messages")  # "Get Channel Messages"

# developers/resources/user.mdx
GET_CURRENT_USER = Route("GET", "/users/@me")  # "Get Current User"
CREATE_DM = Route("POST", "/users/@me/channels")  # "Create DM"

# developers/interactions/receiving-and-responding.mdx
# "Edit Original Interaction Response", "Delete Original Interaction Response", "Create Followup Message"
EDIT_ORIGINAL_INTERACTION_RESPONSE = Route(
    "PATCH", "/webhooks/{application_id}/{interaction_token}/messages/@original")
DELETE_ORIGINAL_INTERACTION_RESPONSE = Route(
    "DELETE", "/webhooks/{application_id}/{interaction_token}/messages/@original")
CREATE_FOLLOWUP_MESSAGE = Route("POST", "/webhooks/{application_id}/{interaction_token}")

# developers/interactions/application-commands.mdx
GET_GLOBAL_APPLICATION_COMMANDS = Route(
    "GET", "/applications/{application_id}/commands")  # "Get Global Application Commands"
BULK_OVERWRITE_GLOBAL_APPLICATION_COMMANDS = Route(
    "PUT", "/applications/{application_id}/commands")  # "Bulk Overwrite Global Application Commands"
GET_GUILD_APPLICATION_COMMANDS = Route(
    "GET", "/applications/{application_id}/guilds/{guild_id}/commands")  # "Get Guild Application Commands"
BULK_OVERWRITE_GUILD_APPLICATION_COMMANDS = Route(  # "Bulk Overwrite Guild Application Commands"
    "PUT", "/applications/{application_id}/guilds/{guild_id}/commands")

ROUTES: tuple[Route, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Route))
