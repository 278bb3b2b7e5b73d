"""Reading an uploaded template file (JSON or YAML) into plain data, within limits.

A template is small: an id, a title and at most 45 channels of three keys each, four levels deep.
A file is refused before any other work when it is larger than MAX_FILE_BYTES, holds more than
MAX_NODES values (keys count too) or nests deeper than MAX_DEPTH. For YAML these limits are
checked while the document is composed, event by event, so nothing is built from a file that
breaks them; anchors, aliases and tags other than YAML's plain data types are refused at the same
point, before construction (an alias can repeat a whole subtree: nine aliases nine deep are
9**9 values from a few hundred bytes). JSON has no aliases; its nesting and value count are
checked by a linear scan before it is parsed.

Every problem is raised as TemplateInvalid with one `file: ...` error that quotes no more than a
short, clipped piece of the file.
"""

from __future__ import annotations

import json
import re
from typing import Any

from channelwright.campaigns.plan import Template
from channelwright.templates.library import builtin_ids
from channelwright.templates.schema import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    TemplateInvalid,
    json_object,
    validate,
)
from channelwright.text.names import clip

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def parse_template_file(content: bytes, filename: str) -> Template:
    """The template in an uploaded file, or TemplateInvalid listing every problem in it: the file
    read within its size, count and depth limits, then validated (schema.py)."""
    return validate(read_document(content, filename), builtin_ids=builtin_ids())


def read_document(content: bytes, filename: str) -> Any:
    """The file's data (dicts, lists, text, numbers...), or TemplateInvalid saying why not.

    `.json` files are read as JSON, `.yaml`/`.yml` as YAML, other names by their first
    character ("{" or "[" means JSON)."""
    if len(content) > MAX_FILE_BYTES:
        raise TemplateInvalid([f"file: is {len(content):,} bytes; templates can be at most "
                               f"{MAX_FILE_BYTES // 1024} KiB"])
    text = _decode(content)
    if not text.strip():
        raise TemplateInvalid(["file: is empty"])
    if _syntax(text, filename) == "JSON":
        _check_json_shape(text)
        return _load_json(text)
    return _load_yaml(text)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TemplateInvalid(["file: is saved as UTF-16; save it as UTF-8 and upload it again"])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        raise TemplateInvalid([f"file: is not UTF-8 text (byte 0x{content[error.start]:02x} on line {line}, "
                               f"offset {error.start}); save it as UTF-8 and upload it again"]) from None


def _syntax(text: str, filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".json"):
        return "JSON"
    if lower.endswith((".yaml", ".yml")):
        return "YAML"
    return "JSON" if text.lstrip()[:1] in ("{", "[") else "YAML"


def _too_big(what: str, line: int | None = None) -> TemplateInvalid:
    where = f" (line {line})" if line else ""
    return TemplateInvalid([f"file: {what}{where}; a template is an id, a title and a list of at "
                            "most 45 channels"])


# -- JSON ---------------------------------------------------------------------------------------


def _check_json_shape(text: str) -> None:
    """Depth and value count from one pass over the JSON text (strings skipped whole)."""
    depth = nodes = 0
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            nodes += 1
            if depth > MAX_DEPTH:
                raise _too_big(f"nests deeper than {MAX_DEPTH} levels", _line(text, token.start()))
        elif mark in "]}":
            depth -= 1
        elif mark in ",:":
            nodes += 1  # each separator introduces one more key or value
        if nodes > MAX_NODES:
            raise _too_big(f"holds more than {MAX_NODES:,} values", _line(text, token.start()))


def _line(text: str, offset: int) -> int:
    """The 1-based line of `text` that `offset` is on."""
    return text.count("\n", 0, offset) + 1


def _long_number(digits: int, line: int | None = None) -> TemplateInvalid:
    where = f" (line {line})" if line else ""
    return TemplateInvalid([f"file: holds a number of {digits:,} digits{where}; a template holds "
                            "text, true/false, lists and mappings"])


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _long_number(len(text))
    return int(text)


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=json_object, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise TemplateInvalid([f"file: not valid JSON: {error.msg} "
                               f"(line {error.lineno}, column {error.colno})"]) from None
    except (ValueError, RecursionError) as error:  # e.g. a number of thousands of digits
        raise TemplateInvalid([f"file: not valid JSON: {clip(str(error), 120)}"]) from None


# -- YAML ---------------------------------------------------------------------------------------


def _load_yaml(text: str) -> Any:
    try:
        import yaml

        from channelwright.templates import yaml_file  # only the worker reads YAML (PyYAML)
    except ImportError:  # PyYAML missing from the bundle: a deployment bug, but say something useful
        raise TemplateInvalid(["file: YAML files can't be read by this installation; "
                               "upload the template as JSON"]) from None
    try:
        return yaml_file.load(text)
    except yaml_file.Refused as refused:
        if refused.limit:
            raise _too_big(refused.what, refused.line) from None
        if refused.digits:
            raise _long_number(refused.digits, refused.line) from None
        raise TemplateInvalid([f"file: {refused.what} (line {refused.line})"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise TemplateInvalid([f"file: not valid YAML: {clip(problem, 160)}{where}"]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise TemplateInvalid([f"file: not valid YAML: {clip(str(error), 160)}"]) from None
