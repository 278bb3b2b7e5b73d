"""Ed25519 verification of Discord's interaction requests.

Discord signs `X-Signature-Timestamp + raw body` and probes endpoints with bad signatures; any
endpoint that accepts one is removed (developers/interactions/overview.mdx, "Validating Security
Request Headers"). We also refuse stale timestamps so a captured request cannot be replayed later.
"""

import re
import time
from collections.abc import Callable, Mapping

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

MAX_CLOCK_SKEW_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds: 10 digits until the year 2286
_SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")  # an Ed25519 signature is 64 bytes


class SignatureVerifier:
    def __init__(self, public_key_hex: str, *, clock: Callable[[], float] = time.time):
        self._key = VerifyKey(bytes.fromhex(public_key_hex))
        self._clock = clock

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """`headers` must have lower-cased names (HttpRequest guarantees it).

        False for a signature of any other shape than Discord's: the timestamp must be Unix
        seconds in ASCII digits (a 400-digit one must not reach float arithmetic, "١٢٣" must not
        read as a number), the signature exactly 64 bytes of hex."""
        signature_hex = headers.get("x-signature-ed25519")
        timestamp = headers.get("x-signature-timestamp")
        if not isinstance(signature_hex, str) or not isinstance(timestamp, str):
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature_hex):
            return False
        if abs(self._clock() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            return False
        try:
            self._key.verify(timestamp.encode() + body, bytes.fromhex(signature_hex))
        except (BadSignatureError, ValueError, TypeError):
            return False
        return True
