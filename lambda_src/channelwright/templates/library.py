"""Campaign templates: the built-in ones shipped in `templates/`, and each server's own, uploaded
as a JSON or YAML file (schema.py says what it may hold) and kept in the campaign table.

Storage: a server's template is one item in the campaign table, `guild_id=<guild>` and
`campaign_key=TEMPLATE_KEY_PREFIX + <id>` ("~template~west-marches"). Campaign keys are
casefolded campaign names, which never start with "~" (campaign names starting with "~" are
refused), so the two kinds of item cannot collide; items also carry `record_type="template"` for
tools that scan the table. Built-ins always win: a server template can't take a built-in's id.

schema.py is imported inside the functions that use it, not at the top: the interactions
Lambda imports this module at every cold start (Lambda compiles the modules each time), and a
request that touches no template should not pay for the schema (tests/test_import_isolation.py).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

from channelwright.campaigns.plan import (
    GM_ONLY,
    GM_POSTS,
    PARTY,
    PER_PLAYER,
    PLAYERS_ONLY,
    SPECTATORS,
    TEMPLATE_DIR,
    Template,
)
from channelwright.discord.types import AUTOCOMPLETE_CHOICES_LIMIT, CHOICE_NAME_LIMIT

MAX_SERVER_TEMPLATES = AUTOCOMPLETE_CHOICES_LIMIT  # a server's templates fit one autocomplete answer
TEMPLATE_KEY_PREFIX = "~template~"
RECORD_TYPE = "template"
# A count of channels in a mode ("1 GM-posts"): the modes as a template spells them, an adjective.
MODE_COUNTS = {GM_ONLY: "GM-only", GM_POSTS: "GM-posts", PLAYERS_ONLY: "players-only",
               SPECTATORS: "with spectators", PER_PLAYER: "per-player"}


# -- what a template shows ----------------------------------------------------------------------


def template_to_dict(template: Template) -> dict:
    """The template as file data (what `validate` reads back unchanged): a GM-only channel in
    the familiar `gm_only: true`, another mode but `party` as `access`."""
    return {"id": template.id, "title": template.title,
            "channels": [{"name": c.name, "type": c.type, **_access_field(c.access)}
                         for c in template.channels]}


def _access_field(access: str) -> dict:
    if access == GM_ONLY:
        return {"gm_only": True}
    return {} if access == PARTY else {"access": access}


def describe_channels(template: Template) -> str:
    """ "10 channels: 5 text, 1 voice, 4 forum; 2 GM-only, 1 GM-posts" (party ones not named)"""
    from channelwright.templates.schema import CHANNEL_KINDS

    counts = {kind: sum(1 for c in template.channels if c.type == kind) for kind in CHANNEL_KINDS}
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    modes = ", ".join(f"{n} {label}" for mode, label in MODE_COUNTS.items()
                      if (n := sum(1 for c in template.channels if c.access == mode)))
    total = len(template.channels)
    return f"{total} channel{'s' if total != 1 else ''}: {parts}" + (f"; {modes}" if modes else "")


# -- built-ins --------------------------------------------------------------------------------


@functools.cache
def _builtins() -> tuple[Template, ...]:
    from channelwright.templates.schema import TemplateInvalid, json_object, validate

    templates, errors = [], []
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=json_object)
            template = validate(data)
        except (ValueError, TemplateInvalid) as error:
            found = error.errors if isinstance(error, TemplateInvalid) else [f"file: {error}"]
            errors += [f"templates/{path.name}: {e}" for e in found]
            continue
        if template.id != path.stem:
            errors.append(f"templates/{path.name}: id: must match the file name (got {template.id!r})")
            continue
        templates.append(template)
    if errors:
        raise TemplateInvalid(errors)
    # The full campaign first: it is what /add-campaign builds without a template.
    return tuple(sorted(templates, key=lambda t: (t.id != "default", t.id)))


def builtin_templates() -> list[Template]:
    """Every templates/*.json, validated with the upload schema ("default" first)."""
    return list(_builtins())


def builtin_ids() -> frozenset[str]:
    """The built-in templates' ids: no server template may take one."""
    return frozenset(t.id for t in _builtins())


def _builtin(template_id: str) -> Template | None:
    return next((t for t in _builtins() if t.id == template_id), None)


def choice_label(template: Template, builtin: bool = True) -> str:
    """ "Full campaign (default, 10 channels)" — at most CHOICE_NAME_LIMIT (100) characters."""
    n = len(template.channels)
    tail = f" ({template.id}, {n} channel{'s' if n != 1 else ''}{'' if builtin else ', this server'})"
    room = CHOICE_NAME_LIMIT - len(tail)
    title = template.title if len(template.title) <= room else template.title[:room - 1] + "…"
    return title + tail


# -- the library ------------------------------------------------------------------------------


class TemplateLibrary:
    """Built-in templates plus each server's own, stored in the campaign table (see module doc).

    `remove` of a built-in raises BuiltinTemplate (a TemplateInvalid whose errors say why);
    `put` of a built-in id, or of a new template past MAX_SERVER_TEMPLATES, raises TemplateInvalid.
    DynamoDB errors (botocore) propagate.
    """

    def __init__(self, client, table_name: str):
        self._db = client
        self._table = table_name

    def _key(self, guild_id: str, template_id: str) -> dict:
        return {"guild_id": {"S": str(guild_id)},
                "campaign_key": {"S": TEMPLATE_KEY_PREFIX + template_id}}

    @staticmethod
    def _normal_id(template_id: Any) -> str | None:
        from channelwright.templates.schema import TEMPLATE_ID

        text = str(template_id or "").strip().lower()
        return text if TEMPLATE_ID.fullmatch(text) else None

    @staticmethod
    def _from_item(item: dict) -> Template | None:
        from channelwright.templates.schema import TemplateInvalid, validate

        try:
            return validate(json.loads(item["definition"]["S"]))
        except (KeyError, ValueError, TemplateInvalid):
            return None  # written by a newer or broken version: unusable, but listable for removal

    def get(self, guild_id: str | None, template_id: str) -> Template | None:
        """The built-in or this server's template of that id (any case); None if there is none."""
        normal = self._normal_id(template_id)
        if normal is None:
            return None
        builtin = _builtin(normal)
        if builtin is not None or not guild_id:
            return builtin
        item = self._db.get_item(TableName=self._table, Key=self._key(guild_id, normal),
                                 ConsistentRead=True).get("Item")
        return self._from_item(item) if item else None

    def _server_items(self, guild_id: str) -> list[dict]:
        """The server's stored template items, every page of the query read (each page one
        request on this library's client: time-boxed on the request path, aws/request_budget.py)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="guild_id = :g AND begins_with(campaign_key, :p)",
            ExpressionAttributeValues={":g": {"S": str(guild_id)}, ":p": {"S": TEMPLATE_KEY_PREFIX}})
        return [item for page in pages for item in page.get("Items", [])]

    def available(self, guild_id: str | None) -> list[tuple[Template, bool]]:
        """(template, is_builtin): built-ins first, then the server's by id."""
        found = [(t, True) for t in _builtins()]
        if guild_id:
            taken = builtin_ids()
            for item in self._server_items(guild_id):
                template = self._from_item(item)
                if template is not None and template.id not in taken:
                    found.append((template, False))
        return found

    def put(self, guild_id: str, template: Template, author_id: str) -> bool:
        """Save (or replace) the server's template; True if it replaced one of the same id."""
        from channelwright.templates.schema import BuiltinTemplate, TemplateInvalid

        if template.id in builtin_ids():
            raise BuiltinTemplate([f'id: "{template.id}" is a built-in template\'s id; pick another id'])
        item = {
            **self._key(guild_id, template.id),
            "record_type": {"S": RECORD_TYPE},
            "template_id": {"S": template.id},
            "title": {"S": template.title},
            "definition": {"S": json.dumps(template_to_dict(template), ensure_ascii=False,
                                           separators=(",", ":"))},
            "channel_count": {"N": str(len(template.channels))},
            "author_id": {"S": str(author_id)},
            "updated_at": {"N": str(int(time.time() * 1000))},
        }
        existing = {i["campaign_key"]["S"] for i in self._server_items(guild_id)}
        replaces = item["campaign_key"]["S"] in existing
        if not replaces and len(existing) >= MAX_SERVER_TEMPLATES:
            raise TemplateInvalid([f"server: already has {len(existing)} templates, the most it can "
                                   "keep; remove one with `/campaign-template remove` first"])
        self._db.put_item(TableName=self._table, Item=item)
        return replaces

    def remove(self, guild_id: str, template_id: str) -> bool:
        """Delete the server's template: True if it existed, False if not.

        Raises BuiltinTemplate for a built-in id (built-ins can't be removed)."""
        from channelwright.templates.schema import BuiltinTemplate

        normal = self._normal_id(template_id)
        if normal is None:
            return False
        old = self._db.delete_item(TableName=self._table, Key=self._key(guild_id, normal),
                                   ReturnValues="ALL_OLD").get("Attributes")
        if old:
            return True
        if _builtin(normal) is not None:
            raise BuiltinTemplate([f'name: "{normal}" is a built-in template; built-ins can\'t be '
                                   "removed (a campaign only uses a template you pick)"])
        return False

    def choices(self, guild_id: str | None, typed: str, *, builtins: bool = True) -> list[dict]:
        """Autocomplete choices, best first: id or title starting with `typed`, then containing it
        (case-insensitive); at most 25. `builtins=False` offers only the server's own."""
        needle = " ".join(str(typed or "").split()).casefold()
        ranked = []
        for order, (template, builtin) in enumerate(self.available(guild_id)):
            if builtin and not builtins:
                continue
            haystacks = (template.id.casefold(), template.title.casefold())
            if not needle or any(h.startswith(needle) for h in haystacks):
                rank = 0
            elif any(needle in h for h in haystacks):
                rank = 1
            else:
                continue
            ranked.append((rank, order, {"name": choice_label(template, builtin), "value": template.id}))
        return [choice for _, _, choice in sorted(ranked, key=lambda r: r[:2])][:AUTOCOMPLETE_CHOICES_LIMIT]
