"""`python -m channelwright.commands register`: one bulk overwrite, and a report of what changed,
against the emulator's application-command routes."""

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from channelwright.commands.definitions import DEFINITIONS
from channelwright.discord.api import DiscordApi
from channelwright.discord.rest import USER_AGENT, DiscordRest
from channelwright.commands.registration import diff_commands, main, register

TOKEN, APP_ID = "test-bot-token", "1100000000000000001"
ROOT = Path(__file__).resolve().parents[2]
NAMES = [d["name"] for d in DEFINITIONS]


@pytest.fixture
def guild(emu):
    return emu.add_guild()


def run(emu, *args, token=TOKEN, definitions=None, **env):
    out, err = io.StringIO(), io.StringIO()
    environ = {"DISCORD_BOT_TOKEN": token, "DISCORD_APPLICATION_ID": APP_ID,
               "DISCORD_API_BASE_URL": emu.base_url, **env}
    code = main(["register", *args], environ={k: v for k, v in environ.items() if v is not None},
                definitions=definitions or DEFINITIONS, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_dry_run_prints_the_definitions_and_sends_nothing(emu):
    code, out, err = run(emu, "--dry-run", token=None, DISCORD_APPLICATION_ID=None)
    assert code == 0
    assert json.loads(out) == DEFINITIONS
    assert "would PUT 9 commands to /applications/<DISCORD_APPLICATION_ID>/commands" in err
    assert emu.requests == []


def test_first_registration_adds_all_then_nothing_changes(emu, guild):
    code, out, err = run(emu, "--guild", guild)
    assert (code, err) == (0, "")
    assert out.startswith(f"Registered 9 commands in server {guild} for application {APP_ID}:\n")
    assert [line.strip() for line in out.splitlines()[1:10]] == [f"+ {name}: added" for name in NAMES]
    assert out.splitlines()[-1] == "9 added, 0 updated, 0 removed, 0 unchanged."
    registered = emu.registered_commands(guild)
    assert [c["name"] for c in registered] == NAMES
    assert emu.registered_commands() == []  # a guild registration leaves global commands alone

    code, out, _ = run(emu, "--guild", guild)
    assert code == 0 and out.splitlines()[-1] == "0 added, 0 updated, 0 removed, 9 unchanged."
    assert [c["id"] for c in emu.registered_commands(guild)] == [c["id"] for c in registered]
    paths = [(r.method, r.path) for r in emu.requests]
    assert paths[-2:] == [("GET", f"/applications/{APP_ID}/guilds/{guild}/commands"),
                          ("PUT", f"/applications/{APP_ID}/guilds/{guild}/commands")]


def test_changes_are_reported_by_command_and_field(emu, guild):
    assert run(emu, "--guild", guild)[0] == 0
    changed = copy.deepcopy(DEFINITIONS[1:])  # add-campaign dropped
    changed[0]["description"] = "Every campaign in this server."
    template = next(c for c in changed if c["name"] == "campaign-template")
    template["options"][0]["description"] = "Import a template file"
    changed.append({"name": "roll", "type": 1, "description": "Roll dice", "options": []})
    code, out, _ = run(emu, "--guild", guild, definitions=changed)
    assert code == 0
    assert "  + roll: added" in out
    assert "  ~ list-campaigns: updated (description)" in out
    assert "  ~ campaign-template: updated (options.import)" in out
    assert "  - add-campaign: removed" in out
    assert out.splitlines()[-1] == "1 added, 2 updated, 1 removed, 6 unchanged."
    assert sorted(c["name"] for c in emu.registered_commands(guild)) == sorted(c["name"] for c in changed)


def test_global_registration_uses_the_global_route(emu):
    code, out, _ = run(emu)
    assert code == 0 and f"Registered 9 commands globally for application {APP_ID}:" in out
    assert {(r.method, r.path) for r in emu.requests} == {("GET", f"/applications/{APP_ID}/commands"),
                                                          ("PUT", f"/applications/{APP_ID}/commands")}
    assert [c["name"] for c in emu.registered_commands()] == NAMES
    assert all(r.headers["authorization"] == f"Bot {TOKEN}" for r in emu.requests)


@pytest.mark.parametrize("missing, message", [
    ({"DISCORD_BOT_TOKEN": None}, "error: DISCORD_BOT_TOKEN is not set."),
    ({"DISCORD_APPLICATION_ID": None}, "error: DISCORD_APPLICATION_ID is not set."),
    ({"DISCORD_BOT_TOKEN": None, "DISCORD_APPLICATION_ID": None},
     "error: DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID are not set."),
    ({"DISCORD_APPLICATION_ID": "my-app"}, "error: DISCORD_APPLICATION_ID must be the application's numeric id"),
])
def test_missing_settings_exit_2_with_a_reason(emu, missing, message):
    env = dict(missing)
    token = env.pop("DISCORD_BOT_TOKEN", TOKEN)
    code, out, err = run(emu, token=token, **env)
    assert (code, out) == (2, "") and err.startswith(message)
    assert emu.requests == []


def test_bad_usage_exits_2(emu, capsys):
    assert run(emu, "--guild", "not-a-number")[0] == 2
    assert main(["deregister"], environ={}) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_refused_token_exits_1_and_is_never_printed(emu):
    secret = "MTEwMDAw.secret-token-value"
    code, out, err = run(emu, token=secret)
    assert code == 1
    assert "Discord refused the registration" in err and "Discord refused DISCORD_BOT_TOKEN" in err
    assert secret not in out + err


def test_a_definition_discord_refuses_exits_1_with_its_error(emu, guild):
    bad = copy.deepcopy(DEFINITIONS)
    bad[0]["name"] = "Add-Campaign"
    code, _, err = run(emu, "--guild", guild, definitions=bad)
    assert code == 1 and "APPLICATION_COMMAND_INVALID_NAME" in err
    assert emu.registered_commands(guild) == []


def test_unknown_guild_is_explained(emu):
    code, _, err = run(emu, "--guild", "123456789012345678")
    assert code == 1 and "--guild is a server the bot is in" in err


def test_discords_defaults_do_not_count_as_changes():
    """Discord answers with ids, versions and defaults, and leaves out false option flags."""
    wanted = [{"name": "x", "type": 1, "description": "X", "default_member_permissions": None,
               "contexts": [0], "options": [{"type": 3, "name": "o", "description": "O", "required": False,
                                             "autocomplete": True}]}]
    current = [{"id": "1", "application_id": APP_ID, "version": "2", "name": "x", "type": 1,
                "description": "X", "default_member_permissions": None, "contexts": [0], "nsfw": False,
                "integration_types": [0], "options": [{"type": 3, "name": "o", "description": "O",
                                                       "autocomplete": True}]}]
    changes = diff_commands(current, wanted)
    assert changes.unchanged == ["x"] and not changes.changed
    wanted[0]["options"].insert(0, {"type": 5, "name": "p", "description": "P"})
    assert diff_commands(current, wanted).updated == {"x": ["options.p (added)"]}
    current[0]["options"].insert(0, {"type": 5, "name": "p", "description": "P"})
    wanted[0]["options"].reverse()
    assert diff_commands(current, wanted).updated == {"x": ["options (order)"]}
    wanted[0]["options"].pop()
    assert diff_commands(current, wanted).updated == {"x": ["options.p (removed)"]}


@pytest.mark.spec_exempt("sends command definitions Discord refuses")
@pytest.mark.parametrize("body, field", [
    ([{"name": "x", "description": ""}], "0.description"),
    ([{"name": "x", "description": "d" * 101}], "0.description"),
    ([{"name": "bad name", "description": "d"}], "0.name"),
    ([{"name": "x", "description": "d",
       "options": [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]}], "0.options"),
    ([{"name": "x", "description": "d"}, {"name": "x", "description": "e"}], "1.name"),
    ([{"name": "x", "description": "d", "options": [
        {"type": 3, "name": "a", "description": "d"},
        # Filed on the option itself, as Discord answers (discord/discord-api-docs#5615).
        {"type": 3, "name": "b", "description": "d", "required": True}]}], "0.options.1"),
])
def test_the_emulator_validates_commands_like_discord(emu, body, field):
    response = requests.put(f"{emu.base_url}/applications/{APP_ID}/commands", json=body, timeout=2,
                            headers={"Authorization": f"Bot {TOKEN}", "User-Agent": USER_AGENT})
    assert response.status_code == 400 and response.json()["code"] == 50035
    errors = response.json()["errors"]
    for part in field.split("."):
        errors = errors[part]
    assert "_errors" in errors


@pytest.mark.spec_exempt("sends a request without the bot token")
def test_the_emulator_requires_the_bot_token(emu, guild):
    url = f"{emu.base_url}/applications/{APP_ID}/guilds/{guild}/commands"
    assert requests.get(url, headers={"User-Agent": USER_AGENT}, timeout=2).status_code == 401


def test_the_emulator_counts_creates(emu, guild):
    emu.daily_command_creates = 3
    api = DiscordApi(DiscordRest(emu.base_url, TOKEN))
    two = [{"name": n, "description": "d"} for n in ("a", "b")]
    register(api, APP_ID, two, guild_id=guild, out=io.StringIO())
    register(api, APP_ID, two, guild_id=guild, out=io.StringIO())  # no new creates
    code, _, err = run(emu, "--guild", guild, definitions=two + [{"name": n, "description": "d"}
                                                                 for n in ("c", "d")])
    assert code == 1 and "may create at most 200 commands a day" in err
    assert emu.requests[-1].code == 30034 and emu.requests[-1].status == 429
    assert [c["name"] for c in emu.registered_commands(guild)] == ["a", "b"]


def test_cli_entry_point_runs_as_a_module():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lambda_src")}
    env.pop("DISCORD_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "channelwright.commands", "register", "--dry-run"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [c["name"] for c in json.loads(done.stdout)] == NAMES
    missing = subprocess.run([sys.executable, "-m", "channelwright.commands", "register"],
                             capture_output=True, text=True, timeout=60, cwd=ROOT,
                             env={k: v for k, v in env.items() if not k.startswith("DISCORD_")})
    assert missing.returncode == 2 and "DISCORD_BOT_TOKEN" in missing.stderr
