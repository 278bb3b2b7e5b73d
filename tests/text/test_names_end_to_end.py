"""Names through the whole bot: one campaign per name however it is typed, emoji names accepted,
and wherever a name is shown it reads as typed (no markdown, no mentions)."""

import pytest

from channelwright.discord import permissions as p
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS


@pytest.fixture
def server(emu):
    guild = emu.add_guild(name="Names", bot_permissions=BOT_PERMISSIONS)
    return guild, emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)


def run(bot, emu, guild, user, command, **options):
    payload = emu.create_interaction(guild, user, command,
                                     options=[{"type": 3, "name": k, "value": v} for k, v in options.items()])
    reply = bot.interact(payload)
    bot.run_worker()
    return payload, reply


@pytest.mark.parametrize("first, second", [("Café", "Cafe\u0301"), ("Cafe\u0301", "CAFÉ"),
                                           ("Ångström", "A\u030angstro\u0308m")])
def test_a_name_typed_composed_or_decomposed_is_one_campaign(bot, emu, server, first, second):
    guild, gm = server
    run(bot, emu, guild, gm, "add-campaign", name=first)
    _, reply = run(bot, emu, guild, gm, "add-campaign", name=second)
    assert "already exists in this server" in reply["data"]["content"]
    assert len(bot.aws.items()) == 1


@pytest.mark.parametrize("name", ["👩\u200d🚀 Starfarers", "👨\u200d💻 dev-notes", "🏳\ufe0f\u200d🌈 Pride Night"])
def test_emoji_sequence_names_build_their_roles_and_category(bot, emu, server, name):
    guild, gm = server
    payload, reply = run(bot, emu, guild, gm, "add-campaign", name=name)
    assert reply == {"type": 5}
    assert emu.original_message(payload["token"])["content"].startswith(f"✅ Campaign ready: {name}")
    assert {r["name"] for r in emu.guild_roles(guild)} >= {f"{name} Players", f"{name} GM"}


@pytest.mark.parametrize("name", ["\u3164", "\u2800\u2800", "\u034f", "\u115f\u1160", "Zero\u200bWidth"])
def test_blank_looking_names_are_refused(bot, emu, server, name):
    guild, gm = server
    _, reply = run(bot, emu, guild, gm, "add-campaign", name=name)
    assert "invisible or control characters" in reply["data"]["content"]
    assert bot.aws.items() == []


NAME = "**Bold** __x__ <@&1> `y`"
SHOWN = "\\*\\*Bold\\*\\* \\_\\_x\\_\\_ \\<@&1\\> \\`y\\`"


def test_a_name_with_markdown_reads_as_typed_everywhere(bot, emu, server):
    guild, gm = server
    build, _ = run(bot, emu, guild, gm, "add-campaign", name=NAME)
    shown = {"summary": emu.original_message(build["token"])["content"]}
    _, reply = run(bot, emu, guild, gm, "list-campaigns")
    shown["list"] = reply["data"]["content"]
    info, _ = run(bot, emu, guild, gm, "campaign-info", name=NAME)
    shown["info"] = emu.original_message(info["token"])["content"]
    _, reply = run(bot, emu, guild, gm, "delete-campaign", name=NAME)
    shown["delete confirmation"] = reply["data"]["content"]
    _, reply = run(bot, emu, guild, gm, "add-campaign", name=NAME)
    shown["already exists"] = reply["data"]["content"]
    for where, text in shown.items():
        assert SHOWN in text, where
        assert NAME not in text, where

    delete = emu.create_interaction(guild, gm, "delete-campaign", options=[{"type": 3, "name": "name", "value": NAME}])
    confirm = bot.interact(delete)
    click = emu.click(delete["token"], gm, confirm["data"]["components"][0]["components"][0]["custom_id"])
    assert SHOWN in bot.interact(click)["data"]["content"]
    bot.run_worker()
    assert SHOWN in emu.original_message(click["token"])["content"]
