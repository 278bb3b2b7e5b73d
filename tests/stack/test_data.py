"""What holds state: the campaign table and the bot-token secret, and how each stage keeps them."""

from __future__ import annotations

from .helpers import properties, resource


def test_campaign_table_is_keyed_by_guild_and_campaign_on_demand_and_encrypted(dev, dev_stack):
    dev.resource_count_is("AWS::DynamoDB::Table", 1)
    table = properties(dev, dev_stack, dev_stack.store.table)
    assert table["KeySchema"] == [
        {"AttributeName": "guild_id", "KeyType": "HASH"},
        {"AttributeName": "campaign_key", "KeyType": "RANGE"},
    ]
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "campaign_key", "AttributeType": "S"},
        {"AttributeName": "guild_id", "AttributeType": "S"},
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    # Stored interaction tokens expire with Discord's 15 minutes: DynamoDB deletes them by TTL,
    # on the attribute the runtime writes.
    from channelwright.campaigns.store import TTL_ATTRIBUTE

    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    # SSE with no key of ours: the AWS-managed key (aws/dynamodb).
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_prod_table_survives_stack_deletion_and_can_be_restored(prod, prod_stack):
    table = resource(prod, prod_stack, prod_stack.store.table)
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_dev_table_is_disposable(dev, dev_stack):
    table = resource(dev, dev_stack, dev_stack.store.table)
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"].get("DeletionProtectionEnabled", False) is False
    pitr = table["Properties"].get("PointInTimeRecoverySpecification", {})
    assert pitr.get("PointInTimeRecoveryEnabled", False) is False


def test_bot_token_secret_holds_no_token_in_the_template(dev, prod, dev_stack, prod_stack):
    for template, stack, policy in ((dev, dev_stack, "Delete"), (prod, prod_stack, "Retain")):
        template.resource_count_is("AWS::SecretsManager::Secret", 1)
        secret = resource(template, stack, stack.token.secret)
        assert "SecretString" not in secret["Properties"]
        # A random placeholder without dots can never pass for a Discord token.
        assert secret["Properties"]["GenerateSecretString"]["ExcludePunctuation"] is True
        assert "SecretStringTemplate" not in secret["Properties"]["GenerateSecretString"]
        assert secret["DeletionPolicy"] == policy
