"""The Discord the handlers talk to: the in-memory emulator (default) or the real API.

Either side says which environment the handlers need (API base URL, application id, public key)
and holds the bot token, which local mode stores in the Secrets Manager secret as AWS would. The
emulated side also plays Discord's part around the interactions endpoint: it creates the
interactions, signs them like Discord, and records the bot's HTTP answer as the original message.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from typing import Any

from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

log = logging.getLogger("local.discord")

REAL_SETTINGS = ("DISCORD_BOT_TOKEN", "DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY")
Handler = Callable[[dict, Any], dict]


class MissingDiscordSettings(Exception):
    def __init__(self, missing: list[str]):
        super().__init__(
            "`--discord real` needs these environment variables, from the Discord Developer Portal: "
            + ", ".join(missing) + " (see docs/local-mode.md, \"Against the real Discord\")")
        self.missing = missing


class NotEmulated(Exception):
    """A /local/ look-inside that only the emulator can answer."""


class _InFlight:
    """Counts interactions being answered, so the worker can wait until Discord has the answer.

    Discord records the bot's HTTP answer as the original message before the bot could possibly
    edit it; in one process the worker could win that race and find no message to edit.
    """

    def __init__(self):
        self._count = 0
        self._idle = threading.Condition()

    def __enter__(self):
        with self._idle:
            self._count += 1

    def __exit__(self, *exc):
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._count == 0, timeout)


class EmulatedDiscord:
    kind = "emulator"

    def __init__(self, *, latency: float = 0.0, faults: list[str] = (), seed_hex: str | None = None):
        from discord_emulator import DiscordEmulator

        self.emulator = DiscordEmulator(bot_token=f"local.{secrets.token_urlsafe(24)}")
        self.key = SigningKey(seed_hex, encoder=HexEncoder) if seed_hex else SigningKey.generate()
        self._latency, self._faults = latency, list(faults)
        self._in_flight = _InFlight()
        self.guild_id = self.gm_id = self.player_id = self.newcomer_id = ""
        self.roster: dict[str, str] = {}  # user id -> name, for the members this side added

    @property
    def bot_token(self) -> str:
        return self.emulator.bot_token

    @property
    def public_key_hex(self) -> str:
        return self.key.verify_key.encode(HexEncoder).decode()

    def start(self) -> "EmulatedDiscord":
        import discord_emulator as d
        from .fault_presets import apply_faults

        self.emulator.start()
        self.guild_id = self.emulator.add_guild(
            name="Local Tabletop Club", owner_name="owner",
            bot_permissions=d.DEFAULT_BOT_PERMISSIONS | d.ADD_REACTIONS | d.ATTACH_FILES)
        self.emulator.add_channel(self.guild_id, "general")
        self.gm_id = self.emulator.add_member(self.guild_id, "game-master",
                                              permissions=d.MANAGE_CHANNELS)
        self.player_id = self.emulator.add_member(self.guild_id, "player")
        # Someone with no roles at all: what a stranger to every campaign sees.
        self.newcomer_id = self.emulator.add_member(self.guild_id, "newcomer")
        self.roster = {self.emulator.guild(self.guild_id)["owner_id"]: "owner",
                       self.gm_id: "game-master", self.player_id: "player",
                       self.newcomer_id: "newcomer", self.emulator.bot_user_id: "Channelwright"}
        self.emulator.latency = self._latency
        apply_faults(self.emulator, self._faults)
        return self

    def close(self) -> None:
        self.emulator.stop()

    def set_trouble(self, faults: list[str], latency: float) -> None:
        """Arm `faults` (presets, replacing any still armed) and set the latency per request."""
        from .fault_presets import apply_faults

        if latency < 0:
            raise ValueError("latency must be 0 or more seconds")
        self.emulator.faults.clear()
        apply_faults(self.emulator, faults)
        self.emulator.latency = self._latency = float(latency)
        self._faults = list(faults)

    def environment(self) -> dict[str, str]:
        # The emulator's CDN is plain HTTP on this machine: template downloads are allowed from
        # it explicitly (the bot's default is Discord's CDN over HTTPS only).
        scheme, _, rest = self.emulator.base_url.partition("://")
        return {"DISCORD_API_BASE_URL": self.emulator.base_url,
                "DISCORD_APPLICATION_ID": self.emulator.application_id,
                "DISCORD_PUBLIC_KEY": self.public_key_hex,
                "TEMPLATE_DOWNLOAD_ORIGINS": f"{scheme}://{rest.split('/', 1)[0]}"}

    # -- Discord's side of the interactions endpoint ----------------------------------------

    def front_door(self, invoke: Callable[[dict], dict]) -> Callable[[dict], dict]:
        """The endpoint as Discord uses it: the answer becomes the original message."""
        def answer(event: dict) -> dict:
            with self._in_flight:
                result = invoke(event)
                self._acknowledge(event, result)
            return result
        return answer

    def worker_gate(self, handler: Handler) -> Handler:
        def gated(event: dict, context: Any) -> dict:
            self._in_flight.wait_idle(timeout=5.0)
            return handler(event, context)
        return gated

    def _acknowledge(self, event: dict, result: dict) -> None:
        try:
            body = event.get("body") or ""
            payload = json.loads(base64.b64decode(body) if event.get("isBase64Encoded") else body)
        except ValueError:
            return
        if not isinstance(payload, dict) or payload.get("type") == 1 or "token" not in payload:
            return  # a PING has no message; junk was refused already
        if not isinstance(result, dict) or result.get("statusCode", 200) != 200:
            return  # Discord shows "interaction failed"; nothing to record
        try:
            self.emulator.acknowledge(payload, result)
        except Exception as error:  # an interaction not made here, too late, or answered twice
            log.warning("the emulated Discord did not accept the answer: %s", error)

    # -- for /local/ and the demo ----------------------------------------------------------

    def create_interaction(self, request: Mapping[str, Any]) -> dict:
        """The payload Discord would POST when someone runs a slash command."""
        options = request.get("options") or {}
        if isinstance(options, dict):  # {"name": "x"} is the convenient form
            options = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
        return self.emulator.create_interaction(
            str(request.get("guild_id") or self.guild_id), str(request.get("user_id") or self.gm_id),
            str(request.get("command") or "add-campaign"), options=options)

    def interaction(self, token: str) -> dict:
        try:
            history = self.emulator.message_history(token)
        except KeyError:
            raise LookupError("no interaction with that token") from None
        # Where the bot answers once the token no longer works: a channel, as a plain message.
        in_channels = [m["content"] for m in self.bot_channel_messages()]
        return {"original": self.emulator.original_message(token), "history": history,
                "channel_messages": in_channels}

    def bot_channel_messages(self) -> list[dict]:
        """The bot's own messages in the sample server's channels, oldest first."""
        emu = self.emulator
        found = [m for c in emu.guild_channels(self.guild_id) if c["type"] != 4
                 for m in emu.channel_messages(c["id"]) if m["author"]["id"] == emu.bot_user_id]
        return sorted(found, key=lambda m: int(m["id"]))

    def guild(self, guild_id: str) -> dict:
        emu = self.emulator
        try:
            guild = emu.guild(guild_id)
        except Exception:
            raise LookupError(f"no guild {guild_id}") from None
        members = {uid: emu.member_role_ids(guild_id, uid)
                   for uid in (self.gm_id, self.player_id) if guild_id == self.guild_id}
        return {"id": guild_id, "name": guild.get("name"), "roles": emu.guild_roles(guild_id),
                "channels": emu.guild_channels(guild_id), "members": members}

    def tree(self, guild_id: str) -> str:
        try:
            return self.emulator.render_tree(guild_id)
        except Exception:
            raise LookupError(f"no guild {guild_id}") from None

    def request_stats(self) -> dict:
        requests = self.emulator.requests
        return {"requests": len(requests),
                "rate_limited": sum(r.status == 429 for r in requests),
                "server_errors": sum((r.status or 0) >= 500 for r in requests),
                "lost_replies": sum(r.reply_lost for r in requests)}

    def recovery(self, guild_id: str, campaigns: list) -> list[str]:
        """One line per fault the bot met and how it recovered, then the duplicate check."""
        from .playground.narration import summary

        return summary(self.emulator, guild_id, campaigns)

    def info(self) -> dict:
        return {"discord": self.kind,
                "emulator_base_url": self.emulator.base_url,
                "emulator_bot_token": self.emulator.bot_token,
                "application_id": self.emulator.application_id,
                "public_key": self.public_key_hex,
                # Local only: the key that signs requests "from Discord" to this endpoint.
                "signing_seed_hex": self.key.encode(HexEncoder).decode(),
                "guild_id": self.guild_id, "member_id": self.gm_id, "gm_id": self.gm_id,
                "player_id": self.player_id, "newcomer_id": self.newcomer_id,
                "faults": self._faults, "latency": self._latency}


class RealDiscord:
    kind = "real"

    def __init__(self, environ: Mapping[str, str] = os.environ):
        missing = [name for name in REAL_SETTINGS if not (environ.get(name) or "").strip()]
        if missing:
            raise MissingDiscordSettings(missing)
        self.bot_token = environ["DISCORD_BOT_TOKEN"].strip()
        self.application_id = environ["DISCORD_APPLICATION_ID"].strip()
        self.public_key_hex = environ["DISCORD_PUBLIC_KEY"].strip()
        self.api_base_url = (environ.get("DISCORD_API_BASE_URL") or "").strip()

    def start(self) -> "RealDiscord":
        return self

    def close(self) -> None:
        pass

    def environment(self) -> dict[str, str]:
        env = {"DISCORD_APPLICATION_ID": self.application_id, "DISCORD_PUBLIC_KEY": self.public_key_hex}
        if self.api_base_url:
            env["DISCORD_API_BASE_URL"] = self.api_base_url
        return env

    def front_door(self, invoke):
        return invoke  # the real Discord records its own answers

    def worker_gate(self, handler):
        return handler

    def info(self) -> dict:
        return {"discord": self.kind, "application_id": self.application_id,
                "public_key": self.public_key_hex}

    def _not_emulated(self, *args, **kwargs):
        raise NotEmulated("only the emulated Discord can be looked inside; "
                          "with --discord real, look in your Discord client")

    create_interaction = interaction = guild = tree = request_stats = recovery = _not_emulated
