"""Local mode stays on this machine: its pages and its AWS answer no other site's web page, and
the command line refuses what it cannot use before starting anything."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey

from channelwright_local.demo import BadCampaignOption, campaign_options
from discord_emulator.signing import InteractionSigner
from tests.local.conftest import run_module

EVIL = "http://evil.example"


def no_cors(response: requests.Response) -> bool:
    return not any(name.lower().startswith("access-control-") for name in response.headers)


def test_local_pages_answer_only_a_local_host(serve):
    port = urlsplit(serve.url).port
    assert serve.get("/local/info", headers={"Host": f"localhost:{port}"}).status_code == 200
    rebound = serve.get("/local/info", headers={"Host": f"evil.example:{port}"})
    assert rebound.status_code == 403 and "signing_seed_hex" not in rebound.text
    assert serve.get("/", headers={"Host": "evil.example"}).status_code == 403


def test_other_sites_pages_are_refused_and_get_no_cors_headers(serve):
    for response in (serve.get("/local/info", headers={"Origin": EVIL}),
                     serve.get("/local/info", headers={"Sec-Fetch-Site": "cross-site"}),
                     serve.post("/local/playground/trouble", json={"latency": 5}, headers={"Origin": EVIL}),
                     requests.options(serve.url + "/local/info", timeout=10,
                                      headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})):
        assert response.status_code == 403, response.request.url
        assert no_cors(response)
    own = serve.post("/local/playground/trouble", json={"latency": 0}, headers={"Origin": serve.url})
    assert own.status_code == 200 and no_cors(own)


def test_a_body_a_page_may_send_unasked_changes_nothing(serve):
    """text/plain, form and multipart bodies are CORS "simple requests": a browser sends them
    to any site without a preflight, and an old one without an Origin header."""
    before = serve.get("/local/playground/state").json()["trouble"]
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = serve.post("/local/playground/trouble", data=b'{"faults": ["5xx"], "latency": 2}',
                              headers=headers)
        assert response.status_code == 415 and no_cors(response), content_type
        assert serve.post("/local/interactions", data=b'{"command": "add-campaign"}',
                          headers=headers).status_code == 415
    assert serve.get("/local/playground/state").json()["trouble"] == before
    assert serve.post("/local/playground/trouble", json={"faults": [], "latency": 0}).status_code == 200


def test_the_interactions_endpoint_still_answers_discord_through_a_tunnel(serve):
    info = serve.get("/local/info").json()
    signer = InteractionSigner(SigningKey(info["signing_seed_hex"], encoder=HexEncoder))
    body = json.dumps({"type": 1}).encode()
    response = serve.post("/interactions", data=body,
                          headers={**signer.headers(body), "Host": "example.trycloudflare.com"})
    assert (response.status_code, response.json()) == (200, {"type": 1})


def test_local_aws_answers_no_web_page(serve):
    aws = serve.get("/local/info").json()["aws_endpoint_url"]
    secret_request = {"X-Amz-Target": "secretsmanager.GetSecretValue",
                      "Content-Type": "application/x-amz-json-1.1"}
    from_page = requests.post(aws, data=b'{"SecretId": "x"}', timeout=10, headers={**secret_request, "Origin": EVIL})
    preflight = requests.options(aws, timeout=10, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "x-amz-target"})
    for response in (from_page, preflight):
        assert response.status_code == 403 and no_cors(response)
    rebound = requests.get(aws, timeout=10, headers={"Host": "evil.example"})
    assert rebound.status_code == 403


def test_a_negative_latency_is_refused_at_once():
    result = run_module("demo", "--latency", "-1", timeout=30)
    assert result.returncode == 2
    assert "--latency: -1 s: must be 0 or more" in result.stderr


def test_template_names_are_matched_as_the_bot_matches_them():
    assert campaign_options("Tomb", "  One-Shot ") == {"name": "Tomb", "template": "one-shot"}
    assert campaign_options("Tomb", "DEFAULT") == {"name": "Tomb"}
    with pytest.raises(BadCampaignOption, match="available: default, in-person, one-shot, play-by-post, voice-vtt"):
        campaign_options("Tomb", "space-opera")


def test_a_name_the_bot_would_refuse_is_refused_before_starting():
    result = run_module("demo", "--name", "   ", timeout=30)
    assert result.returncode == 2 and "That campaign name is empty." in result.stderr
