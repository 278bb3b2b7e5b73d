"""Interaction responses: the bot's answer to an interaction, inline or via the callback route.

Sources (DOCS/rr, developers/interactions/receiving-and-responding.mdx):
- "Interaction Callback Type": PONG 1 answers a PING; 4 and 5 answer commands and components;
  6 and 7 are "Only valid for component-based interactions"; 8 answers an autocomplete
  interaction; MODAL 9 is "Not available for MODAL_SUBMIT and PING interactions" (nor for an
  autocomplete, which can only be answered with choices); 10 is deprecated and 12 needs an
  Activity, neither of which this app has.
- "Interaction Callback Data Structure" > "Messages": only SUPPRESS_EMBEDS, EPHEMERAL,
  IS_COMPONENTS_V2, IS_VOICE_MESSAGE and SUPPRESS_NOTIFICATIONS can be set; for
  DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE "the only valid message flag you may use is EPHEMERAL".
- "Autocomplete": "max of 25 choices"; DOCS/ac "Application Command Option Choice Structure":
  name 1-100 characters, value "up to 100 characters if string" (the spec says 6000; the docs
  are followed).
- "Modal": custom_id 1-100, title max 45, "Between 1 and 5 (inclusive) components" (the spec
  allows 40; the docs are followed). components/reference.mdx "Component Types" (Usage column):
  a modal's top level holds Labels (18), Text Displays (10) or, deprecated, Action Rows (1)
  of Text Inputs (4) ("Action Row with Text Inputs in modals are now deprecated"); a button is
  for messages only.
- The autocomplete answer's `data` is required (the spec's
  ApplicationCommandAutocompleteCallbackRequest requires it) and so are its `choices` (the
  docs' table does not mark them optional).

The message inside a type 4 or 7 answer follows the message rules (validation.messages).
"""

from ..errors import FormErrors
from . import form, messages

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ALLOWED = {
    PING: (PONG,),
    APPLICATION_COMMAND: (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL),
    MESSAGE_COMPONENT: (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL),
    AUTOCOMPLETE: (AUTOCOMPLETE_RESULT,),
    MODAL_SUBMIT: (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE),
}
MAX_CHOICE_VALUE = 100
MAX_MODAL_COMPONENTS = 5
ACTION_ROW, TEXT_INPUT, TEXT_DISPLAY, LABEL = 1, 4, 10, 18
MODAL_TOP_LEVEL = (ACTION_ROW, TEXT_DISPLAY, LABEL)


def check(errors: FormErrors, response, interaction_type: int) -> None:
    """`response`: the parsed {type, data} body; `interaction_type`: the type of the interaction
    Discord sent (2 command, 3 component, 4 autocomplete, ...)."""
    if not form.mapping(errors, "", response, nullable=False):
        return
    kind = response.get("type")
    if not form.integer(errors, "type", kind, nullable=False, **form.spec("InteractionCallbackTypes")):
        return
    if kind not in ALLOWED.get(interaction_type, ()):
        errors.add("type", "INTERACTION_CALLBACK_TYPE_INVALID",
                   f"Callback type {kind} cannot answer an interaction of type {interaction_type}; "
                   f"allowed: {list(ALLOWED.get(interaction_type, ()))}.")
        return
    data = response.get("data")
    if kind == AUTOCOMPLETE_RESULT and data is None:
        form.required(errors, "data")
        return
    if data is not None and not form.mapping(errors, "data", data):
        return
    data = data or {}
    if kind == CHANNEL_MESSAGE:
        messages.check(errors, data, "IncomingWebhookInteractionRequest", messages.CALLBACK_FLAGS, "data")
    elif kind == UPDATE_MESSAGE:
        messages.check(errors, data, "IncomingWebhookUpdateForInteractionCallbackRequestPartial",
                       messages.CALLBACK_FLAGS, "data")
    elif kind == DEFERRED_CHANNEL_MESSAGE and data.get("flags") is not None:
        messages.check_flags(errors, "data.flags", data["flags"], messages.DEFERRED_FLAGS)
    elif kind == AUTOCOMPLETE_RESULT:
        _choices(errors, data.get("choices"))
    elif kind == MODAL:
        _modal(errors, data)


def _choices(errors: FormErrors, choices) -> None:
    path = "data.choices"
    if not form.array(errors, path, choices, nullable=False,
                      **form.spec("InteractionApplicationCommandAutocompleteCallbackStringData", "choices")):
        return
    for i, item in enumerate(choices):
        where = f"{path}.{i}"
        if not form.mapping(errors, where, item, nullable=False):
            continue
        form.string(errors, f"{where}.name", item.get("name"), nullable=False,
                    **form.spec("ApplicationCommandOptionStringChoice", "name"))
        value = item.get("value")
        if isinstance(value, str):
            form.string(errors, f"{where}.value", value, max_length=MAX_CHOICE_VALUE)
        elif not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            errors.add(f"{where}.value", "BASE_TYPE_REQUIRED" if value is None else "BASE_TYPE_STRING",
                       "This field is required" if value is None else "Must be a string or a number.")


def _modal(errors: FormErrors, data: dict) -> None:
    schema = "ModalInteractionCallbackRequestData"
    for key in ("custom_id", "title"):
        form.string(errors, f"data.{key}", data.get(key), nullable=False, **form.spec(schema, key))
    components = data.get("components")
    if not form.array(errors, "data.components", components, nullable=False,
                      **form.spec(schema, "components", max_items=MAX_MODAL_COMPONENTS)):
        return
    for i, component in enumerate(components):
        where = f"data.components.{i}"
        if not form.mapping(errors, where, component, nullable=False):
            continue
        if component.get("type") not in MODAL_TOP_LEVEL or isinstance(component.get("type"), bool):
            errors.add(f"{where}.type", "UNION_TYPE_CHOICES",
                       f'Value of field "type" must be one of {MODAL_TOP_LEVEL}.')
        elif component["type"] == ACTION_ROW:
            _modal_row(errors, where, component)


def _modal_row(errors: FormErrors, path: str, row: dict) -> None:
    """A (deprecated) action row in a modal: text inputs only."""
    children = row.get("components")
    if not form.array(errors, f"{path}.components", children, nullable=False,
                      **form.spec("ActionRowComponentForMessageRequest", "components")):
        return
    for i, child in enumerate(children):
        if isinstance(child, dict) and child.get("type") != TEXT_INPUT:
            errors.add(f"{path}.components.{i}.type", "UNION_TYPE_CHOICES",
                       f'Value of field "type" must be one of ({TEXT_INPUT},).')
