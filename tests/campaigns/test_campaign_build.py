"""A campaign built end to end: signed interaction in, worker driven by SQS (moto), Discord emulated.

Assertions are on what people would see: the emulated server's roles, channels and who can see
them, and the messages the user watched.
"""

import time

import pytest

from channelwright.discord import permissions as p
from channelwright.campaigns.store import CampaignStore
from channelwright.worker import MIN_TASK_TIME_S
from tests.support.bot import BOT_PERMISSIONS, Bot  # noqa: F401  (BOT_PERMISSIONS: imported from here by other modules)

TEXT = ["announcements", "general", "session-notes", "dice-rolls", "gm-notes"]
FORUM = ["character-sheets", "lore-and-worldbuilding", "maps-and-handouts", "gm-planning"]
GM_ONLY = {"gm-notes", "gm-planning"}
NAME = "Curse of Strahd"


def category_made(record) -> bool:
    """Discord answered the campaign's category create."""
    return record.method == "POST" and record.status == 201 and (record.json or {}).get("type") == 4


def channel_made(record) -> bool:
    """Discord answered a create of one of the campaign's channels (its whole wave still ends)."""
    return (record.method == "POST" and record.status == 201 and record.path.endswith("/channels")
            and (record.json or {}).get("type") != 4)


def poll_once_stopping(bot, emu, after) -> None:
    """One worker invocation whose time runs short (under MIN_TASK_TIME_S left, still enough for
    the requests in flight) as soon as Discord answers a request `after(record)` picks: it starts
    no further steps, and its batch's records whose steps are left go back to the queue, as when
    Lambda's deadline nears. Later invocations get their full time."""
    armed = [True]

    def observe(record):
        if armed[0] and after(record):
            bot.rest.deadline = min(bot.rest.deadline, time.monotonic() + MIN_TASK_TIME_S - 1)

    emu.observe_requests(observe)
    try:
        bot.events.poll_once()
    finally:
        armed[0] = False
        bot.rest.deadline = float("inf")


def campaign_state(emu, guild, name=NAME):
    roles = [r for r in emu.guild_roles(guild) if r["name"].startswith(name)]
    channels = emu.guild_channels(guild)
    categories = [c for c in channels if c["type"] == 4 and c["name"] == name]
    children = [c for c in channels if categories and c.get("parent_id") == categories[0]["id"]]
    return roles, categories, children


def assert_complete_and_private(emu, guild, gm, player, name=NAME, forum_type=15):
    roles, categories, children = campaign_state(emu, guild, name)
    assert sorted(r["name"] for r in roles) == [f"{name} GM", f"{name} Players"]
    assert all(r["permissions"] == "0" for r in roles)
    assert len(categories) == 1, "exactly one category"
    by_name = {c["name"]: c for c in children}
    assert len(children) == 10 and sorted(by_name) == sorted(TEXT + FORUM + ["voice-chat"])
    assert all(by_name[n]["type"] == 0 for n in TEXT)
    assert by_name["voice-chat"]["type"] == 2
    assert all(by_name[n]["type"] == forum_type for n in FORUM)

    gm_role = next(r["id"] for r in roles if r["name"].endswith(" GM"))
    players_role = next(r["id"] for r in roles if r["name"].endswith(" Players"))
    assert gm_role in emu.member_role_ids(guild, gm)
    for channel in categories + children:
        for overwrite in channel["permission_overwrites"]:
            assert int(overwrite["allow"]) & p.MANAGE_ROLES == 0
            assert int(overwrite["deny"]) & p.MANAGE_ROLES == 0

    outsider = emu.add_member(guild, name="outsider", permissions=0)
    assert not emu.visible_to(categories[0]["id"], outsider)
    assert not any(emu.visible_to(c["id"], outsider) for c in children)
    emu.give_role(guild, player, players_role)
    for channel in children:
        assert emu.visible_to(channel["id"], gm)
        assert emu.visible_to(channel["id"], player) == (channel["name"] not in GM_ONLY)
    assert emu.visible_to(categories[0]["id"], emu.bot_user_id)


def test_default_campaign_is_built_completely_and_privately(bot, emu, guild, gm, player):
    payload = bot.add_campaign(guild, gm)
    delivery = bot.run_worker()

    assert_complete_and_private(emu, guild, gm, player)
    assert bot.campaign(guild).status == "completed"
    assert delivery.invocations <= 3

    history = emu.message_history(payload["token"])
    assert any("[████" in text and "🏗️ Creating Campaign: Curse of Strahd" in text for text in history)
    summary = history[-1]
    assert summary.startswith("✅ Campaign ready: Curse of Strahd")
    assert "Text: announcements, general, session-notes, dice-rolls, 🔒 gm-notes" in summary
    assert "Voice: voice-chat" in summary
    assert "Forum: character-sheets, lore-and-worldbuilding, maps-and-handouts, 🔒 gm-planning" in summary
    assert "10 channels" in summary


def test_progress_bar_shows_exact_counts(bot, emu, guild, gm):
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    bars = [line for text in emu.message_history(payload["token"]) for line in text.splitlines()
            if line.startswith("[")]
    assert bars, "the user saw progress"
    for line in bars:
        cells, rest = line[1:21], line[22:].strip()
        done, total = map(int, rest.split("(")[1].rstrip(")").split("/"))
        assert total == 13 and len(cells) == 20
        assert cells.count("█") == int(done / total * 20)
        assert rest.startswith(f"{int(done / total * 100)}%")


def test_every_edit_suppresses_mentions_and_requests_are_attributed(bot, emu, guild, gm):
    bot.add_campaign(guild, gm, name="@everyone hears this")
    bot.run_worker()
    edits = [r for r in emu.requests if r.method == "PATCH" and "@original" in r.path]
    assert edits and all(r.json["allowed_mentions"] == {"parse": []} for r in edits)
    creates = [r for r in emu.requests if r.method == "POST" and f"/guilds/{guild}/" in r.path]
    assert creates
    for request in creates:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["user-agent"].startswith("DiscordBot (")
        assert "everyone" in headers["x-audit-log-reason"] and "alice" in headers["x-audit-log-reason"]


def test_every_message_delivered_twice_builds_exactly_once(bot, emu, guild, gm, player):
    payload = bot.add_campaign(guild, gm)
    bot.run_worker(deliver_twice=True)
    assert_complete_and_private(emu, guild, gm, player)
    summaries = [t for t in emu.message_history(payload["token"]) if t.startswith("✅")]
    assert len(summaries) == 1


def test_lost_replies_do_not_duplicate_anything(bot, emu, guild, gm, player):
    emu.faults.lose_reply(2, method="POST", path_regex=r"/roles$")
    emu.faults.lose_reply(4, method="POST", path_regex=r"/channels$")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert sum(r.reply_lost for r in emu.requests) == 6


def test_server_errors_and_429_storms_are_survived(bot, emu, guild, gm, player):
    emu.faults.fail_next(2, status=502, method="POST", path_regex=r"/channels$")
    emu.faults.fail_next(2, status=500, method="POST", path_regex=r"/channels$")
    emu.faults.rate_limit_storm(3, path_regex=r"/guilds/", retry_after=0.05)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert bot.campaign(guild).status == "completed"


def test_buckets_are_respected_before_discord_has_to_say_429(bot, emu, guild, gm):
    emu.set_bucket(r"POST /guilds/\{guild_id\}/channels", 3, 0.3)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert emu.count(status=429) == 0
    assert len(campaign_state(emu, guild)[2]) == 10


def test_forum_refused_falls_back_to_text_and_says_so(bot, emu, gm, player):
    guild = emu.add_guild(name="No forums", bot_permissions=BOT_PERMISSIONS, forums_enabled=False)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    player = emu.add_member(guild, name="bob", permissions=0)
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player, forum_type=0)
    summary = emu.message_history(payload["token"])[-1]
    assert "⚠️ character-sheets was created as a text channel" in summary
    assert "Forum:" not in summary


@pytest.mark.parametrize("token_trouble", ["expire_token", "forget_token"])
def test_expired_token_posts_the_summary_in_the_first_text_channel(bot, emu, guild, gm, player,
                                                                   token_trouble):
    payload = bot.add_campaign(guild, gm)
    getattr(emu, token_trouble)(payload["token"])  # 401 50027, or 404 10015
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    announcements = next(c for c in campaign_state(emu, guild)[2] if c["name"] == "announcements")
    [message] = emu.channel_messages(announcements["id"])
    assert message["content"].startswith("✅ Campaign ready: Curse of Strahd")
    assert emu.count(status=401) + emu.count(status=404) <= 1, "a dead token is not used again"


def test_channels_and_roles_deleted_mid_build_are_recreated(bot, emu, guild, gm, player):
    bot.add_campaign(guild, gm)
    poll_once_stopping(bot, emu, after=channel_made)  # everything but the final check
    roles, [category], children = campaign_state(emu, guild)
    emu.delete_channel(category["id"])
    emu.delete_channel(children[0]["id"])
    emu.delete_role(guild, next(r["id"] for r in roles if r["name"].endswith("Players")))
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert not [c for c in emu.guild_channels(guild) if c["type"] != 4 and c.get("parent_id") is None
                and c["name"] in TEXT + FORUM], "no channel left outside the category"


def test_no_room_stops_before_creating_anything(bot, emu, gm):
    guild = emu.add_guild(name="Crowded", bot_permissions=BOT_PERMISSIONS, filler_channels=495)
    gm = emu.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert "This server has 495 of 500 channels; the campaign needs 11." in \
        emu.message_history(payload["token"])[-1]
    assert campaign_state(emu, guild) == ([], [], [])
    assert bot.campaign(guild).status == "failed"
    assert bot.aws.drain(bot.aws.dlq_url) == []


def test_a_refused_channel_is_named_with_its_kind_in_the_failure(bot, emu, guild, gm):
    payload = bot.add_campaign(guild, gm)
    # One invocation stopped before the channels: the roles, the GM's role and the category.
    poll_once_stopping(bot, emu, after=category_made)
    assert len(campaign_state(emu, guild)[1]) == 1, "the category exists before channels are refused"
    emu.faults.forbid(method="POST", path_regex=r"/channels$")
    bot.run_worker()
    final = emu.message_history(payload["token"])[-1]
    assert "I couldn't finish creating announcements (text)" in final


def test_missing_permission_stops_the_build_then_resumes_without_duplicates(bot, emu, guild, gm, player):
    emu.faults.forbid(method="POST", path_regex=r"/channels$")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    final = emu.message_history(payload["token"])[-1]
    assert "I couldn't finish creating Curse of Strahd (category)" in final
    assert "Manage Channels" in final and "What to do:" in final
    assert emu.count(method="POST", path_regex=r"/channels$") == 1, "403s are never retried"
    assert bot.campaign(guild).status == "failed"

    emu.faults.clear()
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)


def test_last_failed_attempt_tells_the_user_then_redrive_finishes(aws, emu, guild, gm, player):
    bot = Bot(aws, emu)
    bot.rest._max_retries = 0
    emu.faults.fail_next(1000, status=503, method="POST", path_regex=r"/channels$")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    final = emu.message_history(payload["token"])[-1]
    assert "Discord kept failing" in final and "Run `/add-campaign` again" in final
    assert bot.campaign(guild).failure["transient"] is True

    dead = aws.sqs.receive_message(QueueUrl=aws.dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(dead) == 1
    emu.faults.clear()
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=dead[0]["Body"],
                         MessageGroupId=guild, MessageDeduplicationId="redrive-1")
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.message_history(payload["token"])[-1].startswith("✅ Campaign ready")


class StoreThatDiesOnce(CampaignStore):
    """The worker's store, failing the first invocation's saves of created ids (the step's and
    the batch's last try): as if Lambda died right there."""

    died = False
    _failures = 0

    def record(self, campaign, resources):
        if resources and self._failures < 2:
            self.died, self._failures = True, self._failures + 1
            raise ConnectionError("the invocation ended before the write")
        super().record(campaign, resources)


def test_replay_after_a_crash_before_saving_ids_adopts_what_was_made(aws, emu, guild, gm, player):
    bot = Bot(aws, emu)
    bot.worker.store = StoreThatDiesOnce(aws.dynamodb, aws.table_name)
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.worker.store.died
    assert_complete_and_private(emu, guild, gm, player)
    assert bot.campaign(guild).status == "completed"
    assert emu.count(method="GET", path_regex=r"/guilds/\d+/(channels|roles)$") > 2, "it reconciled"
