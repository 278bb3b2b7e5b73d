"""Message bodies (channel messages and interaction webhook messages).

DOCS/message, DOCS/webhook: content up to 2000 characters, up to 10 embeds, and
an empty message (no content, embeds or components) is refused with 50006.
`allowed_mentions` is stored exactly as sent so tests can check it.
"""

from . import errors
from .errors import ApiError, form_error
from .model import CATEGORY, FORUM, Message
from .permissions import READ_MESSAGE_HISTORY, SEND_MESSAGES

MAX_CONTENT = 2000
MAX_EMBEDS = 10
SUPPRESS_EMBEDS = 1 << 2
EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15


def message_fields(body: dict) -> dict:
    """The message fields present in `body`, validated; absent fields are left out."""
    fields = {}
    if "content" in body:
        content = body["content"] or ""
        if not isinstance(content, str):
            raise form_error("content", "BASE_TYPE_STRING", f'Could not interpret "{content}" as string.')
        if len(content) > MAX_CONTENT:
            raise errors.bad_length("content", 0, MAX_CONTENT)
        fields["content"] = content
    if "embeds" in body:
        embeds = body["embeds"] or []
        if not isinstance(embeds, list) or len(embeds) > MAX_EMBEDS:
            raise errors.bad_length("embeds", 0, MAX_EMBEDS)
        fields["embeds"] = embeds
    if "components" in body:
        fields["components"] = body["components"] or []
    if "flags" in body:
        flags = body["flags"] or 0
        if not isinstance(flags, int) or isinstance(flags, bool):
            raise form_error("flags", "NUMBER_TYPE_COERCE", f'Value "{flags}" is not int.')
        fields["flags"] = flags
    if "allowed_mentions" in body:
        fields["allowed_mentions"] = body["allowed_mentions"]
    return fields


def refuse_if_empty(message: Message) -> None:
    if not message.content and not message.embeds and not message.components:
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
