"""Message content as the Discord client draws it: Discord's markdown subset, rendered to HTML.

markdown-it-py (a maintained CommonMark parser) does the parsing; this module only narrows it to
what Discord's client formats and adds Discord's own syntax. What Discord formats is listed in
"Markdown Text 101" (https://support.discord.com/hc/en-us/articles/210298617) and, for mentions
and timestamps, developers/reference.mdx "Message Formatting":
  **bold**, *italic* / _italic_, __underline__, ~~strike~~, `code`, ``` fenced ```, ||spoiler||,
  > quotes, # / ## / ### headers, -# subtext, - and 1. lists, [masked](https://links),
  <@user>, <@&role>, <#channel> (shown as names), <t:unix:style> (shown as a date).
Raw HTML is never passed through: a bot's text is data, not markup.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MENTION = re.compile(r"<(@&|@!?|#)(\d{1,20})>")
# reference.mdx "Timestamp Styles": t, T, d, D, f, F, R (f when none is given).
TIMESTAMP = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
SUBTEXT = re.compile(r"^-# (.*)$", re.M)
STYLES = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%d/%m/%Y", "D": "%d %B %Y",
          "f": "%d %B %Y %H:%M", "F": "%A, %d %B %Y %H:%M"}


@dataclass
class Names:
    """Who and what a mention names; unknown ids show as Discord shows them."""

    users: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)

    def label(self, sigil: str, item_id: str) -> str:
        if sigil == "#":
            return "#" + self.channels.get(item_id, "unknown")
        if sigil == "@&":
            return "@" + self.roles.get(item_id, "unknown-role")
        return "@" + self.users.get(item_id, "Unknown User")


def relative(seconds: float) -> str:
    """reference.mdx style R: "in 5 minutes", "2 hours ago"."""
    future, span = seconds > 0, abs(seconds)
    for unit, size in (("year", 31536000), ("month", 2592000), ("day", 86400), ("hour", 3600),
                       ("minute", 60), ("second", 1)):
        if span >= size or unit == "second":
            count = int(span // size)
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if future else f"{words} ago"
    return ""


def _discord_tokens(state: StateInline, silent: bool) -> bool:
    """<@id>, <@&id>, <#id> and <t:unix:style> at the current position."""
    if state.src[state.pos] != "<":
        return False
    rest = state.src[state.pos:state.posMax]
    mention, stamp = MENTION.match(rest), TIMESTAMP.match(rest)
    found = mention or stamp
    if not found:
        return False
    if not silent:
        if mention:
            token = state.push("discord_mention", "span", 0)
            token.meta = {"sigil": mention.group(1).rstrip("!"), "id": mention.group(2)}
        else:
            token = state.push("discord_timestamp", "time", 0)
            token.meta = {"unix": int(stamp.group(1)), "style": stamp.group(2) or "f",
                          "raw": stamp.group(0)}
    state.pos += found.end()
    return True


def _spoiler(state: StateInline, silent: bool) -> bool:
    """||hidden|| : the text behind a bar until clicked."""
    start = state.pos
    if not state.src.startswith("||", start):
        return False
    end = state.src.find("||", start + 2, state.posMax)
    if end <= start + 2:
        return False
    if not silent:
        state.push("spoiler_open", "span", 1)
        old_max = state.posMax
        state.pos, state.posMax = start + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("spoiler_close", "span", -1)
    state.pos = end + 2
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "html": False})
    # The client makes a masked link only of a web address; anything else stays text.
    md.validateLink = lambda url: url.lower().startswith(("https://", "http://"))
    md.enable(["newline", "escape", "backticks", "strikethrough", "emphasis", "link",
               "fence", "code", "blockquote", "heading", "list"])
    md.inline.add_terminator_char("|")
    md.inline.ruler.before("emphasis", "discord_tokens", _discord_tokens)
    md.inline.ruler.before("emphasis", "spoiler", _spoiler)
    rules = md.renderer.rules
    rules["discord_mention"] = lambda tokens, i, options, env: (
        '<span class="mention">'
        + html.escape(env["names"].label(tokens[i].meta["sigil"], tokens[i].meta["id"])) + "</span>")
    rules["discord_timestamp"] = lambda tokens, i, options, env: _timestamp(
        tokens[i].meta["unix"], tokens[i].meta["style"], env["now"], tokens[i].meta["raw"])
    rules["spoiler_open"] = lambda *_: '<span class="spoiler" tabindex="0">'
    rules["spoiler_close"] = lambda *_: "</span>"
    rules["link_open"] = lambda tokens, i, options, env: (
        f'<a href="{html.escape(tokens[i].attrGet("href") or "")}" target="_blank" '
        'rel="noopener noreferrer">')
    return md


_MD = _parser()
SUBTEXT_MARK = "\u2063"  # invisible separator: marks a "-# " line through the parse


def render(text: str, names: Names | None = None, *, now: Callable[[], float] = time.time) -> str:
    """`text` (a message's content) as HTML, mentions resolved through `names`."""
    # Discord's subtext ("-# small print") is not CommonMark: mark the line, parse, then style it.
    marked = SUBTEXT.sub(lambda m: SUBTEXT_MARK + m.group(1), text or "")
    tokens = _MD.parse(marked)
    for token in _walk(tokens):
        if token.type in ("strong_open", "strong_close") and token.markup == "__":
            token.tag = "u"  # Discord: __underline__, not bold
    out = _MD.renderer.render(tokens, _MD.options, {"names": names or Names(), "now": now()})
    out = re.sub(f"<p>{SUBTEXT_MARK}", '<p class="subtext">', out)
    out = re.sub(f"(<br>\\n?){SUBTEXT_MARK}(.*?)(?=<br>|</p>)", r'\1<span class="subtext">\2</span>',
                 out, flags=re.S)
    return out.replace(SUBTEXT_MARK, "")


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _timestamp(unix: int, style: str, now: float, raw: str) -> str:
    try:
        moment = datetime.fromtimestamp(unix, timezone.utc)
    except (OverflowError, OSError, ValueError):  # past year 9999: no date to show, so the text
        return html.escape(raw)
    shown = relative(unix - now) if style == "R" else moment.strftime(STYLES[style])
    return (f'<time class="timestamp" datetime="{moment.isoformat()}" data-style="{style}">'
            f'{html.escape(shown)}</time>')
