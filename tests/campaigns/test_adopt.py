"""/adopt-campaign end to end: a hand-made category in the emulated server becomes a campaign.

The server: a public category "Tomb of Annihilation" with #general, a voice channel and #gm-notes
(hidden from @everyone, open to the "Dungeon Masters" role and the bot's), made in the client.
"""

import pytest

from discord_emulator import VIEW_CHANNEL
from tests.support.bot import BOT_PERMISSIONS
from tests.support.servers import final_text, overwrite, run

NAME = "Tomb of Annihilation"
CATEGORY, TEXT, VOICE = 4, 0, 2


@pytest.fixture
def table(emu, guild, gm, player):
    """(category id, {channel name: id}, the Dungeon Masters role id, held by the GM)."""
    masters = emu.add_role(guild, "Dungeon Masters")
    emu.give_role(guild, gm, masters)
    category = emu.add_channel(guild, NAME, type=CATEGORY)
    channels = {"general": emu.add_channel(guild, "general", parent_id=category),
                "table-talk": emu.add_channel(guild, "table-talk", type=VOICE, parent_id=category),
                "gm-notes": emu.add_channel(guild, "gm-notes", parent_id=category, permission_overwrites=[
                    overwrite(guild, deny=VIEW_CHANNEL), overwrite(masters, allow=VIEW_CHANNEL)],
                    bot_allow=VIEW_CHANNEL)}
    return category, channels, masters


def adopt(bot, guild, user, category, *, gm_role=None, players_role=None, name=NAME):
    """`user` runs /adopt-campaign (the worker runs); returns the interaction payload."""
    options = [{"type": 7, "name": "category", "value": category}]
    resolved = {"channels": {category: {"id": category, "name": name, "type": CATEGORY,
                                        "permissions": "0"}}}
    for option, role in (("gm-role", gm_role), ("players-role", players_role)):
        if role:
            options.append({"type": 8, "name": option, "value": role})
            resolved.setdefault("roles", {})[role] = next(
                r for r in bot.emulator.guild_roles(guild) if r["id"] == role)
    payload = bot.emulator.create_interaction(guild, user, "adopt-campaign", options=options,
                                              resolved=resolved)
    bot.interact(payload)
    bot.run_worker()
    return payload


def confirm_id(emu, token) -> str:
    message = emu.original_message(token)
    return next(c["custom_id"] for row in message["components"] for c in row["components"]
                if c["custom_id"].startswith("adopt:"))


def confirm(bot, payload, user):
    click = bot.emulator.click(payload["token"], user, confirm_id(bot.emulator, payload["token"]))
    bot.interact(click)
    bot.run_worker()
    return click


def server_state(emu, guild):
    """Everything adopting could change: each channel's parent and overwrites, and the roles."""
    return ([(c["id"], c.get("parent_id"), sorted((o["id"], o["allow"], o["deny"])
                                                  for o in c.get("permission_overwrites", [])))
             for c in emu.guild_channels(guild)], sorted(r["id"] for r in emu.guild_roles(guild)))


def test_preview_changes_nothing_and_confirm_makes_the_category_a_private_campaign(bot, emu, guild, gm,
                                                                                   player, table):
    category, channels, masters = table
    before = server_state(emu, guild)
    payload = adopt(bot, guild, gm, category, gm_role=masters)

    preview = final_text(emu, payload["token"])
    assert preview.startswith(f"**Adopt “{NAME}” as a campaign?** Nothing changes until you press Confirm.")
    assert "**3 channels:**\nText: general, 🔒 gm-notes\nVoice: table-talk" in preview
    assert f"Players: @{NAME} Players (I'll create it)" in preview
    assert "GM: @Dungeon Masters (yours, kept as it is)" in preview
    assert "• the 2 players' channels: the same as the category" in preview
    assert "• GM-only (#gm-notes): @everyone and Players denied View Channel; GM and me allowed" in preview
    assert "Adopting creates no channel and 1 role." in preview
    assert server_state(emu, guild) == before, "nothing changes before Confirm"
    assert bot.campaign(guild, NAME) is None

    click = confirm(bot, payload, gm)

    players = emu.find_role(guild, f"{NAME} Players")["id"]
    assert len(server_state(emu, guild)[1]) == len(before[1]) + 1, "one role created, the GM role reused"
    assert len(emu.guild_channels(guild)) == len(before[0]), "no channel created"
    emu.give_role(guild, player, players)
    outsider = emu.add_member(guild, name="carol")
    for name, channel in channels.items():
        assert emu.visible_to(channel, gm), name
        assert emu.visible_to(channel, player) == (name != "gm-notes"), name
        assert not emu.visible_to(channel, outsider), name
    assert not emu.visible_to(category, outsider) and emu.visible_to(category, player)

    campaign = bot.campaign(guild, NAME)
    assert (campaign.status, campaign.origin) == ("completed", "adopted")
    assert campaign.interaction_id == click["id"]
    assert campaign.resources["role:gm"]["id"] == masters
    assert campaign.resources["role:players"]["id"] == players
    done = emu.original_message(payload["token"])["content"]
    assert done.startswith(f"✅ Adopted **{NAME}** as a campaign: its category and 3 channels (1 GM-only)")
    assert f"Created: @{NAME} Players" in done and "**This server:**" in done

    listing = run(bot, guild, player, "list-campaigns")[1]["data"]["content"]
    assert f"• **{NAME}** — completed (adopted)" in listing
    newcomer = emu.add_member(guild, name="erin")
    run(bot, guild, gm, "add-player", [{"type": 3, "name": "campaign", "value": NAME},
                                       {"type": 6, "name": "user", "value": newcomer}], users=[newcomer])
    assert emu.visible_to(channels["general"], newcomer) and not emu.visible_to(channels["gm-notes"], newcomer)
    info = run(bot, guild, gm, "campaign-info", [{"type": 3, "name": "name", "value": NAME}])[2]
    assert "adopted from existing channels" in info and "gm-notes" in info


def test_roles_none_given_are_both_created_and_the_gm_role_goes_to_whoever_confirmed(bot, emu, guild, gm,
                                                                                     table):
    category, channels, _ = table
    roles_before = len(emu.guild_roles(guild))
    payload = adopt(bot, guild, gm, category)
    preview = final_text(emu, payload["token"])
    assert "GM: @Tomb of Annihilation GM (I'll create it, and give it to you)" in preview
    confirm(bot, payload, gm)
    assert len(emu.guild_roles(guild)) == roles_before + 2
    gm_role = emu.find_role(guild, f"{NAME} GM")["id"]
    assert gm_role in emu.member_role_ids(guild, gm)
    # #gm-notes was open to Dungeon Masters only: it is GM-only, and that overwrite is kept.
    assert emu.visible_to(channels["gm-notes"], gm)


def test_both_roles_given_creates_none(bot, emu, guild, gm, player, table):
    category, channels, masters = table
    heroes = emu.add_role(guild, "Heroes")
    emu.give_role(guild, player, heroes)
    roles_before = len(emu.guild_roles(guild))
    payload = adopt(bot, guild, gm, category, gm_role=masters, players_role=heroes)
    assert "Adopting creates no channel and 0 roles." in final_text(emu, payload["token"])
    confirm(bot, payload, gm)
    assert len(emu.guild_roles(guild)) == roles_before
    assert emu.visible_to(channels["general"], player) and not emu.visible_to(channels["gm-notes"], player)


def test_refuses_channels_a_campaign_owns_and_unusable_roles(bot, emu, guild, gm, table):
    bot.add_campaign(guild, gm)
    bot.run_worker()
    built = bot.campaign(guild)
    before = server_state(emu, guild)
    payload = adopt(bot, guild, gm, built.resources["category"]["id"], name="Curse of Strahd-2")
    refused = final_text(emu, payload["token"])
    assert "Part of this already belongs to a campaign, so I changed nothing." in refused
    assert "(of “Curse of Strahd”)" in refused

    assert server_state(emu, guild) == before

    category, _, _ = table
    top = emu.add_role(guild, "Admins", above_bot=True)
    before = server_state(emu, guild)
    payload = adopt(bot, guild, gm, category, players_role=top)
    assert "is not below my highest role" in final_text(emu, payload["token"])
    payload = adopt(bot, guild, gm, category, players_role=guild)
    assert "@everyone is every member" in final_text(emu, payload["token"])
    assert server_state(emu, guild) == before and emu.original_message(payload["token"])["components"] == []


def test_a_lost_reply_and_a_5xx_on_role_creates_still_make_each_role_once(bot, emu, guild, gm, table):
    category, _, _ = table
    roles_before = len(emu.guild_roles(guild))
    payload = adopt(bot, guild, gm, category)
    emu.faults.lose_reply(1, method="POST", path_regex=r"/roles$")
    emu.faults.fail_next(1, status=500, method="POST", path_regex=r"/roles$")
    confirm(bot, payload, gm)
    names = [r["name"] for r in emu.guild_roles(guild)]
    assert len(names) == roles_before + 2
    assert names.count(f"{NAME} Players") == 1 and names.count(f"{NAME} GM") == 1
    assert bot.campaign(guild, NAME).status == "completed"


def test_a_double_confirm_adopts_once(bot, emu, guild, gm, table):
    category, _, masters = table
    roles_before = len(emu.guild_roles(guild))
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    custom_id = confirm_id(emu, payload["token"])
    first, second = (emu.click(payload["token"], gm, custom_id) for _ in range(2))
    bot.interact(first)
    bot.interact(second)
    bot.run_worker()
    assert len(emu.guild_roles(guild)) == roles_before + 1
    assert bot.campaign(guild, NAME).interaction_id == first["id"]
    assert len(bot.store.campaigns(guild)) == 1


def test_a_channel_added_after_the_preview_makes_confirm_refuse(bot, emu, guild, gm, table):
    category, _, masters = table
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    emu.add_channel(guild, "homebrew", parent_id=category)
    before = server_state(emu, guild)
    confirm(bot, payload, gm)
    assert "The category changed since the preview, so I changed nothing." in \
        emu.original_message(payload["token"])["content"]
    assert server_state(emu, guild) == before and bot.campaign(guild, NAME) is None


def test_deleting_an_adopted_campaign_says_its_channels_predate_the_bot_and_keeps_given_roles(
        bot, emu, guild, gm, table):
    category, _, masters = table
    confirm(bot, adopt(bot, guild, gm, category, gm_role=masters), gm)
    payload, reply, _ = run(bot, guild, gm, "delete-campaign", [{"type": 3, "name": "name", "value": NAME}])
    question = reply["data"]["content"]
    assert "It was adopted: its category and its 3 channels existed before I adopted them" in question
    assert "I delete the 1 role I created for it and keep the roles you gave it." in question
    click = emu.click(payload["token"], gm, next(
        c["custom_id"] for row in reply["data"]["components"] for c in row["components"]
        if c["custom_id"].startswith("delete:")))
    bot.interact(click)
    bot.run_worker()
    assert emu.find_channel(guild, "general") is None and emu.channel(category) is None
    assert emu.find_role(guild, f"{NAME} Players") is None
    assert emu.find_role(guild, "Dungeon Masters") is not None, "the role it was given is kept"
    assert bot.campaign(guild, NAME) is None


@pytest.fixture
def full_guild(emu):
    """A server at Discord's 500-channel limit, the category and its channels among them."""
    guild = emu.add_guild(name="Crowded", bot_permissions=BOT_PERMISSIONS, filler_channels=496)
    category = emu.add_channel(guild, NAME, type=CATEGORY)
    for name in ("general", "lore", "maps"):
        emu.add_channel(guild, name, parent_id=category)
    return guild, category


def test_a_server_at_500_channels_can_adopt_since_adopting_creates_no_channel(bot, emu, full_guild):
    from discord_emulator import MANAGE_CHANNELS

    guild, category = full_guild
    manager = emu.add_member(guild, name="dana", permissions=MANAGE_CHANNELS)
    assert len(emu.guild_channels(guild)) == 500
    payload = adopt(bot, guild, manager, category)
    roles = len(emu.guild_roles(guild))
    preview = final_text(emu, payload["token"])
    assert (f"**This server:** 500 of 500 channels (1 of them a category) · {roles} of 250 roles"
            in preview), preview
    assert "Adopting creates no channel and 2 roles." in preview
    confirm(bot, payload, manager)
    assert len(emu.guild_channels(guild)) == 500
    assert bot.campaign(guild, NAME).status == "completed"
    done = final_text(emu, payload["token"])
    assert f"**This server:** 500 of 500 channels (1 of them a category) · {roles + 2} of 250 roles" in done


def test_discord_failing_on_overwrites_mid_adopt_is_retried_and_finishes(bot, emu, guild, gm, player, table):
    category, channels, masters = table
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    # Every try of the task meets more 500s than one request's retries cover: SQS retries it.
    emu.faults.fail_next(12, status=500, method="PUT", path_regex=r"/permissions/")
    confirm(bot, payload, gm)
    players = emu.find_role(guild, f"{NAME} Players")
    assert [r["name"] for r in emu.guild_roles(guild)].count(f"{NAME} Players") == 1
    emu.give_role(guild, player, players["id"])
    assert emu.visible_to(channels["general"], player) and not emu.visible_to(channels["gm-notes"], player)
    assert bot.campaign(guild, NAME).status == "completed"


def test_a_refusal_mid_adopt_marks_it_failed_and_adopting_again_takes_it_over(bot, emu, guild, gm, player,
                                                                              table):
    category, channels, masters = table
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    refusing = emu.faults.forbid(method="PUT", path_regex=channels["gm-notes"] + "/permissions/")
    confirm(bot, payload, gm)
    assert "I couldn't finish adopting the category" in emu.original_message(payload["token"])["content"]
    failed = bot.campaign(guild, NAME)
    assert (failed.status, failed.origin) == ("failed", "adopted")
    listing = run(bot, guild, gm, "list-campaigns")[1]["data"]["content"]
    assert f"• **{NAME}** — failed (adopted)" in listing
    rebuilt = run(bot, guild, gm, "add-campaign", [{"type": 3, "name": "name", "value": NAME}])[1]
    assert "Run `/adopt-campaign` on its category." in rebuilt["data"]["content"]

    emu.faults.remove(refusing)
    again = adopt(bot, guild, gm, category, gm_role=masters)
    assert "Adopting creates no channel and 0 roles." in final_text(emu, again["token"]), \
        "the Players role the failed try made is its own, not created again"
    click = confirm(bot, again, gm)
    campaign = bot.campaign(guild, NAME)
    assert (campaign.status, campaign.interaction_id, campaign.run_count) == ("completed", click["id"], 2)
    assert [r["name"] for r in emu.guild_roles(guild)].count(f"{NAME} Players") == 1
    emu.give_role(guild, player, campaign.resources["role:players"]["id"])
    assert emu.visible_to(channels["general"], player) and not emu.visible_to(channels["gm-notes"], player)


def test_cancel_changes_nothing(bot, emu, guild, gm, table):
    category, _, masters = table
    payload = adopt(bot, guild, gm, category, gm_role=masters)
    before = server_state(emu, guild)
    click = emu.click(payload["token"], gm, "adopt-cancel")
    assert bot.interact(click)["data"]["content"] == "Cancelled — nothing was changed."
    bot.run_worker()
    assert server_state(emu, guild) == before and bot.campaign(guild, NAME) is None


def test_a_channel_that_is_not_a_category_is_refused_at_once(bot, emu, guild, gm, table):
    _, channels, _ = table
    payload = emu.create_interaction(guild, gm, "adopt-campaign", options=[
        {"type": 7, "name": "category", "value": channels["general"]}],
        resolved={"channels": {channels["general"]: {"id": channels["general"], "name": "general",
                                                     "type": TEXT, "permissions": "0"}}})
    reply = bot.interact(payload)
    assert reply["data"]["content"].startswith("❌ **That isn't a category.**")
    assert bot.aws.drain() == []
