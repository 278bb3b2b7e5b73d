"""The bot's messages as one member sees them: interaction replies (edited in place as the
worker updates them), follow-ups, and messages the bot posted in the server's channels (where
it answers once an interaction's token has expired), each marked with its channel.

Ephemeral messages are shown only to the member whose interaction they answer, marked "Only
you can see this" (developers/interactions/receiving-and-responding.mdx "Interaction Callback
Data Structure": flags EPHEMERAL, 1 << 6). A deferred reply still loading shows "is thinking…".
"""

from __future__ import annotations

from channelwright_local.playground.markdown import render
from channelwright_local.playground.server_view import mention_names

EPHEMERAL = 1 << 6
# developers/components/reference.mdx "Button Styles".
STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}


def timeline(conversation, viewer_id: str) -> list[dict]:
    """Oldest first: [{id, author, owner, html, content, ephemeral, loading, edited, buttons,
    token, reply_to, channel}] for what `viewer_id` can see."""
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
        # A click's @original is the clicked message: already shown, as its sender's.
        if original is not None and original["id"] not in shown:
            shown[original["id"]] = _message(original, item.token, item.user_id, item.label, names)
        for followup in emu.followup_messages(item.token):
            shown.setdefault(followup["id"], _message(followup, item.token, item.user_id, item.label,
                                                      names, followup=True))
    for message in discord.bot_channel_messages():
        if not emu.visible_to(message["channel_id"], viewer_id):
            continue
        posted = _message(message, "", "", "", names)
        posted["channel"] = names.channels.get(message["channel_id"], "")
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
    return {"id": message["id"], "author": "Channelwright", "owner": owner,
            "content": message.get("content") or "",
            "html": "" if loading else render(message.get("content") or "", names),
            "ephemeral": bool(flags & EPHEMERAL), "loading": loading,
            "edited": bool(message.get("edited_timestamp")), "buttons": buttons,
            "token": "" if followup else token, "reply_to": label, "channel": ""}


def _failure(item) -> dict:
    """What the client shows when the endpoint did not answer properly."""
    return {"id": item.interaction_id, "author": "Channelwright", "owner": item.user_id, "content": "",
            "html": '<p class="failed">The application did not respond</p>', "ephemeral": True,
            "loading": False, "edited": False, "buttons": [], "token": "", "reply_to": item.label,
            "channel": ""}
