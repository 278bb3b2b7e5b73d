import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture
def aws_env(monkeypatch):
    """Credentials and region for moto; never real ones (no AWS account is reachable here)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws(aws_env):
    from moto import mock_aws

    from tests.support.aws import AwsResources

    with mock_aws():
        yield AwsResources.create()


BOT_TOKEN = "test-bot-token"
APPLICATION_ID = "1100000000000000001"  # the bot user's id too, as for current Discord apps


@pytest.fixture(scope="module")
def emulator():
    """One emulated Discord per test module (starting a server per test would be slow)."""
    from discord_emulator import DiscordEmulator

    with DiscordEmulator(bot_token=BOT_TOKEN, application_id=APPLICATION_ID) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    """The module's emulator with no state, faults or bucket settings left by earlier tests."""
    emulator.reset()
    yield emulator
    assert emulator.internal_errors == [], "the emulator itself failed"
