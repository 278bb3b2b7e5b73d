"""Discord's error replies as one exception type.

Shapes follow DOCS/codes ("JSON Error Codes") and DOCS/ref ("Error Messages"):
`{"message", "code"}` and, for form errors, a nested `errors` object whose
leaves are `{"_errors": [{"code", "message"}]}`. Messages are the ones the live
API sends (title case), not the docs' table wording.
"""

from http import HTTPStatus


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        body = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def http_error(status: int) -> ApiError:
    """The generic `"<status>: <phrase>"` body Discord's edge returns with code 0."""
    return ApiError(status, 0, f"{status}: {HTTPStatus(status).phrase}")


_UNKNOWN = {
    "channel": (10003, "Unknown Channel"),
    "guild": (10004, "Unknown Guild"),
    "member": (10007, "Unknown Member"),
    "message": (10008, "Unknown Message"),
    "overwrite": (10009, "Unknown Overwrite"),
    "role": (10011, "Unknown Role"),
    "user": (10013, "Unknown User"),
    "webhook": (10015, "Unknown Webhook"),
    "interaction": (10062, "Unknown interaction"),
}


def unknown(kind: str) -> ApiError:
    code, message = _UNKNOWN[kind]
    return ApiError(404, code, message)


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


def invalid_webhook_token() -> ApiError:
    return ApiError(401, 50027, "Invalid Webhook Token")


def bad_channel_type() -> ApiError:
    return ApiError(400, 50024, "Cannot execute action on this channel type")


def archived_thread() -> ApiError:
    """DOCS/codes 50083: "Tried to perform an operation on an archived thread"."""
    return ApiError(400, 50083, "Thread is archived")


def form_error(path: str, code: str, message: str) -> ApiError:
    """One field error; `path` is dotted for nested fields, e.g. "permission_overwrites.0.id",
    or empty for an error about the whole body."""
    errors = FormErrors()
    errors.add(path, code, message)
    return errors.error()


class FormErrors:
    """Collects field errors into Discord's nested `errors` tree, so one 400 50035 reports
    every invalid field at once, as Discord does (DOCS/ref "Error Messages": the tree holds
    one branch per invalid field; list indexes are string keys, "0", "1", ...).

    `add("embeds.0.title", code, message)` files an error under errors.embeds.0.title._errors;
    an empty path files it at the top (an error about the whole body)."""

    def __init__(self):
        self.tree: dict = {}

    def __bool__(self) -> bool:
        return bool(self.tree)

    def add(self, path: str, code: str, message: str) -> None:
        node = self.tree
        for key in path.split(".") if path else ():
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def error(self) -> ApiError:
        return ApiError(400, 50035, "Invalid Form Body", self.tree)

    def raise_if_any(self) -> None:
        if self.tree:
            raise self.error()


def bad_length(field: str, low: int, high: int) -> ApiError:
    if low == 0:
        message = f"Must be {high} or fewer in length."
    else:
        message = f"Must be between {low} and {high} in length."
    return form_error(field, "BASE_TYPE_BAD_LENGTH", message)


def required(field: str) -> ApiError:
    return form_error(field, "BASE_TYPE_REQUIRED", "This field is required")
