"""How Discord rewrites the name of a text-like channel, as public reports show it.

Discord documents no rule (DOCS/guild "Create Guild Channel" only says 1-100
characters), so this is modelled from what bots observed, each point with its report:

  * upper case becomes lower case, whitespace becomes "-":
    discord/discord-api-docs#1646 ("capital letters and spaces are still banned" in
    text channel names, alternate Unicode spaces "blocked now"),
    CheAle14/casino-bot#15 (spaces replaced by "-");
  * ASCII punctuation other than "-" and "_" is dropped: PokeNavBot/issue-tracker#356
    (`st.-matthew's` came back as `st-matthews`: "." and "'" removed),
    nextcord/nextcord#957 ("Joey's Cool Channel" -> "joeys-cool-channel"),
    python-discord/bot `ValidChannelName` (bot/converters.py), which swaps `! ? ' `` < > \\ /`
    for look-alike Unicode characters because Discord drops the ASCII ones;
    PKlempe/SAM#135 ("Discord removes all special characters for text channels");
  * a run of "-" collapses to one: Yes-Theory-Fam/yesbot-ts#971;
  * "-" at either end is trimmed: jcolson/dndvault-bot#385 (a bot renaming a channel to
    "...-xd-" got "...-xd" back, over and over).

Stricter readings chosen where the reports are silent: every ASCII punctuation mark
except "-" and "_" is dropped (not only the ones seen), letters outside ASCII are
lower-cased too, and a name with nothing left is refused (see `rewrite_or_none`).
Non-ASCII symbols and emoji are kept, as #1646 says "most of Unicode" is permitted.

Voice (2), stage (13) and category (4) channels keep their names as given:
#1646 and the reports above concern text channels only, and SAM#135's voice channel
kept the characters its text channel lost.
"""

import string

from .model import ANNOUNCEMENT, FORUM, TEXT

# Channel types whose names Discord rewrites; every other type keeps its name.
REWRITTEN_TYPES = frozenset({TEXT, ANNOUNCEMENT, FORUM})
_DROPPED = frozenset(string.punctuation) - {"-", "_"}


def _characters(name: str):
    """Each character of the rewritten name before hyphen runs are collapsed."""
    for char in name.lower():
        if char.isspace():
            yield "-"
        elif char not in _DROPPED:
            yield char


def _collapse_hyphens(chars) -> str:
    out: list[str] = []
    for char in chars:
        if char == "-" and (not out or out[-1] == "-"):
            continue  # drops leading hyphens and runs of them
        out.append(char)
    while out and out[-1] == "-":
        out.pop()
    return "".join(out)


def rewrite_or_none(name: str, channel_type: int) -> str | None:
    """The name Discord stores for a channel of `channel_type` created or renamed to
    `name`; None when nothing is left of it (the caller answers 400 50035)."""
    if channel_type not in REWRITTEN_TYPES:
        return name
    return _collapse_hyphens(_characters(name)) or None
