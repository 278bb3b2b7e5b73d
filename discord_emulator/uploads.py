"""File uploads: `multipart/form-data` bodies on the routes that take files, read as Discord does.

DOCS/ref "Uploading Files": a body that carries files replaces `application/json` with
`multipart/form-data` (RFC 7578); the JSON body goes in a `payload_json` part, and each file in a
part named `files[n]` whose Content-Disposition has a `filename`. `n` is the placeholder id the
payload's `attachments` array (DOCS/message "Attachment Request Structure": "for new
attachments this must match the `n` in `files[n]`") refers to. The routes that take files are
Create Message (DOCS/message), Create Followup Message, Edit Original Interaction Response, Edit
Followup Message and Create Interaction Response (DOCS/rr: "This endpoint also supports file
attachments similar to the webhook endpoints").

Limits, each answered as Discord documents it (topics/opcodes-and-status-codes.mdx, "JSON Error
Codes"):
- each file at most 10 MiB ("The default limit is `10 MiB`", DOCS/ref "Uploading Files": it
  "applies to each file in a request"); past it, 413 40005 "Request entity too large";
- at most 10 files: 400 30015 "Maximum number of attachments in a message reached (10)";
- an `attachments` entry naming an `n` with no `files[n]` part: 400 50035 with
  ATTACHMENT_NOT_FOUND "Attachment data not found" under `attachments.<index>` (the live
  answer, quoted in Cogmasters/concord#78).
When `attachments` is given, only the files it lists are attached: DOCS/ref "Editing Message
Attachments" says the array "includes all files that will be appended to the message" (the
stricter reading, taken on every route). Without it, every file is attached in part order.
A body without `payload_json` takes its other parts as fields (DOCS/ref, first example body:
`content` and `tts` as parts); `content` stays text, others are read as JSON when they parse.
"""

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass

from . import errors
from .errors import ApiError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
_FILE_NAME = re.compile(r"^files\[(\d+)\]$")


@dataclass(frozen=True)
class Upload:
    """One `files[n]` part: `index` is its n."""

    index: str
    filename: str
    content_type: str | None
    content: bytes


@dataclass(frozen=True)
class Form:
    """A multipart body: `payload` (the JSON body; None when `payload_json` is not JSON), the
    files in part order, and `error`, the ApiError the request is answered with when the body
    breaks a rule (None when it is fine)."""

    payload: object
    uploads: tuple[Upload, ...]
    error: ApiError | None = None


def read_form(content_type_header: str, raw: bytes) -> Form:
    """The body as Discord reads it. Its `error`: 400 50035 for a body that is not multipart
    (no boundary, a part without a name, a repeated name, a file part without a filename),
    400 50109 for `payload_json` that is not JSON, or one of the limits above."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + raw)
    if not message.is_multipart() or message.get_param("boundary") is None or message.defects:
        return Form(None, (), errors.form_error("", "MULTIPART_INVALID",
                                                "The multipart/form-data body could not be read."))
    payload, fields, uploads, names, error = None, {}, [], set(), None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name or name in names:
            return Form(None, (), errors.form_error(
                "", "MULTIPART_INVALID", "Every part needs a unique name in its Content-Disposition."))
        names.add(name)
        data = part.get_payload(decode=True) or b""
        match = _FILE_NAME.match(name)
        if match and part.get_filename() is None:  # DOCS/ref: files[n] "must include ... a filename"
            error = error or errors.form_error(name, "BASE_TYPE_REQUIRED", "A file needs a filename.")
        elif match:
            uploads.append(Upload(match.group(1), part.get_filename(), part.get_content_type()
                                  if part.get("content-type") else None, data))
        elif name == "payload_json":
            payload = _json(data)
            if payload is _NOT_JSON:
                payload = None
                error = error or ApiError(400, 50109, "The request body contains invalid JSON.")
        else:
            text = data.decode("utf-8", "replace")
            fields[name] = text if name == "content" else _json_or_text(text)
    body = fields if "payload_json" not in names else payload
    return Form(body, tuple(uploads), error or _limits_broken(uploads))


_NOT_JSON = object()


def _json(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return _NOT_JSON


def _json_or_text(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def _limits_broken(uploads: list[Upload]) -> ApiError | None:
    if len(uploads) > MAX_FILES:
        return ApiError(400, 30015, "Maximum number of attachments in a message reached (10)")
    if any(len(u.content) > MAX_FILE_BYTES for u in uploads):
        return ApiError(413, 40005, "Request entity too large")
    return None


def attach(body: dict, uploads: tuple[Upload, ...], existing: list[dict], publish) -> list[dict]:
    """The message's attachments after this request: those of `existing` (an edited message's)
    it keeps, then its new files, each made an attachment object by `publish(upload)`.

    DOCS/message "Edit Message": "the `attachments` array must contain all attachments that
    should be present after edit, including retained and new"; without the array an edit keeps
    them all. ApiError 50035 ATTACHMENT_NOT_FOUND for an entry whose id is neither a `files[n]`
    placeholder of this request nor an attachment the message has."""
    listed = body.get("attachments")
    if listed is None:
        return list(existing) + [publish(u) for u in uploads]
    by_index = {u.index: u for u in uploads}
    by_id = {a["id"]: a for a in existing}
    problems = errors.FormErrors()
    for i, entry in enumerate(listed):
        if str(entry.get("id")) not in by_id and str(entry.get("id")) not in by_index:
            problems.add(f"attachments.{i}", "ATTACHMENT_NOT_FOUND", "Attachment data not found")
    problems.raise_if_any()  # before anything is published: a refused request uploads nothing
    keys = [str(entry.get("id")) for entry in listed]
    return [by_id[key] if key in by_id else publish(by_index[key]) for key in keys]
