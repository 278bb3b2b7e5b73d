"""Strict checkers for every `format` Discord's OpenAPI description uses.

jsonschema only asserts formats given a `FormatChecker`, and its own date-time and uri
checkers silently pass when their optional packages are missing; so each format the spec
uses is checked here, with the standard library. Formats (counted in the spec): int32,
int64, double, date-time, uri, snowflake, nonce. `unchecked_formats(document)` names any
format the document uses that has no checker here, so a new one cannot pass silently.
"""

import math
import re
from datetime import datetime
from urllib.parse import urlsplit

from jsonschema import FormatChecker

FORMATS = FormatChecker(formats=())

# RFC 3339 section 5.6 "date-time": full-date "T" full-time, with a required offset.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_INT32 = (-(2 ** 31), 2 ** 31 - 1)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
# DOCS/ref "Snowflakes": 64-bit unsigned integers, serialised as strings.
_SNOWFLAKE_MAX = 2 ** 64 - 1


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@FORMATS.checks("int32")
def _int32(value) -> bool:
    return not _is_int(value) or _INT32[0] <= value <= _INT32[1]


@FORMATS.checks("int64")
def _int64(value) -> bool:
    return not _is_int(value) or _INT64[0] <= value <= _INT64[1]


@FORMATS.checks("double")
def _double(value) -> bool:
    # JSON cannot carry NaN or infinities; Python's json module would let them through.
    return not isinstance(value, float) or math.isfinite(value)


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:  # 2024-02-30, 25:00 and the like
        return False
    return True


@FORMATS.checks("uri")
def _uri(value) -> bool:
    """RFC 3986 "URI" (absolute: a scheme, then a hierarchical part); no spaces or controls."""
    if not isinstance(value, str):
        return True
    if any(c.isspace() or ord(c) < 0x20 for c in value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme and _SCHEME.match(parts.scheme) and (parts.netloc or parts.path))


@FORMATS.checks("snowflake")
def _snowflake(value) -> bool:
    return not isinstance(value, str) or (value.isdigit() and int(value) <= _SNOWFLAKE_MAX)


@FORMATS.checks("nonce")
def _nonce(value) -> bool:
    # resources/message.mdx "Create Message": nonce "integer or string", "up to 25 characters";
    # the spec's maxLength carries the length, so only the type is left to check.
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def unchecked_formats(document) -> set[str]:
    """Every `format` value in `document` (any JSON) that FORMATS has no checker for."""
    found = set()

    def visit(node):
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                found.add(node["format"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(document)
    return found - set(FORMATS.checkers)
