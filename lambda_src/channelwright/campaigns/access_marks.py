"""A channel's access mode (plan.py) as the mark shown before its name, and the legend saying it:
one wording for the build's summary, `/campaign-template show` and an import's confirmation.

Owners and Administrators see every channel whatever its overwrites
(developers/topics/permissions.mdx, compute_base_permissions), so "players only" says so.
"""

from channelwright.campaigns.plan import GM_ONLY, GM_POSTS, PER_PLAYER, PLAYERS_ONLY, SPECTATORS

MARKS = {GM_ONLY: "🔒", GM_POSTS: "📢", PLAYERS_ONLY: "🙊", SPECTATORS: "👁", PER_PLAYER: "🧵"}
LEGEND = {
    GM_ONLY: "🔒 = game masters only.",
    GM_POSTS: "📢 = game masters post; players read (in voice: listen, not speak).",
    PLAYERS_ONLY: "🙊 = players only: hidden from the GM role (the server's owner and "
                  "Administrators still see every channel).",
    SPECTATORS: "👁 = spectators read it too (in voice: listen): give someone the Spectators role "
                "with `/add-spectator` to let them watch.",
    PER_PLAYER: "🧵 = game masters post; each player gets a private thread there, seen by them "
                "and the game masters.",
}


def marked(access: str, name: str) -> str:
    """`name` after its access mode's mark and a space; as it is for `party`, which has none."""
    mark = MARKS.get(access)
    return f"{mark} {name}" if mark else name


def legend(modes) -> list[str]:
    """A line for each access mode among `modes` that has a mark, in LEGEND's order."""
    return [text for mode, text in LEGEND.items() if mode in modes]
