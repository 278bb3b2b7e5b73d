"""A collapsed campaign's transcript: every message of its channels, read from Discord and written
as Markdown files to post in the channel that remains (collapse.py).

Reading: "Get Channel Messages" answers newest first, at most 100 a page, and `before` pages back
through the history (developers/resources/message.mdx, "Get Channel Messages"); a page shorter
than the limit is the last. Text, announcement and voice channels carry messages (a voice
channel's text chat: developers/resources/channel.mdx, "Channel Types", GUILD_VOICE); a forum's
posts are threads, which Get Channel Messages on the forum itself doesn't list, so forums are
judged apart (collapse.py).

Writing: one section per channel, in the campaign's order, each message oldest first as its time
(UTC, ISO 8601), its author's display name (`global_name`, else `username`: developers/resources/
user.mdx, "User Object"), its content and its attachments' URLs. A file holds at most 10 MiB
(files.MAX_FILE_BYTES, developers/reference.mdx "Uploading Files"): past that the transcript goes
on in a next file, numbered; a message carries at most 10 files (files.MAX_FILES), so more files
go in more messages (`batches`).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from channelwright.discord.files import MAX_FILE_BYTES, MAX_FILES, File

PAGE = 100  # the most Get Channel Messages returns at once
PREFIX = "transcript-"
MEDIA_TYPE = "text/markdown; charset=utf-8"


@dataclass(frozen=True)
class Section:
    """One channel's messages, oldest first (message objects as Discord sends them)."""

    name: str
    kind: str  # as the template names it: "text", "voice"...
    messages: list[dict]


def read_history(api, channel_id: str, *, skip=lambda message: False) -> list[dict]:
    """Every message of the channel, oldest first, paging back with `before`; `skip(message)`
    leaves one out (the bot's own transcript, should an earlier try have posted part of it)."""
    newest_first: list[dict] = []
    before = None
    while True:
        page = api.channel_messages(channel_id, before=before, limit=PAGE)
        newest_first += page
        if len(page) < PAGE:
            break
        before = page[-1]["id"]
    return [m for m in reversed(newest_first) if not skip(m)]


def slug(campaign_name: str) -> str:
    """The campaign's name as a file name's part: ASCII letters and digits joined by hyphens
    (Discord keeps such a file name as it is)."""
    plain = unicodedata.normalize("NFKD", campaign_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "campaign"


def is_transcript(message: dict, bot_user_id: str, stem: str) -> bool:
    """Whether `message` is one the bot posted carrying a transcript file named from `stem`."""
    return (str((message.get("author") or {}).get("id")) == str(bot_user_id)
            and any(a.get("filename", "").startswith(stem) for a in message.get("attachments") or []))


def files(title: str, stem: str, sections: list[Section], *, limit: int = MAX_FILE_BYTES) -> list[File]:
    """The transcript as Markdown files of at most `limit` bytes each: `<stem>.md` when one is
    enough, else `<stem>-1.md`, `<stem>-2.md`... ValueError if one message alone passes `limit`
    (Discord's 4000 characters a message never do: developers/resources/message.mdx)."""
    head = f"# {title}\n\nEvery message, oldest first; times in UTC.\n"
    parts: list[list[str]] = [[head]]
    size = len(head.encode())
    for section in sections:
        header = f"\n## #{section.name} ({section.kind})\n"
        blocks = [_block(m) for m in section.messages] or ["\n_(no messages)_\n"]
        for n, block in enumerate(blocks):
            chunk = (header if n == 0 else "") + block
            if size + len(chunk.encode()) > limit:
                chunk = f"{head}\n## #{section.name} ({section.kind}, continued)\n{block}"
                if len(chunk.encode()) > limit:
                    raise ValueError(f"one message of #{section.name} passes {limit} bytes")
                parts.append([])
                size = 0
            parts[-1].append(chunk)
            size += len(chunk.encode())
    if len(parts) == 1:
        return [File(f"{stem}.md", "".join(parts[0]).encode(), MEDIA_TYPE)]
    return [File(f"{stem}-{n}.md", "".join(part).encode(), MEDIA_TYPE)
            for n, part in enumerate(parts, start=1)]


def batches(transcript: list[File]) -> list[list[File]]:
    """The files in messages of at most 10."""
    return [transcript[i:i + MAX_FILES] for i in range(0, len(transcript), MAX_FILES)]


def _block(message: dict) -> str:
    author = message.get("author") or {}
    who = author.get("global_name") or author.get("username") or "someone"
    lines = [f"\n**{who}** · {_utc(message.get('timestamp'))}"]
    if message.get("content"):
        lines.append(message["content"])
    lines += [f"📎 {a['url']}" for a in message.get("attachments") or [] if a.get("url")]
    return "\n".join(lines) + "\n"


def _utc(timestamp: str | None) -> str:
    """Discord's ISO 8601 timestamp as UTC to the second ("2026-11-30T01:02:03Z")."""
    if not timestamp:
        return "unknown time"
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
