"""The template file schema: what an uploaded template (JSON or YAML) may hold, and how its data
is validated (files.py reads the file). The built-in templates are held to the same rules (see
library.py, which keeps both kinds).

A template file (JSON, or YAML of the same shape)::

    {
      "id": "west-marches",            # 1-32 characters: lowercase letters, digits, hyphens;
                                       # starts and ends with a letter or digit; not a built-in id
      "title": "West Marches",         # 1-100 characters, shown in lists and autocomplete
      "channels": [                    # 1-45 channels, created in this order in the campaign's
                                       # category (with the two roles this stays well inside
                                       # Discord's 50 channels a category and 500 a server)
        {"name": "town-square", "type": "text"},
        {"name": "Tavern", "type": "voice"},
        {"name": "expedition-reports", "type": "forum"},
        {"name": "news", "type": "text", "access": "gm-posts"},
        {"name": "gm-notes", "type": "text", "gm_only": true}
      ]
    }

Channel fields: `name` (1-100 characters; names.py's rule for every name: NFC, no control or
invisible characters, emoji sequences welcome), `type` (`text`,
`voice` or `forum`, any case), `access` (optional, any case, default `party`): who may use it,
one of
- `party`: players and game masters;
- `gm-only`: only the GM role sees it;
- `gm-posts`: game masters post, players read (in voice: connect and listen, not speak);
- `players-only`: players, not the GM role (a server's owner and Administrators still see it:
  developers/topics/permissions.mdx, compute_base_permissions);
- `spectators`: as `party`, and the campaign's Spectators role (made only for a template with
  such a channel) reads it and listens in voice, never posting or speaking;
- `per-player` (text channels only): game masters post, players read, and each player gets a
  private thread of their own under it, seen by them and the game masters only (threads cost
  no channel slots);
and `gm_only` (true/false, optional): the older spelling of `access: gm-only`; a channel giving
both must agree (`gm_only: true` with `access: gm-only`). Text and forum names are normalised
the way Discord shows them (lower case, runs of spaces to one hyphen, no leading/trailing
hyphens: "Session Notes" -> "session-notes"); two channels whose names differ only in case,
spacing and punctuation are refused. Keys other than the ones above are refused, and so are
duplicate keys in one object. Files are UTF-8 (a BOM is
fine), at most `MAX_FILE_BYTES`; `.json` files are read as JSON, `.yaml`/`.yml` as YAML
(plain data only: no anchors, aliases, merge keys or tags beyond YAML's own types), other names
by their first character ("{" or "[" means JSON); files.py has the size, count and depth
limits.

Validation collects every error, each prefixed with where it is:
`channels[3].type: must be one of text, voice, forum (got "stage")`. User values are quoted
clipped to MAX_SHOWN characters, so an error list costs time and space in proportion to the
(already bounded) file.
"""

from __future__ import annotations

import json
import re
from typing import Any

from channelwright.campaigns.name_match import fold
from channelwright.campaigns.plan import ACCESS_MODES, GM_ONLY, PARTY, PER_PLAYER, ChannelSpec, Template
from channelwright.text import names

MAX_FILE_BYTES = 64 * 1024
# A file's parsed data: a full template holds about 320 values (45 channels x 3 keys, keys and
# values) and nests 4 deep (mapping > channels > channel > value).
MAX_NODES = 2_000
MAX_DEPTH = 8
# A template holds no numbers at all; a longer one is refused in words before Python's own limit
# (4,300 digits) answers with advice about sys.set_int_max_str_digits.
MAX_NUMBER_DIGITS = 100
MAX_CHANNELS = 45
ID_MAX, TITLE_MAX, NAME_MAX = 32, 100, 100
CHANNEL_KINDS = ("text", "voice", "forum")
SLUGGED_KINDS = ("text", "forum")  # Discord lower-cases and hyphenates these names
TOP_KEYS = ("id", "title", "channels")
CHANNEL_KEYS = ("name", "type", "access", "gm_only")
FILE_SUFFIXES = (".json", ".yaml", ".yml")

TEMPLATE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
MAX_SHOWN = 40  # characters of a user value quoted in an error


class TemplateInvalid(Exception):
    """A template (file, stored item or request) that can't be used; `errors` says every reason,
    each starting with where it is (`channels[2].name: ...`, `file: ...`, `id: ...`)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors) or ["template: invalid"]
        super().__init__("; ".join(self.errors))


class BuiltinTemplate(TemplateInvalid):
    """Raised for an attempt to replace or remove a built-in template."""


# -- parsing ---------------------------------------------------------------------------------


class Mapping(dict):
    """A parsed JSON object / YAML mapping that remembers keys it saw twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates: list[str] = []


def json_object(pairs: list[tuple[str, Any]]) -> Mapping:
    """`object_pairs_hook` for json.loads: keeps the keys a JSON object holds twice."""
    mapping = Mapping()
    for key, value in pairs:
        if key in mapping and key not in mapping.duplicates:
            mapping.duplicates.append(key)
        mapping[key] = value
    return mapping


# -- validation -------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A short quote of a user value: never longer than about MAX_SHOWN characters, and costing
    no more than that to make, whatever the value's size."""
    if isinstance(value, str):
        return json.dumps(names.clip(value, MAX_SHOWN - 2, "..."), ensure_ascii=False)
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return names.clip(str(value), MAX_SHOWN, "...")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({_shown(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text ({_shown(value)})"
    return f"a {type(value).__name__} ({_shown(value)})"


def normalise_channel_name(name: str, kind: str) -> str:
    """The name Discord will show: text and forum names are lower-cased and hyphenated."""
    name = " ".join(name.split())
    if kind not in SLUGGED_KINDS:
        return name
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", name.lower())).strip("-")


def _unknown_keys(mapping: dict, allowed: tuple[str, ...], where: str, errors: list[str]) -> None:
    for key in getattr(mapping, "duplicates", ()):
        errors.append(f"{where}{_key(key)}: appears twice; keep one")
    for key in mapping:
        if key in allowed:
            continue
        import difflib  # only for a "did you mean" hint on a bad file; keeps imports light

        # Only a key of a plausible length gets a hint: difflib's cost grows with its length.
        short = str(key) if len(str(key)) <= 2 * max(map(len, allowed)) else ""
        hint = difflib.get_close_matches(short, allowed, n=1, cutoff=0.6) if short else []
        expected = f'did you mean "{hint[0]}"?' if hint else f"expected {', '.join(allowed)}"
        errors.append(f"{where}{_key(key)}: unknown key ({expected})")


def _key(key: Any) -> str:
    """A key as it is quoted in an error: as typed when short, else clipped."""
    return names.clip(str(key), MAX_SHOWN, "...")


def _text(value: Any, where: str, low: int, high: int, errors: list[str]) -> str | None:
    if value is None:
        errors.append(f"{where}: required")
        return None
    if not isinstance(value, str):
        hint = "; in YAML, put it in quotes" if isinstance(value, (int, float)) and \
            not isinstance(value, bool) else ""
        errors.append(f"{where}: must be text (got {_kind(value)}){hint}")
        return None
    text, refused = names.check(value, high)
    if refused is names.Refusal.EMPTY and low > 0:
        errors.append(f"{where}: must not be empty")
    elif refused in (names.Refusal.CONTROL, names.Refusal.INVISIBLE):
        errors.append(f"{where}: must not contain control or invisible characters")
    elif refused is names.Refusal.TOO_LONG:
        errors.append(f"{where}: must be at most {high} characters (got {len(text)})")
    else:
        return text
    return None


def _template_id(value: Any, builtin_ids: frozenset[str], errors: list[str]) -> str | None:
    if value is None:
        errors.append("id: required")
        return None
    if not isinstance(value, str):
        errors.append(f"id: must be text (got {_kind(value)})")
        return None
    value = names.normalise(value)
    if not 1 <= len(value) <= ID_MAX:
        errors.append(f"id: must be 1 to {ID_MAX} characters (got {len(value)})")
        return None
    if not TEMPLATE_ID.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:ID_MAX].strip("-")
        hint = f', e.g. "{suggestion}"' if suggestion and TEMPLATE_ID.fullmatch(suggestion) else ""
        errors.append("id: use lowercase letters, digits and hyphens, starting and ending with a "
                      f"letter or digit{hint} (got {_shown(value)})")
        return None
    if value in builtin_ids:
        errors.append(f'id: "{value}" is a built-in template\'s id; pick another id')
        return None
    return value


def _channel(index: int, item: Any, errors: list[str]) -> ChannelSpec | None:
    where = f"channels[{index}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with name and type (got {_kind(item)})")
        return None
    before = len(errors)
    _unknown_keys(item, CHANNEL_KEYS, f"{where}.", errors)
    kind = item.get("type")
    if kind is None:
        errors.append(f"{where}.type: required (one of {', '.join(CHANNEL_KINDS)})")
    elif not isinstance(kind, str) or kind.strip().lower() not in CHANNEL_KINDS:
        if isinstance(kind, str) and kind.strip().lower() == "category":
            errors.append(f"{where}.type: must be one of {', '.join(CHANNEL_KINDS)} (got \"category\"); "
                          "the campaign's category is made for you and holds these channels")
        else:
            errors.append(f"{where}.type: must be one of {', '.join(CHANNEL_KINDS)} (got {_shown(kind)})")
        kind = None
    else:
        kind = kind.strip().lower()
    name = _text(item.get("name"), f"{where}.name", 1, NAME_MAX, errors)
    if name is not None and kind is not None:
        normalised = normalise_channel_name(name, kind)
        if not normalised:
            errors.append(f"{where}.name: is empty once Discord normalises it (got {_shown(name)})")
        name = normalised
    access = _access(item, where, errors)
    if access == PER_PLAYER and kind not in (None, "text"):
        # topics/threads.mdx "Public & Private Threads": private threads "can only be created in
        # `GUILD_TEXT` channels".
        errors.append(f"{where}.access: per-player needs a text channel (got {_shown(kind)})")
    if len(errors) > before or name is None or kind is None or access is None:
        return None
    return ChannelSpec(name, kind, access)


def _access(item: dict, where: str, errors: list[str]) -> str | None:
    """The channel's access mode from `access` and the older `gm_only`, which must agree."""
    gm_only = item.get("gm_only")
    if gm_only is not None and not isinstance(gm_only, bool):
        errors.append(f"{where}.gm_only: must be true or false (got {_shown(gm_only)})")
        return None
    access = item.get("access")
    if access is None:
        return GM_ONLY if gm_only else PARTY
    if not isinstance(access, str) or access.strip().lower() not in ACCESS_MODES:
        errors.append(f"{where}.access: must be one of {', '.join(ACCESS_MODES)} (got {_shown(access)})")
        return None
    access = access.strip().lower()
    if gm_only is not None and gm_only != (access == GM_ONLY):
        errors.append(f"{where} ({_shown(item.get('name'))}): gm_only: {str(gm_only).lower()} and "
                      f"access: {access} disagree; keep access alone")
        return None
    return access


def _channels(channels: Any, errors: list[str]) -> list[ChannelSpec]:
    """The valid channels of a template's `channels` list; what is wrong appended to `errors`."""
    if channels is None:
        errors.append("channels: required (a list of channels)")
        return []
    if not isinstance(channels, list):
        errors.append(f"channels: must be a list of channels (got {_kind(channels)})")
        return []
    if not channels:
        errors.append("channels: must hold at least 1 channel")
    elif len(channels) > MAX_CHANNELS:
        errors.append(f"channels: at most {MAX_CHANNELS} channels (got {len(channels)})")
    specs: list[ChannelSpec] = []
    first_use: dict[str, int] = {}
    for index, item in enumerate(channels):
        spec = _channel(index, item, errors)
        if spec is None:
            continue
        # Compared as Discord may rewrite them (name_match.fold): two names Discord could store
        # alike could not be told apart when a create's reply is lost (reconcile.py).
        seen = first_use.setdefault(fold(spec.name), index)
        if seen != index:
            errors.append(f"channels[{index}].name: {_shown(spec.name)} is already used by "
                          f"channels[{seen}]; channel names must differ in more than case, "
                          "spaces and punctuation")
            continue
        specs.append(spec)
    return specs


def validate(data: Any, *, builtin_ids: frozenset[str] = frozenset()) -> Template:
    """A Template from parsed data, or TemplateInvalid with every error and where it is.

    `builtin_ids` are ids the template may not take (the built-ins, for an upload)."""
    if not isinstance(data, dict):
        if data is None:
            raise TemplateInvalid(["file: is empty"])
        hint = " (is it just the channel list? put it under \"channels\")" if isinstance(data, list) else ""
        raise TemplateInvalid([f"file: must be a mapping with id, title and channels "
                               f"(got {_kind(data)}){hint}"])
    errors: list[str] = []
    _unknown_keys(data, TOP_KEYS, "", errors)
    template_id = _template_id(data.get("id"), builtin_ids, errors)
    title = _text(data.get("title"), "title", 1, TITLE_MAX, errors)
    specs = _channels(data.get("channels"), errors)
    # A field read as None always left its error, so the first test alone decides; the others
    # tell the type checker so.
    if errors or template_id is None or title is None:
        raise TemplateInvalid(errors)
    return Template(id=template_id, title=title, channels=tuple(specs))
