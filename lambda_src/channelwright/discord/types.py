"""Discord's enumerated values the bot sends or reads, as IntEnums (they serialise as the numbers).

Standard library only: the interactions Lambda imports this on its cold start.
"""

from enum import IntEnum, IntFlag


class ChannelType(IntEnum):
    """developers/resources/channel.mdx, "Channel Types"."""

    GUILD_TEXT = 0
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_PRIVATE_THREAD = 12
    GUILD_FORUM = 15


class InteractionType(IntEnum):
    """developers/interactions/receiving-and-responding.mdx, "Interaction Type"."""

    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4


class InteractionCallbackType(IntEnum):
    """developers/interactions/receiving-and-responding.mdx, "Interaction Callback Type"."""

    PONG = 1
    CHANNEL_MESSAGE_WITH_SOURCE = 4
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE = 5
    DEFERRED_UPDATE_MESSAGE = 6  # components only: no loading state, edit the message later
    UPDATE_MESSAGE = 7  # components only: edit the message the component is on
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT = 8


class MessageFlags(IntFlag):
    """developers/resources/message.mdx, "Message Flags"."""

    EPHEMERAL = 1 << 6  # "this message is only visible to the user who created this Interaction"


class ComponentType(IntEnum):
    """developers/components/reference.mdx, "Component Types"."""

    ACTION_ROW = 1
    BUTTON = 2


class ButtonStyle(IntEnum):
    """developers/components/reference.mdx, "Button Styles"."""

    PRIMARY = 1
    SECONDARY = 2
    DANGER = 4


class ApplicationCommandType(IntEnum):
    """developers/interactions/application-commands.mdx, "Application Command Types"."""

    CHAT_INPUT = 1


class ApplicationCommandOptionType(IntEnum):
    """developers/interactions/application-commands.mdx, "Application Command Option Type"."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    ATTACHMENT = 11


# developers/resources/message.mdx, "Create Message": content is "up to 2000 characters".
MESSAGE_CONTENT_LIMIT = 2000
# developers/resources/message.mdx, "Allowed Mentions Object": an empty `parse` pings no one.
# Names the bot shows are users' data, so no message it sends may mention anyone.
NO_MENTIONS: dict[str, list[str]] = {"parse": []}
# developers/interactions/receiving-and-responding.mdx, "Autocomplete": "max of 25 choices";
# developers/interactions/application-commands.mdx, "Application Command Option Choice Structure":
# a "1-100 character choice name".
AUTOCOMPLETE_CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100
