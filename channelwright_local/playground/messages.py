"""The bot's messages as one member sees them: interaction replies (edited in place as the
worker updates them), follow-ups, and messages the bot posted in the server's channels (where
it answers once an interaction's token has expired, and where it asks a campaign's GMs to
approve a join), each marked with its channel. Those are shown only to members who can view
their channel, as the client shows them (developers/topics/permissions.mdx "Permissions" table:
VIEW_CHANNEL "includes reading messages in text channels"); their buttons are pressed by the
message's channel and id, since no interaction of the page's own carries them.

Ephemeral messages are shown only to the member whose interaction they answer, marked "Only
you can see this" (developers/interactions/receiving-and-responding.mdx "Interaction Callback
Data Structure": flags EPHEMERAL, 1 << 6). A deferred reply still loading shows "is thinking…".
A message's files (developers/resources/message.mdx "Attachment Object") are links to their
`url` on the emulator's CDN, with file name and size, as the client lists them under the text.
"""

from __future__ import annotations

import html

from channelwright_local.playground.markdown import render
from channelwright_local.playground.server_view import mention_names

EPHEMERAL = 1 << 6
# developers/components/reference.mdx "Button Styles".
STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}


def timeline(conversation, viewer_id: str) -> list[dict]:
    """Oldest first: [{id, author, owner, html, content, ephemeral, loading, edited, buttons,
    attachments, token, reply_to, channel, channel_id}] for what `viewer_id` can see;
    `attachments` are {filename, size, url} each, and `html` ends with their links. A reply's
    buttons are pressed by its `token`; a posted message's (`token` "") by `channel_id` and `id`."""
    emu, discord = conversation.discord.emulator, conversation.discord
    names = mention_names(discord)
    with conversation.lock:
        sent = list(conversation.sent)
    shown: dict[str, dict] = {}
    for item in sent:
        if item.status != 200 and item.user_id == viewer_id:
            shown[item.interaction_id] = _failure(item)
            continue
        original = emu.original_message(item.token)
        # A click's @original is the clicked message: already shown, as its sender's, or, for
        # a message posted in a channel, shown below as the channel's.
        if original is not None and original["id"] not in shown and not item.posted_id:
            shown[original["id"]] = _message(original, item.token, item.user_id, item.label, names)
        for followup in emu.followup_messages(item.token):
            shown.setdefault(followup["id"], _message(followup, item.token, item.user_id, item.label,
                                                      names, followup=True))
    for message in discord.bot_channel_messages():
        if not emu.visible_to(message["channel_id"], viewer_id):
            continue
        posted = _message(message, "", "", "", names)
        posted["channel"] = names.channels.get(message["channel_id"], "")
        posted["channel_id"] = message["channel_id"]
        shown.setdefault(message["id"], posted)
    visible = [m for m in shown.values() if not m["ephemeral"] or m["owner"] == viewer_id]
    return sorted(visible, key=lambda m: int(m["id"]))  # snowflakes grow with time


def _message(message: dict, token: str, owner: str, label: str, names, *, followup: bool = False) -> dict:
    flags = int(message.get("flags") or 0)
    buttons = [{"label": c.get("label", ""), "custom_id": c.get("custom_id", ""),
                "style": STYLES.get(c.get("style"), "secondary"), "disabled": bool(c.get("disabled"))}
               for row in message.get("components") or [] for c in row.get("components") or []
               if c.get("type") == 2]
    loading = bool(message.get("loading"))
    attachments = [{"filename": str(a.get("filename") or ""), "size": int(a.get("size") or 0),
                    "url": str(a.get("url") or "")} for a in message.get("attachments") or []]
    return {"id": message["id"], "author": "Channelwright", "owner": owner,
            "content": message.get("content") or "",
            "html": "" if loading else render(message.get("content") or "", names) + _links(attachments),
            "ephemeral": bool(flags & EPHEMERAL), "loading": loading,
            "edited": bool(message.get("edited_timestamp")), "buttons": buttons,
            "attachments": attachments,
            "token": "" if followup else token, "reply_to": label, "channel": "", "channel_id": ""}


def _links(attachments: list[dict]) -> str:
    """One line per file: a download link named by its file name, then its size."""
    return "".join(
        f'<p class="attachment">📎 <a href="{html.escape(a["url"], quote=True)}" target="_blank" '
        f'rel="noopener noreferrer" download>{html.escape(a["filename"])}</a> '
        f'<span class="size">{size_text(a["size"])}</span></p>\n' for a in attachments)


def size_text(size: int) -> str:
    """`size` bytes as a person reads it: "512 bytes", "1.50 KB", "2.00 MB" (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.2f} KB"
    return f"{size / (1024 * 1024):.2f} MB"


def _failure(item) -> dict:
    """What the client shows when the endpoint did not answer properly."""
    return {"id": item.interaction_id, "author": "Channelwright", "owner": item.user_id, "content": "",
            "html": '<p class="failed">The application did not respond</p>', "ephemeral": True,
            "loading": False, "edited": False, "buttons": [], "attachments": [], "token": "",
            "reply_to": item.label, "channel": "", "channel_id": ""}
