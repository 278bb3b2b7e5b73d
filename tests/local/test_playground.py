"""The playground's pieces: Discord's markdown, the interactions the page sends (typed options,
resolved users, members and attachments), and what `serve` answers the page, end to end."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from channelwright_local.discord_side import EmulatedDiscord
from channelwright_local.playground.conversation import Conversation, PlaygroundError
from channelwright_local.playground.markdown import Names, render
from channelwright_local.playground.messages import size_text
from channelwright_local.playground.server_view import everyone_can_view

NAME = "Curse of Strahd"


# -- markdown ------------------------------------------------------------------------------------

def test_discord_markdown_is_drawn_not_shown_raw():
    html = render("**Roles:** __under__ *it* ~~gone~~ `code` ||secret||")
    assert "<strong>Roles:</strong>" in html and "<u>under</u>" in html and "<em>it</em>" in html
    assert "<s>gone</s>" in html and "<code>code</code>" in html
    assert '<span class="spoiler" tabindex="0">secret</span>' in html
    assert "**" not in html and "||" not in html


def test_mentions_show_names_and_timestamps_show_dates():
    names = Names(users={"1": "player"}, roles={"2": "Strahd Players"}, channels={"3": "general"})
    html = render("<@1> <@&2> <#3> <@9> <t:0:D> <t:100:R>", names, now=lambda: 3700)
    assert ">@player<" in html and ">@Strahd Players<" in html and ">#general<" in html
    assert ">@Unknown User<" in html, "an id nobody has, as Discord shows it"
    assert ">01 January 1970<" in html and ">1 hour ago<" in html


def test_blocks_links_and_subtext():
    html = render("# Title\n> quoted\n- one\n- two\n-# small print\n[docs](https://discord.com)")
    assert "<h1>Title</h1>" in html and "<blockquote>" in html and "<li>one</li>" in html
    assert 'class="subtext">small print' in html
    assert '<a href="https://discord.com" target="_blank" rel="noopener noreferrer">docs</a>' in html


def test_a_bots_text_never_becomes_markup():
    html = render('<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))')
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;" in html, "shown as the text it is"


def test_only_web_addresses_become_links_as_in_the_client():
    for target in ("//evil.example", "data:text/html,x", "file:///etc/passwd", "vbscript:x"):
        assert "<a " not in render(f"[x]({target})"), target
    assert '<a href="http://example.com"' in render("[x](http://example.com)")


def test_a_timestamp_past_any_calendar_is_shown_as_its_text_not_an_error():
    assert render("<t:9999999999999:F> and <t:-9999999999999>") == \
        "<p>&lt;t:9999999999999:F&gt; and &lt;t:-9999999999999&gt;</p>\n"


def test_a_file_is_a_link_with_its_name_and_size():
    from channelwright_local.playground.messages import _message
    message = {"id": "5", "content": "the layout", "flags": 64, "attachments": [
        {"id": "6", "filename": "a<b>.yaml", "size": 1536, "url": "http://127.0.0.1:1/attachments/1/6/a.yaml?x=1&y=\""}]}
    shown = _message(message, "t", "u", "campaign-template", Names())
    assert shown["attachments"] == [{"filename": "a<b>.yaml", "size": 1536,
                                     "url": "http://127.0.0.1:1/attachments/1/6/a.yaml?x=1&y=\""}]
    assert ('<a href="http://127.0.0.1:1/attachments/1/6/a.yaml?x=1&amp;y=&quot;" target="_blank" '
            'rel="noopener noreferrer" download>a&lt;b&gt;.yaml</a> <span class="size">1.50 KB</span>') in shown["html"]
    assert shown["html"].startswith("<p>the layout</p>")
    assert (size_text(512), size_text(3 * 1024 * 1024)) == ("512 bytes", "3.00 MB")


# -- the sidebar's lock ----------------------------------------------------------------------------

def test_a_channel_everyone_cannot_view_is_private():
    guild = {"id": "1", "roles": [{"id": "1", "permissions": str(1 << 10)}]}
    assert everyone_can_view(guild, {"permission_overwrites": []})
    denied = {"permission_overwrites": [{"id": "1", "type": 0, "allow": "0", "deny": str(1 << 10)}]}
    assert not everyone_can_view(guild, denied)
    hidden_guild = {"id": "1", "roles": [{"id": "1", "permissions": "0"}]}
    allowed = {"permission_overwrites": [{"id": "1", "type": 0, "allow": str(1 << 10), "deny": "0"}]}
    assert everyone_can_view(hidden_guild, allowed)


# -- the interactions the page sends -----------------------------------------------------------

@pytest.fixture(scope="module")
def discord():
    side = EmulatedDiscord().start()
    try:
        yield side
    finally:
        side.close()


@pytest.fixture
def conversation(discord):
    return Conversation(discord, endpoint="http://127.0.0.1:9/interactions")  # not sent here


def test_a_user_option_is_the_id_with_the_user_and_member_resolved(discord, conversation):
    options, resolved = conversation.options("add-player", None,
                                             {"campaign": NAME, "user": discord.player_id})
    assert options == [{"type": 3, "name": "campaign", "value": NAME},
                       {"type": 6, "name": "user", "value": discord.player_id}]
    assert resolved["users"][discord.player_id]["username"] == "player"
    member = resolved["members"][discord.player_id]
    assert "user" not in member and member["roles"] == []


def test_an_attachment_option_is_its_id_with_the_file_on_the_cdn(discord, conversation):
    uploaded = conversation.upload("mine.json", base64.b64encode(b"{}").decode())
    options, resolved = conversation.options("campaign-template", "import", {"file": uploaded["id"]})
    assert options == [{"type": 1, "name": "import",
                        "options": [{"type": 11, "name": "file", "value": uploaded["id"]}]}]
    attachment = resolved["attachments"][uploaded["id"]]
    assert attachment["filename"] == "mine.json"
    assert attachment["url"].startswith(discord.environment()["TEMPLATE_DOWNLOAD_ORIGINS"] + "/attachments/")


def test_channel_and_role_options_are_ids_with_the_channel_and_role_resolved(discord, conversation):
    emu, guild = discord.emulator, discord.guild_id
    category = emu.add_channel(guild, "Old Campaign", type=4)
    role = emu.add_role(guild, "Heroes")
    options, resolved = conversation.options("adopt-campaign", None,
                                             {"category": category, "players-role": role})
    assert options == [{"type": 7, "name": "category", "value": category},
                       {"type": 8, "name": "players-role", "value": role}]
    assert resolved["channels"][category] == {"id": category, "name": "Old Campaign", "type": 4,
                                              "parent_id": None, "permissions": "0"}
    assert resolved["roles"][role]["name"] == "Heroes"
    text = emu.add_channel(guild, "chat", parent_id=category)
    with pytest.raises(PlaygroundError, match="no such channel"):
        conversation.options("adopt-campaign", None, {"category": text})


def test_the_option_being_typed_is_marked_focused(conversation):
    options, _ = conversation.options("add-campaign", None, {"name": "X", "template": "one"},
                                      focused="template")
    assert options[1] == {"type": 3, "name": "template", "value": "one", "focused": True}


def test_what_the_client_would_not_send_is_refused(discord, conversation):
    with pytest.raises(PlaygroundError, match="required"):
        conversation.options("add-player", None, {"campaign": NAME})
    with pytest.raises(PlaygroundError, match="no member"):
        conversation.options("add-player", None, {"campaign": NAME, "user": "42"})
    with pytest.raises(PlaygroundError, match="needs one of"):
        conversation.options("campaign-template", None, {})
    with pytest.raises(PlaygroundError, match="no command"):
        conversation.options("nope", None, {})


# -- the page's endpoints against `serve` ---------------------------------------------------------

def post(serve, path: str, body: dict) -> dict:
    response = serve.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def state(serve, viewer: str) -> dict:
    return serve.get(f"/local/playground/state?as={viewer}").json()


def wait_for(serve, viewer: str, check, what: str, timeout: float = 40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check(state(serve, viewer))
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen in {timeout} s:\n{serve.output()[-3000:]}")


def said(messages: list, text: str):
    return next((m for m in messages if text in m["content"]), None)


@pytest.fixture(scope="module")
def ids(serve):
    return serve.get("/local/info").json()


def test_the_page_is_served_on_the_same_port(serve):
    page = serve.get("/")
    assert page.status_code == 200 and "Channelwright playground" in page.text
    assert serve.get("/playground/playground.js").headers["content-type"].startswith("text/javascript")


def test_a_template_uploaded_on_the_page_is_imported_and_built(serve, ids):
    gm = ids["gm_id"]
    template = {"id": "heist", "title": "Heist", "channels": [{"name": "planning", "type": "text"},
                                                               {"name": "the-vault", "type": "voice"}]}
    uploaded = post(serve, "/local/playground/attachments", {
        "filename": "heist.json", "content_base64": base64.b64encode(json.dumps(template).encode()).decode()})
    post(serve, "/local/playground/commands", {"as": gm, "command": "campaign-template",
                                               "subcommand": "import", "options": {"file": uploaded["id"]}})
    saved = wait_for(serve, gm, lambda s: said(s["messages"], "Template `heist`"), "the import")
    assert "saved" in saved["content"]

    choices = post(serve, "/local/playground/autocomplete", {
        "as": gm, "command": "add-campaign", "options": {"name": "Job"}, "focused": "template"})["choices"]
    assert "heist" in [c["value"] for c in choices]
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign",
                                               "options": {"name": "The Job", "template": "heist"}})
    wait_for(serve, gm, lambda s: said(s["messages"], "Campaign ready: The Job"), "the build")
    sidebar = state(serve, gm)["server"]["categories"]
    job = next(c for c in sidebar if c["name"] == "The Job")
    assert job["private"] and [c["name"] for c in job["channels"]] == ["planning", "the-vault"]

    post(serve, "/local/playground/commands", {"as": gm, "command": "campaign-template",
                                               "subcommand": "export", "options": {"name": "The Job"}})
    exported = wait_for(serve, gm, lambda s: said(s["messages"], "layout:"), "the export")
    [file] = exported["attachments"]
    assert file["filename"] == "the-job.yaml" and "download>the-job.yaml</a>" in exported["html"]
    downloaded = requests.get(file["url"], timeout=5)
    assert downloaded.status_code == 200 and len(downloaded.content) == file["size"]
    assert b"planning" in downloaded.content
    assert f'<span class="size">{size_text(file["size"])}</span>' in exported["html"]


def test_add_player_with_a_picked_member_then_the_player_sees_the_campaign(serve, ids):
    gm, player = ids["gm_id"], ids["player_id"]
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign", "options": {"name": NAME}})
    wait_for(serve, gm, lambda s: said(s["messages"], f"Campaign ready: {NAME}"), "the build")
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-player",
                                               "options": {"campaign": NAME, "user": player}})
    added = wait_for(serve, gm, lambda s: said(s["messages"], "is now a player"), "the player added")
    assert "<span class=\"mention\">@player</span>" in added["html"]
    assert added["ephemeral"] and added["owner"] == gm

    seen = state(serve, player)
    assert not said(seen["messages"], "is now a player"), "an ephemeral answer is its asker's only"
    campaign = next(c for c in seen["server"]["categories"] if c["name"] == NAME)
    assert "gm-notes" not in [c["name"] for c in campaign["channels"]]
    assert seen["server"]["hidden"] >= 2
    roles = next(m for m in seen["server"]["members"] if m["id"] == player)["roles"]
    assert f"{NAME} Players" in [r["name"] for r in roles]


def test_a_button_press_is_a_component_interaction_on_its_message(serve, ids):
    gm = ids["gm_id"]
    name = "Out of the Abyss"
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign", "options": {"name": name}})
    built = wait_for(serve, gm, lambda s: said(s["messages"], f"Campaign ready: {name}"), "the build")
    post(serve, "/local/playground/commands", {"as": gm, "command": "delete-campaign", "options": {"name": name}})
    confirm = wait_for(serve, gm, lambda s: said(s["messages"], "This can't be undone"), "the confirmation")
    assert [b["label"] for b in confirm["buttons"]] == ["Delete campaign", "Cancel"]
    cancel = next(b for b in confirm["buttons"] if b["label"] == "Cancel")
    post(serve, "/local/playground/press", {"as": gm, "token": confirm["token"], "custom_id": cancel["custom_id"]})
    wait_for(serve, gm, lambda s: said(s["messages"], "Cancelled — nothing was deleted."), "the cancel")

    undo = next(b for b in built["buttons"] if b["label"] == "Undo")
    post(serve, "/local/playground/press", {"as": gm, "token": built["token"], "custom_id": undo["custom_id"]})
    wait_for(serve, gm, lambda s: not any(c["name"] == name for c in s["server"]["categories"]),
             "the campaign gone after Undo")

    response = serve.post("/local/playground/press", json={"as": gm, "token": built["token"],
                                                          "custom_id": "not-a-button"})
    assert response.status_code == 400 and "no button" in response.json()["message"]


def test_trouble_from_the_page_is_met_and_narrated_with_no_duplicates(serve, ids):
    gm, guild = ids["gm_id"], ids["guild_id"]
    assert serve.post("/local/playground/trouble", json={"faults": ["x"]}).status_code == 400
    assert serve.post("/local/playground/trouble", json={"latency": -1}).status_code == 400
    post(serve, "/local/playground/trouble", {"faults": ["429", "lost-replies", "5xx"], "latency": 0})
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign",
                                               "options": {"name": "Storm King's Thunder"}})
    wait_for(serve, gm, lambda s: said(s["messages"], "Campaign ready: Storm King's Thunder"), "the build",
             timeout=90)
    lines = serve.get(f"/local/guilds/{guild}/recovery").json()["lines"]
    assert any(line.startswith("429 on ") and "waited" in line for line in lines), lines
    assert any(line.startswith(("502 on ", "503 on ")) and "retried" in line for line in lines), lines
    assert any(line.startswith("lost reply to POST /guilds/{guild_id}/") and "reconciled" in line
               for line in lines), lines
    assert lines[-1].startswith("0 duplicates"), lines
    assert state(serve, gm)["narration"] == lines


def test_a_latency_the_page_could_not_read_back_is_refused(serve):
    for latency in ("inf", "nan", "1e999", "soon"):
        response = serve.post("/local/playground/trouble", json={"faults": [], "latency": latency})
        assert response.status_code == 400, latency
        assert response.json() == {"message": "latency: seconds, 0 or more"}
    trouble = state(serve, serve.get("/local/info").json()["gm_id"])["trouble"]
    assert trouble["latency"] == 0


def test_a_page_left_open_across_a_restart_is_shown_the_new_server(serve, ids):
    forgotten = "1000000000000000001"  # a member id from a server that no longer exists
    seen = state(serve, forgotten)["server"]
    assert seen["viewer"] == ids["gm_id"]
    assert any(c["name"] == "general" for group in seen["categories"] for c in group["channels"])


# -- buttons on messages the bot posted in a channel -------------------------------------------------

def approval_campaign(serve, gm: str, name: str) -> None:
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign", "options": {"name": name}})
    wait_for(serve, gm, lambda s: said(s["messages"], f"Campaign ready: {name}"), "the build")
    post(serve, "/local/playground/commands", {"as": gm, "command": "campaign-settings",
                                               "options": {"name": name, "joining": "approval"}})
    wait_for(serve, gm, lambda s: said(s["messages"], f"**{name}**: `/join-campaign` asks its GMs"),
             "the settings")


def ask_to_join(serve, gm: str, who: str, name: str) -> dict:
    """`who` asks to join `name`; the request as the GM sees it in the GM channel."""
    post(serve, "/local/playground/commands", {"as": who, "command": "join-campaign", "options": {"name": name}})
    wait_for(serve, who, lambda s: said(s["messages"], f"I asked **{name}**'s GMs"), "the request sent")
    return wait_for(serve, gm, lambda s: next((m for m in s["messages"] if f"<@{who}> asks to join" in m["content"]
                                               and name in m["content"]), None), "the request in the GM channel")


def roles_of(serve, viewer: str, member: str) -> list[str]:
    members = state(serve, viewer)["server"]["members"]
    return [r["name"] for r in next(m for m in members if m["id"] == member)["roles"]]


def press_posted(serve, who: str, message: dict, label: str) -> requests.Response:
    button = next(b for b in message["buttons"] if b["label"] == label)
    return serve.post("/local/playground/press", json={"as": who, "channel_id": message["channel_id"],
                                                      "message_id": message["id"], "custom_id": button["custom_id"]})


def test_the_gm_approves_a_join_request_posted_in_the_gm_channel(serve, ids):
    gm, player = ids["gm_id"], ids["player_id"]
    name = "Tomb of Annihilation"
    approval_campaign(serve, gm, name)
    request = ask_to_join(serve, gm, player, name)
    assert request["channel"] == "gm-notes" and request["token"] == "", "posted in a channel, not a reply"
    assert [b["label"] for b in request["buttons"]] == ["Approve", "Decline"]
    assert not request["ephemeral"]

    seen = state(serve, player)
    assert not any(m["id"] == request["id"] for m in seen["messages"]), "the player can't view #gm-notes"
    refused = press_posted(serve, player, request, "Approve")
    assert refused.status_code == 400
    assert refused.json()["message"] == ("player can't view #gm-notes, so Discord doesn't show them "
                                         "this message or its buttons")
    assert f"{name} Players" not in roles_of(serve, gm, player)

    assert press_posted(serve, gm, request, "Approve").status_code == 200
    updated = wait_for(serve, gm, lambda s: next((m for m in s["messages"] if m["id"] == request["id"]
                                                  and "is now a player in" in m["content"]), None),
                       "the request updated after Approve")
    assert "(approved by game-master)" in updated["content"] and updated["edited"]
    assert updated["buttons"] == [] and updated["channel"] == "gm-notes"
    assert [m["id"] for m in state(serve, gm)["messages"]].count(request["id"]) == 1
    assert f"{name} Players" in roles_of(serve, gm, player)
    wait_for(serve, player, lambda s: said(s["messages"], "the GMs approved you"), "the player welcomed")


def test_the_gm_declines_a_join_request_and_no_role_is_given(serve, ids):
    gm, newcomer = ids["gm_id"], ids["newcomer_id"]
    name = "Princes of the Apocalypse"
    approval_campaign(serve, gm, name)
    request = ask_to_join(serve, gm, newcomer, name)
    assert press_posted(serve, gm, request, "Decline").status_code == 200
    updated = wait_for(serve, gm, lambda s: next((m for m in s["messages"] if m["id"] == request["id"]
                                                  and "was declined by game-master" in m["content"]), None),
                       "the request updated after Decline")
    assert updated["buttons"] == []
    assert f"{name} Players" not in roles_of(serve, gm, newcomer)
    refused = serve.post("/local/playground/press", json={"as": gm, "channel_id": request["channel_id"],
                                                         "message_id": request["id"], "custom_id": "not-a-button"})
    assert refused.status_code == 400 and "no button" in refused.json()["message"]


def test_undo_on_a_summary_posted_in_a_channel_after_the_token_expired_deletes_the_build(serve, ids):
    gm, name = ids["gm_id"], "Dragon Heist"
    post(serve, "/local/playground/trouble", {"faults": ["expired-token"], "latency": 0})
    post(serve, "/local/playground/commands", {"as": gm, "command": "add-campaign", "options": {"name": name}})
    summary = wait_for(serve, gm, lambda s: next((m for m in s["messages"] if m["channel"]
                                                  and f"Campaign ready: {name}" in m["content"]), None),
                       "the summary posted in a channel")
    post(serve, "/local/playground/trouble", {"faults": [], "latency": 0})
    assert summary["token"] == "" and "Undo" in [b["label"] for b in summary["buttons"]]
    assert press_posted(serve, gm, summary, "Undo").status_code == 200
    wait_for(serve, gm, lambda s: not any(c["name"] == name for c in s["server"]["categories"]),
             "the campaign gone after Undo on the posted summary")


def test_approving_a_request_taken_back_closes_it_for_the_gm(serve, ids):
    gm, newcomer = ids["gm_id"], ids["newcomer_id"]
    name = "Storm King's Thunder"
    approval_campaign(serve, gm, name)
    request = ask_to_join(serve, gm, newcomer, name)
    post(serve, "/local/playground/commands", {"as": newcomer, "command": "leave-campaign", "options": {"name": name}})
    wait_for(serve, newcomer, lambda s: said(s["messages"], "You took back your request"), "the request taken back")
    assert press_posted(serve, gm, request, "Approve").status_code == 200
    closed = wait_for(serve, gm, lambda s: next((m for m in s["messages"] if m["id"] == request["id"]
                                                 and "is closed: they took it back" in m["content"]), None),
                      "the request closed")
    assert closed["buttons"] == []
    assert f"{name} Players" not in roles_of(serve, gm, newcomer)
