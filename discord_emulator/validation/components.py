"""Message components: what a message's `components` array may hold.

Sources (developers/components/reference.mdx): "Legacy Message Component Behavior" ("Legacy
messages allow up to 5 action rows as top-level components"; the spec's 40 is the
IS_COMPONENTS_V2 total, "Messages allow up to 40 total components"); "Action Row" (up to 5
buttons or a single select); "Button" (label max 80, custom_id 1-100, url max 512; non-link,
non-premium buttons must have a custom_id and no url or sku_id; link buttons must have a url and
no custom_id; premium buttons need a sku_id and no custom_id, label, url or emoji); "Custom ID"
("Multiple components on the same message must not share the same custom_id").

Error codes quoted in public reports: COMPONENT_CUSTOM_ID_DUPLICATED "Component custom id was
already specified" (discord/discord-api-docs#3673), "A custom id is required" for a button
without one (nextcord/nextcord#1254), BASE_TYPE_BAD_LENGTH for a row's size. Other codes
(BUTTON_COMPONENT_*, COMPONENT_LAYOUT_WIDTH_EXCEEDED, UNION_TYPE_CHOICES) are the emulator's
names for refusals the docs require.

With IS_COMPONENTS_V2 only the top-level types and the 40-component total are checked, plus
action rows and buttons as above; the insides of sections, containers and the like are not
modelled (the product sends none).
"""

from ..errors import FormErrors
from . import form

ACTION_ROW, BUTTON, STRING_SELECT = 1, 2, 3
SELECTS = {3, 5, 6, 7, 8}  # string, user, role, mentionable, channel select
ROW_CHILDREN = {BUTTON} | SELECTS  # the spec's ActionRowComponentForMessageRequest.components
# IS_COMPONENTS_V2 top-level types (components/reference.mdx "Component Types", Usage: Message):
# action row, section, text display, media gallery, file, separator, container.
V2_TOP_LEVEL = {1, 9, 10, 12, 13, 14, 17}
LEGACY_MAX_ROWS = 5
LINK, PREMIUM = 5, 6
LINK_SCHEMES = ("http", "https")
MAX_SELECT_OPTIONS = 25  # components/reference.mdx "String Select": "max 25" options


def check(errors: FormErrors, path: str, components, v2: bool, schema: str) -> None:
    """`path`: where `components` sits ("components" or "data.components"); `schema`: the
    spec's request schema of the enclosing body (for the v2 total)."""
    max_items = form.spec(schema, "components")["max_items"] if v2 else LEGACY_MAX_ROWS
    if not form.array(errors, path, components, max_items=max_items):
        return
    seen: dict[str, str] = {}
    for i, component in enumerate(components):
        where = f"{path}.{i}"
        if not form.mapping(errors, where, component, nullable=False):
            continue
        kind = component.get("type")
        if kind == ACTION_ROW:
            _row(errors, where, component, seen)
        elif not (v2 and kind in V2_TOP_LEVEL):
            allowed = sorted(V2_TOP_LEVEL) if v2 else [ACTION_ROW]
            errors.add(f"{where}.type", "UNION_TYPE_CHOICES",
                       f'Value of field "type" must be one of {tuple(allowed)}.')
    if v2 and _count(components) > max_items:
        errors.add(path, "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
                   f"A message may hold at most {max_items} components in total.")


def _count(components) -> int:
    total = 0
    for component in components:
        if isinstance(component, dict):
            total += 1 + _count(component.get("components") or [])
    return total


def _row(errors: FormErrors, path: str, row: dict, seen: dict) -> None:
    children = row.get("components")
    if not form.array(errors, f"{path}.components", children, nullable=False,
                      **form.spec("ActionRowComponentForMessageRequest", "components")):
        return
    for i, child in enumerate(children):
        where = f"{path}.components.{i}"
        if not form.mapping(errors, where, child, nullable=False):
            continue
        kind = child.get("type")
        if kind == BUTTON:
            _button(errors, where, child, seen)
        elif kind in SELECTS:
            _select(errors, where, child, seen)
            if len(children) > 1:
                errors.add(f"{path}.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                           "The specified component exceeds the maximum width")
        else:
            errors.add(f"{where}.type", "UNION_TYPE_CHOICES",
                       f'Value of field "type" must be one of {tuple(sorted(ROW_CHILDREN))}.')


def _button(errors: FormErrors, path: str, button: dict, seen: dict) -> None:
    schema = "ButtonComponentForMessageRequest"
    style = button.get("style")
    if not form.integer(errors, f"{path}.style", style, nullable=False, **form.spec("ButtonStyleTypes")):
        return
    if "label" in button:
        form.string(errors, f"{path}.label", button["label"], **form.spec(schema, "label"))
    if style == LINK:
        _require(errors, path, button, "url", "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
        _forbid(errors, path, button, ("custom_id", "sku_id"), "link buttons")
    elif style == PREMIUM:
        _require(errors, path, button, "sku_id", "BUTTON_COMPONENT_SKU_ID_REQUIRED", "A sku id is required")
        _forbid(errors, path, button, ("custom_id", "label", "url", "emoji"), "premium buttons")
    else:
        if _require(errors, path, button, "custom_id", "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                    "A custom id is required"):
            _custom_id(errors, path, button, seen)
        _forbid(errors, path, button, ("url", "sku_id"), "buttons that are not links")
    if button.get("url") is not None:
        # http(s) only: discord/discord-api-docs#3129 shows `discord://` refused; whether that
        # feature request was granted later is not documented, so the stricter reading stays.
        form.url(errors, f"{path}.url", button["url"], LINK_SCHEMES, form.spec(schema, "url")["max_length"])
    if button.get("sku_id") is not None:
        form.snowflake(errors, f"{path}.sku_id", button["sku_id"])


def _select(errors: FormErrors, path: str, select: dict, seen: dict) -> None:
    if _require(errors, path, select, "custom_id", "BASE_TYPE_REQUIRED", "This field is required"):
        _custom_id(errors, path, select, seen)
    if select.get("type") == STRING_SELECT:
        form.array(errors, f"{path}.options", select.get("options"), 1, MAX_SELECT_OPTIONS, nullable=False)


def _custom_id(errors: FormErrors, path: str, component: dict, seen: dict) -> None:
    value = component["custom_id"]
    if not form.string(errors, f"{path}.custom_id", value,
                       **form.spec("ButtonComponentForMessageRequest", "custom_id")):
        return
    if value in seen:
        errors.add(f"{path}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id was already specified")
    seen.setdefault(value, path)


def _require(errors: FormErrors, path: str, component: dict, key: str, code: str, message: str) -> bool:
    if component.get(key) in (None, ""):
        errors.add(f"{path}.{key}", code, message)
        return False
    return True


def _forbid(errors: FormErrors, path: str, component: dict, keys, what: str) -> None:
    for key in keys:
        if component.get(key) is not None:
            errors.add(f"{path}.{key}", "BUTTON_COMPONENT_FIELD_NOT_ALLOWED", f"{what} cannot have a {key}")
