"""A module's own emulator on a real port, watched by the spec gate, with a bot's raw REST calls
and a check of any object against Discord's OpenAPI schemas (tests/spec/discord-openapi.json):
for tests that look at the emulator's answers directly."""

import pytest
import requests

from discord_emulator import DiscordEmulator
from tests.support.openapi_check import SpecChecker
from tests.support.spec_gate import watching

TOKEN = "test-bot-token"
APP_ID = "1100000000000000001"
UA = "DiscordBot (https://example.invalid/channelwright, 0.1)"


@pytest.fixture(scope="module")
def emu():
    with DiscordEmulator(bot_token=TOKEN, application_id=APP_ID) as emu, watching(emu):
        yield emu


@pytest.fixture(scope="module")
def conforms():
    """check(schema name, value) -> the value's errors against components/schemas/<name>."""
    checker = SpecChecker()

    def check(schema: str, value) -> list[str]:
        validator = checker.validator(f"/components/schemas/{schema}")
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]
    return check


def call(emu, method, path, **kwargs):
    """The bot's request to the emulator, as `requests.Response`."""
    return requests.request(method, emu.base_url + path, timeout=5, **kwargs,
                            headers={"Authorization": f"Bot {TOKEN}", "User-Agent": UA})
