"""Failures told to a user: what happened, why, and what to do about it.

Every message a user reads about a failure is built from a Problem, and Discord's error codes map
to Problems in one table (`for_discord_code`), not in scattered if-chains.
"""

from dataclasses import dataclass

from channelwright.discord.errors import JsonErrorCode as Code


@dataclass(frozen=True)
class Problem:
    what: str
    why: str
    fix: str

    def text(self) -> str:
        return f"❌ **{self.what}**\n{self.why}\n**What to do:** {self.fix}"

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "why": self.why, "fix": self.fix}

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        return cls(data.get("what", ""), data.get("why", ""), data.get("fix", ""))


# "{again}" is filled with how to retry what failed (a build, by default).
RERUN = "then {again}."
AGAIN_BUILD = ("run `/add-campaign` again with the same name: what already exists is kept, "
               "nothing is duplicated")

# Discord JSON error code -> (why, what to do). The codes: discord/errors.py (JsonErrorCode).
_BY_CODE: dict[int, tuple[str, str]] = {  # by JSON error code (Code's values)
    Code.MISSING_PERMISSIONS: ("Discord says I lack a permission for this: either my role is missing "
            "Manage Channels / Manage Roles, or the role I must assign sits above my own role.",
            "In Server Settings → Roles, give my role Manage Channels and Manage Roles and drag it "
            "above the roles I create; " + RERUN),
    # Only once lost_access.explain has checked that I'm still in the server: then 50001 means
    # one channel or category is hidden from me.
    Code.MISSING_ACCESS: ("Discord says I can't see a channel or category involved: its permissions "
            "hide it from me.",
            "In that channel's (or its category's) permissions, let my role View Channel; " + RERUN),
    Code.MAX_GUILD_CHANNELS: ("This server has reached Discord's limit of 500 channels.",
            "Delete unused channels to make room; " + RERUN),
    Code.MAX_GUILD_ROLES: ("This server has reached Discord's limit of 250 roles.",
            "Delete unused roles to make room; " + RERUN),
    Code.UNKNOWN_GUILD: ("Discord no longer knows this server: I may have been removed from it.",
            "Re-invite me to the server, then run `/add-campaign` again."),
    Code.CLOUDFLARE_BLOCKED: ("Discord's edge blocked my request.",
            "This is on the bot operator's side; tell them, and try again later."),
    Code.UNAUTHORIZED: ("My bot token was refused by Discord.",
            "The bot operator must set a valid bot token; tell them."),
    Code.INVALID_FORM_BODY: ("Discord refused one of my requests as invalid.",
            "Try again with a simpler campaign name; if it keeps failing, report it to the bot operator."),
}

# The refusals only the server's admin can lift (permissions, role order, Discord's per-server
# limits, re-inviting the bot); every other refusal is the bot operator's to fix (token, edge block,
# a request Discord found invalid).
SERVER_FIXES = frozenset({Code.MISSING_PERMISSIONS, Code.MISSING_ACCESS, Code.MAX_GUILD_CHANNELS,
                          Code.MAX_GUILD_ROLES, Code.UNKNOWN_GUILD})


def server_must_fix(status: int, code: int | None, detail: str = "") -> bool:
    """Whether a Discord refusal is the server admin's to fix rather than the bot operator's."""
    if code == Code.INVALID_FORM_BODY:
        return "MAX_CHANNELS" in detail  # the category is full
    return code in SERVER_FIXES or (code is None and status == 403)


_CATEGORY_FULL = ("The campaign's category already holds Discord's maximum of 50 channels.",
                  "Remove channels from the category, or use a template with fewer channels; " + RERUN)


def for_discord_code(doing: str, status: int, code: int | None, detail: str = "",
                     again: str = AGAIN_BUILD) -> Problem:
    """The Problem for a Discord error met while `doing` something ("creating the GM role")."""
    if code == Code.INVALID_FORM_BODY and "MAX_CHANNELS" in detail:
        why, fix = _CATEGORY_FULL
    elif code in _BY_CODE:
        why, fix = _BY_CODE[code]
    elif status == 401:
        why, fix = _BY_CODE[Code.UNAUTHORIZED]
    elif status == 403:
        why, fix = _BY_CODE[Code.MISSING_PERMISSIONS]
    else:
        why = f"Discord answered HTTP {status}" + (f" (code {code})" if code else "") + "."
        fix = "Try again in a few minutes; if it keeps failing, report it to the bot operator."
    return Problem(f"I couldn't finish {doing}.", why, fix.replace("{again}", again))


class Refusal(Exception):
    """A request refused, carrying the Problem its asker reads.

    Raised where the refusal is decided, and caught once per dispatcher (the interactions
    endpoint's command, component and autocomplete dispatch, and the worker's task dispatch),
    which turns it into the asker's answer: an ephemeral response, or their edited message.
    """

    def __init__(self, problem: Problem):
        super().__init__(problem.what)
        self.problem = problem

    def text(self) -> str:
        return self.problem.text()
