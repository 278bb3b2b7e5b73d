"""Message bodies (channel messages and interaction webhook messages).

The body's form (content up to 2000 characters, embeds, components, flags, allowed_mentions)
is checked before a route runs, by `validation.messages`; here the valid fields are taken over.
DOCS/message, DOCS/webhook: an empty message (no content, embeds, components or files) is
refused with 50006. `allowed_mentions` is stored exactly as sent so tests can check it. Files
come from a multipart body (uploads.py).
"""

from . import errors
from .errors import ApiError
from .model import CATEGORY, FORUM, Message
from .permissions import ATTACH_FILES, READ_MESSAGE_HISTORY, SEND_MESSAGES
from .uploads import attach

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


def is_empty(content: str, embeds, components, attachments=()) -> bool:
    """No embeds, components or files and content that is only whitespace: Discord refuses
    content of a lone "\n" as empty (NITKC-DEV/Kisarazu-Multi-Manager#32, 50006). DOCS/message
    "Create Message": "At least one of `content`, `embeds`, `sticker_ids`, `components`,
    `files[n]` ... is required"."""
    return not (content or "").strip() and not embeds and not components and not attachments


def refuse_if_empty(message: Message) -> None:
    if is_empty(message.content, message.embeds, message.components, message.attachments):
        raise ApiError(400, 50006, "Cannot send an empty message")


def page(messages: list, query: dict, limit: int) -> list:
    """DOCS/message "Get Channel Messages": `limit` messages "from newest to oldest" - the newest
    of all; those `before` a message id (the closest first); those `after` it (the closest
    `limit`, still shown newest first); or those `around` it (the message itself if it exists,
    half the rest older, the other half newer; validation lets only one of the three through).
    `messages` is the channel's, oldest first; ids are snowflakes, so they order by time."""
    if "before" in query:
        mark = int(query["before"][0])
        return [m for m in reversed(messages) if int(m.id) < mark][:limit]
    if "after" in query:
        mark = int(query["after"][0])
        return list(reversed([m for m in messages if int(m.id) > mark][:limit]))
    if "around" in query:
        mark = int(query["around"][0])
        newer = [m for m in messages if int(m.id) > mark][:limit // 2]
        older = [m for m in reversed(messages) if int(m.id) <= mark][:limit - len(newer)]
        return list(reversed(newer)) + older
    return list(reversed(messages))[:limit]


class ChannelMessages:
    def __init__(self, state, actions, attachments):
        self.state = state
        self.actions = actions
        self.attachments = attachments  # attachments.Attachments: where uploaded files go

    def create(self, channel_id: str, body: dict, uploads=()) -> dict:
        """`uploads`: the request's files (uploads.Upload)."""
        st = self.state
        channel, perms = self.actions.visible_channel(channel_id)
        if channel.type == CATEGORY:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel.type == FORUM:
            raise ApiError(400, 40058, "Cannot send a message in a forum channel")
        # topics/permissions.mdx "Bitwise Permission Flags": ATTACH_FILES "Allows for uploading
        # images and files".
        if not perms & SEND_MESSAGES or (uploads and not perms & ATTACH_FILES):
            raise errors.missing_permissions()
        fields = message_fields(body)
        fields["flags"] = fields.get("flags", 0) & (SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS)
        message = Message(st.ids.next(), channel.id, st.bot, **fields)
        if uploads or body.get("attachments"):
            def publish(upload):
                return self.attachments.publish(upload, channel.id, False)
            message.attachments = attach(body, tuple(uploads), [], publish)
        refuse_if_empty(message)
        st.messages[channel.id].append(message)
        return message.to_json()

    def list(self, channel_id: str, query: dict) -> list[dict]:
        """`query`: the parsed query string, validated (validation._list_messages)."""
        channel, perms = self.actions.visible_channel(channel_id)
        if not perms & READ_MESSAGE_HISTORY:
            return []
        limit = int(query.get("limit", ["50"])[0])
        return [m.to_json() for m in page(self.state.messages.get(channel.id, []), query, limit)]
