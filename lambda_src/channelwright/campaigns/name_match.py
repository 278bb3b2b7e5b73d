"""Comparing a name we sent with the name Discord stored, without predicting Discord's rewrite.

Discord rewrites text, announcement and forum channel names as it stores them ("Wizard's Notes"
comes back as "wizards-notes") and documents no rule for it: developers/resources/guild.mdx
"Create Guild Channel" only says 1-100 characters, and public reports disagree on the details
(discord/discord-api-docs#1646, nextcord/nextcord#957, PokeNavBot/issue-tracker#356). So the
product never computes the stored name: it keeps the name Discord returns, and where it must
recognise a create whose reply was lost, it compares names loosely, on what every report agrees
survives the rewrite: letters and digits, case aside.

This is not the rule for names users type (names.py: normalised, validated, escaped when shown);
it only compares a name the bot sent with one Discord stored, both already past names.py.
"""

import unicodedata


def fold(name: str) -> str:
    """`name` case-folded, keeping letters, digits and non-ASCII symbols (emoji) only.

    "Wizard's Notes", "wizards-notes" and "WIZARDS NOTES" all fold to "wizardsnotes". Non-ASCII
    symbols are kept so two emoji-only names stay different; ASCII symbols are dropped, as
    Discord drops ASCII punctuation from text channel names.
    """
    kept = []
    for char in name.casefold():
        if char.isalnum():
            kept.append(char)
        elif not char.isascii() and unicodedata.category(char).startswith("S"):
            kept.append(char)
    return "".join(kept)


def same_name(sent: str, stored: str) -> bool:
    """Whether `stored` may be Discord's version of the name `sent`."""
    return fold(sent) == fold(stored)
