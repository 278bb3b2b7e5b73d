"""Talking to a running local bot over HTTP, as Discord and a curious user would.

Discord's part: create an interaction (someone ran a slash command), sign it with the
application's key and POST it to /interactions. The user's part: look at the message and the
server. Used by the demo and `send`; the tests speak raw HTTP instead, so they check this too.
"""

from __future__ import annotations

import json

import requests
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

from discord_emulator.signing import InteractionSigner


class LocalBotError(RuntimeError):
    pass


class LocalClient:
    def __init__(self, base_url: str, *, session: requests.Session | None = None, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self._http = session or requests.Session()
        self._timeout = timeout
        self._info: dict | None = None

    def info(self) -> dict:
        if self._info is None:
            self._info = self._get("/local/info")
        return self._info

    def signer(self) -> InteractionSigner:
        seed = self.info().get("signing_seed_hex")
        if not seed:
            raise LocalBotError("this bot talks to the real Discord; only Discord can sign for it")
        return InteractionSigner(SigningKey(seed, encoder=HexEncoder))

    def create_interaction(self, command: str, options: dict, **ids) -> dict:
        return self._call("POST", "/local/interactions",
                          json={"command": command, "options": options, **ids})

    def send(self, payload: dict) -> tuple[int, dict | str]:
        """POST a signed interaction to /interactions, the way Discord does."""
        body = json.dumps(payload).encode()
        response = self._http.post(f"{self.base_url}/interactions", data=body,
                                   headers=self.signer().headers(body), timeout=self._timeout)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def interaction(self, token: str) -> dict:
        return self._get(f"/local/interactions/{token}")

    def campaigns(self, guild_id: str) -> list[dict]:
        return self._get(f"/local/guilds/{guild_id}/campaigns")

    def tree(self, guild_id: str) -> str:
        return self._call("GET", f"/local/guilds/{guild_id}/tree", text=True)

    def recovery(self, guild_id: str) -> list[str]:
        return self._get(f"/local/guilds/{guild_id}/recovery")["lines"]

    def request_stats(self) -> dict:
        return self._get("/local/discord/requests")

    def _get(self, path: str):
        return self._call("GET", path)

    def _call(self, method: str, path: str, *, text: bool = False, **kwargs):
        try:
            response = self._http.request(method, self.base_url + path, timeout=self._timeout, **kwargs)
        except requests.RequestException as error:
            raise LocalBotError(f"no local bot answering at {self.base_url} ({error.__class__.__name__}); "
                                "is `python -m channelwright_local serve` running?") from None
        if response.status_code != 200:
            raise LocalBotError(f"{method} {path}: HTTP {response.status_code} {response.text[:300]}")
        return response.text if text else response.json()
