"""The recovery narration and the duplicate check, on request logs and servers made up to show
each case, so that "0 duplicates" and "reconciled" are shown to be checks that can say otherwise."""

from __future__ import annotations

from types import SimpleNamespace

from channelwright_local.playground.narration import duplicates, recovery, summary
from discord_emulator.recording import RecordedRequest

ROLES = "/guilds/1/roles"


def request(method: str, path: str, status: int | None, *, name: str | None = None, lost: bool = False,
            at: float = 0.0) -> RecordedRequest:
    return RecordedRequest(method, path, f"{method} /guilds/{{guild_id}}/roles", {},
                           {"name": name} if name else None, at, status=status, finished=at,
                           reply_lost=lost)


def test_a_lost_create_made_again_is_called_a_duplicate_not_reconciled():
    lines = recovery([request("POST", ROLES, None, name="GM", lost=True),
                      request("GET", ROLES, 200),
                      request("POST", ROLES, 200, name="GM")])
    assert lines == ["lost reply to POST /guilds/{guild_id}/roles (GM): created AGAIN, a duplicate"]


def test_a_lost_create_found_by_listing_is_reconciled_and_one_never_followed_up_is_not():
    assert recovery([request("POST", ROLES, None, name="GM", lost=True), request("GET", ROLES, 200)]) == [
        "lost reply to POST /guilds/{guild_id}/roles (GM): reconciled (found it listing the server, "
        "not created again)"]
    assert recovery([request("POST", ROLES, None, name="GM", lost=True)]) == [
        "lost reply to POST /guilds/{guild_id}/roles (GM): not reconciled yet"]


def test_a_5xx_never_retried_says_so():
    assert recovery([request("POST", ROLES, 502, name="GM")]) == [
        "502 on POST /guilds/{guild_id}/roles (GM): not retried yet"]


class Server:
    """What the narration reads of the emulator: its request log (empty here) and two look-ups."""

    def __init__(self, roles: list[dict], channels: list[dict]):
        self.roles, self.channels, self.requests = roles, channels, []

    def guild_roles(self, guild_id):
        return self.roles

    def guild_channels(self, guild_id):
        return self.channels


def campaign(resources: dict) -> SimpleNamespace:
    plan = [{"key": "gm", "kind": "role"}, {"key": "cat", "kind": "category"},
            {"key": "notes", "kind": "channel"}]
    return SimpleNamespace(name="Strahd", plan=plan, resources={k: {"id": v} for k, v in resources.items()})


def test_the_duplicate_check_counts_the_server_against_the_record():
    record = campaign({"gm": "10", "cat": "20", "notes": "21"})
    once = Server([{"id": "10", "name": "Strahd GM"}],
                  [{"id": "20", "name": "Strahd", "type": 4},
                   {"id": "21", "name": "notes", "type": 0, "parent_id": "20"},
                   {"id": "30", "name": "notes", "type": 0, "parent_id": "99"}])  # another category's
    assert duplicates(once, "1", [record]) == []
    assert summary(once, "1", [record]) == [
        "0 duplicates: each of the 3 roles and channels in the campaign records exists once in the server"]

    twice = Server([{"id": "10", "name": "Strahd GM"}, {"id": "11", "name": "Strahd GM"}],
                   [{"id": "20", "name": "Strahd", "type": 4},
                    {"id": "21", "name": "notes", "type": 0, "parent_id": "20"},
                    {"id": "22", "name": "notes", "type": 0, "parent_id": "20"}])
    assert duplicates(twice, "1", [record]) == ["Strahd: role @Strahd GM exists 2 times",
                                                "Strahd: channel #notes exists 2 times"]
    assert not any(line.startswith("0 duplicates") for line in summary(twice, "1", [record]))
