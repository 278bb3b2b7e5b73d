"""The FIFO task queue and its dead-letter queue."""

from __future__ import annotations

from aws_cdk.assertions import Match

from channelwright_stack.task_queue import INTERACTION_TOKEN_LIFETIME

from .helpers import get_att, properties, ref


def test_both_queues_are_fifo_encrypted_and_the_task_queue_dedups_by_explicit_id(dev, dev_stack):
    dev.resource_count_is("AWS::SQS::Queue", 2)
    queue = properties(dev, dev_stack, dev_stack.tasks.queue)
    dlq = properties(dev, dev_stack, dev_stack.tasks.dead_letter_queue)
    for props in (queue, dlq):
        assert props["FifoQueue"] is True
        assert props["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in props
    # The producer sends an explicit MessageDeduplicationId per step.
    assert queue.get("ContentBasedDeduplication", False) is False
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_visibility_timeout_is_six_worker_timeouts(dev, dev_stack):
    worker_timeout = dev_stack.stage_settings.worker_timeout_seconds
    dev.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "channelwright.worker.handler", "Timeout": worker_timeout,
    })
    queue = properties(dev, dev_stack, dev_stack.tasks.queue)
    assert queue["VisibilityTimeout"] == 6 * worker_timeout


def test_failed_tasks_go_to_the_dlq_before_the_interaction_token_expires(dev, dev_stack):
    queue = properties(dev, dev_stack, dev_stack.tasks.queue)
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == get_att(dev_stack, dev_stack.tasks.dead_letter_queue, "Arn")

    max_receives = redrive["maxReceiveCount"]
    assert max_receives == dev_stack.tasks.max_receive_count == 5
    worker_timeout = dev_stack.stage_settings.worker_timeout_seconds
    last_attempt_ends = (max_receives - 1) * queue["VisibilityTimeout"] + worker_timeout
    assert last_attempt_ends < INTERACTION_TOKEN_LIFETIME.to_seconds() == 900


def test_both_queues_deny_requests_without_tls(dev, dev_stack):
    for queue in (dev_stack.tasks.queue, dev_stack.tasks.dead_letter_queue):
        dev.has_resource_properties("AWS::SQS::QueuePolicy", {
            "Queues": [ref(dev_stack, queue)],
            "PolicyDocument": {"Statement": Match.array_with([{
                "Action": "sqs:*",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Resource": get_att(dev_stack, queue, "Arn"),
            }])},
        })


def test_prod_queue_uses_the_same_derivation(prod, prod_stack):
    queue = properties(prod, prod_stack, prod_stack.tasks.queue)
    assert queue["RedrivePolicy"]["maxReceiveCount"] == prod_stack.tasks.max_receive_count
