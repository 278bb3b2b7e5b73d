"""Discord permission bits, the words a server admin sees for them, and how Discord combines them.

Values from developers/topics/permissions.mdx ("Bitwise Permission Flags"); the arithmetic is that
page's "Permission Overwrites" pseudo-code (compute_base_permissions, compute_overwrites).
"""

from collections.abc import Iterable

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
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL = (1 << 53) - 1

# The client's labels, so error messages name what the admin will actually click.
LABELS = {
    ADMINISTRATOR: "Administrator",
    MANAGE_CHANNELS: "Manage Channels",
    MANAGE_ROLES: "Manage Roles",
    VIEW_CHANNEL: "View Channels",
    SEND_MESSAGES: "Send Messages",
    READ_MESSAGE_HISTORY: "Read Message History",
    SEND_MESSAGES_IN_THREADS: "Send Messages in Threads and Posts",
    CONNECT: "Connect",
    SPEAK: "Speak",
    CREATE_INSTANT_INVITE: "Create Invite",
    ADD_REACTIONS: "Add Reactions",
    MANAGE_MESSAGES: "Manage Messages",
    EMBED_LINKS: "Embed Links",
    ATTACH_FILES: "Attach Files",
    USE_VAD: "Use Voice Activity",
    MANAGE_THREADS: "Manage Threads and Posts",
    CREATE_PUBLIC_THREADS: "Create Public Threads",
    CREATE_PRIVATE_THREADS: "Create Private Threads",
}
ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1


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


def label_list(labels: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def base_permissions(everyone: int, role_permissions: Iterable[int], *, is_owner: bool) -> int:
    """A member's server-level permissions: @everyone's plus each of their roles'.

    The owner and anyone holding Administrator have every permission (permissions.mdx,
    compute_base_permissions). Channel overwrites play no part here.
    """
    if is_owner:
        return ALL
    bits = everyone
    for role_bits in role_permissions:
        bits |= role_bits
    return effective(bits)


def in_channel(base: int, overwrites: Iterable[dict], *, guild_id: str, role_ids: Iterable[str],
               user_id: str) -> int:
    """Permissions in one channel: `base` with the channel's overwrites applied in Discord's order.

    @everyone's overwrite (its id is the guild id) first, then the member's roles' denies and
    allows together, then the member's own overwrite (permissions.mdx, compute_overwrites).
    `overwrites` are wire objects: {"id", "type" 0 role / 1 member, "allow", "deny"}.
    """
    if base & ADMINISTRATOR:
        return ALL
    by_target = {(str(o.get("id")), int(o.get("type") or 0)): o for o in overwrites}

    def apply(bits: int, overwrite: dict | None) -> int:
        if overwrite is None:
            return bits
        return (bits & ~parse(overwrite.get("deny"))) | parse(overwrite.get("allow"))

    bits = apply(base, by_target.get((str(guild_id), ROLE_OVERWRITE)))
    allow = deny = 0
    for role_id in set(role_ids) - {str(guild_id)}:
        overwrite = by_target.get((str(role_id), ROLE_OVERWRITE))
        if overwrite is not None:
            allow |= parse(overwrite.get("allow"))
            deny |= parse(overwrite.get("deny"))
    bits = (bits & ~deny) | allow
    return apply(bits, by_target.get((str(user_id), MEMBER_OVERWRITE)))
