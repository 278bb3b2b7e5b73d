"""The /local/ endpoints: look inside the running bot, for tests, the demo and `send`.

Read-only, except creating an interaction (which is what a user running a slash command does).
They exist only in local mode, on 127.0.0.1, and answer JSON (the tree: plain text).

  GET  /local/info                      how to reach and sign for this bot, and what it is made of
  POST /local/interactions              {"command", "options": {...}, "guild_id"?, "user_id"?}
                                        -> the payload Discord would POST (emulator only)
  GET  /local/interactions/<token>      {"original", "history", "channel_messages"}: the message
                                        the user sees, and what the bot posted in the server's channels
  GET  /local/guilds/<id>               roles, channels, and the sample members' roles
  GET  /local/guilds/<id>/tree          the server as a member would see it (text)
  GET  /local/guilds/<id>/campaigns     the campaign records in DynamoDB
  GET  /local/guilds/<id>/recovery      {"lines"}: each fault the bot met and how it recovered,
                                        then the duplicate check against the campaign records
  GET  /local/discord/requests          how many Discord requests, 429s, 5xx and lost replies
  (the playground adds its page at / and /local/playground/*: playground/app.py)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import urlsplit

from .discord_side import NotEmulated

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
_ID = r"([0-9]+)"


class LocalApi:
    def __init__(self, *, info: Callable[[], dict], discord, campaigns: Callable[[str], list]):
        self._info, self._discord, self._campaigns = info, discord, campaigns
        self._routes = [
            ("GET", r"/local/info", lambda body: self._info()),
            ("POST", r"/local/interactions", lambda body: self._discord.create_interaction(body)),
            ("GET", r"/local/interactions/([A-Za-z0-9_\-.]+)", self._discord.interaction),
            ("GET", rf"/local/guilds/{_ID}", self._discord.guild),
            ("GET", rf"/local/guilds/{_ID}/tree", self._discord.tree),
            ("GET", rf"/local/guilds/{_ID}/campaigns",
             lambda gid: [asdict(c) for c in self._campaigns(gid)]),
            ("GET", rf"/local/guilds/{_ID}/recovery",
             lambda gid: {"lines": self._discord.recovery(gid, self._campaigns(gid))}),
            ("GET", r"/local/discord/requests", lambda body: self._discord.request_stats()),
        ]

    def __call__(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        path = urlsplit(target).path.rstrip("/")
        for route_method, pattern, action in self._routes:
            match = re.fullmatch(pattern, path)
            if not match:
                continue
            if method != route_method:
                return _json(405, {"message": f"use {route_method} {path}"})
            try:
                if match.groups():
                    result = action(*match.groups())
                else:
                    result = action(json.loads(body or b"{}") if route_method == "POST" else None)
            except NotEmulated as error:
                return _json(409, {"message": str(error)})
            except LookupError as error:
                return _json(404, {"message": str(error).strip("'\"")})
            except ValueError as error:
                return _json(400, {"message": str(error)})
            if isinstance(result, str):
                return 200, TEXT, result.encode()
            return _json(200, result)
        return _json(404, {"message": f"no local endpoint {path}; see GET /local/info"})


def _json(status: int, value) -> tuple[int, str, bytes]:
    return status, JSON, json.dumps(value, indent=1, default=str).encode()
