"""The GM-only rule of /adopt-campaign (campaigns/adopt_survey.py), channel by channel."""

from channelwright.campaigns.adopt_survey import gm_only
from channelwright.discord.permissions import VIEW_CHANNEL
from tests.support.servers import overwrite

GUILD, PLAYERS, GMS, OTHER = "100", "200", "300", "400"


def channel(*overwrites):
    return {"permission_overwrites": list(overwrites)}


HIDDEN = overwrite(GUILD, deny=VIEW_CHANNEL)
PUBLIC_CATEGORY = channel()
PRIVATE_CATEGORY = channel(HIDDEN, overwrite(PLAYERS, allow=VIEW_CHANNEL), overwrite(GMS, allow=VIEW_CHANNEL))


def test_a_channel_everyone_sees_is_not_gm_only():
    assert not gm_only(channel(), PUBLIC_CATEGORY, GUILD, None)
    assert not gm_only(channel(overwrite(GUILD, allow=VIEW_CHANNEL)), PRIVATE_CATEGORY, GUILD, PLAYERS)


def test_hidden_from_everyone_in_a_public_category_is_gm_only():
    assert gm_only(channel(HIDDEN, overwrite(GMS, allow=VIEW_CHANNEL)), PUBLIC_CATEGORY, GUILD, None)


def test_a_channel_synced_with_a_private_category_is_the_players():
    assert not gm_only(PRIVATE_CATEGORY, PRIVATE_CATEGORY, GUILD, PLAYERS)
    assert not gm_only(PRIVATE_CATEGORY, PRIVATE_CATEGORY, GUILD, None)


def test_narrower_than_a_private_category_is_gm_only():
    narrower = channel(HIDDEN, overwrite(GMS, allow=VIEW_CHANNEL))
    assert gm_only(narrower, PRIVATE_CATEGORY, GUILD, None)
    assert gm_only(narrower, PRIVATE_CATEGORY, GUILD, PLAYERS)


def test_open_to_the_players_role_given_is_never_gm_only():
    players_only = channel(HIDDEN, overwrite(PLAYERS, allow=VIEW_CHANNEL))
    assert not gm_only(players_only, PUBLIC_CATEGORY, GUILD, PLAYERS)
    # Without a players role given, the same channel is hidden from someone who sees the category.
    assert gm_only(players_only, PUBLIC_CATEGORY, GUILD, None)


def test_wider_than_its_private_category_is_not_gm_only():
    wider = channel(HIDDEN, overwrite(PLAYERS, allow=VIEW_CHANNEL), overwrite(GMS, allow=VIEW_CHANNEL),
                    overwrite(OTHER, allow=VIEW_CHANNEL))
    assert not gm_only(wider, PRIVATE_CATEGORY, GUILD, None)
