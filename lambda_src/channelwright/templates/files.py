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

import functools
import json
import re
from typing import Any

from channelwright.campaigns.plan import Template
from channelwright.templates.library import builtin_ids
from channelwright.templates.schema import MAX_FILE_BYTES, Mapping, TemplateInvalid, json_object, validate
from channelwright.text.names import clip

MAX_NODES = 2_000  # a full template has about 320 (45 channels x 3 keys, keys and values)
MAX_DEPTH = 8  # a template nests 4 deep: mapping > channels > channel > value
# A template holds no numbers at all; a longer one is refused in words before Python's own limit
# (4,300 digits) answers with advice about sys.set_int_max_str_digits.
MAX_NUMBER_DIGITS = 100
# YAML's plain data types (yaml.org/type); "!" is the non-specific tag (a plain string).
YAML_TAGS = frozenset({"!"} | {f"tag:yaml.org,2002:{name}"
                               for name in ("str", "int", "float", "bool", "null", "map", "seq")})
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
                raise _too_big(f"nests deeper than {MAX_DEPTH} levels", text.count("\n", 0, token.start()) + 1)
        elif mark in "]}":
            depth -= 1
        elif mark in ",:":
            nodes += 1  # each separator introduces one more key or value
        if nodes > MAX_NODES:
            raise _too_big(f"holds more than {MAX_NODES:,} values", text.count("\n", 0, token.start()) + 1)


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


class _Refused(Exception):
    def __init__(self, what: str, mark):
        super().__init__(what)
        self.what, self.line = what, (mark.line + 1 if mark is not None else None)


@functools.cache
def _yaml_loader():
    import yaml  # only the worker reads files; the interactions Lambda never needs PyYAML


    class LimitedComposer(yaml.composer.Composer):
        """PyYAML's composer, refusing anchors, aliases and other tags as it composes, and
        counting values and depth as it goes: nothing is built from a file that breaks a limit."""

        def __init__(self):
            super().__init__()
            self.nodes = self.depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise _Refused("uses an alias (*name); write the value out instead", event.start_mark)
            if getattr(event, "anchor", None) is not None:
                raise _Refused("uses an anchor (&name); templates can't use anchors or aliases",
                               event.start_mark)
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in YAML_TAGS:
                shown = clip(tag.replace("tag:yaml.org,2002:", "!!"), 40)
                raise _Refused(f"uses the tag {shown}; templates hold only text, numbers, "
                               "true/false, lists and mappings", event.start_mark)
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise _Refused(f"holds more than {MAX_NODES:,} values", event.start_mark)
            nested = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
            self.depth += nested
            if self.depth > MAX_DEPTH:
                raise _Refused(f"nests deeper than {MAX_DEPTH} levels", event.start_mark)
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= nested

    # Events come from libyaml (C) when PyYAML has it, else from PyYAML's own parser; either
    # way the composition above is ours, and the constructor is SafeConstructor (plain data).
    with_libyaml = getattr(yaml, "__with_libyaml__", False)
    parsing = ((yaml.cyaml.CParser,) if with_libyaml
               else (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser))

    class Loader(LimitedComposer, *parsing, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream):
            if with_libyaml:
                yaml.cyaml.CParser.__init__(self, stream)
            else:
                yaml.reader.Reader.__init__(self, stream)
                yaml.scanner.Scanner.__init__(self)
                yaml.parser.Parser.__init__(self)
            LimitedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def flatten_mapping(self, node):
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Refused("uses a merge key (<<); write the keys out instead", key_node.start_mark)
            super().flatten_mapping(node)

    def construct_map(loader, node):
        data = Mapping()
        yield data
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen and key_node.value not in data.duplicates:
                    data.duplicates.append(key_node.value)
                seen.add(key_node.value)
        data.update(loader.construct_mapping(node))

    def construct_int(loader, node):
        if len(node.value) > MAX_NUMBER_DIGITS:
            raise _long_number(len(node.value), node.start_mark.line + 1)
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return yaml, Loader


def _load_yaml(text: str) -> Any:
    try:
        yaml, loader = _yaml_loader()
    except ImportError:  # PyYAML missing from the bundle: a deployment bug, but say something useful
        raise TemplateInvalid(["file: YAML files can't be read by this installation; "
                               "upload the template as JSON"]) from None
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader subclass: plain data only
    except _Refused as refused:
        if "more than" in refused.what or "deeper" in refused.what:
            raise _too_big(refused.what, refused.line) from None
        raise TemplateInvalid([f"file: {refused.what} (line {refused.line})"]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise TemplateInvalid([f"file: not valid YAML: {clip(problem, 160)}{where}"]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise TemplateInvalid([f"file: not valid YAML: {clip(str(error), 160)}"]) from None
