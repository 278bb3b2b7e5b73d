"""Hold one recorded request and its answer to Discord's OpenAPI description.

`SpecChecker().check(record)` takes a `discord_emulator.recording.RecordedRequest` and
returns a list of `Violation`s (empty when both sides conform). It checks:

  request:  the route exists (method + path under /api/v10), credentials the operation's
            `security` demands (a `Bot` token unless `{}` is allowed), path parameters
            (snowflakes and tokens), query parameters (declared, required, typed), and the
            JSON body against the operation's `requestBody` schema - for a multipart body
            (DOCS/ref "Uploading Files"), that the operation takes one, its `payload_json`
            against the JSON schema and every file part named `files[n]` with a filename;
  response: the status is one the operation documents (exact, then "4XX", then "default"),
            the JSON body against that response's schema - error bodies and 429
            `RatelimitedResponse` bodies included - and declared headers (X-RateLimit-*)
            hold values of their declared type.

Outside the spec, so not checked: attachment downloads from the CDN (route
"GET /attachments/..."), bodies of 5xx answers (the spec documents none; Discord's edge
answers them), and non-JSON answers from Discord's edge - a Cloudflare HTML 429 (DOCS/rl
"Invalid Request Limit aka Cloudflare bans") - whose status is still checked.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), validated with `jsonschema` and resolved
with `referencing` against the whole document; validators are compiled once per schema
location. Formats are asserted strictly (tests/support/openapi_formats.py).
"""

import functools
import json
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from jsonschema import Draft202012Validator
from jsonschema.exceptions import relevance

from .openapi_formats import FORMATS, unchecked_formats
from .openapi_spec import (SERVER_BASE, SPEC_URI, Operation, RouteMiss, Spec, load_spec, pointer_escape,
                           schema_types)

CDN_ROUTE_PREFIX = "GET /attachments/"
# An array schema with only these keys can be checked one item at a time.
_PLAIN_ARRAY_KEYS = frozenset({"type", "items", "minItems", "maxItems", "description"})
JSON = "application/json"
MULTIPART = "multipart/form-data"
_FILE_PART = re.compile(r"^files\[\d+\]$")


@dataclass(frozen=True)
class Violation:
    side: str          # "request" (what the client sent) or "response" (what the emulator answered)
    method: str
    path: str          # as requested, after /api/v10, tokens replaced by "{webhook_token}"
    operation: str     # the spec's "METHOD /template", or "-" when no operation matches
    part: str          # "body", "route", "query limit", "path guild_id", "status", "header X-RateLimit-Limit"
    pointer: str       # JSON pointer into the checked value ("" = all of it)
    rule: str          # the keyword that failed, its value and the schema, "required ['flags'] in UserResponse"
    message: str

    def __str__(self) -> str:
        where = f"{self.part} {self.pointer or '/'}" if self.part.endswith("body") else self.part
        return (f"{self.side}: {self.method} {SERVER_BASE}{self.path} (spec: {self.operation}) "
                f"{where}: {self.message} [{self.rule}]")


def _short(value, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _message(error) -> str:
    """jsonschema's message with a long offending value cut short."""
    text, shown = error.message, repr(error.instance)
    return text.replace(shown, _short(error.instance, 60)) if len(shown) > 60 else text[:300]


def _explain(errors):
    """Of a value's errors, the one that says what is wrong: the most relevant (jsonschema's
    `relevance`: deepest first); for a failed oneOf/anyOf, descend into the branch meant for
    this value - one whose discriminators (a `type`, `const` or `enum` on the value itself or
    on one of its members) all held - and, among those, the one with the fewest errors."""
    error = max(errors, key=relevance)
    while error.context:
        branches: dict = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def score(errors, depth=len(error.absolute_path)):
            wrong_kind = any(e.validator in ("type", "const", "enum") and len(e.absolute_path) <= depth + 1
                             for e in errors)
            return (wrong_kind, len(errors))

        error = max(min(branches.values(), key=score), key=relevance)
    return error


def _rule(error, names: dict) -> str:
    """The failed keyword, its value and, when the failing schema is a named component, its name."""
    where = names.get(id(error.schema))
    return f"{error.validator} {_short(error.validator_value, 60)}" + (f" in {where}" if where else "")


def _masked(path: str, params: dict) -> str:
    """The path with token parameters (interaction and webhook tokens are credentials) hidden."""
    for name, value in params.items():
        if name.endswith("token"):
            path = path.replace(f"/{value}", "/{" + name + "}")
    return path


class SpecChecker:
    def __init__(self, spec: Spec | None = None):
        self.spec = spec or load_spec()
        self._valid: set[tuple[str, str]] = set()  # (schema pointer, JSON) pairs that validated
        # Component schemas by identity, to name the schema a failure happened in.
        self._names = {id(schema): name for name, schema in self.spec.document["components"]["schemas"].items()}
        missing = unchecked_formats(self.spec.document)
        if missing:  # a format with no checker would pass anything: refuse to run blind
            raise ValueError(f"no checker for formats {sorted(missing)}")

    # -- compiled validators, one per schema location -----------------------------------------

    @functools.lru_cache(maxsize=None)
    def validator(self, pointer: str) -> Draft202012Validator:
        """The validator for the schema at `pointer` in the spec document."""
        return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.spec.registry,
                                    format_checker=FORMATS)

    def _known_valid(self, pointer: str, instance) -> bool:
        """Whether `instance` validates at `pointer`, remembering every value that did: the suite
        sends the same objects again and again (a guild's channel list after each step). A list
        under a plain array schema is judged item by item, so one new channel costs one check."""
        key = (pointer, json.dumps(instance, sort_keys=True))
        if key in self._valid:
            return True
        schema, target = self.spec.resolve(self.spec.at(pointer))
        plain_array = (isinstance(instance, list) and set(schema) <= _PLAIN_ARRAY_KEYS
                       and "items" in schema and "array" in schema_types(schema))
        if plain_array:
            items = f"{target or pointer}/items"
            valid = (schema.get("minItems", 0) <= len(instance) <= schema.get("maxItems", len(instance))
                     and all(self._known_valid(items, item) for item in instance))
        else:
            valid = self.validator(pointer).is_valid(instance)
        if valid:
            self._valid.add(key)
        return valid

    def _validate(self, pointer: str, instance, side, record, op, part) -> list[Violation]:
        if self._known_valid(pointer, instance):
            return []
        errors = list(self.validator(pointer).iter_errors(instance))
        error = _explain(errors)
        where = "".join(f"/{pointer_escape(str(p))}" for p in error.absolute_path)
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return [Violation(side, record.method, record.path, op.key, part, where, _rule(error, self._names),
                          _message(error) + more)]

    # -- one record --------------------------------------------------------------------------

    def check(self, record) -> list[Violation]:
        if record.route and record.route.startswith(CDN_ROUTE_PREFIX):
            return []
        found, params = self.spec.find(record.method, record.path)
        if isinstance(found, RouteMiss):
            shown = "/".join(s if len(s) <= 40 else "{long segment}" for s in record.path.split("/"))
            return [Violation("request", record.method, shown, "-", "route", "", "paths", found.reason)]
        problems = self.check_request(record, found, params) + self.check_response(record, found)
        shown = _masked(record.path, params)
        return [replace(v, path=shown) for v in problems]

    def check_request(self, record, op: Operation, params: dict) -> list[Violation]:
        problems = self._security(record, op)
        query = parse_qs(record.query, keep_blank_values=True)
        for name, location, parameter, pointer in op.parameters:
            if location == "path":
                problems += self._parameter(record, op, f"path {name}", parameter, pointer, [params[name]])
            elif location == "query" and name in query:
                problems += self._parameter(record, op, f"query {name}", parameter, pointer, query.pop(name))
            elif location == "query" and parameter.get("required"):
                problems.append(self._plain("request", record, op, f"query {name}", "required",
                                            "this query parameter is required"))
        for name in query:
            problems.append(self._plain("request", record, op, f"query {name}", "parameters",
                                        "the operation declares no such query parameter"))
        return problems + self._request_body(record, op)

    def _security(self, record, op: Operation) -> list[Violation]:
        requirements = op.body.get("security", [])
        if not requirements or {} in requirements:
            return []
        if record.headers.get("authorization", "").startswith("Bot "):
            return []
        schemes = sorted({name for r in requirements for name in r})
        return [self._plain("request", record, op, "header Authorization", "security",
                            f"credentials required ({' or '.join(schemes)}); a bot sends 'Bot <token>'")]

    def _parameter(self, record, op, part, parameter, pointer, values) -> list[Violation]:
        kinds = self._kinds(parameter.get("schema", {}))
        if "array" not in kinds and len(values) > 1:
            return [self._plain("request", record, op, part, "type", f"given {len(values)} times")]
        value = [self._coerce(v, kinds) for v in values] if "array" in kinds else self._coerce(values[0], kinds)
        return self._validate(f"{pointer}/schema", value, "request", record, op, part)

    def _kinds(self, schema: dict) -> set:
        return schema_types(self.spec.resolve(schema)[0])

    @staticmethod
    def _coerce(text: str, kinds: set):
        """A query or header string as the typed value its schema describes (else unchanged)."""
        try:
            if "integer" in kinds:
                return int(text)
            if "number" in kinds:
                return float(text)
        except ValueError:
            return text
        if "boolean" in kinds and text in ("true", "false"):
            return text == "true"
        return text

    def _request_body(self, record, op: Operation) -> list[Violation]:
        declared = op.body.get("requestBody")
        sent = record.json is not None
        if declared is None:
            return [self._plain("request", record, op, "body", "requestBody",
                                "the operation takes no body")] if sent else []
        declared, _ = self.spec.resolve(declared)
        content_type = record.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == MULTIPART:
            return self._multipart_body(record, op, declared)
        if not sent:
            if declared.get("required"):
                return [self._plain("request", record, op, "body", "requestBody.required",
                                    f"a JSON body is required (sent Content-Type {content_type or 'none'})")]
            return []
        if JSON not in declared.get("content", {}):
            return [self._plain("request", record, op, "body", "requestBody.content",
                                f"the operation takes {sorted(declared['content'])}, not JSON")]
        if content_type != JSON:
            return [self._plain("request", record, op, "body", "requestBody.content",
                                f"JSON sent with Content-Type {content_type or 'none'}")]
        return self._validate(self._json_schema(op), record.json, "request", record, op, "body")

    def _json_schema(self, op: Operation) -> str:
        pointer = f"{op.pointer}/requestBody/content/{pointer_escape(JSON)}/schema"
        if "$ref" in op.body["requestBody"]:
            pointer = f"{self.spec.resolve(op.body['requestBody'])[1]}/content/{pointer_escape(JSON)}/schema"
        return pointer

    def _multipart_body(self, record, op: Operation, declared: dict) -> list[Violation]:
        """A multipart body: the operation must take one; each file part is `files[n]` with a
        filename (DOCS/ref "Uploading Files": "All `files[n]` parameters must include a valid
        `Content-Disposition` subpart header with a `filename` and unique `name`"); the
        `payload_json` part (the record's JSON) is held to the JSON body's schema, as it is that
        body moved into a part."""
        if MULTIPART not in declared.get("content", {}):
            return [self._plain("request", record, op, "body", "requestBody.content",
                                f"the operation takes {sorted(declared['content'])}, not multipart")]
        problems = [self._plain("request", record, op, f"part {f['name']}", "files[n]",
                                "a file part must be named files[n] and have a filename")
                    for f in record.files if not (_FILE_PART.match(f["name"]) and f["filename"])]
        if record.json is None:
            if declared.get("required") and not record.files:
                problems.append(self._plain("request", record, op, "body", "requestBody.required",
                                            "a body is required: payload_json or files"))
            return problems
        return problems + self._validate(self._json_schema(op), record.json, "request", record, op,
                                         "part payload_json")

    # -- the answer ---------------------------------------------------------------------------

    def _response(self, op: Operation, status: int) -> tuple[dict | None, str | None]:
        responses = op.body.get("responses", {})
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in responses:
                response, ref = self.spec.resolve(responses[key])
                return response, ref or f"{op.pointer}/responses/{key}"
        return None, None

    def check_response(self, record, op: Operation) -> list[Violation]:
        if record.status is None:  # in flight when drained, or the reply was lost
            return []
        if getattr(record, "from_edge", False):
            # Discord's edge (Cloudflare) answered, not the API the spec describes (DOCS/rl,
            # "Invalid Request Limit"): HTML or JSON notices of its own shape.
            return []
        response, pointer = self._response(op, record.status)
        if response is None:
            if record.status >= 500:  # the spec documents no server errors; Discord's edge sends them
                return []
            return [self._plain("response", record, op, "status", "responses",
                                f"status {record.status} is not one the operation documents "
                                f"({', '.join(op.body.get('responses', {}))})")]
        problems = self._headers(record, op, response, pointer)
        body = record.response
        if isinstance(body, (bytes, bytearray, str)):
            # Not JSON: only Discord's edge answers so (Cloudflare HTML); DOCS/rl, see module doc.
            return problems
        content = response.get("content", {})
        if not content:
            if body is not None:
                problems.append(self._plain("response", record, op, "body", "content",
                                            f"status {record.status} has no body in the spec, got {_short(body)}"))
            return problems
        if JSON not in content:
            return problems + [self._plain("response", record, op, "body", "content",
                                           f"the spec's answer is {sorted(content)}, not JSON")]
        if body is None:
            return problems + [self._plain("response", record, op, "body", "content",
                                           f"status {record.status} must carry a JSON body")]
        schema_pointer = f"{pointer}/content/{pointer_escape(JSON)}/schema"
        return problems + self._validate(schema_pointer, body, "response", record, op,
                                         f"{record.status} body")

    def _headers(self, record, op: Operation, response: dict, pointer: str) -> list[Violation]:
        problems = []
        for name, header in response.get("headers", {}).items():
            value = record.response_headers.get(name.lower())
            if value is None:  # the spec requires none of them
                continue
            header, ref = self.spec.resolve(header)
            typed = self._coerce(value, self._kinds(header.get("schema", {})))
            header_pointer = ref or f"{pointer}/headers/{pointer_escape(name)}"
            problems += self._validate(f"{header_pointer}/schema", typed, "response", record, op,
                                       f"header {name} = {value!r}")
        return problems

    @staticmethod
    def _plain(side, record, op, part, rule, message) -> Violation:
        return Violation(side, record.method, record.path, op.key, part, "", rule, message)
