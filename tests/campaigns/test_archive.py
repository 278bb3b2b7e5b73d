"""/archive-campaign end to end against the emulator: what players and GMs can do afterwards, the
category's name and place, the messages shown, refusals, and faults in the middle."""

import pytest

from channelwright.discord import permissions as p
from discord_emulator import DEFAULT_EVERYONE
from tests.support.bot import BOT_PERMISSIONS
from tests.support.servers import final_text, run

NAME = "Curse of Strahd"
CATEGORY, VOICE, FORUM = 4, 2, 15
GM_ONLY = {"gm-notes", "gm-planning"}
POSTING = p.SEND_MESSAGES | p.SEND_MESSAGES_IN_THREADS | p.CREATE_PUBLIC_THREADS | p.ADD_REACTIONS


def name_option(name=NAME):
    return {"type": 3, "name": "name", "value": name}


def build(bot, guild, gm, player=None):
    """A built campaign, with `player` given its Players role."""
    bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "completed"
    if player:
        _, _, text = run(bot, guild, gm, "add-player",
                         [{"type": 3, "name": "campaign", "value": NAME},
                          {"type": 6, "name": "user", "value": player}], users=[player])
        assert "is now a player" in text


def take_from_server(emu, guild, bit):
    """An admin takes `bit` from @everyone and from the bot's role (Server Settings → Roles): the
    bot no longer holds it server-wide."""
    emu.set_everyone_permissions(guild, DEFAULT_EVERYONE & ~bit)
    emu.set_bot_permissions(guild, BOT_PERMISSIONS & ~bit)


def give_back(emu, guild):
    """The admin puts @everyone's and the bot's role's permissions back as they were."""
    emu.set_everyone_permissions(guild, DEFAULT_EVERYONE)
    emu.set_bot_permissions(guild, BOT_PERMISSIONS)


def archive(bot, guild, user, *, reveal=None, name=NAME):
    options = [name_option(name)]
    if reveal is not None:
        options.append({"type": 5, "name": "reveal-gm-channels", "value": reveal})
    return run(bot, guild, user, "archive-campaign", options)


def unarchive(bot, guild, user, name=NAME):
    return run(bot, guild, user, "unarchive-campaign", [name_option(name)])


def category_of(emu, guild, campaign):
    return emu.channel(campaign.resources["category"]["id"])


def campaign_channels(emu, campaign):
    """{name: channel} of the campaign's recorded channels that still exist."""
    found = [emu.channel(r["id"]) for k, r in campaign.resources.items() if k.startswith("channel:")]
    return {c["name"]: c for c in found if c is not None}


def server_layout(emu, guild):
    """Every channel's id, name, position, parent and overwrites (sorted), to compare exactly."""
    return sorted((c["id"], c["name"], c.get("position"), c.get("parent_id"),
                   sorted((o["id"], o["type"], o["allow"], o["deny"])
                          for o in c.get("permission_overwrites") or []))
                  for c in emu.guild_channels(guild))


def assert_locked(emu, guild, gm, player, campaign, *, revealed=False):
    channels = campaign_channels(emu, campaign)
    assert len(channels) == 10
    for name, channel in channels.items():
        mine = emu.permissions_in(channel["id"], player)
        theirs = emu.permissions_in(channel["id"], gm)
        if name in GM_ONLY and not revealed:
            assert not mine & p.VIEW_CHANNEL, f"{name} stays private"
        else:
            assert mine & p.VIEW_CHANNEL and mine & p.READ_MESSAGE_HISTORY, f"{name}: history readable"
            assert not mine & POSTING, f"{name}: nothing postable"
            if channel["type"] == VOICE:
                assert not mine & (p.CONNECT | p.SPEAK), f"{name}: voice closed"
        assert theirs & p.SEND_MESSAGES and theirs & p.VIEW_CHANNEL, f"{name}: the GM still posts"
        if channel["type"] == VOICE:
            assert theirs & p.CONNECT, "the GM still joins voice"


def assert_at_bottom(emu, guild, category):
    others = [c["position"] for c in emu.guild_channels(guild)
              if c["type"] == CATEGORY and c["id"] != category["id"]]
    assert all(category["position"] > position for position in others)


@pytest.fixture
def other_category(emu, guild):
    """A category of the server's own, below which an archived campaign must go."""
    return emu.add_channel(guild, "Lobby", type=CATEGORY)


def test_archive_makes_the_campaign_read_only_for_players_and_the_gm_keeps_it(
        bot, emu, guild, gm, player, other_category):
    build(bot, guild, gm, player)
    _, reply, text = archive(bot, guild, gm)
    assert reply["type"] == 5 and reply["data"]["flags"] == 64, "deferred, only the GM sees it"

    campaign = bot.campaign(guild)
    assert campaign.status == "archived"
    assert_locked(emu, guild, gm, player, campaign)
    category = category_of(emu, guild, campaign)
    assert category["name"] == f"📦 {NAME}"
    assert_at_bottom(emu, guild, category)
    roles = [r["name"] for r in emu.guild_roles(guild) if r["name"].startswith(NAME)]
    assert sorted(roles) == [f"{NAME} GM", f"{NAME} Players"], "roles stay"
    assert text.startswith(f"📦 Archived **{NAME}**: its players can still read it")
    assert "**GM-only channels:** still private to the GMs." in text
    assert "`/unarchive-campaign` puts everything back" in text


def test_archived_campaigns_are_shown_as_such(bot, emu, guild, gm):
    build(bot, guild, gm)
    archive(bot, guild, gm)
    _, listed, _ = run(bot, guild, gm, "list-campaigns")
    assert f"**{NAME}** — 📦 archived (read-only for its players)" in listed["data"]["content"]
    _, _, info = run(bot, guild, gm, "campaign-info", [name_option()])
    assert info.startswith(f"**{NAME}** — 📦 archived (read-only for its players; "
                           "`/unarchive-campaign` puts it back)")


def test_revealing_gm_channels_lets_players_read_them_and_nothing_more(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    _, _, text = archive(bot, guild, gm, reveal=True)
    assert "**GM-only channels:** now readable by players (read-only)." in text
    assert_locked(emu, guild, gm, player, bot.campaign(guild), revealed=True)


def test_a_player_added_after_the_archive_reads_the_history_and_cannot_post(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    archive(bot, guild, gm)
    _, _, text = run(bot, guild, gm, "add-player",
                     [{"type": 3, "name": "campaign", "value": NAME},
                      {"type": 6, "name": "user", "value": player}], users=[player])
    assert "is now a player" in text
    assert_locked(emu, guild, gm, player, bot.campaign(guild))


def test_an_archived_campaign_can_still_be_deleted(bot, emu, guild, gm):
    build(bot, guild, gm)
    archive(bot, guild, gm)
    payload = emu.create_interaction(guild, gm, "delete-campaign", options=[name_option()])
    bot.interact(payload)
    click = emu.click(payload["token"], gm, next(
        c["custom_id"] for row in emu.original_message(payload["token"])["components"]
        for c in row["components"] if c["custom_id"].startswith("delete:")))
    bot.interact(click)
    bot.run_worker()
    assert bot.campaign(guild) is None
    assert not [c for c in emu.guild_channels(guild) if NAME in c["name"]]


def test_refusals_change_nothing(bot, emu, guild, gm, player):
    build(bot, guild, gm)
    before = server_layout(emu, guild)
    _, reply, _ = unarchive(bot, guild, gm)
    assert f"“{NAME}” isn't archived." in reply["data"]["content"]
    _, reply, _ = archive(bot, guild, gm, name="Tomb of Annihilation")
    assert "There is no campaign named “Tomb of Annihilation”" in reply["data"]["content"]
    _, _, text = archive(bot, guild, player)  # neither its GM nor a server manager
    assert "Only the GMs of “Curse of Strahd” or server managers can archive it." in text
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"

    archive(bot, guild, gm)
    archived = server_layout(emu, guild)
    _, reply, _ = archive(bot, guild, gm)
    assert f"“{NAME}” is archived already." in reply["data"]["content"]
    assert server_layout(emu, guild) == archived


def test_archive_is_refused_while_the_campaign_is_being_built(bot, emu, guild, gm):
    bot.add_campaign(guild, gm)
    payload = emu.create_interaction(guild, gm, "archive-campaign", options=[name_option()])
    reply = bot.interact(payload)
    assert f"“{NAME}” can't be archived now." in reply["data"]["content"]
    assert "It is still being built." in reply["data"]["content"]


def test_channels_deleted_by_hand_are_skipped_and_named(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    campaign = bot.campaign(guild)
    emu.delete_channel(campaign_channels(emu, campaign)["dice-rolls"]["id"])
    _, _, text = archive(bot, guild, gm)
    assert "⚠️ Deleted by someone, so skipped: #dice-rolls." in text
    campaign = bot.campaign(guild)
    assert campaign.status == "archived"
    channels = campaign_channels(emu, campaign)
    assert len(channels) == 9
    for channel in channels.values():
        if channel["name"] not in GM_ONLY:
            assert not emu.permissions_in(channel["id"], player) & p.SEND_MESSAGES


def test_a_redelivered_archive_task_changes_nothing_more_and_answers_again(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    payload = emu.create_interaction(guild, gm, "archive-campaign", options=[name_option()])
    bot.interact(payload)
    bot.run_worker(deliver_twice=True)
    campaign = bot.campaign(guild)
    assert campaign.status == "archived"
    assert_locked(emu, guild, gm, player, campaign)
    assert final_text(emu, payload["token"]).startswith(f"📦 Archived **{NAME}**")


@pytest.mark.parametrize("fault", ["5xx", "lost reply", "429"])
def test_faults_mid_archive_reach_the_same_end_state(bot, emu, guild, gm, player, fault, other_category):
    build(bot, guild, gm, player)
    path = r"/channels/\d+/permissions/\d+$"
    if fault == "5xx":
        emu.faults.fail_next(3, status=502, method="PUT", path_regex=path)
    elif fault == "lost reply":
        emu.faults.lose_reply(3, method="PUT", path_regex=path)
    else:
        emu.faults.rate_limit_storm(3, method="PUT", path_regex=path)
    _, _, text = archive(bot, guild, gm)
    campaign = bot.campaign(guild)
    assert campaign.status == "archived", text
    assert_locked(emu, guild, gm, player, campaign)
    assert category_of(emu, guild, campaign)["name"] == f"📦 {NAME}"
    assert text.startswith(f"📦 Archived **{NAME}**")


def test_a_crash_between_edits_then_the_retry_gives_the_same_end_state(
        bot, emu, guild, gm, player, monkeypatch, other_category):
    build(bot, guild, gm, player)
    from channelwright.discord.api import DiscordApi

    original, sent = DiscordApi.edit_channel_permissions, []

    def crashing(self, channel_id, overwrite, *, reason):
        if len(sent) == 4:
            sent.append("crash")
            raise RuntimeError("the worker died here")
        sent.append(channel_id)
        return original(self, channel_id, overwrite, reason=reason)

    monkeypatch.setattr(DiscordApi, "edit_channel_permissions", crashing)
    _, _, text = archive(bot, guild, gm)
    assert "crash" in sent, "the first try stopped part way"
    campaign = bot.campaign(guild)
    assert campaign.status == "archived"
    assert_locked(emu, guild, gm, player, campaign)
    assert_at_bottom(emu, guild, category_of(emu, guild, campaign))
    assert text.startswith(f"📦 Archived **{NAME}**")


def test_a_role_given_posting_rights_by_hand_is_locked_too_and_restored(bot, emu, guild, gm, player):
    # Role allows beat role denies (permissions.mdx), so a hand-made role that lets a player post
    # in a channel must be locked as well, and get its allow back on unarchive.
    from tests.support.servers import EDIT_CHANNEL_PERMISSIONS, overwrite

    build(bot, guild, gm, player)
    general = campaign_channels(emu, bot.campaign(guild))["general"]["id"]
    speakers = emu.add_role(guild, "Speakers")
    emu.give_role(guild, player, speakers)
    bot.rest.request(EDIT_CHANNEL_PERMISSIONS.compile(channel_id=general, overwrite_id=speakers),
                     json={k: v for k, v in overwrite(speakers, allow=p.SEND_MESSAGES).items() if k != "id"})
    assert emu.permissions_in(general, player) & p.SEND_MESSAGES
    before = server_layout(emu, guild)

    archive(bot, guild, gm)
    assert not emu.permissions_in(general, player) & p.SEND_MESSAGES
    assert emu.permissions_in(general, player) & p.READ_MESSAGE_HISTORY
    unarchive(bot, guild, gm)
    assert server_layout(emu, guild) == before
    assert emu.permissions_in(general, player) & p.SEND_MESSAGES


def test_a_channel_hidden_from_the_bot_is_left_as_it_is_and_named(bot, emu, guild, gm, player):
    build(bot, guild, gm, player)
    notes = campaign_channels(emu, bot.campaign(guild))["session-notes"]["id"]
    from tests.campaigns.test_exactly_once_identity import hide_from_bot
    hide_from_bot(emu, notes)
    _, _, text = archive(bot, guild, gm)
    assert "🙈 Hidden from me, so left as they are: #session-notes." in text
    assert bot.campaign(guild).status == "archived"
    assert emu.permissions_in(notes, player) & p.SEND_MESSAGES, "untouched: I can't edit it"
    _, _, text = unarchive(bot, guild, gm)
    assert "🙈 Hidden from me, so left as they are: #session-notes." in text
    assert bot.campaign(guild).status == "completed"


def test_a_lock_permission_taken_from_my_role_since_the_build_is_left_out_and_the_lock_holds(
        bot, emu, guild, gm, player):
    """An admin takes Add Reactions from @everyone and the bot's role after the build. Discord refuses an
    overwrite denying a permission the bot doesn't hold (403 50013), so the lock denies only what
    the bot holds now and drops the Players role's allow of Add Reactions: players can't react,
    nor post, and the archive completes."""
    build(bot, guild, gm, player)
    take_from_server(emu, guild, p.ADD_REACTIONS)
    _, _, text = archive(bot, guild, gm)
    campaign = bot.campaign(guild)
    assert text.startswith(f"📦 Archived **{NAME}**: its players can still read it")
    assert campaign.status == "archived"
    assert_locked(emu, guild, gm, player, campaign)


def test_archive_is_refused_before_any_change_when_my_role_lost_a_permission_it_must_put(
        bot, emu, guild, gm, player):
    """The Players role's overwrites allow Embed Links; a lock rewrites them, and Discord lets the
    bot put only permissions it holds. With Embed Links taken from it server-wide, the archive says so
    and changes nothing, rather than stopping half way."""
    build(bot, guild, gm, player)
    before = server_layout(emu, guild)
    take_from_server(emu, guild, p.EMBED_LINKS)
    _, _, text = archive(bot, guild, gm)
    assert f"I can't archive “{NAME}”: my role is missing Embed Links in this server." in text
    assert "Nothing was changed." in text
    assert "give my role Embed Links" in text
    assert server_layout(emu, guild) == before
    assert bot.campaign(guild).status == "completed"
    give_back(emu, guild)
    _, _, text = archive(bot, guild, gm)
    assert bot.campaign(guild).status == "archived"
    assert_locked(emu, guild, gm, player, bot.campaign(guild))
