"""One rule for every user-supplied name: what it accepts, what it refuses, how it compares and
how it is shown — and that campaign names and template files follow it end to end."""

import unicodedata

import pytest

from channelwright.text import names
from channelwright.commands import definitions
from channelwright.commands.definitions import campaign_key
from channelwright.text.problems import Refusal
from channelwright.templates.schema import TemplateInvalid, validate


def campaign_name(raw):
    """(name, None), or ("", the Problem) when the name is refused (definitions.campaign_name
    raises Refusal): the pair these checks read."""
    try:
        return definitions.campaign_name(raw), None
    except Refusal as refused:
        return "", refused.problem


ACCEPTED = [
    "👩\u200d🚀 Starfarers",            # ZWJ sequence (woman astronaut)
    "👨\u200d💻 dev-notes",             # ZWJ sequence (man technologist)
    "👨\u200d👩\u200d👧\u200d👦 Family Night",  # a long ZWJ family
    "#\ufe0f\u20e3 Keycap Club",         # keycap: # + VS16 + COMBINING ENCLOSING KEYCAP
    "❤\ufe0f Hearts",                    # variation selector 16
    "🇫🇷 Paris by Night",                # regional-indicator flag
    "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Highlands",  # tag-sequence flag
    "👍🏽 Thumbs",                        # skin-tone modifier
    "Café",
    "Cafe\u0301 Noir",                   # decomposed: accepted, stored composed
    "क्\u200dष Sagas",                   # Devanagari with a ZWJ inside a cluster
    "می\u200cخواهم",                     # Persian with a ZWNJ inside a word
    "Curse of Strahd",
    "Ünïcödé 日本語 Кампания",
]

INVISIBLE = [
    "\u3164",                  # HANGUL FILLER
    "\u2800",                  # BRAILLE PATTERN BLANK
    "\u034f",                  # COMBINING GRAPHEME JOINER
    "\u115f\u1160",            # HANGUL CHOSEONG/JUNGSEONG FILLERS
    "\uffa0",                  # HALFWIDTH HANGUL FILLER
    "\u200b",                  # ZERO WIDTH SPACE (format, Cf)
    "\u2060\u2061",            # WORD JOINER, FUNCTION APPLICATION: Cf only
    "\u0301\u0302",            # combining marks only
    "\ufe0f",                  # a lone variation selector
    "Zero\u200bWidth",         # an invisible character between visible ones
    "Fill\u3164er",
    "Bra\u2800ille",
    "\u202eevil.exe",          # RIGHT-TO-LEFT OVERRIDE: reorders what follows
    "soft\u00adhyphen",
    "\u2800\u2800 \u3164",
]

CONTROL = ["Bad\u0000Name", "Bell\u0007", "Private\ue000Use", "Plane\U0010FFFDSixteen", "Unassigned\U000E0080",
           "Surrogate\ud800"]


@pytest.mark.parametrize("name", ACCEPTED)
def test_emoji_sequences_and_scripts_are_accepted(name):
    shown, refused = names.check(name, 90)
    assert refused is None, (name, refused)
    assert shown == unicodedata.normalize("NFC", name)
    assert campaign_name(name) == (shown, None)


@pytest.mark.parametrize("name", INVISIBLE)
def test_names_that_render_blank_or_hide_characters_are_refused(name):
    assert names.check(name, 90)[1] is names.Refusal.INVISIBLE
    _, problem = campaign_name(name)
    assert "invisible or control characters" in problem.what


@pytest.mark.parametrize("name", CONTROL)
def test_control_private_and_unassigned_characters_are_refused(name):
    assert names.check(name, 90)[1] is names.Refusal.CONTROL


@pytest.mark.parametrize("name", ["", "   ", "\t\n ", "\u3000\u2003", None, 42, ["x"]])
def test_empty_whitespace_or_non_text_is_empty(name):
    assert names.check(name, 90)[1] is names.Refusal.EMPTY


@pytest.mark.parametrize("typed", ["Café", "Cafe\u0301", "CAFÉ", "  cafe\u0301 ", "CAFE\u0301"])
def test_names_equal_once_normalised_are_one_campaign(typed):
    assert campaign_key(campaign_name(typed)[0]) == campaign_key("Café")


def test_length_counts_after_normalising():
    assert names.check("e\u0301" * 90, 90)[1] is None  # 180 code points typed, 90 stored
    assert names.check("é" * 91, 90)[1] is names.Refusal.TOO_LONG


@pytest.mark.parametrize("raw, shown", [
    ("**Bold**", "\\*\\*Bold\\*\\*"),
    ("__under__ ~~strike~~", "\\_\\_under\\_\\_ \\~\\~strike\\~\\~"),
    ("<@123456789012345678> <t:1:R> <#1>", "\\<@123456789012345678\\> \\<t:1:R\\> \\<#1\\>"),
    ("[click](https://x.example)", "\\[click\\](https://x.example)"),
    ("`code` ||spoiler|| > quote", "\\`code\\` \\|\\|spoiler\\|\\| \\> quote"),
    ("# Heading", "\\# Heading"),
    ("-# subtext", "\\-# subtext"),
    ("1. First", "1\\. First"),
    ("back\\slash", "back\\\\slash"),
])
def test_markdown_and_mention_syntax_is_escaped(raw, shown):
    assert names.md(raw) == shown


@pytest.mark.parametrize("text, limit, expected", [
    ("short", 10, "short"),
    ("👩\u200d🚀👩\u200d🚀", 4, "👩\u200d🚀…"),  # never inside an emoji sequence
    ("Cafe\u0301s", 5, "Caf…"),
])
def test_clip_cuts_between_user_perceived_characters(text, limit, expected):
    assert names.clip(text, limit) == expected


def template(**channel):
    return {"id": "t", "title": "T", "channels": [{"type": "text", **channel}]}


@pytest.mark.parametrize("name", ["👩\u200d🚀 crew-quarters", "🇫🇷 paris", "#\ufe0f\u20e3-numbers"])
def test_template_channel_names_take_emoji_sequences(name):
    assert validate(template(name=name)).channels[0].name == names.normalise(name).replace(" ", "-")


@pytest.mark.parametrize("name", ["\u3164", "\u2800", "a\u200bb", "\u034f"])
def test_template_channel_names_and_titles_refuse_invisible_ones(name):
    with pytest.raises(TemplateInvalid) as refused:
        validate({"id": "t", "title": name, "channels": [{"name": name, "type": "voice"}]})
    assert refused.value.errors == ["title: must not contain control or invisible characters",
                                    "channels[0].name: must not contain control or invisible characters"]


def test_template_titles_and_ids_are_normalised_like_campaign_names():
    parsed = validate({"id": " t ", "title": "Cafe\u0301  Night", "channels": [{"name": "x", "type": "text"}]})
    assert (parsed.id, parsed.title) == ("t", "Café Night")
