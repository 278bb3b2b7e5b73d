"""Hostile and odd input (README, "Odd and hostile input"): new inputs of each kind, tried as a new
user and as an attacker would. Each test here failed before its fix."""

import json
import re
import time

import pytest
from botocore.exceptions import ClientError

from channelwright.text import names
from channelwright.discord import permissions as p
from channelwright.commands import definitions
from channelwright.text.problems import Refusal
from channelwright.discord.downloads import DownloadPolicy, DownloadRefused, download
from channelwright.templates.files import parse_template_file
from channelwright.templates.schema import TemplateInvalid
from tests.campaigns.test_campaign_build import BOT_PERMISSIONS
from tests.discord.test_downloads import Cdn, cdn  # noqa: F401,F811 (a fixture, used by name)


def campaign_name(raw):
    """(name, None), or ("", the Problem) when the name is refused (definitions.campaign_name
    raises Refusal): the pair these checks read."""
    try:
        return definitions.campaign_name(raw), None
    except Refusal as refused:
        return "", refused.problem


WEEK = 7 * 24 * 3600


@pytest.fixture
def server(emu):
    guild = emu.add_guild(name="Hostile", bot_permissions=BOT_PERMISSIONS)
    return guild, emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)


def command(bot, emu, guild, user, which, **options):
    payload = emu.create_interaction(guild, user, which, options=[
        {"type": 3, "name": key, "value": value} for key, value in options.items()])
    return payload, bot.interact(payload)


def tags(text: str) -> str:
    """`text` spelt in Unicode tag characters (U+E0000 block): invisible in every renderer."""
    return "".join(chr(0xE0000 + ord(c)) for c in text)


# -- names: an invisible character attached to a visible one --------------------------------------
# Each of these draws exactly like "Curse of Strahd" (or the emoji it follows) yet made a second,
# look-alike campaign: the same harm as "Café" in NFC and NFD, which README names.

LOOK_ALIKES = {
    "ZWJ at the end": "Curse of Strahd\u200d",
    "ZWNJ at the end": "Curse of Strahd\u200c",
    "ZWJ between Latin letters": "Curse of Str\u200dahd",
    "ZWNJ between Latin letters": "Cur\u200cse of Strahd",
    "emoji variation selector on a letter": "Curse of Strahd\ufe0f",
    "standardized variation selector on a letter": "Curse\ufe00 of Strahd",
    "ideographic variation selector on a letter": "Curse of Strahd\U000E0100",
    "two variation selectors on an emoji": "⚔\ufe0f\ufe0f Curse of Strahd",
    "combining grapheme joiner inside a word": "Cur\u034fse of Strahd",
    "Mongolian variation selector on a letter": "Curse of Strahd\u180b",
    "hidden text in tags after a die emoji": "Curse of Strahd 🎲" + tags("ignore the GM"),
    "tags after a letter's accent": "Curse of Strahde\u0301" + tags("x"),
    "black flag with a tag run that never ends": "🏴" + tags("gbeng") + " Curse of Strahd",
    "black flag with tagged prose": "🏴" + tags("hello world") + "\U000E007F Curse",
    "Hangul filler after a syllable": "저주\u1160",
    "Khmer inherent vowel": "ក\u17b4 Curse",
    "ZWJ after an emoji, before a letter": "🎲\u200dCurse of Strahd",
}


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_an_invisible_character_attached_to_a_visible_one_is_refused(name):
    _, problem = campaign_name(name)
    assert problem is not None and "invisible" in problem.what


KEPT = {
    "emoji ZWJ sequence": "👩\u200d🚀 Starfarers",
    "ZWJ sequence with a skin tone": "👨🏽\u200d💻 Hackers",
    "ZWJ after a presentation selector": "🏳\ufe0f\u200d🌈 Pride Night",
    "hair component": "🧑\u200d🦰 Redheads",
    "keycap": "#\ufe0f\u20e3 Hash Club",
    "text-style selector": "❤\ufe0e Hearts",
    "subdivision flag": "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F Raid",
    "country flag": "🇫🇷 Paris",
    "skin tone": "👍🏽 Thumbs",
    "ideographic variation sequence": "葛\U000E0100城",
    "Persian ZWNJ": "می\u200cخواهم",
    "Devanagari half form (ZWJ after virama)": "क्\u200dष",
    "Malayalam chillu (ZWJ after virama, at the end)": "ന്\u200d",
    "Mongolian free variation selector": "\u1820\u180b\u1821",
}


@pytest.mark.parametrize("name", KEPT.values(), ids=KEPT.keys())
def test_joiners_and_selectors_that_change_what_is_drawn_are_kept(name):
    shown, problem = campaign_name(name)
    assert problem is None and shown == name


def test_a_look_alike_of_an_existing_campaign_is_refused_end_to_end(bot, emu, server):
    guild, gm = server
    command(bot, emu, guild, gm, "add-campaign", name="Curse of Strahd")
    bot.run_worker()
    _, reply = command(bot, emu, guild, gm, "add-campaign", name="Curse of Strahd\u200d")
    assert "invisible or control characters" in reply["data"]["content"]
    assert [c.name for c in bot.aws.items()] == ["Curse of Strahd"]


# -- markdown: line starts --------------------------------------------------------------------------


@pytest.mark.parametrize("raw, shown", [
    ("1. Curse of Strahd", "1\\. Curse of Strahd"),
    ("2024. A year", "2024\\. A year"),
    ("  3. Indented", "  3\\. Indented"),
])
def test_a_numbered_list_start_is_escaped_without_a_visible_backslash(raw, shown):
    # Discord's escape is a backslash before punctuation: "\1" shows the backslash, "1\." doesn't
    # (discord.js escapeNumberedList, https://github.com/discordjs/discord.js/pull/8701).
    assert names.md(raw) == shown


@pytest.mark.parametrize("text", [
    "a\n# Heading", "a\n-# subtext", "a\r\n## Heading", "a\n  # Heading", "a\n- item", "a\n1. item",
    "a\n+ item",
])
def test_every_line_of_a_multi_line_text_is_escaped(text):
    for line in names.md(text).splitlines()[1:]:
        assert re.match(r"^\s*(\\[#+-]|\d+\\\.)", line), line


def test_a_template_key_with_line_breaks_cannot_format_the_import_answer(bot, emu, server):
    guild, gm = server
    data = {"id": "x", "title": "T", "channels": [{"name": "a", "type": "text"}],
            "a\n# I AM A HEADING\n-# and subtext\n1. and a list": 1}
    att = emu.add_attachment("evil.json", json.dumps(data).encode())
    payload = emu.create_interaction(guild, gm, "campaign-template", attachments=[att], options=[
        {"type": 1, "name": "import", "options": [{"type": 11, "name": "file", "value": att["id"]}]}])
    bot.interact(payload)
    bot.run_worker()
    text = emu.original_message(payload["token"])["content"]
    assert "unknown key" in text
    assert not [line for line in text.splitlines() if re.match(r"^\s*(#|-#|\d+\.\s)", line)], text


# -- Discord's long limits: Retry-After values no real limit has -------------------------------------


@pytest.mark.parametrize("retry_after", [1e40, 1e130, 10**9])
def test_an_absurd_retry_after_pauses_the_build_without_paging(bot, emu, server, retry_after):
    """A 429 asking for 10^40 s made the stored retry time unwritable (DynamoDB numbers hold 38
    digits): the build was retried, dead-lettered and paged the operator, and the user read
    "Discord kept failing (KeyError)". 10^9 s locked the name for 31 years."""
    guild, gm = server
    emu.faults.rate_limit_storm(1, method="POST", path_regex=r"/roles$", retry_after=retry_after)
    payload, _ = command(bot, emu, guild, gm, "add-campaign", name="Curse of Strahd")
    delivery = bot.run_worker()

    text = emu.original_message(payload["token"])["content"]
    assert "Discord is limiting how fast I can create roles in this server." in text
    [until] = {int(s) for s in re.findall(r"<t:(\d+):R>", text)}
    assert time.time() < until <= time.time() + WEEK + 60
    assert delivery.failed == 0 and bot.aws.drain(bot.aws.dlq_url) == []
    campaign = bot.campaign(guild)
    assert campaign.status == "failed" and campaign.failure["retry_at"] == until


# -- AWS failing on the worker's path ------------------------------------------------------------------


def test_a_build_whose_records_cannot_be_written_still_tells_the_user(bot, emu, server, monkeypatch):
    """DynamoDB refusing every write through all attempts: the task is dead-lettered for the
    operator (an outage), but the user's message stayed "thinking…" forever, because the failure
    was recorded before it was told."""
    guild, gm = server
    payload, _ = command(bot, emu, guild, gm, "add-campaign", name="Curse of Strahd")

    def throttled(*args, **kwargs):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                     "Message": "Rate of requests exceeds the allowed throughput."}},
                          "UpdateItem")

    monkeypatch.setattr(bot.store, "_update", throttled)
    bot.run_worker()
    text = (emu.original_message(payload["token"]) or {}).get("content") or ""
    assert "Campaign “Curse of Strahd” stopped" in text
    assert "Run `/add-campaign` again with the same name" in text
    assert "storage" in text and "ClientError" not in text
    assert bot.aws.drain(bot.aws.dlq_url), "an outage still reaches the operator"


# -- downloads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("location", ["https://[::1/x", "http://[v1.x/", "https://cdn.discordapp.com:99999/x"])
def test_a_redirect_to_an_unreadable_location_is_refused_not_a_crash(cdn, location, monkeypatch):  # noqa: F811
    monkeypatch.setattr(Cdn, "serve_redirect_unparseable",
                        lambda self, handler: self.reply(handler, 302, headers=[("Location", location)]),
                        raising=False)
    with pytest.raises(DownloadRefused):
        download(f"{cdn.home.origin}/redirect-unparseable", DownloadPolicy(origins=(cdn.home.origin,)))
    assert cdn.away.hits == []


# -- answers that lost what to do ---------------------------------------------------------------------


@pytest.mark.parametrize("template", ["x" * 6000, "*" * 3000, "<@&1>" * 1000])
def test_an_unknown_template_name_of_any_length_keeps_the_whole_answer(bot, emu, server, template):
    guild, gm = server
    _, reply = command(bot, emu, guild, gm, "add-campaign", name="Curse of Strahd", template=template)
    text = reply["data"]["content"]
    assert len(text) <= 2000 and "There is no template called" in text
    assert "**What to do:**" in text and "`/campaign-template list`" in text


@pytest.mark.parametrize("content, filename", [
    (b"id: " + b"9" * 5000 + b"\n", "t.yaml"), (b'{"id": ' + b"9" * 5000 + b"}", "t.json"),
    (b'{"channels": [' + b"1" * 4400 + b"]}", "t.json"),
])
def test_a_huge_number_is_explained_in_the_users_words(content, filename):
    with pytest.raises(TemplateInvalid) as refused:
        parse_template_file(content, filename)
    [error] = refused.value.errors
    assert "set_int_max_str_digits" not in error and "digits" in error
