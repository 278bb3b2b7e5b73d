"""Laying long text out in Discord messages without losing any of it.

A message's content is at most 2000 characters (developers/resources/message.mdx, "Create
Message": "the message contents (up to 2000 characters)"). A longer text is split into parts
that each fit: at line breaks first, a line longer than a message at ", " (our lists), then at
spaces, and only a single 2000-character word at a character boundary. Nothing is dropped, and no
word is cut. The worker sends the parts as the answer and follow-up messages; the request path,
which may answer only once, shows them as pages (pages.py).
"""

from __future__ import annotations

from channelwright.discord.types import MESSAGE_CONTENT_LIMIT as MESSAGE_LIMIT


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of `text`, each at most `limit` characters, joined back by line breaks or spaces."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _pieces(line, limit):
            if not current:
                current = piece
            elif len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                parts.append(current)
                current = piece
    parts.append(current)
    return [part for part in parts if part.strip()] or [text[:limit]]


def _pieces(line: str, limit: int) -> list[str]:
    """A line cut into pieces of at most `limit` characters, between list items or words."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(", ", 0, limit)
        if cut > 0:
            pieces.append(line[:cut + 1])
            line = line[cut + 2:]
            continue
        cut = line.rfind(" ", 0, limit + 1)
        if cut > 0:
            pieces.append(line[:cut])
            line = line[cut + 1:]
            continue
        head = _head(line, limit)
        pieces.append(head)
        line = line[len(head):]
    pieces.append(line)
    return pieces


def _head(word: str, limit: int) -> str:
    """The longest start of `word` of at most `limit` characters ending between two
    user-perceived characters (never inside an emoji sequence or a letter and its accents)."""
    import regex  # only a 2000-character word needs grapheme clusters (tests/test_import_isolation.py)

    size = 0
    for cluster in regex.finditer(r"\X", word):
        if size + len(cluster.group()) > limit:
            break
        size += len(cluster.group())
    return word[:size or limit]
