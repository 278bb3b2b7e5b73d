"""Messages never lose information: an answer too long for one message is laid out in several
(follow-ups from the worker, pages on the request path), never cut mid-word."""

import re

import pytest

from channelwright.discord import permissions as p
from channelwright.text.layout import split_text
from channelwright.text.names import md
from channelwright.campaigns.plan import GM_ONLY, PARTY, ChannelSpec, Template
from channelwright.campaigns.store import Campaign
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS

LIMIT = 2000


def words(text: str) -> list[str]:
    return re.split(r"[\s,]+", text.strip())


@pytest.mark.parametrize("text", [
    "Text: " + ", ".join(f"channel-{i}-" + "x" * 80 for i in range(60)),
    "\n".join(f"• **Campaign {i}** — " + "word " * 30 for i in range(100)),
    " ".join(["supercalifragilistic"] * 400),
    "x" * 4500,                                   # one "word" longer than a message
    "👩\u200d🚀" * 1200,                           # emoji sequences never split inside
    "short",
])
def test_split_text_keeps_every_word_whole_within_the_limit(text):
    parts = split_text(text)
    assert all(0 < len(part) <= LIMIT for part in parts)
    if len(max(words(text), key=len)) <= LIMIT:
        assert words("\n".join(parts)) == words(text)
    else:
        assert "".join(parts) == text
    for part in parts:
        assert not part.startswith("\u200d") and not part.endswith("\u200d")


# -- the build summary: 45 channels with long names, on a server without forums --------------------


def long_template(count=45) -> Template:
    kinds = ("text", "voice", "forum")
    return Template("saga", "A Long Saga", tuple(
        ChannelSpec(f"{i:02}-" + "-".join(["chronicles-of-the-long-road"] * 3), kinds[i % 3],
                    GM_ONLY if i % 7 == 0 else PARTY)
        for i in range(count)))


def seen(emu, token) -> list[str]:
    """Every message the user got for one interaction: the answer, then its follow-ups."""
    return [emu.original_message(token)["content"]] + [m["content"] for m in emu.followup_messages(token)]


def test_a_long_summary_arrives_whole_in_several_messages(bot, emu):
    guild = emu.add_guild(name="Saga", bot_permissions=BOT_PERMISSIONS, forums_enabled=False)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    bot.templates.put(guild, long_template(), author_id=gm)
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "The **Long** Road"}, {"type": 3, "name": "template", "value": "saga"}])
    bot.interact(payload)
    bot.run_worker()

    messages = seen(emu, payload["token"])
    assert len(messages) >= 3 and all(len(m) <= LIMIT for m in messages)
    whole = "\n".join(messages)
    assert messages[0].startswith("✅ Campaign ready: The \\*\\*Long\\*\\* Road")
    for channel in long_template().channels:
        assert channel.name in whole, channel.name
    assert whole.count("was created as a text channel: this server can't have forum channels") == 15
    assert whole.rstrip().endswith("🔒 = game masters only. Give players the Players role to let them in.")
    assert emu.original_message(payload["token"])["components"], "the Undo button stays on the answer"
    assert all(m["allowed_mentions"] == {"parse": []} for m in emu.followup_messages(payload["token"]))


def test_campaign_info_keeps_its_missing_line(bot, emu):
    guild = emu.add_guild(name="Saga", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    bot.templates.put(guild, long_template(), author_id=gm)
    build = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "Saga"}, {"type": 3, "name": "template", "value": "saga"}])
    bot.interact(build)
    bot.run_worker()
    deleted = [c for c in emu.guild_channels(guild) if c["name"].startswith(("1", "3"))][:15]
    for channel in deleted:
        emu.delete_channel(channel["id"])

    payload = emu.create_interaction(guild, gm, "campaign-info", options=[{"type": 3, "name": "name", "value": "saga"}])
    bot.interact(payload)
    bot.run_worker()
    messages = seen(emu, payload["token"])
    assert len(messages) >= 2 and all(len(m) <= LIMIT for m in messages)
    assert all(m["flags"] & 64 for m in emu.followup_messages(payload["token"])), "private, like the answer"
    whole = "\n".join(messages)
    assert f"⚠️ Missing ({len(deleted)}), deleted by hand or never built: " in whole
    for channel in deleted:
        assert channel["name"] in whole


# -- the request path: pages with Previous/Next ------------------------------------------------------


def record_campaigns(bot, guild, gm, count):
    names = [f"{i:02} " + "The Very Long Campaign Name Of Many Words " * 2 + "**end**" for i in range(count)]
    for i, name in enumerate(names):
        bot.store.create(Campaign(
            guild_id=guild, key=name.casefold(), name=name, template="default", plan=[],
            interaction_id=str(786008729715212338 + i), interaction_token="", requested_by=gm,
            requested_by_name="gm", bot_permissions="0", status="completed", gms=frozenset({gm})))
    return names


def read_all_pages(bot, emu, guild, user, command, options=()):
    """The pages of a paged answer, turning them with the Next button until it is disabled."""
    payload = emu.create_interaction(guild, user, command, options=list(options))
    reply = bot.interact(payload)
    pages = [reply["data"]["content"]]
    components = reply["data"].get("components") or []
    while components and not components[0]["components"][1]["disabled"]:
        click = emu.click(payload["token"], user, components[0]["components"][1]["custom_id"])
        turned = bot.interact(click)
        assert turned["type"] == 7
        pages.append(turned["data"]["content"])
        components = turned["data"]["components"]
    return pages


def test_list_campaigns_shows_every_campaign_page_by_page(bot, emu):
    guild = emu.add_guild(name="Busy", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    names = record_campaigns(bot, guild, gm, 31)
    pages = read_all_pages(bot, emu, guild, gm, "list-campaigns")
    assert len(pages) >= 3 and all(len(page) <= LIMIT for page in pages)
    assert pages[-1].endswith(f"*Page {len(pages)} of {len(pages)}*")
    whole = "\n".join(pages)
    assert "**Campaigns in this server (31)**" in whole
    for name in names:
        assert whole.count(f"**{md(name)}**") == 1, name


def test_a_long_template_is_shown_page_by_page(bot, emu):
    guild = emu.add_guild(name="Saga", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    bot.templates.put(guild, long_template(), author_id=gm)
    pages = read_all_pages(bot, emu, guild, gm, "campaign-template", [
        {"type": 1, "name": "show", "options": [{"type": 3, "name": "name", "value": "saga"}]}])
    assert len(pages) >= 2 and all(len(page) <= LIMIT for page in pages)
    whole = "\n".join(pages)
    for i, channel in enumerate(long_template().channels, 1):
        assert f"{i}. " in whole and channel.name in whole
