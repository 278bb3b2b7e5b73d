"""`/campaign-template export`: a campaign's layout as a template file that imports again, end to
end (signed interactions in, the worker on moto's SQS, Discord emulated)."""

import pytest
import requests

from channelwright.campaigns.channel_presence import Presence
from channelwright.campaigns.plan import GM_ONLY, PARTY, ChannelSpec, Template
from channelwright.templates.export import template_id
from channelwright.templates.files import parse_template_file
from tests.support.servers import final_text, run

NAME = "Curse of Strahd"
CATEGORY, TEXT, VOICE = 4, 0, 2


def export_options(name=NAME):
    return [{"type": 1, "name": "export", "options": [{"type": 3, "name": "name", "value": name}]}]


def build(bot, guild, user, name=NAME, **kwargs):
    bot.add_campaign(guild, user, name=name, **kwargs)
    bot.run_worker()
    assert bot.campaign(guild, name).status == "completed"


def channels_in(emu, guild, category_name):
    [category] = [c for c in emu.guild_channels(guild) if c["type"] == CATEGORY and c["name"] == category_name]
    return sorted((c for c in emu.guild_channels(guild) if c.get("parent_id") == category["id"]),
                  key=lambda c: c["position"])


def answer(emu, token) -> tuple[str, dict]:
    """What the asker gets: one message only they can see, its text and the attached file (no
    follow-ups)."""
    original = emu.original_message(token)
    assert original["flags"] & 64
    assert emu.followup_messages(token) == []
    [attachment] = original["attachments"]
    return original["content"], attachment


def file_of(attachment: dict) -> bytes:
    """The attached file, downloaded from its URL as the user (or the import) would."""
    downloaded = requests.get(attachment["url"], timeout=5)
    assert downloaded.status_code == 200 and len(downloaded.content) == attachment["size"]
    return downloaded.content


def test_export_gives_the_layout_as_named_now_and_it_imports_and_builds_again(bot, emu, guild, gm):
    """A GM renamed #general and deleted #dice-rolls by hand; the export has the new name, leaves
    the deleted one out and says so; imported, the file builds a campaign with that layout."""
    build(bot, guild, gm)
    made = {c["name"]: c for c in channels_in(emu, guild, NAME)}
    bot.worker.api.modify_channel(made["general"]["id"], {"name": "tavern-talk"}, reason="a GM renames it")
    emu.delete_channel(made["dice-rolls"]["id"])

    payload, reply, _ = run(bot, guild, gm, "campaign-template", export_options("curse  OF strahd"))
    assert reply == {"type": 5, "data": {"flags": 64}}
    text, attachment = answer(emu, payload["token"])
    assert text.startswith("📄 **Curse of Strahd**'s layout: 9 channels: 4 text, 1 voice, 4 forum; 2 GM-only.\n"
                           "Add the attached `curse-of-strahd.yaml`"), text
    assert "Left out, deleted by hand: dice-rolls." in text and "```" not in text
    assert attachment["filename"] == "curse-of-strahd.yaml"
    assert attachment["content_type"] == "application/yaml"
    template = parse_template_file(file_of(attachment), "curse-of-strahd.yaml")
    assert template.id == "curse-of-strahd" and template.title == NAME
    assert [(c.name, c.type, c.gm_only) for c in template.channels] == [
        ("announcements", "text", False), ("tavern-talk", "text", False), ("session-notes", "text", False),
        ("gm-notes", "text", True), ("voice-chat", "voice", False), ("character-sheets", "forum", False),
        ("lore-and-worldbuilding", "forum", False), ("maps-and-handouts", "forum", False),
        ("gm-planning", "forum", True)]

    # The export's own attachment, imported by its URL as Discord hands it over.
    imported = emu.create_interaction(guild, gm, "campaign-template", attachments=[attachment], options=[
        {"type": 1, "name": "import", "options": [{"type": 11, "name": "file", "value": attachment["id"]}]}])
    bot.interact(imported)
    bot.run_worker()
    assert final_text(emu, imported["token"]).startswith("✅ Template `curse-of-strahd` (Curse of Strahd) saved")

    again = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "Tomb of Annihilation"},
        {"type": 3, "name": "template", "value": "curse-of-strahd"}])
    bot.interact(again)
    bot.run_worker()
    rebuilt = channels_in(emu, guild, "Tomb of Annihilation")
    assert [c["name"] for c in rebuilt] == [c.name for c in template.channels]


def test_a_player_may_not_export_a_layout_naming_gm_only_channels(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    payload, _, text = run(bot, guild, player, "campaign-template", export_options())
    assert "export its layout" in text and "```" not in text, text
    assert emu.followup_messages(payload["token"]) == []
    assert emu.original_message(payload["token"])["attachments"] == []


def test_export_of_an_unknown_campaign_is_refused_at_once(bot, emu, guild, gm):
    payload = emu.create_interaction(guild, gm, "campaign-template", options=export_options("Tomb"))
    reply = bot.interact(payload)
    assert reply["type"] == 4 and reply["data"]["flags"] == 64
    assert reply["data"]["content"].startswith("❌ **There is no campaign named “Tomb” in this server.**")


def test_export_suggests_campaigns_not_templates(bot, emu, guild, gm):
    build(bot, guild, gm)
    payload = emu.create_interaction(guild, gm, "campaign-template", options=[
        {"type": 1, "name": "export", "options": [{"type": 3, "name": "name", "value": "curse", "focused": True}]}])
    payload["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
    answer = bot.interact_raw(payload)
    assert answer == {"type": 8, "data": {"choices": [{"name": NAME, "value": NAME}]}}


def test_a_layout_far_longer_than_a_message_is_still_one_file(bot, emu, guild, gm):
    """45 channels of 100-character names: thousands of characters, past a message's 2000, in
    one attached file that reads back as the layout."""
    channels = tuple(ChannelSpec(f"{i:02d}-" + "x" * 97, "text", GM_ONLY if i % 2 == 0 else PARTY) for i in range(45))
    template = Template("long-campaign", "Long Campaign", channels)
    from channelwright.campaigns.plan import build_plan
    from channelwright.campaigns.store import Campaign
    from channelwright.templates.export import export
    campaign = Campaign("1", "long campaign", "Long Campaign", "x",
                        [s.to_dict() for s in build_plan("Long Campaign", template)], "2", "t", "3", "u")
    made = export(campaign, Presence())
    assert len(made.file_text) > 4000
    payload = emu.create_interaction(guild, gm, "campaign-template", options=export_options())
    emu.acknowledge(payload, {"type": 5, "data": {"flags": 64}})
    from channelwright.commands.template_export import YAML_MEDIA_TYPE, answer_text, answer_with_file
    from channelwright.discord.files import File
    answer_with_file(bot.worker, payload["token"], answer_text(campaign.name, made),
                     File(made.filename, made.file_text.encode(), YAML_MEDIA_TYPE))
    text, attachment = answer(emu, payload["token"])
    assert len(text) <= 2000 and attachment["filename"] == "long-campaign.yaml"
    assert file_of(attachment).decode() == made.file_text
    assert parse_template_file(file_of(attachment), made.filename) == template


def test_template_ids_from_campaign_names():
    assert template_id("Curse of Strahd") == "curse-of-strahd"
    assert template_id("Default") == "default-campaign"  # a built-in's id is taken
    assert template_id("🐉🐉") == "campaign"
    assert template_id("Ædventure — " + "a" * 40) == "dventure-" + "a" * 23


def test_discord_failing_once_mid_export_is_retried_and_the_file_still_arrives(bot, emu, guild, gm):
    build(bot, guild, gm)
    bot.rest._max_retries = 0  # the failure reaches the worker: the queue delivers the task again
    emu.faults.fail_next(1, status=503, method="GET", path_regex=r"^/guilds/\d+/channels$")
    payload, _, _ = run(bot, guild, gm, "campaign-template", export_options())
    listings = [r.status for r in emu.requests if r.route == "GET /guilds/{guild_id}/channels"]
    assert listings[-2:] == [503, 200]
    text, attachment = answer(emu, payload["token"])
    assert text.startswith("📄 **Curse of Strahd**'s layout: 10 channels")
    assert len(parse_template_file(file_of(attachment), "x.yaml").channels) == 10


def test_discord_failing_every_time_tells_the_asker_on_the_last_attempt(bot, emu, guild, gm):
    build(bot, guild, gm)
    bot.rest._max_retries = 0
    emu.faults.fail_next(1000, status=503, method="GET", path_regex=r"^/guilds/\d+/channels$")
    payload, _, text = run(bot, guild, gm, "campaign-template", export_options())
    assert text.startswith("❌ **Discord kept failing, so I gave up.**"), text
    assert "```" not in text


FULL_LAYOUT = [
    ("announcements", "text", False), ("general", "text", False), ("session-notes", "text", False),
    ("dice-rolls", "text", False), ("gm-notes", "text", True), ("voice-chat", "voice", False),
    ("character-sheets", "forum", False), ("lore-and-worldbuilding", "forum", False),
    ("maps-and-handouts", "forum", False), ("gm-planning", "forum", True)]


def archive_options(mode):
    return [{"type": 3, "name": "name", "value": NAME}, {"type": 3, "name": "mode", "value": mode}]


@pytest.mark.parametrize("mode", ["lock", "collapse"])
def test_an_archived_campaign_exports_the_layout_it_had_before_the_archive(bot, emu, guild, gm, mode):
    """Locked or collapsed, the export is the campaign's layout as it stood before the archive:
    a collapse's deletions aren't "deleted by hand", nor are its transcript channels' new names
    the layout's; the file imports again."""
    build(bot, guild, gm)
    run(bot, guild, gm, "archive-campaign", archive_options(mode))
    assert bot.campaign(guild, NAME).status == "archived"

    payload, _, _ = run(bot, guild, gm, "campaign-template", export_options())
    text, attachment = answer(emu, payload["token"])
    assert text.startswith("📄 **Curse of Strahd**'s layout: 10 channels: 5 text, 1 voice, 4 forum; "
                           "2 GM-only.\n"), text
    assert "Left out" not in text, text
    template = parse_template_file(file_of(attachment), attachment["filename"])
    assert [(c.name, c.type, c.gm_only) for c in template.channels] == FULL_LAYOUT
