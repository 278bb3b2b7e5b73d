"""Every outcome reaches the user, even when the message it would edit is gone.

A moderator deletes the bot's progress message (edits then get 404, code 10008), or the
interaction token dies (401 50027 after 15 minutes, 404 10015): the outcome — success or
failure, build or delete — is posted, every part of a long one, in the campaign's first text
channel the bot can still see, or, with none, in the channel the command was typed in.
"""

import requests

from channelwright.discord import permissions as p
from tests.campaigns.test_campaign_build import (BOT_PERMISSIONS, NAME, assert_complete_and_private,
                                                 channel_made, poll_once_stopping)
from tests.commands.test_lifecycle import click


def moderator_deletes_the_message(emu, token: str) -> None:
    """The bot's response, deleted: later edits get 404 Unknown Message (10008)."""
    response = requests.delete(
        f"{emu.base_url}/webhooks/{emu.application_id}/{token}/messages/@original", timeout=5,
        headers={"User-Agent": "DiscordBot (https://example.invalid/moderator, 1.0)"})
    assert response.status_code == 204, response.text
    assert emu.original_message(token) is None


def posts_in(emu, guild, channel_name: str) -> list[dict]:
    channel = emu.find_channel(guild, channel_name)
    return emu.channel_messages(channel["id"]) if channel else []


def test_a_failed_build_whose_message_was_deleted_posts_its_failure_in_the_campaign(bot, emu,
                                                                                     guild, gm):
    payload = bot.add_campaign(guild, gm)
    moderator_deletes_the_message(emu, payload["token"])
    poll_once_stopping(bot, emu, after=channel_made)  # everything but the final check
    emu.delete_channel(emu.find_channel(guild, "gm-planning")["id"])  # to be made again, refused
    emu.faults.forbid(method="POST", path_regex=r"/channels$")
    bot.run_worker()

    assert bot.campaign(guild).status == "failed"
    [post] = posts_in(emu, guild, "announcements")
    assert post["content"].startswith(f"⚠️ Campaign “{NAME}” stopped")
    assert "Manage Channels" in post["content"] and "What to do:" in post["content"]
    assert post["components"][0]["components"][0]["label"] == "Undo partial build"
    assert post["allowed_mentions"] == {"parse": []}
    assert emu.count(method="PATCH", path_regex=payload["token"], status=404) == 1, \
        "a deleted message is not edited again"


def test_a_build_refused_before_any_channel_exists_posts_where_the_command_was_typed(bot, emu, gm):
    guild = emu.add_guild(name="Crowded", bot_permissions=BOT_PERMISSIONS, filler_channels=495)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    payload = bot.add_campaign(guild, gm)
    emu.forget_token(payload["token"])  # 404 10015
    bot.run_worker()

    [post] = emu.channel_messages(payload["channel_id"])
    assert "This server has 495 of 500 channels; the campaign needs 11." in post["content"]


def test_a_finished_build_whose_message_was_deleted_posts_its_summary_in_the_campaign(bot, emu,
                                                                                       guild, gm):
    player = emu.add_member(guild, name="bob", permissions=0)
    payload = bot.add_campaign(guild, gm)
    moderator_deletes_the_message(emu, payload["token"])
    bot.run_worker()

    assert_complete_and_private(emu, guild, gm, player)
    [post] = posts_in(emu, guild, "announcements")
    assert post["content"].startswith(f"✅ Campaign ready: {NAME}")
    assert bot.campaign(guild).message_expired


def test_an_undo_whose_message_was_deleted_says_done_where_it_was_clicked(bot, emu, guild, gm):
    build = bot.add_campaign(guild, gm)
    bot.run_worker()
    undo, _ = click(bot, build["token"], gm, "undo:")
    moderator_deletes_the_message(emu, undo["token"])
    bot.run_worker()

    assert bot.campaign(guild) is None
    [post] = emu.channel_messages(undo["channel_id"])
    assert post["content"].startswith(f"🗑️ Deleted **{NAME}**")


# -- a long outcome, and where it may go --------------------------------------------------------


def test_a_long_summary_whose_message_was_deleted_arrives_whole_in_the_campaign(bot, emu):
    from tests.text.test_message_layout import LIMIT, long_template

    guild = emu.add_guild(name="Saga", bot_permissions=BOT_PERMISSIONS)
    gm = emu.add_member(guild, name="gm", permissions=p.MANAGE_CHANNELS)
    bot.templates.put(guild, long_template(), author_id=gm)
    payload = emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "The Long Road"}, {"type": 3, "name": "template", "value": "saga"}])
    bot.interact(payload)
    moderator_deletes_the_message(emu, payload["token"])
    bot.run_worker()

    first_text = long_template().channels[0].name  # "00-chronicles-…": a text channel
    posts = posts_in(emu, guild, first_text)
    assert len(posts) >= 2, "one message could not hold it"
    assert all(len(post["content"]) <= LIMIT for post in posts)
    assert all(post["allowed_mentions"] == {"parse": []} for post in posts)
    whole = "\n".join(post["content"] for post in posts)
    assert whole.startswith("✅ Campaign ready: The Long Road")
    for channel in long_template().channels:
        assert channel.name in whole, channel.name
    assert whole.rstrip().endswith("🔒 = game masters only. Give players the Players role to let them in.")
    assert posts[0]["components"][0]["components"][0]["label"] == "Undo", "Undo stays with the summary"
    assert not any(post.get("components") for post in posts[1:])


def test_a_channel_hidden_from_the_bot_is_never_where_the_outcome_goes(bot, emu, guild, gm):
    from tests.campaigns.test_exactly_once_identity import hide_from_bot

    payload = bot.add_campaign(guild, gm)
    poll_once_stopping(bot, emu, after=channel_made)  # everything but the final check
    announcements = emu.find_channel(guild, "announcements")
    hide_from_bot(emu, announcements["id"])
    moderator_deletes_the_message(emu, payload["token"])
    bot.run_worker()

    assert bot.campaign(guild).status == "completed"
    assert emu.count(method="POST", path_regex=rf"^/channels/{announcements['id']}/messages$") == 0
    # The first text channel the bot can still see instead: where the players will look.
    [post] = posts_in(emu, guild, "general")
    assert post["content"].startswith(f"✅ Campaign ready: {NAME}")
    assert "🙈 Hidden from me, so I couldn't check them: #announcements." in post["content"]
