"""Answers too long for one message, on the request path: shown a page at a time.

The request path answers each interaction once and makes no Discord call, so it can't send
follow-up messages; instead a long answer (a server's campaigns or templates, a template's
channels) is split by layout.split_text and shown with Previous/Next buttons. A click is a
component interaction whose custom_id names the view and the page ("page:campaigns:2"); the
text is built afresh and the clicked message is replaced with that page (interaction response
type 7, UPDATE_MESSAGE; developers/interactions/receiving-and-responding.mdx). Custom ids hold
at most 100 characters (developers/components/reference.mdx, "Button").

The views' texts are built by the commands, a layer above: whoever dispatches a click passes
turn_page the functions that build them (interactions.PAGE_TEXTS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from channelwright.discord.types import ComponentType
from channelwright.text.layout import MESSAGE_LIMIT, split_text
from channelwright.text.responses import SECONDARY, ephemeral, update_message

PREFIX = "page:"
FOOTER_ROOM = 40
# The views: a server's campaigns, its templates, one template (the argument: its id).
CAMPAIGNS, TEMPLATES, TEMPLATE = "campaigns", "templates", "template"
VIEWS = (CAMPAIGNS, TEMPLATES, TEMPLATE)
# What builds a view's full text: f(invocation, deps, argument) -> str
ViewText = Callable[[Any, Any, str], str]


def paged(text: str, view: str, argument: str = "", page: int = 1) -> dict:
    """The ephemeral answer showing `text`: whole if it fits, else page `page` of it."""
    content, components = _page(text, view, argument, page)
    return ephemeral(content, components) if components else ephemeral(content)


def turn_page(invocation: Any, deps: Any, texts: Mapping[str, ViewText]) -> dict:
    """A Previous/Next click: the clicked message becomes the page it asks for, its text built
    by `texts[view]` (one function for each of VIEWS)."""
    view, argument, page = _parse(invocation.custom_id)
    if view is None:
        return ephemeral("That button is out of date. Run the command again.")
    text = texts[view](invocation, deps, argument)
    return update_message(*_page(text, view, argument, page))


def _page(text: str, view: str, argument: str, page: int) -> tuple[str, list]:
    if len(text) <= MESSAGE_LIMIT:
        return text, []
    parts = split_text(text, MESSAGE_LIMIT - FOOTER_ROOM)
    page = min(max(page, 1), len(parts))
    content = f"{parts[page - 1]}\n\n*Page {page} of {len(parts)}*"
    return content, [_buttons(view, argument, page, len(parts))]


def _buttons(view: str, argument: str, page: int, pages: int) -> dict:
    def button(label: str, target: int, disabled: bool) -> dict:
        return {"type": ComponentType.BUTTON, "style": SECONDARY, "label": label, "disabled": disabled,
                "custom_id": f"{PREFIX}{view}:{argument}:{target}"}
    return {"type": ComponentType.ACTION_ROW, "components": [button("◀ Previous", page - 1, page <= 1),
                                       button("Next ▶", page + 1, page >= pages)]}


def _parse(custom_id: str) -> tuple[str | None, str, int]:
    """(view, argument, page) from "page:<view>:<argument>:<page>"; view None if unreadable."""
    parts = custom_id.removeprefix(PREFIX).split(":")
    if len(parts) != 3 or parts[0] not in VIEWS or not parts[2].isascii() or not parts[2].isdigit():
        return None, "", 1
    return parts[0], parts[1], int(parts[2][:6])
