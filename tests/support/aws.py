"""The AWS side of the bot inside moto: the FIFO task queue, its dead-letter queue and the table."""

import json
from dataclasses import dataclass

import boto3

MAX_RECEIVE_COUNT = 5


@dataclass
class AwsResources:
    sqs: object
    dynamodb: object
    queue_url: str
    dlq_url: str
    table_name: str

    @classmethod
    def create(cls, visibility_timeout: int = 180) -> "AwsResources":
        sqs = boto3.client("sqs")
        dynamodb = boto3.client("dynamodb")
        dlq_url = sqs.create_queue(QueueName="channelwright-dlq.fifo",
                                   Attributes={"FifoQueue": "true"})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(QueueName="channelwright-tasks.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "false",
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": MAX_RECEIVE_COUNT}),
        })["QueueUrl"]
        dynamodb.create_table(
            TableName="channelwright-campaigns", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "guild_id", "KeyType": "HASH"},
                       {"AttributeName": "campaign_key", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "guild_id", "AttributeType": "S"},
                                  {"AttributeName": "campaign_key", "AttributeType": "S"}])
        return cls(sqs, dynamodb, queue_url, dlq_url, "channelwright-campaigns")

    def drain(self, queue_url: str | None = None) -> list[dict]:
        """Every message now on the queue (consumed), with its FIFO attributes."""
        url = queue_url or self.queue_url
        messages = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                             AttributeNames=["All"]).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                messages.append({"body": json.loads(message["Body"]),
                                 "group": message["Attributes"]["MessageGroupId"],
                                 "dedup": message["Attributes"]["MessageDeduplicationId"]})
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def items(self) -> list:
        """The campaigns in the table (server templates share it and are skipped)."""
        from channelwright.campaigns.store import CAMPAIGN_PREFIX, Campaign
        return [Campaign.from_item(i) for i in
                self.dynamodb.scan(TableName=self.table_name).get("Items", [])
                if i["campaign_key"]["S"].startswith(CAMPAIGN_PREFIX)]
