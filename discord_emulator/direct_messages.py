"""Direct messages: the bot opens a DM channel with a user and posts in it.

Sources (DOCS/x as in actions.py): DOCS/user "Create DM" (POST /users/@me/channels, JSON
`recipient_id`; "Returns a DM channel object (if one already exists, it will be returned
instead)"); DOCS/channel "Channel Types" (DM, type 1); DOCS/message "Create Message"; DOCS/codes
"JSON Error Codes": 50007 "Cannot send messages to this user", what Discord answers when the
user doesn't take DMs from the bot (they turned off direct messages from server members, or
share no server with it), and 10013 "Unknown User".

Opening the channel succeeds either way: only the message is refused. Every public method runs
under the state lock and returns wire JSON or raises `ApiError`.
"""

from dataclasses import dataclass, field

from . import errors
from .actions import snowflake
from .errors import ApiError
from .messages import SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, message_fields, refuse_if_empty
from .model import Message

DM = 1


@dataclass
class DirectChannel:
    id: str
    recipient_id: str
    messages: list[Message] = field(default_factory=list)


class DirectMessages:
    def __init__(self, state):
        self.state = state
        self.channels: dict[str, DirectChannel] = {}
        self.closed: set[str] = set()  # users who turned their DMs off

    def open(self, body: dict) -> dict:
        """Create DM: the DM channel with `recipient_id`, the one already open if any."""
        with self.state.lock:
            if "recipient_id" not in body:
                raise errors.form_error("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
            recipient = snowflake(body["recipient_id"], "recipient_id")
            if recipient not in self.state.users or recipient == self.state.bot.id:
                raise errors.unknown("user")
            channel = next((c for c in self.channels.values() if c.recipient_id == recipient), None)
            if channel is None:
                channel = DirectChannel(self.state.ids.next(), recipient)
                self.channels[channel.id] = channel
            return self._json(channel)

    def holds(self, channel_id: str) -> bool:
        with self.state.lock:
            return str(channel_id) in self.channels

    def create_message(self, channel_id: str, body: dict, uploads=()) -> dict:
        """Create Message in a DM channel; 403 50007 when its user doesn't take the bot's DMs.
        Files aren't modelled here: refused as a body this emulator doesn't take."""
        with self.state.lock:
            channel = self.channels[str(channel_id)]
            if not self.reachable(channel.recipient_id):
                raise ApiError(403, 50007, "Cannot send messages to this user")
            if uploads or body.get("attachments"):
                raise errors.form_error("attachments", "UNSUPPORTED", "files in DMs aren't emulated")
            fields = message_fields(body)
            fields["flags"] = fields.get("flags", 0) & (SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS)
            message = Message(self.state.ids.next(), channel.id, self.state.bot, **fields)
            refuse_if_empty(message)
            channel.messages.append(message)
            return message.to_json()

    def reachable(self, user_id: str) -> bool:
        """Whether the user takes the bot's DMs: they haven't closed them, and share a server
        with the bot."""
        shared = any(user_id in g.members and self.state.has_bot(g) for g in self.state.guilds.values())
        return shared and user_id not in self.closed

    def received(self, user_id: str) -> list[dict]:
        """The messages the bot sent the user, oldest first (with `allowed_mentions`)."""
        with self.state.lock:
            return [m.inspect_json() for c in self.channels.values() if c.recipient_id == str(user_id)
                    for m in c.messages]

    def _json(self, channel: DirectChannel) -> dict:
        """DOCS/channel "Channel Object" for a DM (the OpenAPI PrivateChannelResponse)."""
        last = channel.messages[-1].id if channel.messages else None
        return {"id": channel.id, "type": DM, "last_message_id": last, "flags": 0,
                "recipients": [self.state.users[channel.recipient_id].to_json()]}
