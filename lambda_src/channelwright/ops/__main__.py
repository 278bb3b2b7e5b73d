"""`python -m channelwright.ops`: parse the command line, build the AWS clients, run the command.

Run from the repository with `PYTHONPATH=lambda_src` (or from `lambda_src/`), with the operator's
AWS credentials in the environment. See docs/dead-letters.md.
"""

import argparse
import functools
import os
import shlex
import sys

from . import PROG, dlq
from .console import Console
from .errors import run_safely
from .peek import DEFAULT_LIMIT
from .redrive import AUTO, METHODS
from .stage import StageResources, resolve


class AwsClients:
    """boto3 clients for one region and profile, built on first use.

    Lazily, so `--help` and usage errors need no AWS set-up, a command with every resource given
    by flags never builds a CloudFormation client, and boto3's errors (no region, unknown profile)
    surface inside the command where they become plain sentences.
    """

    def __init__(self, *, region: str | None = None, profile: str | None = None):
        self._region, self._profile = region, profile

    @functools.cached_property
    def _session(self):
        import boto3
        return boto3.Session(profile_name=self._profile, region_name=self._region)

    @functools.cached_property
    def sqs(self):
        return self._session.client("sqs")

    @functools.cached_property
    def dynamodb(self):
        return self._session.client("dynamodb")

    @functools.cached_property
    def cloudformation(self):
        return self._session.client("cloudformation")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Operator tools for a deployed Channelwright stage.")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    dead = groups.add_parser(
        "dlq", help="inspect, redrive or purge dead-lettered build tasks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Dead-lettered build tasks: campaign steps that failed on every retry.\n"
                    "Runbook: docs/dead-letters.md.",
        epilog=f"""examples:
  {PROG} dlq list --stage prod
  {PROG} dlq show 3f2a9c1e --stage prod
  {PROG} dlq redrive --stage prod
  {PROG} dlq moves --stage prod
  {PROG} dlq purge --stage dev --yes

Run from the repository with PYTHONPATH=lambda_src, with AWS credentials in the environment.""")

    where = argparse.ArgumentParser(add_help=False)
    found = where.add_argument_group("where (a stage's stack outputs, or flags)")
    found.add_argument("--stage", help="deployed stage, e.g. dev or prod: reads the outputs of "
                                       "the CloudFormation stack Channelwright-<stage>")
    found.add_argument("--region",
                       help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then your AWS config)")
    found.add_argument("--profile", help="AWS profile (default: AWS_PROFILE)")
    found.add_argument("--queue-url", help="task queue URL (overrides the TaskQueueUrl output)")
    found.add_argument("--dlq-url",
                       help="dead-letter queue URL (overrides the DeadLetterQueueUrl output)")
    found.add_argument("--table",
                       help="campaign table name (overrides the CampaignTableName output)")
    many = argparse.ArgumentParser(add_help=False)
    many.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT,
                      help=f"read at most this many messages (default {DEFAULT_LIMIT})")

    commands = dead.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "list", parents=[where, many], help="one line per dead-lettered task (consumes nothing)",
        description="List dead-lettered tasks with their guild, campaign, step and last error. "
                    "Messages are peeked and made visible again at once: nothing is consumed or "
                    "reordered.")
    show = commands.add_parser(
        "show", parents=[where, many], help="one dead-lettered task in full",
        description="Show one dead-lettered task: body, attributes, its campaign record, and "
                    "what a redrive would do.")
    show.add_argument("message_id", metavar="MESSAGE_ID",
                      help="the message id, or its start as shown by `list`")
    redrive = commands.add_parser(
        "redrive", parents=[where], help="move every dead-lettered task back to the task queue",
        description="Move every dead-lettered task back to the task queue, where the worker "
                    "resumes the failed builds. Fix the cause first.")
    redrive.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    redrive.add_argument(
        "--method", choices=METHODS, default=AUTO,
        help="move-task: an SQS message move task; resend: receive, send and delete; auto "
             "(default): a move task where SQS offers them, else resend")
    commands.add_parser("moves", parents=[where],
                        help="the recent redrives (SQS message move tasks) and their progress")
    purge = commands.add_parser(
        "purge", parents=[where], help="delete every dead-lettered task",
        description="Delete every dead-lettered task (PurgeQueue). Asks first, and refuses "
                    "without a terminal unless --yes is given.")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def _same_place(args) -> str:
    """The flags that found this stage, to repeat in the hints a command prints."""
    pairs = [("--stage", args.stage), ("--region", args.region), ("--profile", args.profile)]
    if not args.stage:
        pairs += [("--queue-url", args.queue_url), ("--dlq-url", args.dlq_url),
                  ("--table", args.table)]
    return "".join(f" {flag} {shlex.quote(value)}" for flag, value in pairs if value)


def run(args, clients, console: Console, *, wait_seconds: int = 1) -> int:
    overrides = StageResources(args.queue_url, args.dlq_url, args.table)
    resources = resolve(args.stage, overrides, dlq.NEEDS[args.command],
                        lambda: clients.cloudformation)
    if args.command == "list":
        return dlq.list_command(clients.sqs, clients.dynamodb, resources, console,
                                limit=args.limit, wait_seconds=wait_seconds,
                                stage_flag=_same_place(args))
    if args.command == "show":
        return dlq.show_command(clients.sqs, clients.dynamodb, resources, console,
                                args.message_id, limit=args.limit, wait_seconds=wait_seconds)
    if args.command == "redrive":
        return dlq.redrive_command(clients.sqs, resources, console, assume_yes=args.yes,
                                   method=args.method, wait_seconds=wait_seconds,
                                   stage_flag=_same_place(args))
    if args.command == "moves":
        return dlq.moves_command(clients.sqs, resources, console)
    return dlq.purge_command(clients.sqs, resources, console, assume_yes=args.yes)


def main(argv: list[str] | None = None, *, clients=None, console: Console | None = None,
         wait_seconds: int = 1) -> int:
    """Exit code: 0 done, 1 failed, 2 usage (argparse exits with 2 itself)."""
    args = build_parser().parse_args(argv)
    console = console or Console(sys.stdout, sys.stderr, sys.stdin)
    # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION, which the AWS CLI v2 and the docs use;
    # honour it the CLI's way (above the profile's region), so both name the same account.
    region = args.region or os.environ.get("AWS_REGION") or None
    clients = clients or AwsClients(region=region, profile=args.profile)
    return run_safely(lambda: run(args, clients, console, wait_seconds=wait_seconds), console.err)


if __name__ == "__main__":
    sys.exit(main())
