"""Files sent with a message: the `multipart/form-data` body Discord takes instead of JSON.

developers/reference.mdx "Uploading Files": the JSON body goes in a `payload_json` part and each
file in a part named `files[n]` with a filename; the body's `attachments` array names each new
file by its `n` ("for new attachments this must match the `n` in `files[n]`",
developers/resources/message.mdx "Attachment Request Structure"; sent as a string, the
OpenAPI description's SnowflakeType). Each file may be at most 10 MiB ("The default limit is
`10 MiB`", "Uploading Files"), at most 10 files a message (topics/opcodes-and-status-codes.mdx,
30015); ValueError before anything is sent otherwise.

Standard library only: `parts` gives the (name, (filename, content, content type)) list the REST
client hands to `requests` as `files=`, which writes the multipart body.
"""

import json
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 10


@dataclass(frozen=True)
class File:
    """One file: `filename` as Discord shows it, `content` its bytes, `content_type` its media
    type (e.g. "application/yaml")."""

    filename: str
    content: bytes
    content_type: str


def with_attachments(body: dict, files: list[File]) -> dict:
    """`body` naming every file in `attachments`, in order (ValueError past the limits above)."""
    if len(files) > MAX_FILES:
        raise ValueError(f"{len(files)} files; Discord takes at most {MAX_FILES} a message")
    for file in files:
        if len(file.content) > MAX_FILE_BYTES:
            raise ValueError(f"{file.filename} is {len(file.content)} bytes; Discord takes at most "
                             f"{MAX_FILE_BYTES} a file")
    return {**body, "attachments": [{"id": str(n), "filename": f.filename} for n, f in enumerate(files)]}


def parts(body: dict, files: list[File]) -> list[tuple[str, tuple[Any, ...]]]:
    """The multipart parts: `payload_json` (the body, as JSON), then `files[0]`, `files[1]`..."""
    payload = ("payload_json", (None, json.dumps(body), "application/json"))
    return [payload] + [(f"files[{n}]", (f.filename, f.content, f.content_type)) for n, f in enumerate(files)]
