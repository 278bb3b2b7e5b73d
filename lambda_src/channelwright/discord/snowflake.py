"""When a Discord id was made: a snowflake carries its creation time.

`(id >> 22) + 1420070400000` ms since the Unix epoch (developers/reference.mdx, "Snowflakes").
Interaction ids are snowflakes too, so an interaction's id says when the user ran the command.
"""

DISCORD_EPOCH_MS = 1420070400000


def created_ms(snowflake: str) -> int:
    """Milliseconds since the Unix epoch; ValueError if `snowflake` is not a number."""
    return (int(snowflake) >> 22) + DISCORD_EPOCH_MS
