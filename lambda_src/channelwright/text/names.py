"""One rule for every name a user gives us: campaign names, template channel names, template ids
and titles. Each is normalised the same way, refused for the same reasons, and shown the same way.

- Normalised: Unicode NFC (so "Café" typed precomposed or as "e" + U+0301 is one name), every
  run of whitespace made one space, trimmed. `key` also casefolds, for uniqueness checks.
- Refused when a user could not see or type it back: control, surrogate, private-use and
  unassigned characters; format characters (bidi overrides, zero-width spaces, soft hyphens...);
  any user-perceived character (an extended grapheme cluster, Unicode UAX #29) that draws
  nothing: the Hangul fillers U+3164/U+115F/U+1160/U+FFA0, the braille blank U+2800, U+034F, a
  lone combining mark, a lone variation selector; and any default-ignorable character (UAX #44,
  Default_Ignorable_Code_Point: drawn as nothing) except where it changes what is drawn.
  An ignorable character attached to a visible one ("Strahd" + U+200D, "A" + U+FE0F, tags
  spelling hidden text after 🎲) draws exactly like the name without it, and would make a
  look-alike second campaign. The exceptions (`_ignorable_refusal`): ZWJ inside an emoji ZWJ
  sequence (👩‍🚀) or after a virama (Indic half forms, क्‍ष); ZWNJ between letters after a
  virama or a cursive-joining letter (Persian می‌خواهم); U+FE0E/U+FE0F once after an emoji
  character (❤︎, #️⃣); ideographic variation selectors after an ideograph (葛󠄀); Mongolian
  variation selectors after a Mongolian letter; tag characters only as a subdivision flag, 🏴
  then a region code then CANCEL TAG (UTS #51, "emoji_tag_sequence"). So emoji sequences pass:
  ZWJ sequences, presentation selectors, keycaps, flags (🇫🇷, 🏴 + tags), skin tones (👍🏽).
- Shown literally: `md` escapes the characters Discord's markdown acts on, so a name like
  `**Bold**` or `<@123>` is shown as typed (and every message also sends
  `allowed_mentions: {"parse": []}`, so nothing in a name can ping anyone).

Grapheme clusters and Unicode properties come from the `regex` package: the standard library
has no grapheme segmentation, and `regex` carries its own Unicode tables, so the rule is the same
on this machine's Python and Lambda's (whose `unicodedata` versions differ).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import Enum
from types import SimpleNamespace

ZWNJ, ZWJ = "\u200c", "\u200d"
# Unicode's White_Space: what str.isspace() (and so `re`'s \s) counts, less the separators
# U+001C-U+001F, which are controls to refuse, not spaces to fold.
_WHITESPACE = re.compile(r"[^\S\x1c-\x1f]+")


@functools.cache
def _rx() -> SimpleNamespace:
    """The Unicode-property patterns, compiled on first use: importing `regex` costs a cold start
    about 6 ms, and a name of printable ASCII (most names) never needs it (see `refusal`;
    tests/test_import_isolation.py)."""
    import regex

    # Characters that draw nothing by themselves: default-ignorables (fillers, joiners, variation
    # selectors, tags), whitespace, combining marks (drawn only on a base), format characters, and
    # the braille blank U+2800, which is a symbol but an empty one.
    blank = r"[\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Mn}\p{Me}\p{Cf}\u2800]"
    return SimpleNamespace(
        ALL_BLANK=regex.compile(blank + "+"),
        # A name without any of these (other than single spaces) needs no cluster-by-cluster look.
        SUSPECT=regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\p{Cf}\u2800]|[^\S ]"),
        # Never allowed: controls, surrogates, private use, unassigned, line/paragraph separators.
        FORBIDDEN=regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]"),
        FORMAT=regex.compile(r"\p{Cf}"),
        CLUSTER=regex.compile(r"\X"),
        IGNORABLE=regex.compile(r"\p{Default_Ignorable_Code_Point}"),
        # What may stand before an ignorable character for it to change what is drawn (see the
        # module docstring).
        VIRAMA=regex.compile(r"\p{Canonical_Combining_Class=Virama}"),
        ZWJ_ELEMENT_END=regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]"),
        ZWJ_ELEMENT_START=regex.compile(r"\p{Extended_Pictographic}"),
        JOINING=regex.compile(r"[\p{Joining_Type=Dual_Joining}\p{Joining_Type=Left_Joining}]"),
        EMOJI=regex.compile(r"\p{Emoji}"),
        IDEOGRAPH=regex.compile(r"\p{Ideographic}"),
        MONGOLIAN=regex.compile(r"\p{Script=Mongolian}"),
        # A subdivision flag: U+1F3F4, a region code in tag letters and digits (ISO 3166-2: two
        # letters and one to three more), U+E007F CANCEL TAG (UTS #51, "emoji_tag_sequence";
        # 🏴 + "gbeng").
        TAG_RUN=regex.compile(r"[\U000E0020-\U000E007F]+"),
        FLAG_TAGS=regex.compile(r"[\U000E0061-\U000E007A]{2}[\U000E0030-\U000E0039\U000E0061-\U000E007A]{1,3}"
                                r"\U000E007F"),
    )


BLACK_FLAG = "\U0001F3F4"

# Discord's markdown: these characters start or end formatting anywhere in a line ("<" starts
# mentions, timestamps and custom emoji); a backslash before any ASCII punctuation shows it as is.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|<>[]"})
# ...and these only at the start of a line (after up to a few spaces), on every line: headings,
# subtext, lists, and numbered lists, whose dot is escaped ("1\." — a backslash before a digit is
# no escape and would show; discord.js escapeNumberedList/escapeHeading/escapeBulletedList,
# https://github.com/discordjs/discord.js/pull/8701).
_LINE_MARK = re.compile(r"^([ \t]*)([#+-])", re.MULTILINE)
_LINE_NUMBER = re.compile(r"^([ \t]*\d+)\.", re.MULTILINE)


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
    if _rx().ALL_BLANK.fullmatch(cluster):
        return Refusal.INVISIBLE
    # Format characters that aren't default-ignorable (U+0600 ARABIC NUMBER SIGN...) are refused
    # too; the ignorable ones are judged in their context by _ignorable_refusal.
    if any(not _rx().IGNORABLE.match(ch) for ch in _rx().FORMAT.findall(cluster)):
        return Refusal.INVISIBLE
    return None


def _ignorable_refusal(name: str) -> Refusal | None:
    """INVISIBLE if a default-ignorable character of `name` stands where it changes nothing drawn."""
    for tags in _rx().TAG_RUN.finditer(name):
        start = tags.start()
        if not (start and name[start - 1] == BLACK_FLAG and _rx().FLAG_TAGS.fullmatch(tags.group())):
            return Refusal.INVISIBLE
    for index, ch in enumerate(name):
        if not _rx().IGNORABLE.match(ch) or "\U000E0020" <= ch <= "\U000E007F":
            continue
        before = name[index - 1] if index else ""
        after = name[index + 1] if index + 1 < len(name) else ""
        if not _ignorable_fits(ch, before, after):
            return Refusal.INVISIBLE
    return None


def _ignorable_fits(ch: str, before: str, after: str) -> bool:
    """Whether the ignorable `ch` between `before` and `after` changes what is drawn."""
    if ch == ZWJ:
        return bool(_rx().VIRAMA.match(before)) or bool(
            _rx().ZWJ_ELEMENT_END.match(before) and _rx().ZWJ_ELEMENT_START.match(after))
    if ch == ZWNJ:
        follows_joiner = bool(_rx().VIRAMA.match(before) or _rx().JOINING.match(before))
        return bool(after) and not after.isspace() and follows_joiner
    if ch in "\ufe0e\ufe0f":  # text or emoji presentation, once, after an emoji character
        return bool(_rx().EMOJI.match(before))
    if "\U000E0100" <= ch <= "\U000E01EF":  # ideographic variation sequences
        return bool(_rx().IDEOGRAPH.match(before))
    if ch in "\u180b\u180c\u180d\u180f":  # Mongolian free variation selectors
        return bool(_rx().MONGOLIAN.match(before))
    return False  # fillers, U+034F, Khmer inherent vowels, other variation selectors...


def refusal(name: str, max_length: int) -> Refusal | None:
    """Why the normalised `name` can't be used, or None. Lengths count code points, as
    Discord's 100-character name limits do."""
    if not name:
        return Refusal.EMPTY
    if name.isascii():  # printable ASCII draws every character; only controls are refused
        if not name.isprintable():
            return Refusal.CONTROL
        return Refusal.TOO_LONG if len(name) > max_length else None
    if _rx().FORBIDDEN.search(name):
        return Refusal.CONTROL
    # Only a name with a character that may draw nothing needs a look cluster by cluster.
    clusters = _rx().CLUSTER.findall(name) if _rx().SUSPECT.search(name) else ()
    for cluster in clusters:
        reason = _cluster_refusal(cluster)
        if reason:
            return reason
    if clusters:
        reason = _ignorable_refusal(name)
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
    return _LINE_NUMBER.sub(r"\1\\.", _LINE_MARK.sub(r"\1\\\2", escaped))


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
    for cluster in _rx().CLUSTER.finditer(text, concurrent=False):
        piece = cluster.group()
        if size + len(piece) > limit:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ellipsis
