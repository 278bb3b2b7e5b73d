"""Field checks of Discord's form validation, each filing its error into a `FormErrors`.

Codes and messages are those live Discord answers with (DOCS/ref "Error Messages" shows the
shape), as public reports quote them:
- BASE_TYPE_REQUIRED "This field is required" (DOCS/ref example);
- BASE_TYPE_MAX_LENGTH "Must be 2000 or fewer in length." (kurzgesagt-in-a-nutshell/birdbot#143,
  content) and "Must be 10 or fewer in length." for an array (member-gentei/member-gentei#127,
  embeds); BASE_TYPE_BAD_LENGTH "Must be between 1 and 100 in length." when there are both bounds;
- "Must be 512 or fewer in length." for the audit-log reason (laggron42/Laggrons-Dumb-Cogs#41);
- NUMBER_TYPE_MIN / NUMBER_TYPE_MAX, NUMBER_TYPE_COERCE, BASE_TYPE_BOOLEAN, BASE_TYPE_CHOICES,
  DICT_TYPE_CONVERT as discord.py/discord.js users quote them in bug reports.

Every check returns True when the value is usable, so callers only descend into valid values.
`None` stands for JSON null; an absent field is not checked at all (callers decide).
"""

import re
from urllib.parse import urlsplit

from ..errors import FormErrors
from .spec_limits import limit

SNOWFLAKE = re.compile(r"^(0|[1-9][0-9]*)$")  # the spec's SnowflakeType pattern (use fullmatch:
# "$" would also match before a trailing newline)
INTEGER_TEXT = re.compile(r"-?[0-9]+")
MAX_SNOWFLAKE = 2**64 - 1
_SPEC_NAMES = {"minLength": "min_length", "maxLength": "max_length", "minimum": "minimum",
               "maximum": "maximum", "minItems": "min_items", "maxItems": "max_items", "enum": "choices"}


# The range of each integer `format` of the spec (OpenAPI 3.1 "Data Types": int32 and int64 are
# signed 32- and 64-bit integers).
INTEGER_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}
INTEGER_RANGE_64 = {"minimum": INTEGER_RANGES["int64"][0], "maximum": INTEGER_RANGES["int64"][1]}


def spec(schema: str, field: str = "", **overrides) -> dict:
    """The spec's limits for `schema.field` as keyword arguments of the checks below;
    `overrides` replace single limits where the docs say otherwise (the caller names the doc);
    an override of None leaves the spec's limit in place. An integer `format` becomes the bounds the spec leaves out (position is int32 with only
    `minimum: 0`, so 2**31 is refused like any number above the declared maximum)."""
    keywords = dict(limit(schema, field))
    low, high = INTEGER_RANGES.get(keywords.pop("format", None), (None, None))
    if low is not None:
        keywords.setdefault("minimum", low)
        keywords.setdefault("maximum", high)
    return {**{_SPEC_NAMES[k]: v for k, v in keywords.items()},
            **{k: v for k, v in overrides.items() if v is not None}}


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def required(errors: FormErrors, path: str) -> bool:
    errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
    return False


def length(errors: FormErrors, path: str, size: int, min_length: int = 0,
           max_length: int | None = None) -> bool:
    """Discord reports string and array sizes alike: BAD_LENGTH with two bounds, else MIN/MAX."""
    too_short, too_long = size < min_length, max_length is not None and size > max_length
    if not (too_short or too_long):
        return True
    if min_length and max_length is not None:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_length} and {max_length} in length.")
    elif too_long:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_length} or fewer in length.")
    else:
        errors.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {min_length} or more in length.")
    return False


def string(errors: FormErrors, path: str, value, min_length: int = 0, max_length: int | None = None,
           nullable: bool = True) -> bool:
    """A string of `min_length`..`max_length` characters (Unicode code points)."""
    if value is None:
        return False if nullable else required(errors, path)
    if not isinstance(value, str):
        errors.add(path, "BASE_TYPE_STRING", f'Could not interpret "{value}" as string.')
        return False
    return length(errors, path, len(value), min_length, max_length)


def integer(errors: FormErrors, path: str, value, minimum: int | None = None, maximum: int | None = None,
            nullable: bool = True, choices=None) -> bool:
    """A JSON integer (true/false and numeric strings are not, per the spec's `integer` type)."""
    if value is None:
        return False if nullable else required(errors, path)
    if not is_int(value):
        errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        return False
    if minimum is not None and value < minimum:
        errors.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {minimum}.")
        return False
    if maximum is not None and value > maximum:
        errors.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {maximum}.")
        return False
    return choice(errors, path, value, choices) if choices is not None else True


def query_integer(text: str):
    """A query-string value as the integer it spells in ASCII digits, else the text itself
    (so `integer` reports it): "²" and "٣" are digits to str.isdigit, not to Discord."""
    return int(text) if INTEGER_TEXT.fullmatch(text) else text


def boolean_query(errors: FormErrors, name: str, query: dict) -> bool:
    """A boolean query-string parameter, if given: DOCS/ref "Boolean Query Strings" ("True",
    "true", "1", "False", "false", "0")."""
    if name not in query:
        return True
    if query[name][0] in ("True", "true", "1", "False", "false", "0"):
        return True
    errors.add(name, "BASE_TYPE_BOOLEAN", "Must be either true or false.")
    return False


def choice(errors: FormErrors, path: str, value, choices) -> bool:
    if value in choices and not isinstance(value, bool):
        return True
    errors.add(path, "BASE_TYPE_CHOICES", "Value must be one of {" + ", ".join(map(repr, choices)) + "}.")
    return False


def boolean(errors: FormErrors, path: str, value) -> bool:
    if value is None or isinstance(value, bool):
        return value is not None
    errors.add(path, "BASE_TYPE_BOOLEAN", "Must be either true or false.")
    return False


def snowflake(errors: FormErrors, path: str, value, nullable: bool = True) -> bool:
    """An id: a decimal string (the spec's SnowflakeType) or a JSON integer, below 2**64."""
    if value is None:
        return False if nullable else required(errors, path)
    text = str(value) if is_int(value) else value
    if isinstance(text, str) and SNOWFLAKE.fullmatch(text) and int(text) <= MAX_SNOWFLAKE:
        return True
    errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
    return False


def permissions(errors: FormErrors, path: str, value) -> bool:
    """A permission bit set: DOCS/perms serialises it as a decimal string; the spec also
    allows a JSON integer. Negative numbers, hex and floats are refused."""
    if value is None:
        return False
    if (is_int(value) and value >= 0) or (isinstance(value, str) and SNOWFLAKE.fullmatch(value)):
        return True
    errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
    return False


def array(errors: FormErrors, path: str, value, min_items: int = 0, max_items: int | None = None,
          nullable: bool = True) -> bool:
    if value is None:
        return False if nullable else required(errors, path)
    if not isinstance(value, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return False
    return length(errors, path, len(value), min_items, max_items)


def mapping(errors: FormErrors, path: str, value, nullable: bool = True) -> bool:
    if value is None:
        return False if nullable else required(errors, path)
    if not isinstance(value, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return False
    return True


def url(errors: FormErrors, path: str, value, schemes: tuple[str, ...], max_length: int | None = None) -> bool:
    """A URL whose scheme is one of `schemes`. Public reports quote the answers:
    URL_TYPE_INVALID_SCHEME 'Scheme "discord" is not supported. Scheme must be one of ('http',
    'https').' (discord/discord-api-docs#3129, a link button; discordjs/discord.js#5724, an
    embed's author.url; discord/discord-api-docs#5837, an empty icon_url) and
    URL_TYPE_INVALID_URL "Not a well formed URL." (discordjs/discord.js#3646, embed.url)."""
    if not string(errors, path, value, max_length=max_length, nullable=False):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    scheme = parts.scheme.lower() if parts else ""
    if scheme not in schemes:
        errors.add(path, "URL_TYPE_INVALID_SCHEME",
                   f'Scheme "{scheme}" is not supported. Scheme must be one of {schemes}.')
        return False
    if scheme in ("http", "https") and not parts.hostname:
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        return False
    return True


def join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)
