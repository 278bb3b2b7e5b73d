"""The parts of local mode that stand in for AWS, checked on their own (fast, in-process)."""

from __future__ import annotations

import base64
import io
import threading
import time

import pytest

from channelwright_local.http_gateway import api_gateway_event, http_response
from channelwright_local.sqs_event_source import SqsEventSource
from channelwright_local.stack_template import load_stack
from channelwright_local.terminal import MessageView


def test_gateway_event_is_payload_format_2():
    event = api_gateway_event(
        method="POST", target="/interactions?a=1&a=2",
        headers=[("X-Signature-Ed25519", "ab"), ("Accept", "a"), ("accept", "b"), ("Cookie", "c=1; d=2")],
        body="{\"é\": 1}".encode(), route_key="POST /interactions", source_ip="127.0.0.1",
        domain="127.0.0.1:8787")
    assert event["version"] == "2.0" and event["rawPath"] == "/interactions"
    assert event["headers"] == {"x-signature-ed25519": "ab", "accept": "a,b"}
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert (event["body"], event["isBase64Encoded"]) == ("{\"é\": 1}", False)


def test_gateway_base64_encodes_a_body_that_is_not_utf8():
    event = api_gateway_event(method="POST", target="/x", headers=[], body=b"\xff\x00",
                              route_key="POST /x", source_ip="127.0.0.1", domain="h")
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\xff\x00"


def test_gateway_response_mapping():
    assert http_response({"statusCode": 401, "headers": {"a": "b"}, "body": "no"}) == (401, [("a", "b")], b"no")
    assert http_response({"statusCode": 200, "body": base64.b64encode(b"\x01").decode(),
                          "isBase64Encoded": True})[2] == b"\x01"
    # A result without statusCode is a 200 JSON body (HTTP API's format 2.0 inference).
    assert http_response({"type": 1}) == (200, [("content-type", "application/json")], b'{"type": 1}')


def test_template_reading_finds_the_wiring():
    spec = load_stack()
    ingress = spec.function_with_handler("channelwright.interactions.handler")
    worker = spec.function_with_handler("channelwright.worker.handler")
    assert [(r.route_key, r.function_id) for r in spec.routes] == [("POST /interactions", ingress.logical_id)]
    source = spec.event_source_for(worker)
    assert source.report_batch_item_failures
    order = [q.logical_id for q in spec.queues_in_creation_order()]
    assert order.index(source.queue_id) == len(order) - 1, "the DLQ is created before its source"


@pytest.fixture
def queue(aws_env):
    from moto import mock_aws
    import boto3

    with mock_aws():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="q.fifo", Attributes={
            "FifoQueue": "true", "VisibilityTimeout": "30"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1")
        yield sqs, url


def receivable(sqs, url) -> int:
    return len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


def test_failed_messages_wait_for_the_visibility_timeout_like_lambda(queue):
    sqs, url = queue
    fail_all = lambda event, context: {"batchItemFailures": [  # noqa: E731
        {"itemIdentifier": r["messageId"]} for r in event["Records"]]}
    source = SqsEventSource(sqs, url, fail_all, retry_delay=None)
    assert source.poll_once() == 1 and source.stats.failed == 1
    assert receivable(sqs, url) == 0, "still invisible: the queue's 30 s have not passed"


def test_malformed_batch_answer_fails_the_whole_batch(queue):
    sqs, url = queue
    source = SqsEventSource(sqs, url, lambda e, c: {"batchItemFailures": [{"itemIdentifier": "other"}]})
    source.poll_once()
    assert source.stats.failed == 1 and receivable(sqs, url) == 1


def test_an_invocation_past_the_function_timeout_fails(queue):
    sqs, url = queue
    seen = []
    source = SqsEventSource(sqs, url, lambda e, c: (seen.append(c.get_remaining_time_in_millis()),
                                                    time.sleep(0.05), {})[-1],
                            function_timeout=0.01,
                            context_factory=lambda: type("C", (), {"get_remaining_time_in_millis":
                                                                   lambda self: 10})())
    source.poll_once()
    assert seen == [10] and source.stats.failed == 1


def test_message_view_prints_each_state_once_without_a_terminal():
    out = io.StringIO()
    view = MessageView(out, tty=False)
    for text in ("one", "one", "two\nlines"):
        view.show(text)
    assert out.getvalue() == "  │ one\n\n  │ two\n  │ lines\n"


def test_message_view_redraws_in_place_on_a_terminal():
    out = io.StringIO()
    view = MessageView(out, tty=True)
    view.show("one\ntwo")
    view.show("three")
    assert out.getvalue() == "  │ one\n  │ two\n\x1b[2F\x1b[J  │ three\n"


def test_unknown_env_conflicts_are_dropped_but_overrides_win():
    from channelwright_local.aws import LocalResources
    from channelwright_local.runtime import handler_environment
    from channelwright_local.stack_template import parse_template

    spec = parse_template({"Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "A": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "a.h", "Environment": {
            "Variables": {"URL": {"Ref": "Q"}, "SERVICE": "a", "KEY": "placeholder"}}}},
        "B": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "b.h", "Environment": {
            "Variables": {"SERVICE": "b", "KEY": "placeholder"}}}}}})
    env = handler_environment(spec, LocalResources(refs={"Q": "http://q"}), {"KEY": "real"})
    assert env == {"URL": "http://q", "KEY": "real"}


STALL = threading.Event()


def slow_handler(event, context):
    """An interactions handler stuck on a stalled call (the test releases it)."""
    STALL.wait(10)
    return {"statusCode": 200, "body": "too late"}


def test_a_function_past_its_timeout_is_abandoned_and_the_gateway_answers_500():
    from channelwright_local.function_timeout import FunctionTimedOut, call_with_timeout
    from channelwright_local.http_gateway import Gateway
    from channelwright_local.runtime import LocalBot
    from channelwright_local.stack_template import FunctionSpec

    STALL.clear()
    invoke = LocalBot._invoker(FunctionSpec("Ingress", f"{__name__}.slow_handler", 1, 128, {}))
    gateway = Gateway({"POST /interactions": invoke})
    try:
        status, _, body = gateway.handle("POST", "/interactions", [], b"{}", source_ip="127.0.0.1",
                                         domain="localhost")
    finally:
        STALL.set()  # let the abandoned invocation end
    assert (status, body) == (500, b'{"message": "Internal Server Error"}')

    assert call_with_timeout(lambda: 7, 1, "Fast") == 7
    with pytest.raises(KeyError):
        call_with_timeout(lambda: {}["missing"], 1, "Broken")
    with pytest.raises(FunctionTimedOut, match="Task timed out after 0.01 seconds"):
        call_with_timeout(lambda: time.sleep(0.2), 0.01, "Slow")
