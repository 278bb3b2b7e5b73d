"""The suite-wide gate, end to end: a pytest run of probe tests using the real `emu` fixture
(tests/conftest.py loaded as a plugin) must fail the tests whose traffic Discord's OpenAPI
description rejects - even when the test clears the request log afterwards, and inline replies
to interactions too - and pass the rest."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBES = textwrap.dedent('''
    import pytest
    import requests

    from discord_emulator import model

    UA = "DiscordBot (https://example.invalid, 1)"


    def post_channel(emu, gid, name):
        return requests.post(f"{emu.base_url}/guilds/{gid}/channels", json={"name": name}, timeout=5,
                             headers={"Authorization": f"Bot {emu.bot_token}", "User-Agent": UA})


    def test_good_traffic_passes(emu):
        assert post_channel(emu, emu.add_guild(), "lobby").status_code == 201


    def test_bad_request_fails(emu):
        assert post_channel(emu, emu.add_guild(), "").status_code == 400


    def test_bad_request_fails_even_when_the_log_is_cleared(emu):
        assert post_channel(emu, emu.add_guild(), "").status_code == 400
        emu.clear_requests()
        emu.reset()


    @pytest.mark.spec_exempt("probe: sends an empty name on purpose")
    def test_exempt_bad_request_passes(emu):
        assert post_channel(emu, emu.add_guild(), "").status_code == 400


    @pytest.mark.spec_exempt("probe: the exemption covers requests only")
    def test_exempt_test_still_fails_on_a_bad_answer(emu, monkeypatch):
        plain = model.User.current_user_json
        monkeypatch.setattr(model.User, "current_user_json",
                            lambda self: {k: v for k, v in plain(self).items() if k != "flags"})
        answer = requests.get(f"{emu.base_url}/users/@me", timeout=5,
                              headers={"Authorization": f"Bot {emu.bot_token}", "User-Agent": UA})
        assert answer.status_code == 200


    @pytest.mark.spec_exempt
    def test_exemption_without_a_reason_is_refused(emu):
        pass


    def test_inline_reply_the_spec_rejects_fails(emu):
        # The emulator takes it (it does not model embed fields' `inline`); the spec does not.
        gid = emu.add_guild()
        payload = emu.create_interaction(gid, emu.add_member(gid, "alice"), "x")
        emu.acknowledge(payload, {"type": 4, "data": {"embeds": [
            {"fields": [{"name": "a", "value": "b", "inline": "yes"}]}]}})
''')


def test_the_gate_fails_exactly_the_tests_with_traffic_the_spec_rejects(tmp_path):
    (tmp_path / "test_probes.py").write_text(PROBES)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lambda_src")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
                          "-q", "-rA", "--rootdir", str(tmp_path), str(tmp_path / "test_probes.py")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    outcomes = dict((name, kind) for kind, name in
                    re.findall(r"^(PASSED|FAILED|ERROR) \S*::(\w+)", run.stdout, re.MULTILINE))
    assert outcomes == {
        "test_good_traffic_passes": "PASSED",
        "test_bad_request_fails": "ERROR",
        "test_bad_request_fails_even_when_the_log_is_cleared": "ERROR",
        "test_exempt_bad_request_passes": "PASSED",
        "test_exempt_test_still_fails_on_a_bad_answer": "ERROR",
        "test_exemption_without_a_reason_is_refused": "ERROR",
        "test_inline_reply_the_spec_rejects_fails": "ERROR",
    }, run.stdout[-3000:] + run.stderr[-2000:]
    assert "request: POST /api/v10/guilds/" in run.stdout and "body /name: '' should be non-empty" in run.stdout
    assert "response: GET /api/v10/users/@me" in run.stdout and "'flags' is a required property" in run.stdout
    assert "@pytest.mark.spec_exempt needs a reason" in run.stdout
    assert re.search(r"request: POST /api/v10/interactions/\d+/\{interaction_token\}/callback .*inline",
                     run.stdout), run.stdout[-3000:]
