"""The playground's HTTP side: the page, its static files, and the JSON the page reads and posts.

  GET  /                                 the page (static HTML; playground.js draws everything)
  GET  /playground/<file>                playground.js, playground.css
  GET  /local/playground/state?as=<id>   the sidebar as that member sees it, members, commands,
                                         their messages, trouble settings, recovery narration
  POST /local/playground/commands        {"as", "command", "subcommand"?, "options": {name: value}}
  POST /local/playground/autocomplete    the same plus "focused": the option being typed
  POST /local/playground/press           {"as", "token", "custom_id"}: a button on a reply, or
                                         {"as", "channel_id", "message_id", "custom_id"}: a button
                                         on a message the bot posted in a channel
  POST /local/playground/attachments     {"filename", "content_base64"}: a file for an option
  POST /local/playground/trouble         {"faults": [...], "latency": seconds}

Emulator only: with the real Discord, use the real client.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from channelwright.commands.definitions import DEFINITIONS
from channelwright_local.fault_presets import PRESETS, parse_faults
from channelwright_local.playground import messages, narration, server_view
from channelwright_local.playground.conversation import Conversation, PlaygroundError

JSON = "application/json"
STATIC = {"playground.js": "text/javascript; charset=utf-8",
          "playground.css": "text/css; charset=utf-8"}


def is_playground_path(path: str) -> bool:
    return path == "/" or path.startswith(("/playground/", "/local/playground/"))


class Playground:
    def __init__(self, discord, endpoint: str, campaigns):
        self.discord = discord
        self.conversation = Conversation(discord, endpoint)
        self._campaigns = campaigns  # guild id -> [Campaign] (the store's own query)

    def __call__(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        path = url.path
        if not hasattr(self.discord, "emulator"):
            return _json(409, {"message": "the playground drives the emulated Discord only; with "
                                          "--discord real, use your Discord client"})
        if method == "GET" and path == "/":
            return 200, "text/html; charset=utf-8", _static("page.html")
        name = path.removeprefix("/playground/")
        if method == "GET" and name in STATIC:
            return 200, STATIC[name], _static(name)
        actions = {"/local/playground/state": ("GET", self.state),
                   "/local/playground/commands": ("POST", self.command),
                   "/local/playground/autocomplete": ("POST", self.autocomplete),
                   "/local/playground/press": ("POST", self.press),
                   "/local/playground/attachments": ("POST", self.attach),
                   "/local/playground/trouble": ("POST", self.trouble)}
        if path not in actions:
            return _json(404, {"message": f"no playground page {path}"})
        wanted, action = actions[path]
        if method != wanted:
            return _json(405, {"message": f"use {wanted} {path}"})
        try:
            request = ({k: v[0] for k, v in parse_qs(url.query).items()} if method == "GET"
                       else json.loads(body or b"{}"))
            if not isinstance(request, dict):
                raise PlaygroundError("send a JSON object")
            return _json(200, action(request))
        except (PlaygroundError, ValueError) as error:
            return _json(400, {"message": str(error)})

    # -- actions ------------------------------------------------------------------------------

    def state(self, request: dict) -> dict:
        # A page left open across a restart still asks as a member of the old, forgotten server:
        # it is shown the new one as its game-master (and says so in "viewer").
        viewer = request.get("as") if request.get("as") in self.discord.roster else self.discord.gm_id
        emu = self.discord.emulator
        campaigns = self._campaigns(self.discord.guild_id)
        return {"server": server_view.sidebar(self.discord, viewer),
                "commands": DEFINITIONS,
                "messages": messages.timeline(self.conversation, viewer),
                "trouble": {"faults": self.discord.info()["faults"], "latency": emu.latency,
                            "armed": len(emu.faults.active), "presets": list(PRESETS)},
                "narration": narration.summary(emu, self.discord.guild_id, campaigns),
                "campaigns": [{"name": c.name, "status": c.status} for c in campaigns]}

    def command(self, request: dict) -> dict:
        sent = self.conversation.run(_who(request), str(request.get("command") or ""),
                                     _options(request), request.get("subcommand") or None)
        return {"token": sent.token, "status": sent.status}

    def autocomplete(self, request: dict) -> dict:
        choices = self.conversation.suggest(_who(request), str(request.get("command") or ""),
                                            _options(request), str(request.get("focused") or ""),
                                            request.get("subcommand") or None)
        return {"choices": choices}

    def press(self, request: dict) -> dict:
        custom_id = str(request.get("custom_id") or "")
        if request.get("token"):
            sent = self.conversation.press(_who(request), str(request["token"]), custom_id)
        else:
            sent = self.conversation.press_posted(_who(request), str(request.get("channel_id") or ""),
                                                  str(request.get("message_id") or ""), custom_id)
        return {"token": sent.token, "status": sent.status}

    def attach(self, request: dict) -> dict:
        return self.conversation.upload(str(request.get("filename") or ""),
                                        str(request.get("content_base64") or ""))

    def trouble(self, request: dict) -> dict:
        faults = request.get("faults") or []
        if not isinstance(faults, list):
            raise PlaygroundError("faults: a list of names")
        try:
            latency = float(request.get("latency") or 0)
        except (TypeError, ValueError):
            latency = math.nan
        # Infinity would stall every emulated request for good, and NaN and Infinity are not
        # JSON: the page could no longer read its own state.
        if not 0 <= latency < math.inf:
            raise PlaygroundError("latency: seconds, 0 or more")
        self.discord.set_trouble(parse_faults(",".join(map(str, faults))), latency)
        return {"faults": self.discord.info()["faults"], "latency": latency}


def _who(request: dict) -> str:
    return str(request.get("as") or "")


def _options(request: dict) -> dict:
    options = request.get("options") or {}
    if not isinstance(options, dict):
        raise PlaygroundError("options: an object of name -> value")
    return options


def _static(name: str) -> bytes:
    return resources.files("channelwright_local.playground").joinpath("static", name).read_bytes()


def _json(status: int, value) -> tuple[int, str, bytes]:
    return status, JSON, json.dumps(value, default=str, allow_nan=False).encode()
