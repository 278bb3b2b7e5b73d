"""Discord permission bits, and the words a server admin sees for them in the client.

Values from developers/topics/permissions.mdx ("Bitwise Permission Flags").
"""

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
USE_VAD = 1 << 25
MANAGE_ROLES = 1 << 28
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL = (1 << 53) - 1

# The client's labels, so error messages name what the admin will actually click.
LABELS = {
    ADMINISTRATOR: "Administrator",
    MANAGE_CHANNELS: "Manage Channels",
    MANAGE_ROLES: "Manage Roles",
    VIEW_CHANNEL: "View Channels",
    SEND_MESSAGES: "Send Messages",
}


MAX_BITS = 1 << 64  # a permission set is a 64-bit field at most


def parse(value: str | int | None) -> int:
    """A permission set as Discord sends it: a decimal string (they outgrew 53-bit JSON numbers).

    Absent (None) is no permissions. Anything but plain ASCII digits (or a non-negative int) raises
    ValueError: "-1" must never read as every bit set, nor " 8", "+8", "٨" or "1e3" as a number."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_BITS:
        return value
    if isinstance(value, str) and 0 < len(value) <= 20 and value.isascii() and value.isdigit():
        bits = int(value)
        if bits < MAX_BITS:
            return bits
    raise ValueError("a permission set must be a decimal string of at most 64 bits")


def effective(bits: int) -> int:
    """Administrator implies every permission."""
    return ALL if bits & ADMINISTRATOR else bits


def missing(held: int, required: int) -> list[str]:
    """Labels of the required permissions that `held` lacks, in a stable order."""
    lacking = required & ~effective(held)
    return [label for bit, label in LABELS.items() if lacking & bit]
