"""Campaign templates: the file schema, the built-ins, a server's library in DynamoDB (moto),
`/campaign-template` answers, autocomplete, and an import end to end (Discord emulated, its CDN too).
"""

import json
from types import SimpleNamespace

import pytest

from channelwright import template_library as lib
from channelwright.commands import Invocation
from channelwright.discord_errors import DiscordUnavailable
from channelwright.discord_rest import DiscordRest
from channelwright.plan import ChannelSpec, Template, load_template
from channelwright.task_queue import EnqueueFailed, Task, TaskQueue
from channelwright.template_commands import (campaign_template, run_template_import,
                                             template_autocomplete)
from channelwright.template_library import (BuiltinTemplate, TemplateInvalid, TemplateLibrary,
                                            builtin_templates, parse_template_file)
from discord_emulator import MANAGE_CHANNELS

GUILD, OTHER_GUILD, USER = "290926798626357999", "290926798626358000", "53908232506183680"

WEST_MARCHES = {
    "id": "west-marches", "title": "West Marches",
    "channels": [
        {"name": "Town Square", "type": "text"},
        {"name": "Tavern", "type": "voice"},
        {"name": "expedition reports", "type": "Forum"},
        {"name": "gm-notes", "type": "text", "gm_only": True},
    ],
}
WEST_MARCHES_YAML = b"""\
# A sandbox: many players, many GMs, sessions scheduled by the players.
id: west-marches
title: West Marches
channels:
  - {name: Town Square, type: text}
  - name: Tavern
    type: voice
  - name: expedition reports
    type: Forum
  - name: gm-notes
    type: text
    gm_only: yes
"""


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
        ChannelSpec("expedition-reports", "forum"), ChannelSpec("gm-notes", "text", True)))


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
    (b"[" * 60_000, "t.json", "file: nested too deeply"),
    (b'{"id": "t", "id": "u", "title": "T", "channels": [{"name": "a", "type": "text"}]}', "t.json",
     "id: appears twice; keep one"),
    (b"id: t\ntitle: T\nchannels:\n  - name: a\n    name: b\n    type: text\n", "t.yaml",
     "channels[0].name: appears twice; keep one"),
    (b"!!python/object/apply:os.system ['true']", "t.yaml", "file: not valid YAML:"),
])
def test_file_level_errors(content, filename, expected):
    errors = errors_of(content, filename)
    assert any(expected in error for error in errors), errors


def test_yaml_error_gives_line_and_column():
    [error] = errors_of(b"id: t\ntitle: T\nchannels:\n  - {name: a, type: text\n", "t.yaml")
    assert error.startswith("file: not valid YAML:") and "line 5" in error


# -- built-ins ----------------------------------------------------------------------------------


def test_every_builtin_passes_the_upload_schema():
    templates = builtin_templates()
    assert [t.id for t in templates][0] == "default"
    assert {"default", "one-shot", "play-by-post"} <= {t.id for t in templates}
    for template in templates:
        path = lib.TEMPLATE_DIR / f"{template.id}.json"
        assert lib.validate(json.loads(path.read_text())) == template
        assert lib.validate(lib.template_to_dict(template)) == template
        assert len(template.channels) <= lib.MAX_CHANNELS
        # Names are already what Discord will show, so the build never "renames" one.
        assert all(c.name == lib.normalise_channel_name(c.name, c.type) for c in template.channels)
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


@pytest.fixture(scope="module")
def shared_aws():
    """One moto world for the module (building it per test costs half a second); see `aws`."""
    from moto import mock_aws

    from tests.support.aws import AwsResources

    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_REGION", "us-east-1")
        with mock_aws():
            yield AwsResources.create()


@pytest.fixture
def aws(shared_aws):
    """The shared moto world, emptied: no queued tasks, no table items."""
    shared_aws.drain()
    db, table = shared_aws.dynamodb, shared_aws.table_name
    for item in db.scan(TableName=table, ProjectionExpression="guild_id, campaign_key").get("Items", []):
        db.delete_item(TableName=table, Key=item)
    return shared_aws


@pytest.fixture
def library(aws):
    return TemplateLibrary(aws.dynamodb, aws.table_name)


def west(**changes) -> Template:
    return lib.validate({**WEST_MARCHES, **changes})


def test_library_put_get_list_remove(library, aws):
    assert library.put(GUILD, west(), author_id=USER) is False
    assert library.get(GUILD, "west-marches") == west()
    assert library.get(GUILD, " West-Marches ") == west()  # what a user may type
    assert library.get(OTHER_GUILD, "west-marches") is None
    assert library.get(GUILD, "nope") is None and library.get(GUILD, "not an id!") is None
    assert library.get(GUILD, "default") == load_template("default")
    assert library.get(None, "one-shot").id == "one-shot"

    assert library.put(GUILD, west(title="West Marches II"), author_id=USER) is True
    listed = library.list(GUILD)
    assert [(t.id, builtin) for t, builtin in listed] == [
        ("default", True), ("one-shot", True), ("play-by-post", True), ("west-marches", False)]
    assert listed[-1][0].title == "West Marches II"
    assert [t.id for t, _ in library.list(OTHER_GUILD)] == ["default", "one-shot", "play-by-post"]

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
        "default", "one-shot", "play-by-post", "shotgun-wedding", "west-marches"]
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


# -- /campaign-template -------------------------------------------------------------------------


def invocation(subcommand, options=(), *, guild_id=GUILD, permissions=MANAGE_CHANNELS, resolved=None,
               command="campaign-template", focused=None, interaction_id="786008729715212338"):
    opts = [{"type": o[2] if len(o) > 2 else 3, "name": o[0], "value": o[1],
             **({"focused": True} if o[0] == focused else {})} for o in options]
    data = {"id": "1", "name": command, "type": 1,
            "options": [{"type": 1, "name": subcommand, "options": opts}] if subcommand else opts}
    if resolved:
        data["resolved"] = resolved
    payload = {"type": 4 if focused else 2, "id": interaction_id, "token": "A_UNIQUE_TOKEN", "data": data,
               "app_permissions": "0"}
    user = {"id": USER, "username": "Mason"}
    if guild_id:
        payload.update(guild_id=guild_id, member={"user": user, "permissions": str(permissions)})
    else:
        payload["user"] = user
    return Invocation.from_payload(payload)


@pytest.fixture
def deps(aws, library):
    return SimpleNamespace(templates=library, tasks=TaskQueue(aws.sqs, aws.queue_url))


def content(response) -> str:
    assert response["type"] == 4
    assert response["data"]["flags"] == 64 and response["data"]["allowed_mentions"] == {"parse": []}
    assert len(response["data"]["content"]) <= 2000
    return response["data"]["content"]


def test_list_shows_builtins_and_the_servers_templates(deps):
    deps.templates.put(GUILD, west(title="West **Marches**"), author_id=USER)
    text = content(campaign_template(invocation("list"), deps))
    assert "• `default` — Full campaign: 10 channels: 5 text, 1 voice, 4 forum; 2 GM-only" in text
    assert "• `one-shot`" in text and "• `play-by-post`" in text
    assert "**This server's** (1 of 25)" in text
    assert "West \\*\\*Marches\\*\\*" in text  # user text can't restyle the message
    empty = content(campaign_template(invocation("list", guild_id=OTHER_GUILD), deps))
    assert "None yet: upload a JSON or YAML file with `/campaign-template import`." in empty


def test_show_lists_channels_in_order(deps):
    text = content(campaign_template(invocation("show", [("name", "default")]), deps))
    assert text.startswith("**Full campaign** (`default`, built-in) — 10 channels")
    assert "1. #announcements\n2. #general" in text and "5. #gm-notes 🔒 GM only" in text
    assert "6. 🔊 voice-chat" in text and "7. 💬 character-sheets" in text
    # A copy to start a server template from: it imports once its id is changed.
    source = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    copied = parse_template_file(source.replace('"id": "default"', '"id": "my-default"').encode(), "c.json")
    assert copied.channels == load_template("default").channels

    deps.templates.put(GUILD, west(), author_id=USER)
    assert "(`west-marches`, this server's)" in content(
        campaign_template(invocation("show", [("name", "West-Marches")]), deps))
    missing = content(campaign_template(invocation("show", [("name", "nope")]), deps))
    assert "There is no template named “nope”." in missing


def test_remove_deletes_only_the_servers_own(deps):
    deps.templates.put(GUILD, west(), author_id=USER)
    text = content(campaign_template(invocation("remove", [("name", "west-marches")]), deps))
    assert text.startswith("🗑️ Removed the template `west-marches`.")
    assert deps.templates.get(GUILD, "west-marches") is None
    assert "There is no template named" in content(
        campaign_template(invocation("remove", [("name", "west-marches")]), deps))
    refused = content(campaign_template(invocation("remove", [("name", "default")]), deps))
    assert "I can't remove “default”." in refused and "built-ins can't be removed" in refused


def test_changing_templates_needs_manage_channels(deps, aws):
    deps.templates.put(GUILD, west(), author_id=USER)
    text = content(campaign_template(invocation("remove", [("name", "west-marches")], permissions=0), deps))
    assert "You need the Manage Channels permission" in text
    assert deps.templates.get(GUILD, "west-marches") is not None
    assert "Manage Channels" in content(campaign_template(invocation("import", permissions=0), deps))
    assert "default" in content(campaign_template(invocation("list", permissions=0), deps))
    assert aws.drain() == []


def test_outside_a_server_it_explains(deps):
    assert "only works inside a server" in content(campaign_template(invocation("list", guild_id=None), deps))


def attachment(filename="west.yaml", size=300, url="https://cdn.example.invalid/attachments/1/2/west.yaml"):
    return {"id": "1197", "filename": filename, "size": size, "url": url, "proxy_url": url}


def import_invocation(att):
    resolved = {"attachments": {att["id"]: att}} if att else None
    return invocation("import", [("file", att["id"] if att else "1197", 11)], resolved=resolved)


def test_import_queues_a_task_and_defers_ephemerally(deps, aws):
    response = campaign_template(import_invocation(attachment()), deps)
    assert response == {"type": 5, "data": {"flags": 64}}
    [message] = aws.drain()
    assert message["group"] == GUILD
    assert message["body"] == {
        "guild_id": GUILD, "campaign_key": "", "run": "786008729715212338", "step": 0,
        "kind": "template_import",
        "args": {"token": "A_UNIQUE_TOKEN", "url": attachment()["url"], "filename": "west.yaml",
                 "user_id": USER}}


@pytest.mark.parametrize("att, expected", [
    (None, "I didn't receive a file."),
    (attachment(filename="west.txt"), "“west.txt” isn't a template file."),
    (attachment(size=70 * 1024), "“west.yaml” is 70 KiB."),
    (attachment(size=0), "“west.yaml” is empty."),
])
def test_import_refuses_what_cannot_be_a_template_at_once(deps, aws, att, expected):
    assert expected in content(campaign_template(import_invocation(att), deps))
    assert aws.drain() == []


def test_import_says_try_again_when_the_queue_is_down(deps):
    class DownQueue:
        errors = (EnqueueFailed,)

        def enqueue(self, tasks):
            raise EnqueueFailed("SQS refused")

    deps.tasks = DownQueue()
    text = content(campaign_template(import_invocation(attachment()), deps))
    assert "I couldn't start importing the template." in text and "again in a minute" in text


def test_template_autocomplete(deps):
    deps.templates.put(GUILD, west(), author_id=USER)
    add = invocation(None, [("name", "Strahd"), ("template", "we")], command="add-campaign", focused="template")
    assert template_autocomplete(add, deps) == {"type": 8, "data": {"choices": [
        {"name": "West Marches (west-marches, 4 channels, this server)", "value": "west-marches"}]}}
    show = invocation("show", [("name", "")], focused="name")
    assert len(template_autocomplete(show, deps)["data"]["choices"]) == 4
    remove = invocation("remove", [("name", "")], focused="name")
    assert [c["value"] for c in template_autocomplete(remove, deps)["data"]["choices"]] == ["west-marches"]
    other = invocation(None, [("name", "x")], command="add-campaign", focused="name")
    assert template_autocomplete(other, deps) == {"type": 8, "data": {"choices": []}}


# -- an import end to end: the file on Discord's CDN (emulated), the answer edited ------------------


@pytest.fixture
def world(emu, aws, library):
    guild = emu.add_guild(name="The Marches")
    gm = emu.add_member(guild, name="gm", permissions=MANAGE_CHANNELS)
    front = SimpleNamespace(templates=library, tasks=TaskQueue(aws.sqs, aws.queue_url))
    worker = SimpleNamespace(rest=DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 2.0)),
                             templates=library, application_id=emu.application_id)

    def upload(filename, data, **attachment_kwargs):
        """/campaign-template import with the file: answered, acknowledged; returns (task, token)."""
        att = emu.add_attachment(filename, data, **attachment_kwargs)
        payload = emu.create_interaction(guild, gm, "campaign-template", attachments=[att], options=[
            {"type": 1, "name": "import", "options": [{"type": 11, "name": "file", "value": att["id"]}]}])
        response = campaign_template(Invocation.from_payload(payload), front)
        emu.acknowledge(payload, response)
        [message] = aws.drain()
        return Task.from_body(json.dumps(message["body"])), payload["token"], att

    return SimpleNamespace(guild=guild, gm=gm, worker=worker, upload=upload, library=library)


def cdn_requests(emu):
    return [r for r in emu.requests if r.path.startswith("/attachments/")]


def test_import_end_to_end_saves_and_tells_the_user(emu, world):
    task, token, att = world.upload("west.yaml", WEST_MARCHES_YAML)
    assert att["size"] == len(WEST_MARCHES_YAML) and att["content_type"].startswith("application/x-yaml")
    run_template_import(task, world.worker)

    original = emu.original_message(token)
    assert original["flags"] & 64 and not original["loading"]
    assert original["allowed_mentions"] == {"parse": []}
    assert original["content"].startswith(
        "✅ Template `west-marches` (West Marches) saved: 4 channels: 2 text, 1 voice, 1 forum; 1 GM-only.")
    assert "#town-square, 🔊 Tavern, 💬 expedition-reports, #gm-notes 🔒" in original["content"]
    assert world.library.get(world.guild, "west-marches") == parse_template_file(WEST_MARCHES_YAML, "w.yaml")

    [download] = cdn_requests(emu)
    assert download.status == 200 and "authorization" not in download.headers
    edit = next(r for r in emu.requests if r.method == "PATCH")
    assert "authorization" not in edit.headers

    # A second upload of the same id replaces it, and says so.
    task, token, _ = world.upload("west.json", json.dumps({**WEST_MARCHES, "title": "West Marches 2"}).encode())
    run_template_import(task, world.worker)
    assert "replacing the earlier version" in emu.original_message(token)["content"]
    assert world.library.get(world.guild, "west-marches").title == "West Marches 2"


def test_import_of_a_broken_file_lists_every_error_and_saves_nothing(emu, world):
    broken = b"id: Broken One\ntitle: Broken\nchannels:\n  - {name: Stage, type: stage}\n  - {name: x, gm_only: 1}\n"
    task, token, _ = world.upload("broken.yml", broken)
    run_template_import(task, world.worker)
    text = emu.original_message(token)["content"]
    assert text.startswith("❌ **I couldn't import “broken.yml”: it has 4 problems.**")
    for where in ("• id: use lowercase", "• channels\\[0\\].type: must be one of text, voice, forum",
                  "• channels\\[1\\].type: required", "• channels\\[1\\].gm\\_only: must be true or false"):
        assert where in text
    assert "**What to do:**" in text
    assert [t.id for t, builtin in world.library.list(world.guild) if not builtin] == []


def test_import_with_many_errors_fits_one_message(emu, world):
    channels = [{"name": f"channel {i} " + "x" * 60, "type": "hologram"} for i in range(45)]
    task, token, _ = world.upload("many.json", json.dumps({"id": "many", "title": "M", "channels": channels}).encode())
    run_template_import(task, world.worker)
    text = emu.original_message(token)["content"]
    assert len(text) <= 2000 and "it has 45 problems" in text
    assert "...and " in text and " more\n**What to do:**" in text


def test_expired_upload_asks_for_a_new_one(emu, world):
    task, token, att = world.upload("west.yaml", WEST_MARCHES_YAML)
    emu.expire_attachment(att["id"])
    run_template_import(task, world.worker)
    text = emu.original_message(token)["content"]
    assert "I couldn't download “west.yaml”." in text and "(HTTP 404)" in text and "attach the file anew" in text


def test_cdn_outage_is_retried_then_reported_on_the_last_attempt(emu, world):
    task, token, _ = world.upload("west.yaml", WEST_MARCHES_YAML)
    emu.faults.fail_next(2, status=503, path_regex=r"^/attachments/")
    with pytest.raises(DiscordUnavailable):
        run_template_import(task, world.worker)
    assert emu.original_message(token)["loading"]  # nothing told yet: SQS will retry
    run_template_import(task, world.worker, last_attempt=True)
    assert "Discord or my storage kept failing" in emu.original_message(token)["content"]
    run_template_import(task, world.worker)  # the outage is over
    assert "saved" in emu.original_message(token)["content"]


def test_an_expired_interaction_token_does_not_fail_the_task(emu, world):
    task, token, _ = world.upload("west.yaml", WEST_MARCHES_YAML)
    emu.expire_token(token)
    run_template_import(task, world.worker)  # saved; nobody left to tell, no retry
    assert world.library.get(world.guild, "west-marches") is not None


def test_the_emulated_cdn_refuses_unsigned_links(emu):
    att = emu.add_attachment("a.json", b"{}")
    import requests
    assert requests.get(att["url"], timeout=2).content == b"{}"
    assert requests.get(att["url"].split("?")[0], timeout=2).status_code == 404
    assert requests.get(att["url"].replace("hm=", "hm=0"), timeout=2).status_code == 404
    assert requests.post(att["url"], timeout=2).status_code == 405
