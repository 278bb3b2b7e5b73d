"""The template library: the built-ins (held to the upload schema) and a server's own templates in
DynamoDB (moto), with the autocomplete choices they make."""

import json

import pytest

from channelwright.templates import library as lib
from channelwright.templates import schema as schema
from channelwright.campaigns.plan import ChannelSpec, Template, load_template
from channelwright.templates.library import builtin_templates
from channelwright.templates.schema import BuiltinTemplate, TemplateInvalid
from tests.support import templates as support
from tests.support.templates import GUILD, OTHER_GUILD, USER, west

# The fixtures: one moto world for the module, emptied for each test, and a library on it.
shared_aws, aws, library = support.shared_aws, support.aws, support.library


# -- built-ins ----------------------------------------------------------------------------------


def test_every_builtin_passes_the_upload_schema():
    templates = builtin_templates()
    assert [t.id for t in templates][0] == "default"
    assert {"default", "one-shot", "play-by-post"} <= {t.id for t in templates}
    for template in templates:
        path = lib.TEMPLATE_DIR / f"{template.id}.json"
        assert schema.validate(json.loads(path.read_text())) == template
        assert schema.validate(lib.template_to_dict(template)) == template
        assert len(template.channels) <= schema.MAX_CHANNELS
        # Names are already what Discord will show, so the build never "renames" one.
        assert all(c.name == schema.normalise_channel_name(c.name, c.type) for c in template.channels)
    assert load_template("default") == next(t for t in templates if t.id == "default")


def test_builtin_files_that_break_the_schema_are_refused(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text('{"id": "other", "title": "B", "channels": [{"name": "a", "type": "x"}]}')
    monkeypatch.setattr(lib, "TEMPLATE_DIR", tmp_path)
    lib._builtins.cache_clear()
    try:
        with pytest.raises(TemplateInvalid) as caught:
            builtin_templates()
        assert caught.value.errors == [
            'templates/broken.json: channels[0].type: must be one of text, voice, forum (got "x")']
    finally:
        monkeypatch.undo()
        lib._builtins.cache_clear()


# -- the library --------------------------------------------------------------------------------


def test_library_put_get_list_remove(library, aws):
    assert library.put(GUILD, west(), author_id=USER) is False
    assert library.get(GUILD, "west-marches") == west()
    assert library.get(GUILD, " West-Marches ") == west()  # what a user may type
    assert library.get(OTHER_GUILD, "west-marches") is None
    assert library.get(GUILD, "nope") is None and library.get(GUILD, "not an id!") is None
    assert library.get(GUILD, "default") == load_template("default")
    assert library.get(None, "one-shot").id == "one-shot"

    assert library.put(GUILD, west(title="West Marches II"), author_id=USER) is True
    listed = library.available(GUILD)
    assert [(t.id, builtin) for t, builtin in listed] == [
        ("default", True), ("in-person", True), ("one-shot", True), ("play-by-post", True),
        ("voice-vtt", True), ("west-marches", False)]
    assert listed[-1][0].title == "West Marches II"
    assert [t.id for t, _ in library.available(OTHER_GUILD)] == [
        "default", "in-person", "one-shot", "play-by-post", "voice-vtt"]

    item = aws.dynamodb.get_item(TableName=aws.table_name, Key={
        "guild_id": {"S": GUILD}, "campaign_key": {"S": "~template~west-marches"}})["Item"]
    assert item["record_type"] == {"S": "template"} and item["author_id"] == {"S": USER}

    assert library.remove(GUILD, "west-marches") is True
    assert library.remove(GUILD, "west-marches") is False
    assert library.get(GUILD, "west-marches") is None


def test_builtins_cannot_be_replaced_or_removed(library):
    with pytest.raises(BuiltinTemplate):
        library.put(GUILD, Template("default", "Mine", (ChannelSpec("a", "text"),)), author_id=USER)
    with pytest.raises(BuiltinTemplate) as caught:
        library.remove(GUILD, "default")
    assert caught.value.errors == ['name: "default" is a built-in template; built-ins can\'t be removed '
                                   "(a campaign only uses a template you pick)"]


def test_a_server_keeps_at_most_a_set_number_of_templates(library, monkeypatch):
    monkeypatch.setattr(lib, "MAX_SERVER_TEMPLATES", 2)
    library.put(GUILD, west(id="a"), author_id=USER)
    library.put(GUILD, west(id="b"), author_id=USER)
    library.put(GUILD, west(id="b", title="B again"), author_id=USER)  # replacing is fine
    with pytest.raises(TemplateInvalid) as caught:
        library.put(GUILD, west(id="c"), author_id=USER)
    assert "already has 2 templates" in caught.value.errors[0]


def test_autocomplete_choices_rank_prefix_before_substring(library):
    library.put(GUILD, west(), author_id=USER)
    library.put(GUILD, west(id="shotgun-wedding", title="Shotgun wedding"), author_id=USER)
    everything = library.choices(GUILD, "")
    assert everything[0] == {"name": "Full campaign (default, 10 channels)", "value": "default"}
    assert [c["value"] for c in everything] == [
        "default", "in-person", "one-shot", "play-by-post", "voice-vtt", "shotgun-wedding", "west-marches"]
    assert everything[-1]["name"] == "West Marches (west-marches, 4 channels, this server)"
    assert [c["value"] for c in library.choices(GUILD, "SHOT")] == ["shotgun-wedding", "one-shot"]
    assert [c["value"] for c in library.choices(GUILD, "full")] == ["default"]
    assert library.choices(GUILD, "zzz") == []
    assert [c["value"] for c in library.choices(GUILD, "", builtins=False)] == ["shotgun-wedding", "west-marches"]


def test_autocomplete_choices_fit_discord_limits(library, monkeypatch):
    monkeypatch.setattr(lib, "MAX_SERVER_TEMPLATES", 40)
    for i in range(26):
        library.put(GUILD, west(id=f"t{i:02d}", title="T" * 100), author_id=USER)
    choices = library.choices(GUILD, "")
    assert len(choices) == 25
    assert all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)

