"""Failures the operator reads: one plain sentence with what to do, never a traceback.

Exit codes: 0 done, 1 failed (AWS said no, nothing found, the operator declined), 2 usage.
"""

from collections.abc import Callable
from typing import TextIO

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

OK, FAILED, USAGE = 0, 1, 2


class OpsError(Exception):
    """Something the operator must fix or know; the message is shown as it is."""

    exit_code = FAILED


class UsageError(OpsError):
    exit_code = USAGE


_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_BAD_CREDENTIALS = {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                    "AuthFailure", "InvalidAccessKeyId"}
_DENIED = {"AccessDenied", "AccessDeniedException", "AWS.SimpleQueueService.AccessDenied",
           "KMS.AccessDeniedException"}
_NO_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_PURGE_BUSY = {"AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress"}


def explain(error: BotoCoreError | ClientError) -> str:
    """The sentence for an error raised by boto3."""
    if isinstance(error, ClientError):
        return _refused(error)
    return _not_sent(error)


def _not_sent(error: BotoCoreError) -> str:
    """For an error of the client itself (credentials, region, network): AWS answered nothing."""
    if isinstance(error, NoCredentialsError):
        return ("No AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`) "
                "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run this again.")
    if isinstance(error, PartialCredentialsError):
        return f"Incomplete AWS credentials: {error}. Set both the key id and the secret key."
    if isinstance(error, NoRegionError):
        return ("No AWS region set: pass --region, or set AWS_REGION to the region the stack is "
                "deployed in.")
    if isinstance(error, ProfileNotFound):
        return f"{error}: check AWS_PROFILE or --profile against ~/.aws/config."
    if isinstance(error, EndpointConnectionError):
        return f"Could not reach AWS: {error}. Check your network and the region."
    return f"AWS client error: {error}"


def _refused(error: ClientError) -> str:
    """For an error AWS answered with, by its code."""
    code = error.response.get("Error", {}).get("Code", "?")
    message = error.response.get("Error", {}).get("Message", "") or str(error)
    operation = error.operation_name
    if code in _EXPIRED:
        return (f"Your AWS credentials have expired ({code}): refresh them (for example "
                "`aws sso login`) and run this again.")
    if code in _BAD_CREDENTIALS:
        return f"AWS rejected your credentials ({code}): {message}"
    if code in _DENIED:
        return (f"AWS denied {operation}: {message}. The operator role needs that permission on "
                "the stage's queues and table.")
    if code in _NO_QUEUE:
        return (f"The queue does not exist ({operation}: {message}). Check --queue-url/--dlq-url, "
                "or --stage and --region.")
    if code in _PURGE_BUSY:
        return ("SQS is still purging this queue: it allows one purge every 60 seconds. Wait a "
                "minute, then check with `dlq list`.")
    if code == "ResourceNotFoundException" and operation in ("GetItem", "Query", "Scan"):
        return (f"The campaign table was not found ({message}). Check --table, or --stage and "
                "--region.")
    return f"AWS {operation} failed: {code}: {message}"


def run_safely(action: Callable[[], int], err: TextIO) -> int:
    """Run a command; every failure becomes a sentence on `err` and an exit code."""
    try:
        return action()
    except OpsError as error:
        print(error, file=err)
        return error.exit_code
    except (BotoCoreError, ClientError) as error:
        print(explain(error), file=err)
        return FAILED
    except KeyboardInterrupt:
        # Peeked messages are released in a `finally`; anything still hidden reappears by itself.
        print("Interrupted.", file=err)
        return 130
