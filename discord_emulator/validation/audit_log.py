"""The `X-Audit-Log-Reason` request header.

DOCS/audit ("Audit Log Entry Object"): "The `X-Audit-Log-Reason` header supports 1-512
URL-encoded UTF-8 characters." Discord refuses a longer reason with 400 50035; public reports
quote the answer as `reason: Must be 512 or fewer in length.` (laggron42/Laggrons-Dumb-Cogs#41,
xelA/bucket#5, discord/discord-api-docs#811 "an error is thrown when more characters are used").

Characters are counted after percent-decoding, as code points. What Discord answers for an empty
reason or one that is not URL-encoded UTF-8 is not documented; the strict reading of "1-512
URL-encoded UTF-8 characters" is taken: both are refused the same way, under `reason`.
"""

from urllib.parse import unquote

from ..errors import FormErrors
from . import form

HEADER = "x-audit-log-reason"
MAX_CHARACTERS = 512


def check(errors: FormErrors, headers: dict) -> None:
    """`headers` with lower-cased names; no header, no check."""
    raw = headers.get(HEADER)
    if raw is None:
        return
    reason = _decoded(raw)
    if reason is None:
        errors.add("reason", "BASE_TYPE_BAD_ENCODING",
                   "X-Audit-Log-Reason must be URL-encoded UTF-8 (percent-encode non-ASCII characters).")
        return
    # Two checks rather than one 1..512 range: the public reports quote the one-bound
    # message ("Must be 512 or fewer in length."), not "between 1 and 512".
    form.length(errors, "reason", len(reason), max_length=MAX_CHARACTERS)
    form.length(errors, "reason", len(reason), min_length=1)


def _decoded(raw: str) -> str | None:
    """The reason as text, or None when the header is not URL-encoded UTF-8. Header bytes
    reach us as latin-1 (http.server's decoding), so any character above 0x7F means raw,
    un-encoded bytes were sent."""
    if any(ord(c) > 0x7E or ord(c) < 0x20 for c in raw):
        return None
    try:
        return unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
