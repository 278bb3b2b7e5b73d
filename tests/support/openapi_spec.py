"""Discord's published OpenAPI description, loaded once, and the operation a request path names.

The document is tests/spec/discord-openapi.json (see tests/spec/SOURCE.md): OpenAPI 3.1,
whose schemas are JSON Schema 2020-12. `load_spec()` returns a `Spec`:

  * `spec.document` - the parsed document with `docs_corrections` applied in memory (the
    vendored file stays byte-for-byte Discord's);
  * `spec.registry` - a `referencing.Registry` holding the document under `SPEC_URI`, so a
    schema `{"$ref": SPEC_URI + "#/components/schemas/UserResponse"}` resolves, and so do the
    document's own "#/..." references inside it;
  * `spec.find(method, path)` - the `Operation` for a request path taken after the server base
    `/api/v10` (e.g. "/guilds/123/channels"), or a `RouteMiss` saying why there is none.

Templates are matched by shape, not by parameter name: the emulator's
"/webhooks/{application_id}/{interaction_token}" is the spec's
"/webhooks/{webhook_id}/{webhook_token}". Where two templates match, the one with a literal
segment earlier wins ("/messages/@original" over "/messages/{message_id}"), as a router must.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_FILE = Path(__file__).resolve().parents[1] / "spec" / "discord-openapi.json"
SPEC_URI = "urn:discord-api-spec:74fda0fad044407ea280043a03ffc9bc64c4e49e"
SERVER_BASE = "/api/v10"  # the document's servers[0].url is https://discord.com/api/v10
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# DOCS/perms (developers/topics/permissions.mdx, top): "Permissions are stored in a
# variable-length integer serialized into a string ... the permission value `123` will be
# serialized as `"123"`". Field names that carry such a bit set.
PERMISSION_FIELDS = frozenset({"permissions", "allow", "deny", "default_member_permissions"})
DIGITS = "^(0|[1-9][0-9]*)$"


def pointer_escape(token: str) -> str:
    """One JSON pointer reference token (RFC 6901: "~" -> "~0", "/" -> "~1")."""
    return token.replace("~", "~0").replace("/", "~1")


def _widen_permission_integer(schema: dict) -> dict:
    """Request side: the spec types these bit sets as integers; the docs (resources/guild.mdx
    "Create Guild Role" JSON params: permissions "string"; resources/channel.mdx "Edit Channel
    Permissions"/"Overwrite Object": allow, deny "string"; interactions/application-commands.mdx
    "Application Command Object": default_member_permissions "?string") say strings. Where spec
    and docs differ we follow the docs, so both spellings pass - but only digit strings."""
    return {"anyOf": [schema, {"type": "string", "pattern": DIGITS}]}


def _narrow_permission_string(schema: dict) -> dict:
    """Response side: the spec says only "string"; DOCS/perms says a serialized integer."""
    return {**schema, "pattern": DIGITS} if "pattern" not in schema else schema


def schema_types(schema: dict) -> set:
    """The JSON types a schema's `type` names ("type": ["string", "null"] -> {"string", "null"})."""
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


# developers/reference.mdx "Error Messages": every example's field errors carry string codes
# ("BASE_TYPE_REQUIRED", "APPLICATION_COMMAND_TOO_LARGE"); the spec's InnerErrors reuses its
# top-level Error, whose code is an integer, for them.
FIELD_ERROR = {
    "type": "object",
    "properties": {"code": {"type": "string", "pattern": "^[A-Z0-9_]+$"}, "message": {"type": "string"}},
    "required": ["code", "message"],
}


def docs_corrections(document: dict) -> dict:
    """Apply, in place, the corrections where the published docs are more precise than the
    spec (each cited above its helper or constant); returns the document."""
    inner = document["components"]["schemas"]["InnerErrors"]["properties"]["_errors"]
    inner["items"] = FIELD_ERROR

    def visit(node):
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                for name in PERMISSION_FIELDS & properties.keys():
                    schema = properties[name]
                    if not isinstance(schema, dict):
                        continue
                    if "integer" in schema_types(schema):
                        properties[name] = _widen_permission_integer(schema)
                    elif "string" in schema_types(schema):
                        properties[name] = _narrow_permission_string(schema)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(document)
    return document


@dataclass(frozen=True)
class Operation:
    method: str        # upper case, "POST"
    template: str      # as the spec spells it, "/guilds/{guild_id}/channels"
    pointer: str       # JSON pointer of the operation object, "/paths/~1guilds~1{guild_id}~1channels/post"
    body: dict         # the operation object (parameters merged in `parameters`)
    parameters: tuple  # ((name, location, parameter object, its JSON pointer), ...); the
                       # operation's override the path item's of the same name and location

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class RouteMiss:
    reason: str        # why no operation matches, for the report


@dataclass(frozen=True)
class _Template:
    text: str
    pattern: re.Pattern
    shape: tuple       # per segment 0 literal, 1 parameter: the lower, the more specific

    @classmethod
    def of(cls, text: str) -> "_Template":
        segments = text.strip("/").split("/")
        regex = "/".join(re.sub(r"^\{(\w+)\}$", r"(?P<\1>[^/]+)", re.escape(s) if "{" not in s else s)
                         for s in segments)
        return cls(text, re.compile("^/" + regex + "$"), tuple(int(s.startswith("{")) for s in segments))


class Spec:
    def __init__(self, document: dict):
        self.document = document
        self.registry = Registry().with_resource(SPEC_URI, Resource(document, DRAFT202012))
        self._templates = sorted((_Template.of(t) for t in document["paths"]), key=lambda t: t.shape)

    def resolve(self, node: dict) -> tuple[dict, str | None]:
        """Follow a local "$ref" (parameters, responses); (object, its pointer or None)."""
        pointer = None
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self.at(pointer)
        return node, pointer

    def at(self, pointer: str):
        node = self.document
        for token in pointer.strip("/").split("/") if pointer.strip("/") else ():
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def find(self, method: str, path: str) -> tuple[Operation | RouteMiss, dict]:
        """(operation or miss, path parameters by the spec's names)."""
        matches = [(t, m) for t in self._templates if (m := t.pattern.match(path))]
        if not matches:
            return RouteMiss("no path in the spec has this shape"), {}
        for template, match in matches:
            item = self.document["paths"][template.text]
            if method.lower() in item:
                return self._operation(method.upper(), template.text), match.groupdict()
        template = matches[0][0].text
        offered = sorted(m.upper() for m in self.document["paths"][template] if m in HTTP_METHODS)
        return RouteMiss(f"the spec's {template} has no {method.upper()} (only {', '.join(offered)})"), {}

    @functools.lru_cache(maxsize=None)
    def _operation(self, method: str, template: str) -> Operation:
        item = self.document["paths"][template]
        base = f"/paths/{pointer_escape(template)}"
        merged = {}
        for where in (base, f"{base}/{method.lower()}"):
            for index, raw in enumerate(self.at(where).get("parameters", [])):
                parameter, ref = self.resolve(raw)
                merged[(parameter["name"], parameter["in"])] = (parameter, ref or f"{where}/parameters/{index}")
        return Operation(method, template, f"{base}/{method.lower()}", item[method.lower()],
                         tuple((n, loc, p, ptr) for (n, loc), (p, ptr) in merged.items()))


@functools.cache
def load_spec(path: Path = SPEC_FILE) -> Spec:
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return Spec(docs_corrections(document))
