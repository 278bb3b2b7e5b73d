"""Named troubles for the emulated Discord, so a demo can show the bot surviving them.

Each preset is a handful of faults on the routes a build uses, sized so the build still finishes
(within the worker's retries) and the user can see the trouble happen in the log.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable

CREATES = r"/guilds/\d+/(channels|roles)$"


def _rate_limits(emulator) -> None:
    # 429s shaped like Discord's, with a retry_after long enough to notice in the log.
    emulator.faults.rate_limit_storm(4, path_regex=r"/guilds/", retry_after=0.5)


def _lost_replies(emulator) -> None:
    # Discord did the create, but the answer never arrived: the classic duplicate-maker.
    emulator.faults.lose_reply(2, method="POST", path_regex=r"/roles$")
    emulator.faults.lose_reply(3, method="POST", path_regex=r"/channels$")


def _server_errors(emulator) -> None:
    emulator.faults.fail_next(2, status=502, method="POST", path_regex=CREATES)
    emulator.faults.fail_next(1, status=503, method="POST", path_regex=CREATES)


class _TokenExpiry:
    """Expires an interaction's token after the bot's second edit of its message, as 15 minutes
    would on a long build: later edits get 401 50027 (developers/interactions/
    receiving-and-responding.mdx: tokens are valid for 15 minutes), and the bot must answer in
    the channel instead. Armed once per preset use; watches the emulator's answered requests."""

    EDIT = re.compile(r"^/webhooks/\d+/([^/]+)/messages/@original$")

    def __init__(self, emulator):
        self._emulator, self._armed, self._edits = emulator, 0, {}
        self._lock = threading.Lock()
        emulator.observe_requests(self._seen)

    def arm(self) -> None:
        with self._lock:
            self._armed += 1

    def _seen(self, record) -> None:
        match = self.EDIT.match(record.path)
        if record.method != "PATCH" or not match or record.status != 200:
            return
        token = match.group(1)
        with self._lock:
            self._edits[token] = self._edits.get(token, 0) + 1
            expire = self._armed > 0 and self._edits[token] == 2
            if expire:
                self._armed -= 1
        if expire:  # the observer runs outside the emulator's state lock (recording.py)
            self._emulator.expire_token(token)


_EXPIRIES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _expired_token(emulator) -> None:
    if emulator not in _EXPIRIES:
        _EXPIRIES[emulator] = _TokenExpiry(emulator)
    _EXPIRIES[emulator].arm()


PRESETS: dict[str, Callable] = {"429": _rate_limits, "lost-replies": _lost_replies, "5xx": _server_errors,
                                "expired-token": _expired_token}
ALIASES = {"rate-limits": "429", "lost": "lost-replies", "lost-reply": "lost-replies",
           "500": "5xx", "server-errors": "5xx", "expired": "expired-token"}


def parse_faults(text: str | None) -> list[str]:
    """'429,lost-replies' -> ['429', 'lost-replies']; ValueError naming what is unknown."""
    names = [ALIASES.get(n.strip().lower(), n.strip().lower()) for n in (text or "").split(",")]
    names = [n for n in names if n]
    unknown = [n for n in names if n not in PRESETS]
    if unknown:
        raise ValueError(f"unknown fault {', '.join(unknown)}; choose from {', '.join(PRESETS)}")
    return list(dict.fromkeys(names))


def apply_faults(emulator, names: list[str]) -> None:
    for name in names:
        PRESETS[name](emulator)
