"""The bot's own user id, without asking Discord on every cold start where that can be avoided.

For applications made since Discord gave every bot its application's snowflake, the bot user's
id is the application id; for some older applications it is not ("the Application ID is not
guaranteed to be the same as the Bot ID (specifically for older applications)",
serenity-rs/serenity#899; discordjs/guide#1052). Discord's docs state no rule either way
(developers/resources/application.mdx, Application Object: `bot` is a separate "partial user
object"), so the application id is only a candidate until a read confirms it: Get Guild Member
(developers/resources/guild.mdx) with it answers a member whose `user` is a bot. Anything else
(a 404: 10007 Unknown Member or 10013 Unknown User; a member who is not a bot) falls back to Get
Current User (GET /users/@me, developers/resources/user.mdx), the authority.
"""

import threading
from collections.abc import Callable


class BotUserId:
    """Callable: the confirmed id (asking GET /users/@me once if none is confirmed yet).

    `candidate()` is the id to try before one is confirmed (the application id); `confirm(member)`
    accepts it from a Get Guild Member answer; `refute()` drops the candidate for good.
    """

    def __init__(self, current_user: Callable[[], dict], application_id: str,
                 known: str | None = None):
        self._current_user = current_user
        self._application_id = str(application_id)
        self._known = known
        self._candidate_refuted = False
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._known is None:
                self._known = str(self._current_user()["id"])
            return self._known

    @property
    def confirmed(self) -> bool:
        return self._known is not None

    def candidate(self) -> str:
        """The confirmed id, else the application id, else (refuted) the authority's answer."""
        if self._known is not None or self._candidate_refuted:
            return self()
        return self._application_id

    def confirm(self, member: dict) -> bool:
        """Accept the candidate if `member` (Get Guild Member's answer for it) is a bot user with
        that id; else refute it. True if confirmed."""
        user = member.get("user") or {}
        if str(user.get("id")) == self._application_id and user.get("bot"):
            with self._lock:
                self._known = self._known or self._application_id
            return True
        self.refute()
        return False

    def refute(self) -> None:
        self._candidate_refuted = True
