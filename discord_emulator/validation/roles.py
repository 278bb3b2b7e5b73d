"""Create Guild Role and Modify Guild Role bodies.

DOCS/guild "Create Guild Role" / "Modify Guild Role" JSON Params: name (max 100 characters),
permissions (string, a bit set), color (RGB integer), colors (role colors object), hoist and
mentionable (booleans), unicode_emoji. The numbers come from the spec's CreateRoleRequest,
UpdateRoleRequestPartial and RoleColors (name 1-100, colours 0-16777215, unicode_emoji <= 100).
"""

from ..errors import FormErrors
from . import form

COLORS = ("primary_color", "secondary_color", "tertiary_color")


def check(errors: FormErrors, body: dict, schema: str) -> None:
    """`schema`: "CreateRoleRequest" or "UpdateRoleRequestPartial" (same limits today)."""
    if "name" in body:
        form.string(errors, "name", body["name"], **form.spec(schema, "name"))
    if "permissions" in body:
        form.permissions(errors, "permissions", body["permissions"])
    if "color" in body:
        form.integer(errors, "color", body["color"], **form.spec(schema, "color"))
    if "colors" in body and form.mapping(errors, "colors", body["colors"]):
        for key in COLORS:
            if key in body["colors"]:
                form.integer(errors, f"colors.{key}", body["colors"][key], **form.spec("RoleColors", key))
    for flag in ("hoist", "mentionable"):
        if flag in body:
            form.boolean(errors, flag, body[flag])
    if "unicode_emoji" in body:
        form.string(errors, "unicode_emoji", body["unicode_emoji"], **form.spec(schema, "unicode_emoji"))
