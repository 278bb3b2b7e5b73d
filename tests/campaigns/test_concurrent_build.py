"""A build sends what doesn't depend on each other side by side, within what each bucket announces,
and keeps every guarantee: template order, exactly once with several replies lost at once, and my
own user id found even when the application id is not it."""

import json
import threading
import time

from channelwright.discord.api import DiscordApi
from channelwright.discord.bot_user import BotUserId
from channelwright.campaigns.plan import GM_ONLY, PARTY
from channelwright.templates.schema import ChannelSpec, Template
from channelwright.worker import MIN_TASK_TIME_S
from tests.campaigns.test_campaign_build import (FORUM, TEXT, assert_complete_and_private,
                                                 campaign_state)

CHANNEL_CREATES = r"POST /guilds/\{guild_id\}/channels"
TEMPLATE_ORDER = ["announcements", "general", "session-notes", "dice-rolls", "gm-notes", "voice-chat",
                  "character-sheets", "lore-and-worldbuilding", "maps-and-handouts", "gm-planning"]


def most_in_flight(requests) -> int:
    edges = sorted([(r.started, 1) for r in requests] + [(r.finished, -1) for r in requests])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def creates(emu):
    return [r for r in emu.requests if r.method == "POST" and r.path.endswith("/channels")]


def test_channels_are_created_side_by_side_in_template_order(bot, emu, guild, gm, player):
    emu.set_bucket(r".*", 1000, 1.0)
    bot.add_campaign(guild, gm)
    emu.latency = 0.05  # long enough for concurrent requests to overlap in the emulator's log
    bot.run_worker()
    emu.latency = 0.0
    assert_complete_and_private(emu, guild, gm, player)
    assert most_in_flight(creates(emu)) > 1, "channel creates overlapped"
    assert emu.count(status=429) == 0
    _, _, children = campaign_state(emu, guild)
    assert set(TEMPLATE_ORDER) == set(TEXT + FORUM + ["voice-chat"])
    ordered = sorted(children, key=lambda c: (c["position"], int(c["id"])))
    assert [c["name"] for c in ordered if c["type"] != 2] == [n for n in TEMPLATE_ORDER if n != "voice-chat"]


def test_never_more_in_flight_than_the_bucket_announces(bot, emu, guild, gm):
    emu.set_bucket(CHANNEL_CREATES, 3, 0.5)
    bot.add_campaign(guild, gm)
    emu.latency = 0.05
    bot.run_worker()
    emu.latency = 0.0
    assert emu.count(status=429) == 0
    assert most_in_flight(creates(emu)) <= 3
    assert len(campaign_state(emu, guild)[2]) == 10


def test_several_lost_replies_in_one_concurrent_batch_build_exactly_once(bot, emu, guild, gm, player):
    emu.set_bucket(r".*", 1000, 1.0)
    emu.faults.lose_reply(5, method="POST", path_regex=r"/channels$")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert sum(r.reply_lost for r in emu.requests) == 5


def test_a_crash_mid_batch_is_finished_without_duplicates(bot, emu, guild, gm, player):
    emu.set_bucket(r".*", 1000, 1.0)
    # The invocation dies after Discord made channels but before their ids were saved.
    emu.faults.lose_reply(3, method="POST", path_regex=r"/channels$")
    original = bot.store.record
    calls = []

    def crash_once(campaign, resources):
        if not calls and any(k.startswith("channel:") for k in resources):
            calls.append(resources)
            raise RuntimeError("the invocation died")
        return original(campaign, resources)

    bot.store.record = crash_once
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert calls, "the crash happened"
    assert_complete_and_private(emu, guild, gm, player)


def test_my_user_id_is_asked_for_when_the_application_id_is_not_it(bot, emu, guild, gm, player):
    bot.worker.bot_user = BotUserId(lambda: bot.worker.api.current_user(), "1100000000000000999")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)  # my own overwrite names my real id
    assert emu.count(method="GET", path_regex=r"^/users/@me$") == 1
    assert emu.count(status=404, path_regex=r"/members/1100000000000000999$") == 1  # the guess, once


def test_the_application_id_is_confirmed_without_asking_who_i_am(bot, emu, guild, gm, player):
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    assert emu.count(method="GET", path_regex=r"^/users/@me$") == 0


def delete_first(emu, guild, suffix, monkeypatch, method):
    """Before the build's first `method` call (DiscordApi), a moderator deletes the campaign's
    role whose name ends with `suffix`: the request then names a role that no longer exists."""
    original, deleted = getattr(DiscordApi, method), []

    def sabotaged(self, *args, **kwargs):
        if not deleted:
            role = next(r for r in emu.guild_roles(guild) if r["name"] == f"Curse of Strahd {suffix}")
            emu.delete_role(guild, role["id"])
            deleted.append(role["id"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DiscordApi, method, sabotaged)
    return deleted


def assert_category_open_to_the_campaign(emu, guild, gm, player):
    """The category itself (not only its channels) is the campaign's: its members see it, and
    it names the roles that exist now. assert_complete_and_private gave `player` the role."""
    roles, categories, _ = campaign_state(emu, guild)
    assert {r["id"] for r in roles} <= {o["id"] for o in categories[0]["permission_overwrites"]}
    assert emu.visible_to(categories[0]["id"], gm) and emu.visible_to(categories[0]["id"], player)


def test_the_gm_role_deleted_before_it_is_given_is_made_again_and_given(bot, emu, guild, gm, player, monkeypatch):
    deleted = delete_first(emu, guild, "GM", monkeypatch, "add_member_role")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert deleted, "the moderator struck"
    assert bot.campaign(guild).status == "completed"
    assert_complete_and_private(emu, guild, gm, player)  # the GM holds the GM role made again
    assert_category_open_to_the_campaign(emu, guild, gm, player)


def gm_role_after_the_category(monkeypatch) -> None:
    """The GM role's create waits until the category's is sent: the category is then made before
    both roles exist (private to me) and given their overwrites after. Which goes first is
    otherwise a race; the tests about that case make it certain."""
    category_sent = threading.Event()
    create_channel, create_role = DiscordApi.create_channel, DiscordApi.create_role

    def category_first(self, guild_id, body, **kwargs):
        if body.get("type") == 4:
            category_sent.set()
        return create_channel(self, guild_id, body, **kwargs)

    def waits(self, guild_id, body, **kwargs):
        if str(body.get("name", "")).endswith("GM"):
            category_sent.wait(timeout=5)
        return create_role(self, guild_id, body, **kwargs)

    monkeypatch.setattr(DiscordApi, "create_channel", category_first)
    monkeypatch.setattr(DiscordApi, "create_role", waits)


def test_a_role_deleted_before_the_category_gets_its_overwrites_is_made_again(bot, emu, guild, gm, player,
                                                                             monkeypatch):
    # The category is made before the Players role exists, private to me; the Modify Channel that
    # then names both roles finds one deleted.
    gm_role_after_the_category(monkeypatch)
    deleted = delete_first(emu, guild, "Players", monkeypatch, "modify_channel")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert deleted, "the moderator struck"
    assert bot.campaign(guild).status == "completed"
    assert_complete_and_private(emu, guild, gm, player)
    assert_category_open_to_the_campaign(emu, guild, gm, player)


def test_a_refused_category_overwrite_is_reported_as_the_categorys(bot, emu, guild, gm, monkeypatch):
    gm_role_after_the_category(monkeypatch)  # so the category's overwrites are a Modify Channel
    emu.faults.forbid(method="PATCH", path_regex=r"^/channels/\d+$")
    bot.add_campaign(guild, gm)
    bot.run_worker()
    failure = bot.campaign(guild).failure
    assert bot.campaign(guild).status == "failed"
    assert "Curse of Strahd (category)" in failure["what"] and "Players" not in failure["what"], failure
    _, categories, _ = campaign_state(emu, guild)
    outsider = emu.add_member(guild, name="outsider", permissions=0)
    assert not emu.visible_to(categories[0]["id"], outsider)


def test_a_lost_reply_to_the_category_still_opens_it_to_the_campaign(bot, emu, guild, gm, player):
    emu.set_bucket(r".*", 1000, 1.0)
    emu.faults.lose_reply(1, method="POST", path_regex=r"/channels$")  # the category's create
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"
    assert_complete_and_private(emu, guild, gm, player)
    assert_category_open_to_the_campaign(emu, guild, gm, player)


def test_a_wrong_guess_at_my_user_id_is_never_sent_as_anything_but_the_read_that_refutes_it(
        bot, emu, guild, gm, player):
    wrong = "1100000000000000999"
    bot.worker.bot_user = BotUserId(lambda: bot.worker.api.current_user(), wrong)
    emu.faults.lose_reply(2, method="POST", path_regex=r"/channels$")  # reconciling compares my overwrite
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert_complete_and_private(emu, guild, gm, player)
    uses = [(r.method, r.path) for r in emu.requests if wrong in r.path or wrong in json.dumps(r.json or {})]
    assert uses == [("GET", f"/guilds/{guild}/members/{wrong}")]


def test_45_channels_read_in_template_order_with_one_deleted_and_made_again(bot, emu, guild, gm):
    emu.set_bucket(r".*", 1000, 1.0)
    names = [f"chapter-{i:02}" for i in range(45)]
    bot.templates.put(guild, Template("saga", "A Long Saga", tuple(
        ChannelSpec(n, ("text", "voice", "text")[i % 3], GM_ONLY if i % 7 == 0 else PARTY) for i, n in enumerate(names))), author_id=gm)
    deleted = []

    def moderator(record):  # deletes chapter-07 as soon as Discord made it
        if not deleted and record.status == 201 and (record.json or {}).get("name") == "chapter-07":
            deleted.append(record.response["id"])
            emu.delete_channel(record.response["id"])
            # That invocation's time runs short: the next one, reading the server, finds it gone.
            bot.rest.deadline = time.monotonic() + MIN_TASK_TIME_S - 1

    emu.observe_requests(moderator)
    bot.interact(emu.create_interaction(guild, gm, "add-campaign", options=[
        {"type": 3, "name": "name", "value": "Curse of Strahd"}, {"type": 3, "name": "template", "value": "saga"}]))
    bot.events.poll_once()
    bot.rest.deadline = float("inf")
    bot.run_worker()
    assert deleted and bot.campaign(guild).status == "completed"
    children = campaign_state(emu, guild)[2]
    assert deleted[0] not in {c["id"] for c in children}
    assert [c["name"] for c in sorted(children, key=lambda c: (c["position"], int(c["id"])))] == names


def test_the_progress_count_never_steps_back_with_creates_in_flight(bot, emu, guild, gm, monkeypatch):
    from channelwright.campaigns.progress import ProgressMessage

    shown: list[str] = []
    real_show = ProgressMessage.show
    monkeypatch.setattr(ProgressMessage, "show", lambda self, text: (shown.append(text), real_show(self, text)))
    emu.set_bucket(r".*", 1000, 1.0)
    bot.add_campaign(guild, gm)
    emu.latency = 0.02
    bot.run_worker()
    emu.latency = 0.0
    counts = [int(t.split("(")[1].split("/")[0]) for t in shown if "Creating Campaign" in t]
    assert len(counts) > 10 and counts == sorted(counts)
