"""The invite URL: Discord's bot authorization flow with exactly the permissions the bot needs."""

import re
import urllib.parse
from pathlib import Path

import pytest

from channelwright.campaigns import access
from channelwright.campaigns.plan import ACCESS_MODES
from channelwright.discord import permissions as p
from channelwright.ops.invite import INVITE_PERMISSIONS, invite_url, main

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_url_follows_discords_bot_authorization_flow():
    url = urllib.parse.urlsplit(invite_url("1100000000000000001"))
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    query = urllib.parse.parse_qs(url.query)
    assert query == {"client_id": ["1100000000000000001"], "scope": ["bot applications.commands"],
                     "permissions": [str(INVITE_PERMISSIONS)]}


def test_the_bot_holds_everything_its_overwrites_grant_so_none_is_cut_short():
    everything = dict(guild_id="1", players_role="2", gm_role="3", bot_user_id="4", spectators_role="5")
    for mode in ACCESS_MODES:
        granted = access.overwrites(**everything, bot_permissions=INVITE_PERMISSIONS, access=mode)
        unmasked = access.overwrites(**everything, bot_permissions=p.ALL & ~p.ADMINISTRATOR, access=mode)
        assert granted == unmasked
    assert INVITE_PERMISSIONS & (p.MANAGE_CHANNELS | p.MANAGE_ROLES) == p.MANAGE_CHANNELS | p.MANAGE_ROLES
    assert not INVITE_PERMISSIONS & p.ADMINISTRATOR


def test_the_readme_gives_the_same_integer():
    integers = set(re.findall(r"permissions=(\d+)", README.read_text()))
    assert integers == {str(INVITE_PERMISSIONS)}


def test_the_command_prints_the_url(capsys):
    assert main(["1100000000000000001"], environ={}) == 0
    out, err = capsys.readouterr()
    assert out.strip() == invite_url("1100000000000000001")
    assert "Manage Roles" in err
    assert main([], environ={"DISCORD_APPLICATION_ID": "1100000000000000001"}) == 0
    assert main([], environ={}) == 2
    assert main(["my-bot"], environ={}) == 2
    with pytest.raises(ValueError):
        invite_url("my-bot")
