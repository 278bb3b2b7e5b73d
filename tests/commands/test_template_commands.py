"""`/campaign-template` answers and the template autocomplete, and an import end to end (Discord
emulated, its CDN too)."""

import json
from types import SimpleNamespace

import pytest

from channelwright.commands.definitions import Invocation
from channelwright.discord.api import DiscordApi
from channelwright.discord.rest import DiscordRest
from channelwright.discord.downloads import DownloadFailed
from channelwright.campaigns.plan import load_template
from channelwright.tasks.queue import EnqueueFailed, Task, TaskQueue
from channelwright import interactions
from channelwright.commands import campaign_template as template_commands
from channelwright.commands.campaign_template import remove_text, run_template_import, template_autocomplete
from channelwright.templates.files import parse_template_file
from discord_emulator import MANAGE_CHANNELS
from tests.support import templates as support
from tests.support.bot import emulator_cdn
from tests.support.templates import GUILD, OTHER_GUILD, USER, WEST_MARCHES, WEST_MARCHES_YAML, west

# The fixtures: one moto world for the module, emptied for each test, and a library on it.
shared_aws, aws, library = support.shared_aws, support.aws, support.library


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


def campaign_template(invocation, deps) -> dict:
    """/campaign-template as the interactions endpoint answers it (a Refusal becomes the answer)."""
    return interactions.dispatch(template_commands.campaign_template, invocation, deps)


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


def test_show_marks_each_access_mode_and_says_what_the_marks_mean(deps):
    modes = {"id": "modes", "title": "Every mode", "channels": [
        {"name": "table", "type": "text"}, {"name": "news", "type": "text", "access": "gm-posts"},
        {"name": "backstage", "type": "text", "access": "players-only"},
        {"name": "letters", "type": "text", "access": "per-player"},
        {"name": "arena", "type": "voice", "access": "spectators"},
        {"name": "secrets", "type": "text", "access": "gm-only"}]}
    deps.templates.put(GUILD, parse_template_file(json.dumps(modes).encode(), "m.json"), author_id=USER)
    text = content(campaign_template(invocation("show", [("name", "modes")]), deps))
    assert "1. #table\n2. 📢 #news\n3. 🙊 #backstage\n4. 🧵 #letters\n5. 👁 🔊 arena\n6. 🔒 #secrets\n" in text
    assert ("🔒 = game masters only.\n📢 = game masters post; players read (in voice: listen, not speak).\n"
            "🙊 = players only") in text
    assert "🧵 = game masters post; each player gets a private thread there" in text
    assert "👁 = spectators read it too" in text
    # The copy to adapt keeps every mode.
    source = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert [c.access for c in parse_template_file(source.encode(), "c.json").channels] == [
        "party", "gm-posts", "players-only", "per-player", "spectators", "gm-only"]


def test_show_lists_channels_in_order(deps):
    text = content(campaign_template(invocation("show", [("name", "default")]), deps))
    assert text.startswith("**Full campaign** (`default`, built-in) — 10 channels")
    assert "1. #announcements\n2. #general" in text and "5. 🔒 #gm-notes" in text
    assert "🔒 = game masters only." in text
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
    """The worker's half (remove_text), once the caller was found a server manager."""
    deps.templates.put(GUILD, west(), author_id=USER)
    text = remove_text(GUILD, "west-marches", deps)
    assert text.startswith("🗑️ Removed the template `west-marches`.")
    assert deps.templates.get(GUILD, "west-marches") is None
    assert "There is no template named" in remove_text(GUILD, "west-marches", deps)
    refused = remove_text(GUILD, "default", deps)
    assert "I can't remove “default”." in refused and "built-ins can't be removed" in refused


def test_changing_templates_is_decided_in_the_worker(deps, aws):
    """import and remove need Manage Channels from the caller's roles, which only the server's
    roles tell (tests/campaigns/test_permissions.py runs that end to end); list is anyone's at once."""
    deps.templates.put(GUILD, west(), author_id=USER)
    reply = campaign_template(invocation("remove", [("name", "west-marches")], permissions=0), deps)
    assert reply == {"type": 5, "data": {"flags": 64}}
    assert deps.templates.get(GUILD, "west-marches") is not None, "nothing happens before the check"
    [message] = aws.drain()
    assert message["body"]["kind"] == "template_remove"
    assert message["body"]["args"]["needs"] == "server managers"
    assert message["body"]["args"]["name"] == "west-marches"
    assert "default" in content(campaign_template(invocation("list", permissions=0), deps))


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
                 "user_id": USER, "caller": {"id": USER, "roles": []}, "needs": "server managers",
                 "doing": "change this server's templates", "channel_id": ""}}


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
    assert len(template_autocomplete(show, deps)["data"]["choices"]) == 6  # five built-ins and west-marches
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
    rest = DiscordRest(emu.base_url, emu.bot_token, timeout=(1.0, 2.0))
    worker = SimpleNamespace(rest=rest, api=DiscordApi(rest), templates=library, application_id=emu.application_id,
                             downloads=emulator_cdn(emu))

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
    assert "#town-square, 🔊 Tavern, 💬 expedition-reports, 🔒 #gm-notes\n🔒 = game masters only.\n" in original["content"]
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
    assert [t.id for t, builtin in world.library.available(world.guild) if not builtin] == []


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
    with pytest.raises(DownloadFailed):
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
