"""`serve` as a user runs it: signed requests over HTTP, the emulated server checked afterwards."""

from __future__ import annotations

import json
import time

import pytest
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

from channelwright_local.stack_template import load_stack
from discord_emulator.signing import InteractionSigner
from tests.local.conftest import run_module, start_serve

NAME = "Curse of Strahd"
CHANNELS = {"announcements": 0, "general": 0, "session-notes": 0, "dice-rolls": 0, "gm-notes": 0,
            "voice-chat": 2, "character-sheets": 15, "lore-and-worldbuilding": 15,
            "maps-and-handouts": 15, "gm-planning": 15}


@pytest.fixture(scope="module")
def info(serve):
    return serve.get("/local/info").json()


@pytest.fixture(scope="module")
def signer(info):
    return InteractionSigner(SigningKey(info["signing_seed_hex"], encoder=HexEncoder))


def post_signed(serve, signer, payload) -> tuple[int, dict | str]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = serve.post("/interactions", data=body, headers=signer.headers(body))
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def run_command(serve, signer, name: str) -> dict:
    payload = serve.post("/local/interactions", json={"command": "add-campaign",
                                                      "options": {"name": name}}).json()
    status, answer = post_signed(serve, signer, payload)
    assert (status, answer) == (200, {"type": 5}), "deferred, as Discord expects within 3 s"
    return payload


def wait_for_campaign(serve, guild_id: str, interaction_id: str, timeout: float = 40) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for campaign in serve.get(f"/local/guilds/{guild_id}/campaigns").json():
            if campaign["interaction_id"] == interaction_id and campaign["status"] in ("completed", "failed"):
                return campaign
        time.sleep(0.2)
    pytest.fail(f"the campaign did not finish in {timeout} s:\n{serve.output()[-4000:]}")


def test_ping_is_answered_with_pong(serve, signer):
    assert post_signed(serve, signer, {"type": 1}) == (200, {"type": 1})


def test_requests_not_signed_by_the_application_key_get_401(serve, signer):
    stranger = InteractionSigner()
    status, _ = post_signed(serve, stranger, {"type": 1})
    assert status == 401

    body = json.dumps({"type": 1}).encode()
    headers = signer.headers(body)
    tampered = serve.post("/interactions", data=body.replace(b"1", b"2"), headers=headers)
    assert tampered.status_code == 401


def test_binary_body_reaches_the_handler_byte_for_byte(serve, signer):
    # Not UTF-8, so the gateway must base64 it; a valid signature over these exact bytes then
    # gets past verification and fails as JSON (400), where any mangling would give 401.
    status, _ = post_signed(serve, signer, b"\xff\xfe not json")
    assert status == 400


def test_only_the_templates_route_reaches_the_function(serve):
    assert serve.get("/interactions").status_code == 404
    assert serve.post("/elsewhere", data=b"{}").status_code == 404


def test_settings_come_from_the_stack_template(info):
    spec = load_stack()
    worker = spec.function_with_handler("channelwright.worker.handler")
    queue = spec.queues[spec.event_source_for(worker).queue_id].properties
    assert info["worker"] == {
        "timeout_s": worker.timeout_s,
        "batch_size": spec.event_source_for(worker).batch_size,
        "visibility_timeout_s": queue["VisibilityTimeout"],
        "max_receive_count": queue["RedrivePolicy"]["maxReceiveCount"],
        "retry_after_s": 1.0,
    }
    assert info["task_queue_url"].endswith(".fifo") and info["dead_letter_queue_url"].endswith(".fifo")


def test_add_campaign_builds_every_channel_under_a_private_category(serve, signer, info):
    guild, gm = info["guild_id"], info["gm_id"]
    payload = run_command(serve, signer, NAME)
    campaign = wait_for_campaign(serve, guild, payload["id"])
    assert campaign["status"] == "completed", campaign.get("failure")

    state = serve.get(f"/local/guilds/{guild}").json()
    roles = {r["name"]: r["id"] for r in state["roles"] if r["name"].startswith(NAME)}
    assert sorted(roles) == [f"{NAME} GM", f"{NAME} Players"]
    [category] = [c for c in state["channels"] if c["type"] == 4 and c["name"] == NAME]
    children = {c["name"]: c["type"] for c in state["channels"] if c["parent_id"] == category["id"]}
    assert children == CHANNELS
    assert roles[f"{NAME} GM"] in state["members"][gm], "the GM role was given to the invoker"
    assert roles[f"{NAME} GM"] not in state["members"][info["player_id"]]

    message = serve.get(f"/local/interactions/{payload['token']}").json()
    assert any("Creating Campaign: Curse of Strahd" in text for text in message["history"])
    assert message["history"][-1].startswith(f"✅ Campaign ready: {NAME}")
    tree = serve.get(f"/local/guilds/{guild}/tree").text
    assert f"{NAME} [category]" in tree and "gm-planning [forum] - roles: @Curse of Strahd GM;" in tree


def test_same_name_again_is_refused_without_building_twice(serve, signer, info):
    guild = info["guild_id"]
    name = "Lost Mine of Phandelver"
    wait_for_campaign(serve, guild, run_command(serve, signer, name)["id"])
    channels_before = len(serve.get(f"/local/guilds/{guild}").json()["channels"])

    again = serve.post("/local/interactions", json={"options": {"name": name}}).json()
    status, answer = post_signed(serve, signer, again)
    assert status == 200 and answer["type"] == 4 and answer["data"]["flags"] == 64
    assert "already exists" in answer["data"]["content"]
    time.sleep(1.5)  # anything wrongly queued would have run by now
    assert len(serve.get(f"/local/guilds/{guild}").json()["channels"]) == channels_before


def test_sigterm_stops_everything_cleanly(tmp_path):
    served = start_serve(tmp_path / "serve.log")
    assert served.stop() == 0, served.output()
    assert "Traceback" not in served.output()


def test_real_discord_without_settings_says_what_is_missing():
    result = run_module("serve", "--discord", "real", "--port", "0", timeout=60)
    assert result.returncode == 2
    for name in ("DISCORD_BOT_TOKEN", "DISCORD_APPLICATION_ID", "DISCORD_PUBLIC_KEY"):
        assert name in result.stderr
