"""One rule for every name a user gives us: campaign names, template channel names, template ids
and titles. Each is normalised the same way, refused for the same reasons, and shown the same way.

- Normalised: Unicode NFC (so "Café" typed precomposed or as "e" + U+0301 is one name), every
  run of whitespace made one space, trimmed. `key` also casefolds, for uniqueness checks.
- Refused when a user could not see or type it back: control, surrogate, private-use and
  unassigned characters; format characters (bidi overrides, zero-width spaces, soft hyphens...)
  except the joiners and tags that emoji and some scripts need inside a visible character; and
  any user-perceived character (an extended grapheme cluster, Unicode UAX #29) that draws
  nothing: the Hangul fillers U+3164/U+115F/U+1160/U+FFA0, the braille blank U+2800, U+034F, a
  lone combining mark, a lone variation selector. Emoji sequences pass: ZWJ sequences (👩‍🚀),
  variation selectors, keycaps (#️⃣), flags (🇫🇷, 🏴 + tags), skin tones (👍🏽).
- Shown literally: `md` escapes the characters Discord's markdown acts on, so a name like
  `**Bold**` or `<@123>` is shown as typed (and every message also sends
  `allowed_mentions: {"parse": []}`, so nothing in a name can ping anyone).

Grapheme clusters and Unicode properties come from the `regex` package: the standard library
has no grapheme segmentation, and `regex` carries its own Unicode tables, so the rule is the same
on this machine's Python and Lambda's (whose `unicodedata` versions differ).
"""

from __future__ import annotations

import unicodedata
from enum import Enum

import regex

# Characters that draw nothing by themselves: default-ignorables (fillers, joiners, variation
# selectors, tags), whitespace, combining marks (drawn only on a base), format characters, and the
# braille blank U+2800, which is a symbol but an empty one.
_BLANK = r"[\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Mn}\p{Me}\p{Cf}\u2800]"
_ALL_BLANK = regex.compile(_BLANK + "+")
# A name without any of these (other than single spaces) needs no cluster-by-cluster look.
_SUSPECT = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\p{Cf}\u2800]|[^\S ]")
# Never allowed: controls, surrogates, private use, unassigned, line/paragraph separators.
_FORBIDDEN = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]")
_FORMAT = regex.compile(r"\p{Cf}")
_CLUSTER = regex.compile(r"\X")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
_WHITESPACE = regex.compile(r"\s+")
ZWNJ, ZWJ = "\u200c", "\u200d"
# Tag characters spell subdivision flags after U+1F3F4 (🏴 + "gbeng" + CANCEL TAG).
_TAGS = range(0xE0020, 0xE0080)

# Discord's markdown: these characters start or end formatting anywhere in a line ("<" starts
# mentions, timestamps and custom emoji); a backslash before any ASCII punctuation shows it as is.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|<>[]"})
# ...and these only at the start of a line: headings, subtext, lists, numbered lists.
_LINE_START = regex.compile(r"^(#|-|\+|\d+\.)")


class Refusal(Enum):
    """Why a name can't be used (callers word the message for their context)."""

    EMPTY = "empty"
    CONTROL = "control characters"
    INVISIBLE = "invisible characters"
    TOO_LONG = "too long"


def normalise(text: str) -> str:
    """NFC, whitespace runs made one space, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def key(name: str) -> str:
    """The form two names are compared in: normalised, casefolded (then NFC again, since
    casefolding can leave decomposed text), so "Café", "CAFÉ" and "Cafe\u0301" are one name."""
    return unicodedata.normalize("NFC", normalise(name).casefold())


def _cluster_refusal(cluster: str) -> Refusal | None:
    if cluster == " ":
        return None  # the single space between words (normalise leaves no other whitespace)
    if _ALL_BLANK.fullmatch(cluster):
        return Refusal.INVISIBLE
    emoji = bool(_PICTOGRAPHIC.match(cluster))
    for ch in _FORMAT.findall(cluster):
        if not (ch in (ZWJ, ZWNJ) or (emoji and ord(ch) in _TAGS)):
            return Refusal.INVISIBLE
    return None


def refusal(name: str, max_length: int) -> Refusal | None:
    """Why the normalised `name` can't be used, or None. Lengths count code points, as
    Discord's 100-character name limits do."""
    if not name:
        return Refusal.EMPTY
    if _FORBIDDEN.search(name):
        return Refusal.CONTROL
    # Only a name with a character that may draw nothing needs a look cluster by cluster.
    clusters = _CLUSTER.findall(name) if _SUSPECT.search(name) else ()
    for cluster in clusters:
        reason = _cluster_refusal(cluster)
        if reason:
            return reason
    if len(name) > max_length:
        return Refusal.TOO_LONG
    return None


def check(raw: object, max_length: int) -> tuple[str, Refusal | None]:
    """(the normalised name, why it can't be used or None). Non-text counts as empty."""
    name = normalise(raw) if isinstance(raw, str) else ""
    return name, refusal(name, max_length)


def md(text: object) -> str:
    """`text` as literal message text: no markdown, no mention, timestamp or emoji syntax."""
    escaped = str(text).translate(_MARKDOWN)
    return _LINE_START.sub(r"\\\1", escaped)


def code(text: object) -> str:
    """`text` as inline code: markdown is not read inside it, and a backtick in the text (which
    would end the span) is replaced by a look-alike."""
    return "`" + (str(text).replace("`", "\u02cb") or " ") + "`"


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` code points at a character boundary (never inside an
    emoji sequence or a letter with its accents), with `ellipsis` if anything was cut."""
    if len(text) <= limit:
        return text
    kept, size = [], len(ellipsis)
    for cluster in _CLUSTER.finditer(text, concurrent=False):
        piece = cluster.group()
        if size + len(piece) > limit:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ellipsis
