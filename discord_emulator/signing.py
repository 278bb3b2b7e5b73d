"""Signing interaction requests the way Discord does, for tests, benchmarks and the local demo.

Discord signs `X-Signature-Timestamp + raw body` with the application's Ed25519 key and the bot
verifies with the public key (developers/interactions/overview.mdx).
"""

import base64
import json
import time
from typing import Any

from nacl.encoding import HexEncoder
from nacl.signing import SigningKey


class InteractionSigner:
    def __init__(self, key: SigningKey | None = None):
        self.key = key or SigningKey.generate()

    @property
    def public_key_hex(self) -> str:
        return self.key.verify_key.encode(HexEncoder).decode()

    def headers(self, body: bytes, timestamp: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        signature = self.key.sign(timestamp.encode() + body).signature.hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp,
                "Content-Type": "application/json", "User-Agent": "Discord-Interactions/1.0"}

    def api_gateway_event(self, payload: Any, *, timestamp: str | None = None,
                          base64_body: bool = False) -> dict:
        """An API Gateway HTTP API (payload 2.0) event carrying a signed interaction."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {k.lower(): v for k, v in self.headers(body, timestamp).items()}
        return api_gateway_event(body, headers, base64_body=base64_body)


def api_gateway_event(body: bytes, headers: dict[str, str], *, base64_body: bool = False) -> dict:
    return {
        "version": "2.0",
        "routeKey": "POST /interactions",
        "rawPath": "/interactions",
        "headers": headers,
        "requestContext": {"http": {"method": "POST", "path": "/interactions"}},
        "body": base64.b64encode(body).decode() if base64_body else body.decode("utf-8"),
        "isBase64Encoded": base64_body,
    }
