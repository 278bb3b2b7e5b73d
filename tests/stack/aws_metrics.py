"""What AWS documents that each namespace we watch emits: the test oracle for alarms and graphs.

Per namespace: the metric names, the dimension sets they are published under, and the CloudFormation
resource type each dimension's value must name, with the page each comes from. Written from AWS's
documentation, not from the CDK helpers the stack uses, so a helper that named a metric or dimension
AWS never publishes would be caught.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Namespace:
    metrics: frozenset[str]
    dimension_sets: tuple[frozenset[str], ...]
    dimension_targets: dict[str, tuple[str, str | None]]  # name -> (resource type, GetAtt or None: Ref)
    source: str


AWS_METRICS: dict[str, Namespace] = {
    "AWS/SQS": Namespace(
        metrics=frozenset({
            "ApproximateAgeOfOldestMessage", "ApproximateNumberOfGroupsWithInflightMessages",
            "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesVisible", "NumberOfDeduplicatedSentMessages",
            "NumberOfEmptyReceives", "NumberOfMessagesDeleted", "NumberOfMessagesReceived",
            "NumberOfMessagesSent", "SentMessageSize",
        }),
        # "The only dimension that Amazon SQS sends to CloudWatch is QueueName."
        dimension_sets=(frozenset({"QueueName"}),),
        dimension_targets={"QueueName": ("AWS::SQS::Queue", "QueueName")},
        source="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
               "sqs-available-cloudwatch-metrics.html",
    ),
    "AWS/Lambda": Namespace(
        metrics=frozenset({
            "Invocations", "Errors", "DeadLetterErrors", "DestinationDeliveryFailures", "Throttles",
            "OversizedRecordCount", "ProvisionedConcurrencySpilloverInvocations",
            "RecursiveInvocationsDropped", "Duration", "PostRuntimeExtensionsDuration", "IteratorAge",
            "OffsetLag", "ConcurrentExecutions", "ProvisionedConcurrentExecutions",
            "ProvisionedConcurrencyUtilization", "UnreservedConcurrentExecutions",
            "ClaimedAccountConcurrency", "AsyncEventsReceived", "AsyncEventAge", "AsyncEventsDropped",
        }),
        dimension_sets=(frozenset({"FunctionName"}), frozenset({"FunctionName", "Resource"}),
                        frozenset({"FunctionName", "ExecutedVersion"})),
        dimension_targets={"FunctionName": ("AWS::Lambda::Function", None)},
        source="https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
    ),
    # HTTP APIs (API Gateway v2). REST APIs publish other names (4XXError, 5XXError) in the same
    # namespace; ours is an HTTP API, so only these exist for it.
    "AWS/ApiGateway": Namespace(
        metrics=frozenset({"4xx", "5xx", "Count", "IntegrationLatency", "Latency", "DataProcessed"}),
        dimension_sets=(frozenset({"ApiId"}), frozenset({"ApiId", "Stage"}),
                        frozenset({"ApiId", "Method", "Resource", "Stage"})),
        dimension_targets={"ApiId": ("AWS::ApiGatewayV2::Api", None)},
        source="https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html",
    ),
}
