"""Request validation as Discord does it, before any handler runs.

One entry point, `check_request`, called by the server for every routed request (after rate
limits and the Content-Type / JSON checks, before the action). It collects every invalid field
into one 400 50035 "Invalid Form Body" whose `errors` tree names each field (DOCS/ref "Error
Messages"), as Discord reports all invalid fields of a body at once.

Modules, one per resource: `channels`, `roles`, `messages` (+ `components`),
`interaction_responses`, `application_commands`, `audit_log` (the X-Audit-Log-Reason header);
`form` holds the field checks and `spec_limits` the numbers read from Discord's OpenAPI spec.
Routes without a body rule below (GETs, DELETEs, member roles) still get the header check.
Nothing here imports the product; every rule cites the doc section or public report it rests on.
"""

from ..errors import FormErrors
from . import application_commands, audit_log, channels, form, interaction_responses, messages, roles

# DOCS/message "Get Channel Messages" Query String Params: limit "Max number of messages to
# return (1-100)".
MESSAGES_LIMIT = (1, 100)
PAGING = ("around", "before", "after")


def check_request(route_key: str, params: dict, body, headers: dict, query: dict, api) -> None:
    """Raises ApiError(400, 50035) when Discord would refuse the request's form. `api` is the
    server's `Api` (read under the state lock) for rules that depend on the target, such as a
    channel's type; targets that do not exist are left to the handler's 404."""
    errors = FormErrors()
    audit_log.check(errors, headers)
    rule = _RULES.get(route_key)
    if rule is not None:
        rule(errors, body, params, query, api)
    errors.raise_if_any()


def check_interaction_response(response, interaction_type: int) -> None:
    """For the inline reply (DiscordEmulator.acknowledge) and the callback route alike."""
    errors = FormErrors()
    interaction_responses.check(errors, response, interaction_type)
    errors.raise_if_any()


def _channel_create(errors, body, params, query, api):
    channels.check_create(errors, body)


def _channel_modify(errors, body, params, query, api):
    channel = api.state.channels.get(params["channel_id"])
    channels.check_modify(errors, body, channel.type if channel else None)


def _overwrite(errors, body, params, query, api):
    channels.check_overwrite(errors, body)


def _role_create(errors, body, params, query, api):
    roles.check(errors, body, "CreateRoleRequest")


def _role_modify(errors, body, params, query, api):
    roles.check(errors, body, "UpdateRoleRequestPartial")


def _channel_message(errors, body, params, query, api):
    messages.check(errors, body, "MessageCreateRequest", messages.CHANNEL_MESSAGE_FLAGS)
    messages.check_nonce(errors, body)


def _list_messages(errors, body, params, query, api):
    raw = query.get("limit", [None])[0]
    if raw is not None:
        form.integer(errors, "limit", form.query_integer(raw), *MESSAGES_LIMIT)
    # DOCS/message "Get Channel Messages": around, before and after are message ids, and
    # "mutually exclusive, only one may be passed at a time".
    given = [key for key in PAGING if key in query]
    for key in given:
        form.snowflake(errors, key, query[key][0], nullable=False)
    for key in given[1:]:
        errors.add(key, "PAGING_MUTUALLY_EXCLUSIVE", f"Only one of {', '.join(PAGING)} may be passed.")


def _followup(errors, body, params, query, api):
    messages.check(errors, body, "IncomingWebhookRequestPartial", messages.FOLLOWUP_FLAGS)


def _edit(errors, body, params, query, api):
    messages.check(errors, body, "IncomingWebhookUpdateRequestPartial", messages.EDIT_FLAGS)


def _callback(errors, body, params, query, api):
    form.boolean_query(errors, "with_response", query)
    interaction = api.interactions.by_id.get(params["interaction_id"])
    if interaction is not None:
        interaction_responses.check(errors, body, interaction.type)


def _commands(errors, body, params, query, api):
    application_commands.check(errors, body)


_RULES = {
    "POST /guilds/{guild_id}/channels": _channel_create,
    "PATCH /channels/{channel_id}": _channel_modify,
    "PUT /channels/{channel_id}/permissions/{overwrite_id}": _overwrite,
    "POST /guilds/{guild_id}/roles": _role_create,
    "PATCH /guilds/{guild_id}/roles/{role_id}": _role_modify,
    "GET /channels/{channel_id}/messages": _list_messages,
    "POST /channels/{channel_id}/messages": _channel_message,
    "POST /webhooks/{application_id}/{interaction_token}": _followup,
    "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original": _edit,
    "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}": _edit,
    "POST /interactions/{interaction_id}/{interaction_token}/callback": _callback,
    "PUT /applications/{application_id}/commands": _commands,
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": _commands,
}
