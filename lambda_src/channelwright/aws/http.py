"""The HTTP request and response as the interactions logic sees them, and their API Gateway forms.

API Gateway HTTP APIs (payload format 2.0) lower-case header names and may base64-encode the body;
the signature covers the exact bytes Discord sent, so we recover those before anything else.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @classmethod
    def from_api_gateway(cls, event: dict[str, Any]) -> "HttpRequest":
        """Any event shape gives a request; one that isn't API Gateway's gets an empty body and
        headers, which no signature matches (so it is refused with 401, never a 500)."""
        context = _dict(_dict(event).get("requestContext"))
        http = _dict(context.get("http"))
        headers = {str(k).lower(): str(v) for k, v in _dict(_dict(event).get("headers")).items()}
        raw = _dict(event).get("body") or ""
        if not isinstance(raw, str):
            body = b""
        elif event.get("isBase64Encoded"):
            try:
                body = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                body = b""  # cannot match any signature, so the request is refused with 401
        else:
            body = raw.encode("utf-8", errors="surrogatepass")
        return cls(
            method=str(http.get("method", "POST")),
            path=str(_dict(event).get("rawPath") or http.get("path", "/")),
            headers=headers,
            body=body,
        )


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any) -> "HttpResponse":
        return cls(status, json.dumps(payload, separators=(",", ":")),
                   {"content-type": "application/json"})

    @classmethod
    def text(cls, status: int, message: str) -> "HttpResponse":
        return cls(status, message, {"content-type": "text/plain; charset=utf-8"})

    def to_api_gateway(self) -> dict[str, Any]:
        return {"statusCode": self.status, "headers": self.headers, "body": self.body,
                "isBase64Encoded": False}
