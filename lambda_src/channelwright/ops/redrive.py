"""Moving dead letters back onto the task queue.

The preferred way is an SQS message move task (StartMessageMoveTask): SQS moves the messages
itself, oldest first, as new messages (new id, fresh receive count), and reports progress through
ListMessageMoveTasks. It runs asynchronously, so the command returns its handle at once.

Where move tasks are not available (SQS emulators, moto among them), the fallback does the same
by hand: receive, send to the task queue with the same MessageGroupId (the guild, so the
guild's steps stay serialised), delete. The new MessageDeduplicationId is `redrive-<message id>`:
fresh, so the send is not swallowed by the id the task went out with, yet stable, so if the
delete fails after the send, a second redrive within SQS's 5-minute deduplication window does not
enqueue the task twice.
"""

from dataclasses import dataclass, field
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from .errors import OpsError
from .peek import release

AUTO, MOVE_TASK, RESEND = "auto", "move-task", "resend"
METHODS = (AUTO, MOVE_TASK, RESEND)
METHOD_NAMES = {MOVE_TASK: "an SQS message move task", RESEND: "receive, send and delete"}
RUNNING = "RUNNING"
RESEND_VISIBILITY_S = 60

# What SQS-compatible services answer for an action they do not offer; in-process moto raises
# NotImplementedError instead.
_UNSUPPORTED_CODES = {"UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
                      "InvalidAction", "NotImplemented", "UnknownOperationException"}


class MoveTasksUnavailable(Exception):
    """This SQS endpoint does not offer message move tasks; the text says why."""


def not_aws(sqs) -> str | None:
    """Why not to try move tasks on this client's endpoint, or None when it is AWS's own.

    Local mode points boto3 at moto's server (AWS_ENDPOINT_URL), which answers actions it lacks
    with an HTML 500 that botocore retries; asking it is slow and says nothing useful.
    """
    endpoint = getattr(getattr(sqs, "meta", None), "endpoint_url", None) or ""
    host = urlparse(endpoint).hostname or ""
    if not endpoint or host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
        return None
    return f"{endpoint} is not an AWS endpoint"


def _move_task_call(call, **kwargs) -> dict:
    try:
        return call(**kwargs)
    except NotImplementedError as error:
        raise MoveTasksUnavailable(str(error)) from None
    except ClientError as error:
        detail = error.response.get("Error", {})
        if detail.get("Code") in _UNSUPPORTED_CODES:
            raise MoveTasksUnavailable(f"{detail.get('Code')}: {detail.get('Message', '')}") from None
        raise


def queue_arn(sqs, queue_url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=queue_url,
                                    AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def list_move_tasks(sqs, dlq_arn: str) -> list[dict]:
    """The most recent move tasks out of the DLQ (SQS keeps up to 10), newest first."""
    return _move_task_call(sqs.list_message_move_tasks, SourceArn=dlq_arn,
                           MaxResults=10).get("Results", [])


def start_move_task(sqs, dlq_arn: str, queue_arn_: str) -> str:
    """Start moving every dead letter to the task queue; returns the task handle."""
    running = [t for t in list_move_tasks(sqs, dlq_arn) if t.get("Status") == RUNNING]
    if running:
        # SQS allows one active move task per source queue.
        task = running[0]
        raise OpsError(f"A redrive is already running (task {task.get('TaskHandle', '?')}, "
                       f"{task.get('ApproximateNumberOfMessagesMoved', 0)} moved so far). Follow it "
                       "with `dlq moves`; start another once it has finished.")
    return _move_task_call(sqs.start_message_move_task, SourceArn=dlq_arn,
                           DestinationArn=queue_arn_)["TaskHandle"]


@dataclass
class Resent:
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (dead letter id, new id, group)
    failed: list[tuple[str, str]] = field(default_factory=list)      # (dead letter id, reason)


def resend(sqs, dlq_url: str, queue_url: str, *, wait_seconds: int = 1) -> Resent:
    """Move every dead letter to the task queue by hand, keeping each guild's order.

    Messages are handled one at a time in the order received, which within a group is FIFO
    order. If one cannot be sent, the rest of its group stays in the DLQ (held in flight until the
    end, so the loop does not receive them again): moving them ahead of it would reorder the
    guild's steps.
    """
    result, stalled, held = Resent(), set(), []
    try:
        while True:
            batch = sqs.receive_message(
                QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=RESEND_VISIBILITY_S,
                WaitTimeSeconds=wait_seconds, MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"]).get("Messages", [])
            if not batch:
                break
            for message in batch:
                group = message.get("Attributes", {}).get("MessageGroupId")
                if group in stalled:
                    held.append(message["ReceiptHandle"])
                    continue
                try:
                    sent = sqs.send_message(
                        QueueUrl=queue_url, MessageBody=message["Body"],
                        MessageDeduplicationId=f"redrive-{message['MessageId']}",
                        **({"MessageGroupId": group} if group else {}),
                        **_attributes(message.get("MessageAttributes")))
                except ClientError as error:
                    detail = error.response.get("Error", {})
                    result.failed.append((message["MessageId"],
                                          f"{detail.get('Code')}: {detail.get('Message', '')}"))
                    stalled.add(group)
                    held.append(message["ReceiptHandle"])
                    continue
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                result.moved.append((message["MessageId"], sent["MessageId"], group or ""))
    finally:
        release(sqs, dlq_url, held)
    return result


def _attributes(message_attributes: dict | None) -> dict:
    if not message_attributes:
        return {}
    keep = ("DataType", "StringValue", "BinaryValue")
    return {"MessageAttributes": {name: {k: v for k, v in value.items() if k in keep}
                                  for name, value in message_attributes.items()}}


@dataclass
class Redrive:
    method: str                    # MOVE_TASK or RESEND
    task_handle: str | None = None
    resent: Resent | None = None
    fallback_reason: str | None = None


def redrive(sqs, dlq_url: str, queue_url: str, *, method: str = AUTO,
            wait_seconds: int = 1) -> Redrive:
    elsewhere = not_aws(sqs) if method == AUTO else None
    if elsewhere:
        return Redrive(RESEND, resent=resend(sqs, dlq_url, queue_url, wait_seconds=wait_seconds),
                       fallback_reason=elsewhere)
    if method in (AUTO, MOVE_TASK):
        try:
            handle = start_move_task(sqs, queue_arn(sqs, dlq_url), queue_arn(sqs, queue_url))
            return Redrive(MOVE_TASK, task_handle=handle)
        except MoveTasksUnavailable as unavailable:
            if method == MOVE_TASK:
                raise OpsError(f"This SQS endpoint does not offer message move tasks "
                               f"({unavailable}). Use --method resend.") from None
            reason = str(unavailable)
        return Redrive(RESEND, resent=resend(sqs, dlq_url, queue_url, wait_seconds=wait_seconds),
                       fallback_reason=reason)
    return Redrive(RESEND, resent=resend(sqs, dlq_url, queue_url, wait_seconds=wait_seconds))
