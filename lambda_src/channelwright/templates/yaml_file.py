"""Reading a YAML template file into plain data, refusing what a template never holds while the
document is composed, event by event: nothing is built from a file that breaks a limit.

Refused: anchors, aliases (an alias can repeat a whole subtree: nine aliases nine deep are 9**9
values from a few hundred bytes), merge keys, tags other than YAML's plain data types, more than
MAX_NODES values, nesting deeper than MAX_DEPTH, and numbers longer than MAX_NUMBER_DIGITS. The
constructor is PyYAML's SafeConstructor: plain data only.

Events come from libyaml (C) when PyYAML has it, else from PyYAML's own parser (in Lambda: the
asset leaves libyaml out, channelwright_stack/runtime_asset.py); either way the composition is
ours, so both refuse alike. Only the worker reads template
files: this module (and PyYAML) is imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from channelwright.templates.schema import MAX_DEPTH, MAX_NODES, MAX_NUMBER_DIGITS, Mapping
from channelwright.text.names import clip

# YAML's plain data types (yaml.org/type); "!" is the non-specific tag (a plain string).
YAML_TAGS = frozenset({"!"} | {f"tag:yaml.org,2002:{name}"
                               for name in ("str", "int", "float", "bool", "null", "map", "seq")})


class Refused(Exception):
    """The file holds something a template may not: `what` ("uses an alias ..."), on `line`
    (1-based, None if unknown). `limit`: a size limit was broken (values or depth); `digits`:
    the length of a number too long to read, else 0."""

    def __init__(self, what: str, mark: Any, *, limit: bool = False, digits: int = 0):
        super().__init__(what)
        self.what, self.limit, self.digits = what, limit, digits
        self.line = mark.line + 1 if mark is not None else None


def load(text: str) -> Any:
    """The document's plain data; Refused, or a yaml.YAMLError for text that isn't YAML."""
    # What yaml.load does, with our loaders (its stubs name only PyYAML's own).
    loader = _LibyamlLoader(text) if getattr(yaml, "__with_libyaml__", False) else _PythonLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _refusal(event: yaml.Event) -> str | None:
    """Why an event may not be in a template (an alias, an anchor, another tag), or None."""
    if isinstance(event, yaml.AliasEvent):
        return "uses an alias (*name); write the value out instead"
    if getattr(event, "anchor", None) is not None:
        return "uses an anchor (&name); templates can't use anchors or aliases"
    tag = getattr(event, "tag", None)
    if tag is not None and tag not in YAML_TAGS:
        shown = clip(tag.replace("tag:yaml.org,2002:", "!!"), 40)
        return f"uses the tag {shown}; templates hold only text, numbers, true/false, lists and mappings"
    return None


class _LimitedComposer(Composer):
    """PyYAML's composer, refusing anchors, aliases and other tags as it composes, and counting
    values and depth as it goes."""

    peek_event: Callable[[], yaml.Event]  # the parser's, which every loader below mixes in

    def __init__(self) -> None:
        super().__init__()
        self.nodes = self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        refusal = _refusal(event)
        if refusal:
            raise Refused(refusal, event.start_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused(f"holds more than {MAX_NODES:,} values", event.start_mark, limit=True)
        nested = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        self.depth += nested
        if self.depth > MAX_DEPTH:
            raise Refused(f"nests deeper than {MAX_DEPTH} levels", event.start_mark, limit=True)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested


class _PlainData(SafeConstructor):
    """SafeConstructor, refusing merge keys and long numbers, and keeping mappings' repeated
    keys (schema.Mapping) for the schema to name."""

    def flatten_mapping(self, node):
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise Refused("uses a merge key (<<); write the keys out instead", key_node.start_mark)
        super().flatten_mapping(node)

    def construct_map(self, node):
        data = Mapping()
        yield data
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen and key_node.value not in data.duplicates:
                    data.duplicates.append(key_node.value)
                seen.add(key_node.value)
        data.update(self.construct_mapping(node))

    def construct_int(self, node):
        if len(node.value) > MAX_NUMBER_DIGITS:
            raise Refused("holds a long number", node.start_mark, digits=len(node.value))
        return self.construct_yaml_int(node)

    # What add_constructor does (a copy of the parent's table), written out: its stubs take only
    # PyYAML's own loader classes.
    yaml_constructors = {**SafeConstructor.yaml_constructors,
                         "tag:yaml.org,2002:map": construct_map, "tag:yaml.org,2002:int": construct_int}


class _PythonLoader(_LimitedComposer, Reader, Scanner, Parser, _PlainData, Resolver):
    """Events from PyYAML's own parser."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _LimitedComposer.__init__(self)
        _PlainData.__init__(self)
        Resolver.__init__(self)


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _LibyamlLoader(_LimitedComposer, CParser, _PlainData, Resolver):
        """Events from libyaml's parser."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            _PlainData.__init__(self)
            Resolver.__init__(self)
