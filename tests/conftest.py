import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "spec_exempt(reason): the test sends Discord invalid requests on purpose; their "
                   "request side is not held to the OpenAPI description (responses still are)")


@pytest.fixture(autouse=True)
def openapi_gate(request):
    """Fail a test whose emulated Discord traffic Discord's published OpenAPI description rejects
    (tests/support/spec_gate.py). Runs after the test's own fixtures are torn down."""
    from tests.support import spec_gate

    marker = request.node.get_closest_marker("spec_exempt")
    if marker is not None and not (marker.args and str(marker.args[0]).strip()):
        pytest.fail("@pytest.mark.spec_exempt needs a reason", pytrace=False)
    late = spec_gate.take_violations(exempt_requests=False)
    if late:  # answered after an earlier test's teardown: not this test's traffic, still checked
        pytest.fail(spec_gate.report(late, "from requests an earlier test left in flight"), pytrace=False)
    yield
    violations = spec_gate.take_violations(exempt_requests=marker is not None)
    if violations:
        pytest.fail(spec_gate.report(violations), pytrace=False)


@pytest.fixture(autouse=True)
def no_unflushed_metrics():
    """Each test starts with no metrics pending, as each Lambda invocation does: the handlers'
    `@metrics.log_metrics` flushes and clears them however an invocation ends, but tests that
    call `respond()` or `process_tasks()` directly (tests/support/bot.py) bypass that flush, and
    what they counted would otherwise reach the next handler's EMF blob."""
    from channelwright.aws.observability import metrics

    metrics.clear_metrics()
    yield


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

    from tests.support.spec_gate import watching

    with DiscordEmulator(bot_token=BOT_TOKEN, application_id=APPLICATION_ID) as emu, watching(emu):
        yield emu


@pytest.fixture
def emu(emulator):
    """The module's emulator with no state, faults or bucket settings left by earlier tests."""
    emulator.reset()
    yield emulator
    assert emulator.internal_errors == [], "the emulator itself failed"


# An end-to-end server: the bot (the real handlers on moto and the emulator), a server called
# Barovia where the bot holds BOT_PERMISSIONS, a GM with Manage Channels and a player. A module
# that needs another setup defines its own fixture of the same name.

@pytest.fixture
def bot(aws, emu):
    from tests.support.bot import Bot

    return Bot(aws, emu)


@pytest.fixture
def guild(emu):
    from tests.support.bot import BOT_PERMISSIONS

    return emu.add_guild(name="Barovia", bot_permissions=BOT_PERMISSIONS)


@pytest.fixture
def gm(emu, guild):
    from discord_emulator import MANAGE_CHANNELS

    return emu.add_member(guild, name="alice", permissions=MANAGE_CHANNELS)


@pytest.fixture
def player(emu, guild):
    return emu.add_member(guild, name="bob")
