"""Ed25519 verification of Discord's interaction requests.

Discord signs `X-Signature-Timestamp + raw body` and probes endpoints with bad signatures; any
endpoint that accepts one is removed (developers/interactions/overview.mdx, "Validating Security
Request Headers"). We also refuse stale timestamps so a captured request cannot be replayed later.
"""

import time
from collections.abc import Callable, Mapping

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

MAX_CLOCK_SKEW_SECONDS = 300


class SignatureVerifier:
    def __init__(self, public_key_hex: str, *, clock: Callable[[], float] = time.time):
        self._key = VerifyKey(bytes.fromhex(public_key_hex))
        self._clock = clock

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """`headers` must have lower-cased names (HttpRequest guarantees it)."""
        signature_hex = headers.get("x-signature-ed25519")
        timestamp = headers.get("x-signature-timestamp")
        if not signature_hex or not timestamp:
            return False
        try:
            signature = bytes.fromhex(signature_hex)
            sent_at = int(timestamp)
        except ValueError:
            return False
        if len(signature) != 64 or abs(self._clock() - sent_at) > MAX_CLOCK_SKEW_SECONDS:
            return False
        try:
            self._key.verify(timestamp.encode() + body, signature)
        except (BadSignatureError, ValueError):
            return False
        return True
