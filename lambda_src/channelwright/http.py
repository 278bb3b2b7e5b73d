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
        http = (event.get("requestContext") or {}).get("http") or {}
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        if event.get("isBase64Encoded"):
            try:
                body = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                body = b""  # cannot match any signature, so the request is refused with 401
        else:
            body = raw.encode("utf-8")
        return cls(
            method=http.get("method", "POST"),
            path=event.get("rawPath") or http.get("path", "/"),
            headers=headers,
            body=body,
        )


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
