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
