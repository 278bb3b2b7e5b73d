"""Every request the emulator sees, as tests and benchmarks want to inspect it.

A record is appended when the request arrives (status None) and completed when
the reply is written, so in-flight and lost requests are visible too. Observers
(`Recorder.observe`) are handed each record once it is complete, so a check can
see every request even when a test clears the log mid-way; they also get the bot's
inline replies to interactions (`inline_reply`), which are not requests to the API and
never enter the log.
Header names are lower-cased (HTTP header names are case-insensitive; one
spelling makes `headers["authorization"]` reliable).
"""

import copy
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable


@dataclass
class RecordedRequest:
    method: str
    path: str                 # after /api/v10, without the query string
    route: str | None         # bucket route template, e.g. "POST /guilds/{guild_id}/channels"
    headers: dict[str, str]   # request headers, names lower-cased
    json: Any                 # parsed request body, or None
    started: float            # time.monotonic() on arrival
    status: int | None = None          # None while in flight or when the reply was lost
    response: Any = None               # parsed response JSON, or None (204, lost reply)
    finished: float | None = None      # time.monotonic() when answered or dropped
    reply_lost: bool = False
    query: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    from_edge: bool = False            # answered by Discord's edge (an injected edge fault), not the API
    # The bot's inline reply to an interaction POST (DiscordEmulator.acknowledge): the body Discord
    # takes at POST /interactions/{id}/{token}/callback, sent as the HTTP answer instead. Handed to
    # observers only (Recorder.notify), never in the request log; `status` stays None.
    inline_reply: bool = False
    # The files of a multipart body (whose `payload_json` is `json`): {"name": "files[n]",
    # "filename", "content_type" (None when the part had none), "size"} each, in part order.
    files: tuple = ()

    @property
    def code(self) -> int | None:
        """Discord's JSON error code, if the response carried one."""
        return self.response.get("code") if isinstance(self.response, dict) else None

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.started


class Recorder:
    def __init__(self):
        self._lock = threading.Lock()
        self._records: list[RecordedRequest] = []
        self._observers: list[Callable[[RecordedRequest], None]] = []

    def observe(self, callback: Callable[[RecordedRequest], None]) -> None:
        """Call `callback(record)` for every request once answered or its reply lost. It runs
        on the server's handler thread, before the reply is written: keep it short."""
        with self._lock:
            self._observers.append(callback)

    def start(self, record: RecordedRequest) -> RecordedRequest:
        with self._lock:
            self._records.append(record)
        return record

    def finish(self, record: RecordedRequest, **outcome) -> None:
        with self._lock:
            for key, value in outcome.items():
                setattr(record, key, value)
            observers = list(self._observers)
        for callback in observers:
            callback(record)

    def notify(self, record: RecordedRequest) -> None:
        """Hand `record` to the observers without adding it to the log (an inline reply)."""
        with self._lock:
            observers = list(self._observers)
        for callback in observers:
            callback(record)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return [replace(r, headers=dict(r.headers), json=copy.deepcopy(r.json),
                            response=copy.deepcopy(r.response),
                            response_headers=dict(r.response_headers)) for r in self._records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def count(self, method=None, path_regex=None, status=None, route_regex=None) -> int:
        with self._lock:
            return sum(1 for r in self._records
                       if (method is None or r.method == method.upper())
                       and (path_regex is None or re.search(path_regex, r.path))
                       and (route_regex is None or (r.route and re.search(route_regex, r.route)))
                       and (status is None or r.status == status))
