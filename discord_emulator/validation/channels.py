"""Create Guild Channel, Modify Channel and Edit Channel Permissions bodies.

Sources: DOCS/guild "Create Guild Channel" JSON Params, DOCS/channel "Modify Channel" (Guild
channel JSON Params), "Overwrite Object" and "Edit Channel Permissions"; numbers from the spec's
CreateGuildChannelRequest / UpdateGuildChannelRequestPartial unless a comment names the doc that
overrides them. Rules that need the guild (unknown parent, full category, permissions) stay
with the actions; these are the checks on the body itself.
"""

from ..errors import FormErrors
from ..model import CATEGORY, FORUM, STAGE, VOICE
from . import form

MEDIA = 16  # GUILD_MEDIA (DOCS/channel "Channel Types")
# DOCS/channel "Channel Object" topic: "0-4096 characters for GUILD_FORUM and GUILD_MEDIA
# channels, 0-1024 characters for all others" (Modify Channel says the same). The spec allows
# 4096 whatever the type, so the docs' per-type limit is the stricter reading. DOCS/guild
# "Create Guild Channel" only says 0-1024 without naming forums; the channel object's rule is
# applied there too, since a forum created with a 4096-character topic is a valid forum.
TOPIC_LIMITS = {FORUM: 4096, MEDIA: 4096}
DEFAULT_TOPIC_LIMIT = 1024
# DOCS/channel "Modify Channel": user_limit "max 99 for voice channels and 10,000 for stage
# channels"; bitrate (footnote) "up to 96000" for voice without boosts, "up to 64000" for stage.
USER_LIMIT_MAX = {VOICE: 99, STAGE: 10_000}
BITRATE_MAX = {VOICE: 96_000, STAGE: 64_000}


def check_create(errors: FormErrors, body: dict) -> None:
    schema = "CreateGuildChannelRequest"
    kind = body.get("type")
    if kind is not None and not form.integer(errors, "type", kind, **form.spec(schema, "type")):
        kind = None
    kind = 0 if kind is None else kind  # DOCS/guild: type defaults to a text channel
    form.string(errors, "name", body.get("name"), nullable=False, **form.spec(schema, "name"))
    _common(errors, body, schema, kind)


def check_modify(errors: FormErrors, body: dict, current_type: int | None) -> None:
    """`current_type`: the channel's type, or None for an unknown channel (the action answers
    404 then, so type-dependent checks are skipped)."""
    schema = "UpdateGuildChannelRequestPartial"
    kind = current_type
    if "type" in body and body["type"] is not None:
        if form.integer(errors, "type", body["type"], **form.spec(schema, "type")):
            kind = body["type"]
    if "name" in body:
        form.string(errors, "name", body["name"], nullable=False, **form.spec(schema, "name"))
    _common(errors, body, schema, kind)


def check_overwrite(errors: FormErrors, body: dict) -> None:
    """Edit Channel Permissions: `type` (0 role, 1 member) is required; allow/deny are
    optional permission strings (DOCS/channel "Edit Channel Permissions" JSON Params)."""
    _overwrite_fields(errors, "", body)


def _common(errors: FormErrors, body: dict, schema: str, kind: int | None) -> None:
    if "position" in body:
        form.integer(errors, "position", body["position"], **form.spec(schema, "position"))
    if "topic" in body and kind is not None:
        form.string(errors, "topic", body["topic"], 0, TOPIC_LIMITS.get(kind, DEFAULT_TOPIC_LIMIT))
    if "rate_limit_per_user" in body:
        form.integer(errors, "rate_limit_per_user", body["rate_limit_per_user"],
                     **form.spec(schema, "rate_limit_per_user"))
    if "nsfw" in body:
        form.boolean(errors, "nsfw", body["nsfw"])
    if "bitrate" in body:
        form.integer(errors, "bitrate", body["bitrate"],
                     **form.spec(schema, "bitrate", maximum=BITRATE_MAX.get(kind)))
    if "user_limit" in body:
        form.integer(errors, "user_limit", body["user_limit"],
                     **form.spec(schema, "user_limit", maximum=USER_LIMIT_MAX.get(kind)))
    if body.get("parent_id") is not None and form.snowflake(errors, "parent_id", body["parent_id"]):
        if kind == CATEGORY:
            # DOCS/guild + DOCS/channel: parent_id applies to "Text, Voice, Announcement, Stage,
            # Forum, Media"; categories do not nest.
            errors.add("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "A category cannot have a parent")
    if "permission_overwrites" in body:
        _overwrites(errors, body["permission_overwrites"], schema)


def _overwrites(errors: FormErrors, items, schema: str) -> None:
    if not form.array(errors, "permission_overwrites", items, **form.spec(schema, "permission_overwrites")):
        return
    for i, item in enumerate(items):
        path = f"permission_overwrites.{i}"
        if form.mapping(errors, path, item, nullable=False):
            form.snowflake(errors, f"{path}.id", item.get("id"), nullable=False)
            _overwrite_fields(errors, path, item)


def _overwrite_fields(errors: FormErrors, path: str, item: dict) -> None:
    # The spec marks `type` nullable; DOCS/channel "Overwrite Object" gives it no default
    # ("either 0 (role) or 1 (member)"), so an overwrite without one is refused.
    form.integer(errors, form.join(path, "type"), item.get("type"), nullable=False,
                 **form.spec("ChannelPermissionOverwrites"))
    for key in ("allow", "deny"):
        form.permissions(errors, form.join(path, key), item.get(key))
