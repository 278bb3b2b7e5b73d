"""Template files: the schema, JSON and YAML reading, and every error said with where it is."""

import json

import pytest

from channelwright.campaigns.plan import (
    ACCESS_MODES,
    GM_ONLY,
    GM_POSTS,
    PARTY,
    PLAYERS_ONLY,
    SPECTATORS,
    ChannelSpec,
    Template,
)
from channelwright.templates.files import parse_template_file
from channelwright.templates.library import describe_channels, template_to_dict
from channelwright.templates.schema import TemplateInvalid, validate
from tests.support.templates import WEST_MARCHES, WEST_MARCHES_YAML


def errors_of(data, filename="t.json") -> list[str]:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(TemplateInvalid) as caught:
        parse_template_file(content, filename)
    return caught.value.errors


def with_channel(**channel) -> dict:
    return {"id": "t", "title": "T", "channels": [channel]}


# -- the schema ---------------------------------------------------------------------------------


def test_valid_file_is_normalised_like_discord_shows_names():
    template = parse_template_file(json.dumps(WEST_MARCHES).encode(), "west.json")
    assert template == Template("west-marches", "West Marches", (
        ChannelSpec("town-square", "text"), ChannelSpec("Tavern", "voice"),
        ChannelSpec("expedition-reports", "forum"), ChannelSpec("gm-notes", "text", GM_ONLY)))


def test_yaml_file_reads_the_same_as_json():
    assert parse_template_file(WEST_MARCHES_YAML, "west.yaml") == \
        parse_template_file(json.dumps(WEST_MARCHES).encode(), "west.json")
    # Without a telling extension the first character decides; .yml is YAML too.
    assert parse_template_file(WEST_MARCHES_YAML, "west.yml").id == "west-marches"
    assert parse_template_file(json.dumps(WEST_MARCHES).encode(), "west.txt").id == "west-marches"


def test_utf8_bom_is_accepted():
    assert parse_template_file(b"\xef\xbb\xbf" + json.dumps(WEST_MARCHES).encode(), "w.json").id == "west-marches"


@pytest.mark.parametrize("data, expected", [
    ({"title": "T", "channels": [{"name": "a", "type": "text"}]}, "id: required"),
    ({"id": "My Campaign", "title": "T", "channels": [{"name": "a", "type": "text"}]},
     'id: use lowercase letters, digits and hyphens, starting and ending with a letter or digit, '
     'e.g. "my-campaign" (got "My Campaign")'),
    ({"id": "x" * 33, "title": "T", "channels": [{"name": "a", "type": "text"}]},
     "id: must be 1 to 32 characters (got 33)"),
    ({"id": "-x", "title": "T", "channels": [{"name": "a", "type": "text"}]}, "id: use lowercase"),
    ({"id": 7, "title": "T", "channels": [{"name": "a", "type": "text"}]}, "id: must be text (got a number (7))"),
    ({"id": "default", "title": "T", "channels": [{"name": "a", "type": "text"}]},
     'id: "default" is a built-in template\'s id; pick another id'),
    ({"id": "t", "channels": [{"name": "a", "type": "text"}]}, "title: required"),
    ({"id": "t", "title": "x" * 101, "channels": [{"name": "a", "type": "text"}]},
     "title: must be at most 100 characters (got 101)"),
    ({"id": "t", "title": "   ", "channels": [{"name": "a", "type": "text"}]}, "title: must not be empty"),
    ({"id": "t", "title": "T"}, "channels: required (a list of channels)"),
    ({"id": "t", "title": "T", "channels": {"name": "a"}}, "channels: must be a list of channels (got a mapping)"),
    ({"id": "t", "title": "T", "channels": []}, "channels: must hold at least 1 channel"),
    ({"id": "t", "title": "T", "channels": [{"name": f"c{i}", "type": "text"} for i in range(46)]},
     "channels: at most 45 channels (got 46)"),
    (with_channel(name="stage", type="stage"), 'channels[0].type: must be one of text, voice, forum (got "stage")'),
    (with_channel(name="c", type="category"), "the campaign's category is made for you"),
    (with_channel(name="c"), "channels[0].type: required (one of text, voice, forum)"),
    (with_channel(type="text"), "channels[0].name: required"),
    (with_channel(name="n" * 101, type="voice"), "channels[0].name: must be at most 100 characters (got 101)"),
    (with_channel(name="bad\u200bname", type="text"), "channels[0].name: must not contain control or invisible"),
    (with_channel(name="---", type="text"), 'channels[0].name: is empty once Discord normalises it (got "---")'),
    (with_channel(name=2024, type="text"),
     "channels[0].name: must be text (got a number (2024)); in YAML, put it in quotes"),
    (with_channel(name="a", type="text", gm_only="yes"), 'channels[0].gm_only: must be true or false (got "yes")'),
    (with_channel(name="a", type="text", **{"gm-only": True}),
     'channels[0].gm-only: unknown key (did you mean "gm_only"?)'),
    (with_channel(name="a", type="text", access="per-table"),
     'channels[0].access: must be one of party, gm-only, gm-posts, players-only, spectators, per-player (got "per-table")'),
    (with_channel(name="a", type="text", access=True),
     "channels[0].access: must be one of party, gm-only, gm-posts, players-only, spectators, per-player (got true)"),
    (with_channel(name="Lore", type="text", access="gm-posts", gm_only=True),
     'channels[0] ("Lore"): gm_only: true and access: gm-posts disagree; keep access alone'),
    (with_channel(name="a", type="text", access="gm-only", gm_only=False),
     'channels[0] ("a"): gm_only: false and access: gm-only disagree; keep access alone'),
    (with_channel(name="a", type="text", acess="party"),
     'channels[0].acess: unknown key (did you mean "access"?)'),
    ({"id": "t", "title": "T", "colour": "red", "channels": [{"name": "a", "type": "text"}]},
     "colour: unknown key (expected id, title, channels)"),
    ({"id": "t", "title": "T", "channels": ["general"]},
     'channels[0]: must be a mapping with name and type (got text ("general"))'),
    ({"id": "t", "title": "T", "channels": [{"name": "General Chat", "type": "text"},
                                            {"name": "general-chat", "type": "forum"}]},
     'channels[1].name: "general-chat" is already used by channels[0]; channel names must differ'),
])
def test_schema_errors_say_where_they_are(data, expected):
    assert any(expected in error for error in errors_of(data)), errors_of(data)


def test_every_error_is_reported_not_just_the_first():
    errors = errors_of({"id": "Bad Id", "title": "", "extra": 1, "channels": [
        {"name": "ok", "type": "text"},
        {"name": "x", "type": "stage"},
        {"name": "y", "type": "voice", "gm_only": "no"},
        {"name": "OK", "type": "text"},
    ]})
    assert [e.split(":")[0] for e in errors] == [
        "extra", "id", "title", "channels[1].type", "channels[2].gm_only", "channels[3].name"]


@pytest.mark.parametrize("content, filename, expected", [
    (b'{"id": "t",\n "title": "T"\n "channels": []}', "t.json",
     "file: not valid JSON: Expecting ',' delimiter (line 3, column 2)"),
    (b"id: t\ntitle: [unclosed\nchannels: []\n", "t.yaml", "file: not valid YAML:"),
    (b"id: t\n  title: T\n", "t.yml", "(line 2, column 8)"),
    (b"\xff\xfeid", "t.json", "file: is saved as UTF-16; save it as UTF-8"),
    (b'{"id": "caf\xe9"}', "t.json", "file: is not UTF-8 text (byte 0xe9 on line 1, offset 11)"),
    (b"  \n", "t.yaml", "file: is empty"),
    (b"[]", "t.json", "file: must be a mapping with id, title and channels (got a list) "
                      "(is it just the channel list? put it under \"channels\")"),
    (b"just text", "t.yaml", "file: must be a mapping with id, title and channels (got text"),
    (b"[" * 100_000, "t.txt", "file: is 100,000 bytes; templates can be at most 64 KiB"),
    (b"[" * 60_000, "t.json", "file: nests deeper than 8 levels (line 1)"),
    (b'{"id": "t", "id": "u", "title": "T", "channels": [{"name": "a", "type": "text"}]}', "t.json",
     "id: appears twice; keep one"),
    (b"id: t\ntitle: T\nchannels:\n  - name: a\n    name: b\n    type: text\n", "t.yaml",
     "channels[0].name: appears twice; keep one"),
    (b"!!python/object/apply:os.system ['true']", "t.yaml", "file: uses the tag !!python/object/apply:os.system; templates hold only"),
])
def test_file_level_errors(content, filename, expected):
    errors = errors_of(content, filename)
    assert any(expected in error for error in errors), errors


def test_yaml_error_gives_line_and_column():
    [error] = errors_of(b"id: t\ntitle: T\nchannels:\n  - {name: a, type: text\n", "t.yaml")
    assert error.startswith("file: not valid YAML:") and "line 5" in error


def test_access_modes_are_read_in_any_case_and_gm_only_is_their_older_spelling():
    template = validate({"id": "t", "title": "T", "channels": [
        {"name": "a", "type": "text"}, {"name": "b", "type": "text", "access": " GM-Posts "},
        {"name": "c", "type": "voice", "access": "players-only"}, {"name": "d", "type": "forum", "access": "spectators"},
        {"name": "e", "type": "text", "gm_only": True}, {"name": "f", "type": "text", "access": "gm-only", "gm_only": True},
        {"name": "g", "type": "text", "access": "party", "gm_only": False}]})
    assert [c.access for c in template.channels] == [
        PARTY, GM_POSTS, PLAYERS_ONLY, SPECTATORS, GM_ONLY, GM_ONLY, PARTY]
    assert [c.gm_only for c in template.channels] == [False] * 4 + [True, True, False]


def test_a_template_as_file_data_reads_back_with_its_modes():
    template = validate({"id": "t", "title": "T", "channels": [
        {"name": mode, "type": "text", "access": mode} for mode in ACCESS_MODES]})
    data = template_to_dict(template)
    assert data["channels"][:2] == [{"name": "party", "type": "text"}, {"name": "gm-only", "type": "text", "gm_only": True}]
    assert validate(data) == template
    assert describe_channels(template) == (
        "6 channels: 6 text; 1 GM-only, 1 GM-posts, 1 players-only, 1 with spectators, "
        "1 per-player")
