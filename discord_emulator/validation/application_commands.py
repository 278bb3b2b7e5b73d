"""Application command bodies (Bulk Overwrite Global / Guild Application Commands).

Sources (DOCS/ac, developers/interactions/application-commands.mdx):
- "Application Command Naming": CHAT_INPUT command and option names match
  `^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`; "If there is a lowercase variant of any
  letters used, you must use those"; USER and MESSAGE names "may be mixed case and can include
  spaces" (still 1-32 characters, the spec's ApplicationCommandUpdateRequest.name).
- "Application Command Structure": description 1-100 for CHAT_INPUT, "Empty string for USER and
  MESSAGE commands"; options "max of 25", "`options` can only be set for application commands
  of type CHAT_INPUT"; default_member_permissions a permission string.
- "Application Command Option Structure": required options first; `required` is valid for "all
  but SUB_COMMAND and SUB_COMMAND_GROUP"; choices max 25 for STRING, INTEGER, NUMBER; names
  unique within an array; autocomplete not with choices; min_length 0-6000, max_length 1-6000.
- "Application Command Option Choice Structure": name 1-100 characters, value "up to 100
  characters if string" (the spec's 6000 is not followed); "Application Command Option Type":
  INTEGER within +-(2^53-1), NUMBER within +-2^53.
- "Subcommands and Subcommand Groups": a group holds subcommands; nesting one level deep only.
- "Slash Commands" warning: at most 8000 characters "for combined name, description, and value
  properties for each command, its options (including subcommands and groups), and choices",
  counting "only the longest localization for each field (including the default value)".
- The bulk body holds at most 130 commands (the spec's maxItems for the PUT body).

Public reports quote APPLICATION_COMMAND_INVALID_NAME "Command name is invalid"
(Garlic-Team/gcommands#295) and APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID "Required options
must be placed before non-required options" (discord/discord-api-docs#5615); DOCS/ref "Error Messages" shows APPLICATION_COMMAND_TOO_LARGE
"Command exceeds maximum size (8000)". Other codes are the emulator's names.
"""

import unicodedata

from ..errors import FormErrors
from . import form
from .spec_limits import BULK_COMMANDS_LIMITS

CHAT_INPUT, USER, MESSAGE = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER = 1, 2, 3, 4, 10
OPTION_TYPES = tuple(range(1, 12))
WITH_CHOICES = (STRING, INTEGER, NUMBER)
MAX_CHOICE_STRING = 100
MAX_COMMAND_SIZE = 8000
INTEGER_LIMIT, NUMBER_LIMIT = 2**53 - 1, 2**53
CONTEXTS, INTEGRATION_TYPES = (0, 1, 2), (0, 1)
# The spec's ChannelTypes enum. DOCS/channel "Channel Types" also lists GUILD_MEDIA (16), which
# the spec leaves out; whether an option may offer media channels is not documented, so the
# stricter (spec's) set is kept.
CHANNEL_TYPES = (0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15)
MAX_PERMISSIONS = 2**54 - 1  # the spec's default_member_permissions maximum
# Unicode Scripts.txt ranges of \p{sc=Deva} and \p{sc=Thai} (the regex module's Unicode data
# agrees; tests/emulator/test_validation.py checks these against it when it is installed).
DEVANAGARI = ((0x0900, 0x0950), (0x0955, 0x0963), (0x0966, 0x097F), (0xA8E0, 0xA8FF), (0x11B00, 0x11B0A))
THAI = ((0x0E01, 0x0E3A), (0x0E40, 0x0E5B))


def name_character(c: str) -> bool:
    """One character of `[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]`. Script membership is what
    admits Devanagari and Thai vowel signs and viramas (categories Mn/Mc, not letters)."""
    if c in "-_'" or unicodedata.category(c)[0] in "LN":
        return True
    point = ord(c)
    return any(low <= point <= high for low, high in DEVANAGARI + THAI)


def valid_chat_input_name(name: str) -> bool:
    return 1 <= len(name) <= 32 and all(map(name_character, name)) and name == name.lower()


def check(errors: FormErrors, commands) -> None:
    """The PUT body: an array of commands."""
    if not form.array(errors, "", commands, nullable=False,
                      max_items=BULK_COMMANDS_LIMITS["maxItems"]):
        return
    seen: set = set()
    for i, command in enumerate(commands):
        if form.mapping(errors, str(i), command, nullable=False):
            _command(errors, str(i), command, seen)


def _command(errors: FormErrors, path: str, command: dict, seen: set) -> None:
    schema = "ApplicationCommandUpdateRequest"
    kind = command.get("type")
    kind = CHAT_INPUT if kind is None else kind
    if not form.integer(errors, f"{path}.type", kind, choices=(CHAT_INPUT, USER, MESSAGE)):
        return
    name = command.get("name")
    if _name(errors, f"{path}.name", name, kind):
        if (name, kind) in seen:
            errors.add(f"{path}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                       f"Application command names must be unique: {name}")
        seen.add((name, kind))
    _localized_names(errors, path, command, kind)
    description = command.get("description")
    if kind == CHAT_INPUT:
        form.string(errors, f"{path}.description", description, nullable=False,
                    **form.spec(schema, "description", min_length=1))
    elif description not in (None, ""):
        errors.add(f"{path}.description", "APPLICATION_COMMAND_DESCRIPTION_NOT_ALLOWED",
                   "USER and MESSAGE commands take an empty description")
    _localized_descriptions(errors, path, command)
    if command.get("options") is not None:
        if kind != CHAT_INPUT:
            errors.add(f"{path}.options", "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED",
                       "Only CHAT_INPUT commands take options")
        else:
            _options(errors, f"{path}.options", command["options"], depth=0)
    _settings(errors, path, command)
    if kind == CHAT_INPUT and _size(command) > MAX_COMMAND_SIZE:
        errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({MAX_COMMAND_SIZE})")


def _name(errors: FormErrors, path: str, name, kind: int) -> bool:
    if not form.string(errors, path, name, nullable=False,
                       **form.spec("ApplicationCommandUpdateRequest", "name")):
        return False
    if kind == CHAT_INPUT and not valid_chat_input_name(name):
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        return False
    return True


def _localized_names(errors: FormErrors, path: str, item: dict, kind: int) -> None:
    """DOCS/ac "Localization": values "follow the same restrictions as name"."""
    names = item.get("name_localizations")
    if form.mapping(errors, f"{path}.name_localizations", names):
        for locale, value in names.items():
            _name(errors, f"{path}.name_localizations.{locale}", value, kind)


def _localized_descriptions(errors: FormErrors, path: str, item: dict) -> None:
    descriptions = item.get("description_localizations")
    if form.mapping(errors, f"{path}.description_localizations", descriptions):
        for locale, value in descriptions.items():
            form.string(errors, f"{path}.description_localizations.{locale}", value, 1, 100, nullable=False)


def _settings(errors: FormErrors, path: str, command: dict) -> None:
    permissions = command.get("default_member_permissions")
    if form.permissions(errors, f"{path}.default_member_permissions", permissions) \
            and int(permissions) > MAX_PERMISSIONS:
        errors.add(f"{path}.default_member_permissions", "NUMBER_TYPE_MAX",
                   f"int value should be less than or equal to {MAX_PERMISSIONS}.")
    for key, allowed in (("contexts", CONTEXTS), ("integration_types", INTEGRATION_TYPES)):
        values = command.get(key)
        if form.array(errors, f"{path}.{key}", values, min_items=1):
            for i, value in enumerate(values):
                form.integer(errors, f"{path}.{key}.{i}", value, nullable=False, choices=allowed)
    for key in ("nsfw", "dm_permission"):
        if key in command:
            form.boolean(errors, f"{path}.{key}", command[key])


def _options(errors: FormErrors, path: str, options, depth: int, parent: int | None = None) -> None:
    """`depth` 0: the command's options; 1: a group's or subcommand's; 2: a grouped subcommand's."""
    if not form.array(errors, path, options, **form.spec("ApplicationCommandUpdateRequest", "options")):
        return
    names, optional_seen = set(), False
    kinds = [o.get("type") for o in options if isinstance(o, dict)]
    if any(k in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds) and \
            any(k not in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds):
        errors.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                   "Sub-command and sub-command group option types are mutually exclusive to all other types")
    for i, option in enumerate(options):
        where = f"{path}.{i}"
        if not form.mapping(errors, where, option, nullable=False):
            continue
        kind = option.get("type")
        if not form.integer(errors, f"{where}.type", kind, nullable=False, choices=OPTION_TYPES):
            continue
        if _name(errors, f"{where}.name", option.get("name"), CHAT_INPUT):
            if option["name"] in names:
                errors.add(f"{where}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                           "Option names must be unique")
            names.add(option["name"])
        _localized_names(errors, where, option, CHAT_INPUT)
        form.string(errors, f"{where}.description", option.get("description"), nullable=False,
                    **form.spec("ApplicationCommandStringOption", "description"))
        _localized_descriptions(errors, where, option)
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _nested(errors, where, option, kind, depth, parent)
            continue
        if option.get("required"):
            if optional_seen:
                # Filed on the option itself, as in the answer quoted in discord-api-docs#5615.
                errors.add(where, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options")
        else:
            optional_seen = True
        _option_values(errors, where, option, kind)


def _nested(errors: FormErrors, path: str, option: dict, kind: int, depth: int, parent: int | None) -> None:
    # DOCS/ac: `required` is valid for "all but SUB_COMMAND and SUB_COMMAND_GROUP". Public
    # reports show `true` refused (twilight-rs/twilight#1018, #1108); whether `false` is
    # tolerated is not documented, so any value is refused (the stricter reading).
    if option.get("required") is not None:
        errors.add(f"{path}.required", "APPLICATION_COMMAND_OPTION_REQUIRED_NOT_ALLOWED",
                   "Sub-commands and sub-command groups cannot be required")
    # A group only at the top; a subcommand at the top or in a group (DOCS/ac nesting rules).
    if (kind == SUB_COMMAND_GROUP and depth > 0) or (kind == SUB_COMMAND and depth > 0 and parent != SUB_COMMAND_GROUP):
        errors.add(f"{path}.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-commands can't be nested this deep")
        return
    children = option.get("options")
    if kind == SUB_COMMAND_GROUP and isinstance(children, list) and \
            any(isinstance(c, dict) and c.get("type") != SUB_COMMAND for c in children):
        errors.add(f"{path}.options", "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                   "A sub-command group holds only sub-commands")
        return
    if children is not None:
        _options(errors, f"{path}.options", children, depth + 1, kind)


def _option_values(errors: FormErrors, path: str, option: dict, kind: int) -> None:
    choices = option.get("choices")
    if choices is not None:
        if kind not in WITH_CHOICES:
            errors.add(f"{path}.choices", "APPLICATION_COMMAND_OPTION_CHOICES_NOT_ALLOWED",
                       "Only string, integer and number options take choices")
        elif form.array(errors, f"{path}.choices", choices, **form.spec("ApplicationCommandStringOption", "choices")):
            for i, choice in enumerate(choices):
                _choice(errors, f"{path}.choices.{i}", choice, kind)
    if option.get("autocomplete"):
        if kind not in WITH_CHOICES:
            errors.add(f"{path}.autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                       "Autocomplete is only for string, integer and number options")
        elif choices:
            errors.add(f"{path}.autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                       "Autocomplete and choices are mutually exclusive")
    for key in ("min_length", "max_length"):
        if option.get(key) is not None:
            form.integer(errors, f"{path}.{key}", option[key], **form.spec("ApplicationCommandStringOption", key))
    _channel_types(errors, path, option.get("channel_types"))


def _channel_types(errors: FormErrors, path: str, kinds) -> None:
    """DOCS/ac "Application Command Option Structure": channel_types, "the channels shown will
    be restricted to these types"; the spec's ApplicationCommandChannelOption types them as
    ChannelTypes values, each once (uniqueItems)."""
    if not form.array(errors, f"{path}.channel_types", kinds):
        return
    for i, kind in enumerate(kinds):
        form.integer(errors, f"{path}.channel_types.{i}", kind, nullable=False, choices=CHANNEL_TYPES)
    if len(set(map(repr, kinds))) != len(kinds):
        errors.add(f"{path}.channel_types", "ARRAY_ITEMS_NOT_UNIQUE", "Items must be unique.")


def _choice(errors: FormErrors, path: str, choice, kind: int) -> None:
    if not form.mapping(errors, path, choice, nullable=False):
        return
    form.string(errors, f"{path}.name", choice.get("name"), nullable=False,
                **form.spec("ApplicationCommandOptionStringChoice", "name"))
    names = choice.get("name_localizations")
    if form.mapping(errors, f"{path}.name_localizations", names):
        for locale, value in names.items():
            form.string(errors, f"{path}.name_localizations.{locale}", value, nullable=False,
                        **form.spec("ApplicationCommandOptionStringChoice", "name"))
    value = choice.get("value")
    if kind == STRING:
        form.string(errors, f"{path}.value", value, max_length=MAX_CHOICE_STRING, nullable=False)
    elif kind == INTEGER:
        form.integer(errors, f"{path}.value", value, -INTEGER_LIMIT, INTEGER_LIMIT, nullable=False)
    elif value is None or isinstance(value, bool) or not isinstance(value, (int, float)) \
            or abs(value) > NUMBER_LIMIT:
        errors.add(f"{path}.value", "NUMBER_TYPE_COERCE", f'Value "{value}" is not a valid number.')


def _size(command: dict) -> int:
    """Characters counted towards the 8000 limit: name, description and choice values, each at
    its longest localization."""
    total = _longest(command, "name") + _longest(command, "description")
    for option in _items(command, "options"):
        total += _size(option)
    for choice in _items(command, "choices"):
        total += _longest(choice, "name") + len(str(choice.get("value", "")))
    return total


def _items(item: dict, key: str) -> list[dict]:
    """The objects of `item[key]`; whatever else is there (already reported) counts nothing."""
    values = item.get(key)
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def _longest(item: dict, key: str) -> int:
    texts = [item.get(key)]
    localized = item.get(f"{key}_localizations")
    if isinstance(localized, dict):
        texts += list(localized.values())
    return max((len(t) for t in texts if isinstance(t, str)), default=0)
