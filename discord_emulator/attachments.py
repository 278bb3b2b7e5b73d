"""Discord's CDN for uploaded attachments: files a test puts up or a request uploads (uploads.py),
served over plain HTTP.

An interaction's `data.resolved.attachments` points at `url`, a signed CDN link
(`/attachments/{channel_id}/{attachment_id}/{filename}?ex=&is=&hm=`). Like the real CDN it needs
no Authorization header (a bot should not send its token there) and answers a link whose
signature is missing or expired with 404 "This content is no longer available.".
"""

import hashlib
import hmac
import mimetypes
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

ROUTE = "GET /attachments/{channel_id}/{attachment_id}/{filename}"
LINK_LIFETIME = 24 * 3600
GONE = b"This content is no longer available."


@dataclass
class Attachment:
    id: str
    channel_id: str
    filename: str
    content: bytes
    content_type: str | None
    expires: int
    expired: bool = False


class Attachments:
    def __init__(self, ids):
        self._ids = ids
        self._key = secrets.token_bytes(16)
        self.by_id: dict[str, Attachment] = {}
        self.base = ""  # "http://127.0.0.1:<port>", set when the server starts

    def _signature(self, attachment_id: str, ex: str) -> str:
        return hmac.new(self._key, f"{attachment_id}:{ex}".encode(), hashlib.sha256).hexdigest()[:32]

    def add(self, filename: str, content: bytes, content_type: str | None, channel_id: str) -> Attachment:
        if content_type is None:
            guessed = mimetypes.guess_type(filename)[0]
            if filename.lower().endswith((".yaml", ".yml")):
                guessed = "application/x-yaml"
            content_type = guessed and (guessed + "; charset=utf-8" if guessed.startswith("text/")
                                        or guessed in ("application/json", "application/x-yaml") else guessed)
        attachment = Attachment(self._ids.next(), channel_id, filename, bytes(content), content_type,
                                int(time.time()) + LINK_LIFETIME)
        self.by_id[attachment.id] = attachment
        return attachment

    def publish(self, upload, channel_id: str, ephemeral: bool) -> dict:
        """A file uploaded with a message (uploads.Upload) as the attachment object the message
        carries (DOCS/message "Attachment Object"), its bytes served from then on. `ephemeral`:
        the attachment of an ephemeral message (the object's `ephemeral` field)."""
        attachment = self.add(upload.filename, upload.content, upload.content_type, channel_id)
        return self.to_json(attachment, self.base, ephemeral)

    def to_json(self, attachment: Attachment, base: str, ephemeral: bool = True) -> dict:
        ex = f"{attachment.expires:x}"
        query = f"ex={ex}&is={attachment.expires - LINK_LIFETIME:x}&hm={self._signature(attachment.id, ex)}&"
        path = f"/attachments/{attachment.channel_id}/{attachment.id}/{quote(attachment.filename)}"
        data = {"id": attachment.id, "filename": attachment.filename, "size": len(attachment.content),
                "url": f"{base}{path}?{query}", "proxy_url": f"{base}/media{path}?{query}"}
        if ephemeral:
            data["ephemeral"] = True
        if attachment.content_type:
            data["content_type"] = attachment.content_type
        return data

    def serve(self, path: str, query: str) -> tuple[int, bytes, dict]:
        """(status, body, headers) for a GET on the CDN."""
        parts = path.split("/")
        if path.startswith("/media/"):
            parts = parts[1:]
        # ["", "attachments", channel_id, attachment_id, filename]
        attachment = self.by_id.get(parts[3]) if len(parts) == 5 and parts[1] == "attachments" else None
        params = {k: v[0] for k, v in parse_qs(query).items()}
        ex = params.get("ex", "")
        try:
            fresh = int(ex, 16) >= time.time()
        except ValueError:
            fresh = False
        signed = attachment is not None and hmac.compare_digest(params.get("hm", ""),
                                                                self._signature(attachment.id, ex))
        if not (signed and fresh and not attachment.expired):
            return 404, GONE, {"Content-Type": "text/plain"}
        headers = {"Content-Type": attachment.content_type or "application/octet-stream"}
        return 200, attachment.content, headers
