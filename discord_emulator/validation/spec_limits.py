"""Field limits copied from Discord's published OpenAPI description, for the validators.

Source: `specs/openapi.json` of github.com/discord/discord-api-spec at commit
74fda0fad044407ea280043a03ffc9bc64c4e49e (see SPEC_SOURCE). The emulator is standard library
only and must not need the 1.2 MB spec at run time, so the numbers it uses are kept here as a
small table: `LIMITS[schema][field]` holds the JSON Schema keywords of that request-body
property (`minLength`, `maxLength`, `minimum`, `maximum`, `minItems`, `maxItems`, `enum`, and
an integer `format`: int32 or int64),
following `$ref`, nullable `oneOf` wrappers and `const` enumerations. Field "" is the schema
itself (enumerations such as ButtonStyleTypes).

`generate(spec)` rebuilds the table from a spec document; the test suite checks that the table
still equals it, so a number here cannot drift from the spec. To regenerate after moving to a
newer spec: `python -m discord_emulator.validation.spec_limits path/to/openapi.json`.

Where Discord's docs are stricter or more precise than the spec (content 2000 vs the spec's 4000
for channel messages, choice values 100 vs 6000, five legacy action rows vs 40 components), the
validators say so next to the override and name the doc section; this table stays the spec's.
"""

import json
import pprint
import sys

SPEC_SOURCE = ("github.com/discord/discord-api-spec specs/openapi.json "
               "@ 74fda0fad044407ea280043a03ffc9bc64c4e49e")

# (request-body schema, property) pairs the validators read; "" is the schema itself.
FIELDS = (
    ("CreateGuildChannelRequest", "type"), ("CreateGuildChannelRequest", "name"),
    ("CreateGuildChannelRequest", "position"), ("CreateGuildChannelRequest", "topic"),
    ("CreateGuildChannelRequest", "bitrate"), ("CreateGuildChannelRequest", "user_limit"),
    ("CreateGuildChannelRequest", "rate_limit_per_user"),
    ("CreateGuildChannelRequest", "permission_overwrites"),
    ("UpdateGuildChannelRequestPartial", "type"), ("UpdateGuildChannelRequestPartial", "name"),
    ("UpdateGuildChannelRequestPartial", "position"), ("UpdateGuildChannelRequestPartial", "topic"),
    ("UpdateGuildChannelRequestPartial", "bitrate"), ("UpdateGuildChannelRequestPartial", "user_limit"),
    ("UpdateGuildChannelRequestPartial", "rate_limit_per_user"),
    ("UpdateGuildChannelRequestPartial", "permission_overwrites"),
    ("ChannelPermissionOverwrites", ""),
    ("CreateRoleRequest", "name"), ("CreateRoleRequest", "color"), ("CreateRoleRequest", "unicode_emoji"),
    ("UpdateRoleRequestPartial", "name"), ("UpdateRoleRequestPartial", "color"),
    ("UpdateRoleRequestPartial", "unicode_emoji"),
    ("RoleColors", "primary_color"), ("RoleColors", "secondary_color"), ("RoleColors", "tertiary_color"),
    ("MessageCreateRequest", "content"), ("MessageCreateRequest", "embeds"),
    ("MessageCreateRequest", "components"),
    ("IncomingWebhookRequestPartial", "content"), ("IncomingWebhookRequestPartial", "embeds"),
    ("IncomingWebhookRequestPartial", "components"),
    ("IncomingWebhookUpdateRequestPartial", "content"), ("IncomingWebhookUpdateRequestPartial", "embeds"),
    ("IncomingWebhookUpdateRequestPartial", "components"),
    ("IncomingWebhookInteractionRequest", "content"), ("IncomingWebhookInteractionRequest", "embeds"),
    ("IncomingWebhookInteractionRequest", "components"),
    ("IncomingWebhookUpdateForInteractionCallbackRequestPartial", "content"),
    ("IncomingWebhookUpdateForInteractionCallbackRequestPartial", "embeds"),
    ("IncomingWebhookUpdateForInteractionCallbackRequestPartial", "components"),
    ("MessageCreateRequest", "attachments"), ("IncomingWebhookRequestPartial", "attachments"),
    ("IncomingWebhookUpdateRequestPartial", "attachments"),
    ("IncomingWebhookInteractionRequest", "attachments"),
    ("IncomingWebhookUpdateForInteractionCallbackRequestPartial", "attachments"),
    ("MessageAttachmentRequest", "filename"), ("MessageAttachmentRequest", "title"),
    ("MessageAttachmentRequest", "description"),
    ("ActionRowComponentForMessageRequest", "components"),
    ("ButtonComponentForMessageRequest", "custom_id"), ("ButtonComponentForMessageRequest", "label"),
    ("ButtonComponentForMessageRequest", "url"), ("ButtonStyleTypes", ""),
    ("RichEmbed", "title"), ("RichEmbed", "description"), ("RichEmbed", "url"), ("RichEmbed", "color"),
    ("RichEmbed", "fields"), ("RichEmbedField", "name"), ("RichEmbedField", "value"),
    ("RichEmbedAuthor", "name"), ("RichEmbedFooter", "text"),
    ("MessageAllowedMentionsRequest", "users"), ("MessageAllowedMentionsRequest", "roles"),
    ("AllowedMentionTypes", ""),
    ("InteractionCallbackTypes", ""),
    ("InteractionApplicationCommandAutocompleteCallbackStringData", "choices"),
    ("ApplicationCommandOptionStringChoice", "name"), ("ApplicationCommandOptionStringChoice", "value"),
    ("ModalInteractionCallbackRequestData", "custom_id"), ("ModalInteractionCallbackRequestData", "title"),
    ("ModalInteractionCallbackRequestData", "components"),
    ("ApplicationCommandUpdateRequest", "name"), ("ApplicationCommandUpdateRequest", "description"),
    ("ApplicationCommandUpdateRequest", "options"),
    ("ApplicationCommandStringOption", "name"), ("ApplicationCommandStringOption", "description"),
    ("ApplicationCommandStringOption", "choices"), ("ApplicationCommandStringOption", "min_length"),
    ("ApplicationCommandStringOption", "max_length"),
    ("ApplicationCommandSubcommandGroupOption", "options"),
)
# The bulk-overwrite body (an array) is not a named schema; its path in the spec:
BULK_COMMANDS = ("paths", "/applications/{application_id}/commands", "put", "requestBody", "content",
                 "application/json", "schema")
KEYWORDS = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems")
# Integer widths the spec declares (`"format": "int32"`): a value outside them is refused too.
INTEGER_FORMATS = ("int32", "int64")

# Generated by generate() from the spec named in SPEC_SOURCE; do not edit by hand.
LIMITS = {'CreateGuildChannelRequest': {'type': {'format': 'int32', 'enum': [0, 2, 4, 5, 13, 14, 15]},
                               'name': {'minLength': 1, 'maxLength': 100},
                               'position': {'minimum': 0, 'format': 'int32'},
                               'topic': {'minLength': 0, 'maxLength': 4096},
                               'bitrate': {'minimum': 8000, 'format': 'int32'},
                               'user_limit': {'minimum': 0, 'format': 'int32'},
                               'rate_limit_per_user': {'minimum': 0, 'maximum': 21600},
                               'permission_overwrites': {'maxItems': 100}},
 'UpdateGuildChannelRequestPartial': {'type': {'format': 'int32', 'enum': [0, 2, 4, 5, 13, 14, 15]},
                                      'name': {'minLength': 1, 'maxLength': 100},
                                      'position': {'minimum': 0, 'format': 'int32'},
                                      'topic': {'minLength': 0, 'maxLength': 4096},
                                      'bitrate': {'minimum': 8000, 'format': 'int32'},
                                      'user_limit': {'minimum': 0, 'format': 'int32'},
                                      'rate_limit_per_user': {'minimum': 0, 'maximum': 21600},
                                      'permission_overwrites': {'maxItems': 100}},
 'ChannelPermissionOverwrites': {'': {'format': 'int32', 'enum': [0, 1]}},
 'CreateRoleRequest': {'name': {'minLength': 1, 'maxLength': 100},
                       'color': {'minimum': 0, 'maximum': 16777215},
                       'unicode_emoji': {'maxLength': 100}},
 'UpdateRoleRequestPartial': {'name': {'minLength': 1, 'maxLength': 100},
                              'color': {'minimum': 0, 'maximum': 16777215},
                              'unicode_emoji': {'maxLength': 100}},
 'RoleColors': {'primary_color': {'minimum': 0, 'maximum': 16777215},
                'secondary_color': {'minimum': 0, 'maximum': 16777215},
                'tertiary_color': {'minimum': 0, 'maximum': 16777215}},
 'MessageCreateRequest': {'content': {'maxLength': 4000},
                          'embeds': {'maxItems': 10},
                          'components': {'maxItems': 40},
                          'attachments': {'maxItems': 10}},
 'IncomingWebhookRequestPartial': {'content': {'maxLength': 2000},
                                   'embeds': {'maxItems': 10},
                                   'components': {'maxItems': 40},
                                   'attachments': {'maxItems': 10}},
 'IncomingWebhookUpdateRequestPartial': {'content': {'maxLength': 2000},
                                         'embeds': {'maxItems': 10},
                                         'components': {'maxItems': 40},
                                         'attachments': {'maxItems': 10}},
 'IncomingWebhookInteractionRequest': {'content': {'maxLength': 2000},
                                       'embeds': {'maxItems': 10},
                                       'components': {'maxItems': 40},
                                       'attachments': {'maxItems': 10}},
 'IncomingWebhookUpdateForInteractionCallbackRequestPartial': {'content': {'maxLength': 2000},
                                                               'embeds': {'maxItems': 10},
                                                               'components': {'maxItems': 40},
                                                               'attachments': {'maxItems': 10}},
 'MessageAttachmentRequest': {'filename': {'minLength': 1, 'maxLength': 1024},
                              'title': {'maxLength': 1024},
                              'description': {'maxLength': 1024}},
 'ActionRowComponentForMessageRequest': {'components': {'minItems': 1, 'maxItems': 5}},
 'ButtonComponentForMessageRequest': {'custom_id': {'minLength': 1, 'maxLength': 100},
                                      'label': {'maxLength': 80},
                                      'url': {'maxLength': 512}},
 'ButtonStyleTypes': {'': {'format': 'int32', 'enum': [1, 2, 3, 4, 5, 6]}},
 'RichEmbed': {'title': {'maxLength': 256},
               'description': {'maxLength': 4096},
               'url': {'maxLength': 2048},
               'color': {'minimum': 0, 'maximum': 16777215},
               'fields': {'maxItems': 25}},
 'RichEmbedField': {'name': {'maxLength': 256}, 'value': {'maxLength': 1024}},
 'RichEmbedAuthor': {'name': {'maxLength': 256}},
 'RichEmbedFooter': {'text': {'maxLength': 2048}},
 'MessageAllowedMentionsRequest': {'users': {'maxItems': 100}, 'roles': {'maxItems': 100}},
 'AllowedMentionTypes': {'': {'enum': ['users', 'roles', 'everyone']}},
 'InteractionCallbackTypes': {'': {'format': 'int32', 'enum': [1, 4, 5, 6, 7, 8, 9, 12, 13]}},
 'InteractionApplicationCommandAutocompleteCallbackStringData': {'choices': {'maxItems': 25}},
 'ApplicationCommandOptionStringChoice': {'name': {'minLength': 1, 'maxLength': 100},
                                          'value': {'maxLength': 6000}},
 'ModalInteractionCallbackRequestData': {'custom_id': {'minLength': 1, 'maxLength': 100},
                                         'title': {'minLength': 1, 'maxLength': 45},
                                         'components': {'minItems': 1, 'maxItems': 40}},
 'ApplicationCommandUpdateRequest': {'name': {'minLength': 1, 'maxLength': 32},
                                     'description': {'maxLength': 100},
                                     'options': {'maxItems': 25}},
 'ApplicationCommandStringOption': {'name': {'minLength': 1, 'maxLength': 32},
                                    'description': {'minLength': 1, 'maxLength': 100},
                                    'choices': {'maxItems': 25},
                                    'min_length': {'minimum': 0, 'maximum': 6000},
                                    'max_length': {'minimum': 1, 'maximum': 6000}},
 'ApplicationCommandSubcommandGroupOption': {'options': {'maxItems': 25}}}
BULK_COMMANDS_LIMITS = {'maxItems': 130}


def _resolve(node: dict, spec: dict) -> dict:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _keywords(node: dict, spec: dict) -> dict:
    """The limit keywords of one schema node, looking through $ref, nullable oneOf/anyOf
    wrappers and allOf; a oneOf of `const`s becomes `enum`."""
    node = _resolve(node, spec)
    found = {k: node[k] for k in KEYWORDS if k in node}
    if node.get("format") in INTEGER_FORMATS:
        found["format"] = node["format"]
    if "enum" in node:
        found["enum"] = list(node["enum"])
    consts = [branch["const"] for branch in node.get("oneOf", ()) if "const" in branch]
    if consts:
        found.setdefault("enum", consts)
    for branch in (*node.get("oneOf", ()), *node.get("anyOf", ()), *node.get("allOf", ())):
        if branch.get("type") == "null" or "const" in branch:
            continue
        for key, value in _keywords(branch, spec).items():
            found.setdefault(key, value)
    return found


def generate(spec: dict) -> tuple[dict, dict]:
    """(LIMITS, BULK_COMMANDS_LIMITS) as read from `spec`, the parsed OpenAPI document."""
    limits: dict[str, dict] = {}
    for schema, field in FIELDS:
        node = spec["components"]["schemas"][schema]
        if field:
            node = node["properties"][field]
        limits.setdefault(schema, {})[field] = _keywords(node, spec)
    bulk = spec
    for key in BULK_COMMANDS:
        bulk = bulk[key]
    return limits, _keywords(bulk, spec)


def limit(schema: str, field: str = "") -> dict:
    return LIMITS[schema][field]


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        table, bulk_table = generate(json.load(handle))
    print("LIMITS = " + pprint.pformat(table, width=110, sort_dicts=False))
    print("BULK_COMMANDS_LIMITS = " + pprint.pformat(bulk_table, width=110, sort_dicts=False))
