"""Interaction responses (developers/interactions/receiving-and-responding.mdx, "Interaction
Response"), their content laid out within Discord's limits (layout.py).

Every message carries `allowed_mentions: {"parse": []}`: campaign and user names are user data and
must never ping anyone.
"""

from channelwright.discord.types import (
    AUTOCOMPLETE_CHOICES_LIMIT,
    CHOICE_NAME_LIMIT,
    NO_MENTIONS,
    ButtonStyle,
    ComponentType,
    MessageFlags,
)
from channelwright.discord.types import InteractionCallbackType as Callback
from channelwright.text.layout import MESSAGE_LIMIT, split_text
from channelwright.text.names import clip

PONG = Callback.PONG
EPHEMERAL = MessageFlags.EPHEMERAL
DANGER, SECONDARY = ButtonStyle.DANGER, ButtonStyle.SECONDARY
PRIMARY = ButtonStyle.PRIMARY


def _content(text: str) -> str:
    """Message content within Discord's 2000 characters. Callers lay long answers out in pages
    (pages.py) or follow-ups; this only guarantees that nothing past the limit is ever sent,
    cut between words rather than inside one."""
    return text if len(text) <= MESSAGE_LIMIT else split_text(text)[0]


def ephemeral(text: str, components: list | None = None) -> dict:
    data = {"content": _content(text), "flags": EPHEMERAL, "allowed_mentions": NO_MENTIONS}
    if components is not None:
        data["components"] = components
    return {"type": Callback.CHANNEL_MESSAGE_WITH_SOURCE, "data": data}


def deferred(*, private: bool = False) -> dict:
    """"Thinking…" now, the answer edited in later by the worker."""
    response: dict = {"type": Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE}
    if private:
        response["data"] = {"flags": EPHEMERAL}
    return response


def deferred_update() -> dict:
    """For a button: no loading state; the worker edits the clicked message later."""
    return {"type": Callback.DEFERRED_UPDATE_MESSAGE}


def update_message(text: str, components: list | None = None) -> dict:
    """Replace the message whose button was clicked (components [] removes the buttons)."""
    return {"type": Callback.UPDATE_MESSAGE,
            "data": {"content": _content(text), "components": components or [],
                     "allowed_mentions": NO_MENTIONS}}


def buttons(*specs: tuple[str, str, int]) -> list[dict]:
    """One action row of (label, custom_id, style) buttons."""
    row = [{"type": ComponentType.BUTTON, "label": label, "custom_id": custom_id, "style": style}
           for label, custom_id, style in specs]
    return [{"type": ComponentType.ACTION_ROW, "components": row}]


def choices(pairs: list[tuple[str, str]]) -> dict:
    """An autocomplete answer: the first 25 (name, value) pairs, names clipped to 100 characters."""
    return {"type": Callback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
            "data": {"choices": [{"name": clip(n, CHOICE_NAME_LIMIT), "value": v}
                                 for n, v in pairs[:AUTOCOMPLETE_CHOICES_LIMIT]]}}
