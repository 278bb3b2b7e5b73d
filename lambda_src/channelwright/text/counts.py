"""A count with its noun in the right number: "1 seat", "2 seats", "0 players"."""


def counted(count: int, noun: str, plural: str = "") -> str:
    """`count` and `noun`, or its plural (`plural`, else `noun` + "s") unless `count` is 1."""
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"
