"""The one-command demo, as a newcomer runs it: exit status and what it shows."""

from __future__ import annotations

import re

from tests.local.conftest import run_module

SUMMARY = "✅ Campaign ready: Curse of Strahd"


def test_demo_shows_progress_summary_and_the_resulting_server():
    result = run_module("demo", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Creating Campaign: Curse of Strahd" in out and "[████" in out, "progress was shown"
    assert SUMMARY in out
    assert out.index(SUMMARY) < out.index("Curse of Strahd [category]"), "the tree follows the summary"
    assert "voice-chat [voice]" in out and "gm-planning [forum] - roles: @Curse of Strahd GM;" in out
    assert "{" not in out.split(SUMMARY)[0], "the handlers' JSON logs stay off stdout"


def test_demo_survives_rate_limits_and_lost_replies():
    result = run_module("demo", "--name", "Tomb of Annihilation", "--faults", "429,lost-replies",
                        timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✅ Campaign ready: Tomb of Annihilation" in result.stdout
    assert re.search(r"[1-9]\d* × 429", result.stdout), result.stdout
    assert re.search(r"[1-9]\d* lost replies", result.stdout), result.stdout


def test_demo_narrates_each_fault_it_met_and_checks_for_duplicates():
    result = run_module("demo", "--name", "Rime of the Frostmaiden", "--faults", "5xx,lost-replies,expired-token",
                        timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    recovery = result.stdout.split("how it recovered")[1].split("The emulated server now")[0]
    lines = [line.strip("• ").strip() for line in recovery.splitlines() if line.strip().startswith("•")]
    assert any(re.match(r"50[23] on POST /guilds/\{guild_id\}/(roles|channels) .*retried", l) for l in lines), lines
    assert any(l.startswith("lost reply to POST") and "reconciled" in l for l in lines), lines
    assert "the interaction token expired (401 50027): the answer was posted in the channel instead" in lines
    assert lines[-1].startswith("0 duplicates: each of the 13 roles and channels"), lines
    assert "the summary was posted in the channel" in result.stdout


def test_demo_refuses_an_unknown_template_before_starting_anything():
    result = run_module("demo", "--template", "space-opera", timeout=60)
    assert result.returncode == 2
    assert "no campaign template 'space-opera'" in result.stdout + result.stderr


def test_demo_refuses_an_unknown_fault():
    result = run_module("demo", "--faults", "earthquake", timeout=60)
    assert result.returncode == 2
    assert "unknown fault earthquake" in result.stderr
