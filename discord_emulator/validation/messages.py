"""Message bodies: channel messages, interaction replies, follow-ups and edits.

Sources: DOCS/message "Create Message" JSON/Form Params (content "up to 2000 characters", up to
10 embeds, the flags that can be set, "When the flag IS_COMPONENTS_V2 is set, the message can
only contain components"), "Embed Limits", "Allowed Mentions Object"; DOCS/webhook "Execute
Webhook" and "Edit Webhook Message" (their flags); DOCS/rr "Interaction Callback Data
Structure" and "Create Followup Message" (EPHEMERAL allowed on follow-ups).

The spec gives channel messages 4000 characters of content (a Nitro user's limit); the docs
give bots 2000 on every message route, so 2000 it is. Everything else numeric is the spec's.

Public reports quote the codes: MAX_EMBED_SIZE_EXCEEDED "Embed size exceeds maximum size of
6000" (NelsonDane/auto-rsa#451); MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE
'parse:["roles"] and roles: [ids...] are mutually exclusive.' (Mephisto5558/Teufelsbot#287,
discord-haskell/discord-haskell#75). MESSAGE_FLAGS_INVALID and
MESSAGE_COMPONENTS_V2_LEGACY_FIELDS are the emulator's names for refusals the docs require.
"""

from ..errors import FormErrors
from ..messages import EPHEMERAL, IS_COMPONENTS_V2, IS_VOICE_MESSAGE, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS
from . import components, form

FLAG_NAMES = {SUPPRESS_EMBEDS: "SUPPRESS_EMBEDS", EPHEMERAL: "EPHEMERAL",
              SUPPRESS_NOTIFICATIONS: "SUPPRESS_NOTIFICATIONS", IS_VOICE_MESSAGE: "IS_VOICE_MESSAGE",
              IS_COMPONENTS_V2: "IS_COMPONENTS_V2"}

# The flags each kind of message request may set.
CHANNEL_MESSAGE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_VOICE_MESSAGE | IS_COMPONENTS_V2
FOLLOWUP_FLAGS = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
EDIT_FLAGS = SUPPRESS_EMBEDS | IS_COMPONENTS_V2
CALLBACK_FLAGS = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2 | IS_VOICE_MESSAGE
DEFERRED_FLAGS = EPHEMERAL

MAX_CONTENT = 2000
MAX_EMBED_TOTAL = 6000
# DOCS/message "Embed Limits": the fields counted towards the 6000-character total.
_COUNTED = (("title",), ("description",), ("footer", "text"), ("author", "name"))
# DOCS/message "Create Message": nonce "integer or string ... (up to 25 characters)".
MAX_NONCE = 25
# DOCS/message "Embed Object": author.url "only supports http(s)"; image.url, thumbnail.url,
# author.icon_url and footer.icon_url "only supports http(s) and attachments"
# (`attachment://name`, DOCS/message "Uploading Files"). The embed's own url is not described;
# public reports show other schemes refused there too (discordjs/discord.js#3646, steam://).
HTTP = ("http", "https")
_EMBED_URLS = ((("url",), HTTP), (("author", "url"), HTTP), (("author", "icon_url"), HTTP + ("attachment",)),
               (("footer", "icon_url"), HTTP + ("attachment",)), (("image", "url"), HTTP + ("attachment",)),
               (("thumbnail", "url"), HTTP + ("attachment",)))


def check(errors: FormErrors, body: dict, schema: str, allowed_flags: int, prefix: str = "") -> None:
    """`schema`: the spec's request schema (limits); `prefix`: where the message sits in the
    request ("" for a message route, "data" inside an interaction response)."""
    def at(key: str) -> str:
        return form.join(prefix, key)

    flags = body.get("flags")
    v2 = False
    if flags is not None and check_flags(errors, at("flags"), flags, allowed_flags):
        v2 = bool(flags & IS_COMPONENTS_V2)
    if "content" in body:
        form.string(errors, at("content"), body["content"], max_length=MAX_CONTENT)
    if "tts" in body:
        form.boolean(errors, at("tts"), body["tts"])
    if "embeds" in body:
        _embeds(errors, at("embeds"), body["embeds"], schema)
    if v2:
        for key in ("content", "embeds", "poll"):
            if body.get(key) not in (None, "", []):
                errors.add(at(key), "MESSAGE_COMPONENTS_V2_LEGACY_FIELDS",
                           f"{key} cannot be used when the IS_COMPONENTS_V2 flag is set")
    if "components" in body:
        components.check(errors, at("components"), body["components"], v2, schema)
    if "allowed_mentions" in body:
        allowed_mentions(errors, at("allowed_mentions"), body["allowed_mentions"])
    if "attachments" in body:
        attachments(errors, at("attachments"), body["attachments"], schema)


def attachments(errors: FormErrors, path: str, value, schema: str) -> None:
    """DOCS/message "Attachment Request Structure": each entry's `id` (a snowflake, or for a new
    file the `n` of `files[n]`), `filename`, `title` and `description` ("max 1024
    characters"); the spec's MessageAttachmentRequest gives the lengths, its request schemas
    at most 10 entries."""
    if not form.array(errors, path, value, **form.spec(schema, "attachments")):
        return
    for i, entry in enumerate(value):
        where = f"{path}.{i}"
        if not form.mapping(errors, where, entry, nullable=False):
            continue
        form.snowflake(errors, f"{where}.id", entry.get("id"), nullable=False)
        for key in ("filename", "title", "description"):
            if entry.get(key) is not None:
                form.string(errors, f"{where}.{key}", entry[key],
                            **form.spec("MessageAttachmentRequest", key))


def check_nonce(errors: FormErrors, body: dict) -> None:
    """Create Message's `nonce` (integer or string of up to 25 characters) and `enforce_nonce`
    (boolean); DOCS/message "Create Message" JSON Params. Other message routes have neither."""
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        form.string(errors, "nonce", nonce, max_length=MAX_NONCE)
    elif nonce is not None:
        form.integer(errors, "nonce", nonce, **form.INTEGER_RANGE_64)
    if "enforce_nonce" in body:
        form.boolean(errors, "enforce_nonce", body["enforce_nonce"])


def check_flags(errors: FormErrors, path: str, flags, allowed: int) -> bool:
    if not form.integer(errors, path, flags, minimum=0):
        return False
    if flags & ~allowed:
        names = ", ".join(name for bit, name in FLAG_NAMES.items() if allowed & bit)
        errors.add(path, "MESSAGE_FLAGS_INVALID", f"Only these flags can be set here: {names or 'none'}.")
        return False
    return True


def _embeds(errors: FormErrors, path: str, embeds, schema: str) -> None:
    if not form.array(errors, path, embeds, **form.spec(schema, "embeds")):
        return
    total = 0
    for i, embed in enumerate(embeds):
        if form.mapping(errors, f"{path}.{i}", embed, nullable=False):
            total += _embed(errors, f"{path}.{i}", embed)
    if total > MAX_EMBED_TOTAL:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")


def _embed(errors: FormErrors, path: str, embed: dict) -> int:
    """Checks one embed; returns its characters counted towards the 6000 total. DOCS/message
    "Embed Limits": "Leading and trailing whitespace characters are not included (they are
    trimmed automatically)", so lengths are measured on trimmed text."""
    counted = 0
    for keys in _COUNTED:
        value, where, schema = embed, path, "RichEmbed"
        for key in keys[:-1]:
            value = value.get(key) if isinstance(value, dict) else None
            where, schema = f"{where}.{key}", "RichEmbed" + key.capitalize()
        if not isinstance(value, dict) or value.get(keys[-1]) is None:
            continue
        counted += _text(errors, f"{where}.{keys[-1]}", value[keys[-1]], schema, keys[-1])
    if embed.get("color") is not None:
        form.integer(errors, f"{path}.color", embed["color"], **form.spec("RichEmbed", "color"))
    for keys, schemes in _EMBED_URLS:
        value = embed.get(keys[0])
        if len(keys) == 2:
            value = value.get(keys[1]) if isinstance(value, dict) else None
        if value is not None:
            limit = form.spec("RichEmbed", "url")["max_length"] if keys == ("url",) else None
            form.url(errors, f"{path}.{'.'.join(keys)}", value, schemes, limit)
    fields = embed.get("fields")
    if "fields" in embed and form.array(errors, f"{path}.fields", fields, **form.spec("RichEmbed", "fields")):
        for i, field in enumerate(fields):
            where = f"{path}.fields.{i}"
            if form.mapping(errors, where, field, nullable=False):
                for key in ("name", "value"):
                    counted += _text(errors, f"{where}.{key}", field.get(key), "RichEmbedField", key, required=True)
    return counted


def _text(errors: FormErrors, path: str, value, schema: str, key: str, required: bool = False) -> int:
    """Length of trimmed `value`, after checking it against the spec's maxLength. A field's
    name and value are required and may not be blank (BASE_TYPE_REQUIRED)."""
    if isinstance(value, str):
        value = value.strip()
        if required and not value:
            return form.required(errors, path)
    if not form.string(errors, path, value, nullable=not required, **form.spec(schema, key)):
        return 0
    return len(value)


def allowed_mentions(errors: FormErrors, path: str, value) -> None:
    """DOCS/message "Allowed Mentions Object": parse holds "roles", "users", "everyone";
    users and roles hold up to 100 ids; "the parse field is mutually exclusive with the other
    fields" for the same kind ("users" in parse with a users list, "roles" with roles), while
    "Passing a falsy value such as null or an empty array into the users field does not trigger
    a validation error"."""
    if not form.mapping(errors, path, value):
        return
    parse = value.get("parse")
    if form.array(errors, f"{path}.parse", parse):
        for i, item in enumerate(parse):
            form.choice(errors, f"{path}.parse.{i}", item, form.spec("AllowedMentionTypes")["choices"])
    for kind in ("users", "roles"):
        ids = value.get(kind)
        if form.array(errors, f"{path}.{kind}", ids, **form.spec("MessageAllowedMentionsRequest", kind)):
            for i, item in enumerate(ids):
                form.snowflake(errors, f"{path}.{kind}.{i}", item, nullable=False)
            if ids and isinstance(parse, list) and kind in parse:
                errors.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                           f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.')
    if "replied_user" in value:
        form.boolean(errors, f"{path}.replied_user", value["replied_user"])
