"""What the template test modules share: a server and user, the West Marches template (as data,
as YAML, as a Template), and one moto world per test module."""

import pytest

from channelwright.campaigns.plan import Template
from channelwright.templates.library import TemplateLibrary
from channelwright.templates.schema import validate

GUILD, OTHER_GUILD, USER = "290926798626357999", "290926798626358000", "53908232506183680"

WEST_MARCHES = {
    "id": "west-marches", "title": "West Marches",
    "channels": [
        {"name": "Town Square", "type": "text"},
        {"name": "Tavern", "type": "voice"},
        {"name": "expedition reports", "type": "Forum"},
        {"name": "gm-notes", "type": "text", "gm_only": True},
    ],
}
WEST_MARCHES_YAML = b"""\
# A sandbox: many players, many GMs, sessions scheduled by the players.
id: west-marches
title: West Marches
channels:
  - {name: Town Square, type: text}
  - name: Tavern
    type: voice
  - name: expedition reports
    type: Forum
  - name: gm-notes
    type: text
    gm_only: yes
"""


def west(**changes) -> Template:
    return validate({**WEST_MARCHES, **changes})


@pytest.fixture(scope="module")
def shared_aws():
    """One moto world for the module (building it per test costs half a second); see `aws`."""
    from moto import mock_aws

    from tests.support.aws import AwsResources

    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_REGION", "us-east-1")
        with mock_aws():
            yield AwsResources.create()


@pytest.fixture
def aws(shared_aws):
    """The shared moto world, emptied: no queued tasks, no table items."""
    shared_aws.drain()
    db, table = shared_aws.dynamodb, shared_aws.table_name
    for item in db.scan(TableName=table, ProjectionExpression="guild_id, campaign_key").get("Items", []):
        db.delete_item(TableName=table, Key=item)
    return shared_aws


@pytest.fixture
def library(aws):
    return TemplateLibrary(aws.dynamodb, aws.table_name)
