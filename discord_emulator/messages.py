"""Message bodies (channel messages and interaction webhook messages).

The body's form (content up to 2000 characters, embeds, components, flags, allowed_mentions)
is checked before a route runs, by `validation.messages`; here the valid fields are taken over.
DOCS/message, DOCS/webhook: an empty message (no content, embeds or components) is refused with
50006. `allowed_mentions` is stored exactly as sent so tests can check it.
"""

from . import errors
from .errors import ApiError
from .model import CATEGORY, FORUM, Message
from .permissions import READ_MESSAGE_HISTORY, SEND_MESSAGES

SUPPRESS_EMBEDS = 1 << 2
EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_VOICE_MESSAGE = 1 << 13
IS_COMPONENTS_V2 = 1 << 15
_FIELDS = ("content", "embeds", "components", "flags", "allowed_mentions")
_EMPTY = {"content": "", "embeds": [], "components": [], "flags": 0}


def message_fields(body: dict) -> dict:
    """The message fields present in `body` (already validated); null becomes the empty value."""
    fields = {}
    for key in _FIELDS:
        if key in body:
            value = body[key]
            fields[key] = _EMPTY.get(key) if value is None else value
    return fields


def is_empty(content: str, embeds, components) -> bool:
    """No embeds, no components and content that is only whitespace: Discord refuses content
    of a lone "\n" as empty (NITKC-DEV/Kisarazu-Multi-Manager#32, 50006)."""
    return not (content or "").strip() and not embeds and not components


def refuse_if_empty(message: Message) -> None:
    if is_empty(message.content, message.embeds, message.components):
        raise ApiError(400, 50006, "Cannot send an empty message")


class ChannelMessages:
    def __init__(self, state, actions):
        self.state = state
        self.actions = actions

    def create(self, channel_id: str, body: dict) -> dict:
        st = self.state
        channel, perms = self.actions.visible_channel(channel_id)
        if channel.type == CATEGORY:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel.type == FORUM:
            raise ApiError(400, 40058, "Cannot send a message in a forum channel")
        if not perms & SEND_MESSAGES:
            raise errors.missing_permissions()
        fields = message_fields(body)
        fields["flags"] = fields.get("flags", 0) & (SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS)
        message = Message(st.ids.next(), channel.id, st.bot, **fields)
        refuse_if_empty(message)
        st.messages[channel.id].append(message)
        return message.to_json()

    def list(self, channel_id: str, limit: int = 50) -> list[dict]:
        channel, perms = self.actions.visible_channel(channel_id)
        if not perms & READ_MESSAGE_HISTORY:
            return []
        newest_first = list(reversed(self.state.messages.get(channel.id, [])))
        return [m.to_json() for m in newest_first[: max(1, min(limit, 100))]]
