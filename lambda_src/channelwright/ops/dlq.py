"""The `dlq` commands: list, show, redrive, moves, purge.

Each takes the AWS clients, the stage's resources and the console, and returns an exit code.
"""

from channelwright.campaigns.store import CampaignStore

from . import PROG
from .console import Console
from .describe import CampaignLookup
from .errors import FAILED, OK, OpsError
from .peek import DEFAULT_LIMIT, peek, queue_counts
from .redrive import METHOD_NAMES, MoveTasksUnavailable, list_move_tasks, not_aws, queue_arn, redrive
from .report import dead_letter_detail, dead_letter_table, move_task_table, now_ms, short_id
from .stage import DLQ, QUEUE, TABLE, StageResources

EMPTY = "The dead-letter queue is empty."

# What each command needs to find.
NEEDS = {"list": {DLQ, TABLE}, "show": {DLQ, TABLE}, "redrive": {DLQ, QUEUE},
         "moves": {DLQ}, "purge": {DLQ}}


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def list_command(sqs, dynamodb, resources: StageResources, console: Console, *,
                 limit: int = DEFAULT_LIMIT, wait_seconds: int = 1, now: int | None = None,
                 stage_flag: str = "") -> int:
    seen = peek(sqs, resources.required(DLQ), limit=limit, wait_seconds=wait_seconds)
    if not seen.letters:
        console.say(EMPTY)
        for note in seen.notes():
            console.say(note)
        return OK
    lookup = CampaignLookup(CampaignStore(dynamodb, resources.required(TABLE)))
    diagnoses = [lookup.diagnose(letter) for letter in seen.letters]
    for line in dead_letter_table(diagnoses, now if now is not None else now_ms()):
        console.say(line)
    console.say()
    console.say(f"{len(diagnoses)} dead-lettered task(s) on {_name(resources.required(DLQ))}.")
    for note in seen.notes():
        console.say(note)
    console.say(f"Details:     {PROG} dlq show <ID>{stage_flag}")
    console.say(f"Redrive all: {PROG} dlq redrive{stage_flag}")
    return OK


def show_command(sqs, dynamodb, resources: StageResources, console: Console, message_id: str, *,
                 limit: int = DEFAULT_LIMIT, wait_seconds: int = 1, now: int | None = None) -> int:
    seen = peek(sqs, resources.required(DLQ), limit=limit, wait_seconds=wait_seconds)
    matches = [letter for letter in seen.letters if letter.message_id.startswith(message_id)]
    if not matches:
        hint = " ".join(seen.notes())
        raise OpsError(f"No dead letter with id {message_id!r} on {_name(resources.required(DLQ))}"
                       f" ({len(seen.letters)} there). {hint}".rstrip())
    if len(matches) > 1:
        ids = ", ".join(letter.message_id for letter in matches)
        raise OpsError(f"{message_id!r} matches {len(matches)} dead letters ({ids}); give more of "
                       "the id.")
    lookup = CampaignLookup(CampaignStore(dynamodb, resources.required(TABLE)))
    for line in dead_letter_detail(lookup.diagnose(matches[0]),
                                   now if now is not None else now_ms()):
        console.say(line)
    return OK


def redrive_command(sqs, resources: StageResources, console: Console, *, assume_yes: bool,
                    method: str, wait_seconds: int = 1, stage_flag: str = "") -> int:
    counts = queue_counts(sqs, resources.required(DLQ))
    if not counts.total:
        console.say(f"{EMPTY} Nothing to redrive.")
        return OK
    dlq, queue = _name(resources.required(DLQ)), _name(resources.required(QUEUE))
    if not console.confirm(f"Move about {counts.total} dead-lettered task(s) from {dlq} back to "
                           f"{queue}?", assume_yes=assume_yes, action="redrive"):
        console.say("Nothing moved.")
        return FAILED
    done = redrive(sqs, resources.required(DLQ), resources.required(QUEUE), method=method,
                   wait_seconds=wait_seconds)
    if done.fallback_reason:
        console.say(f"Message move tasks are not available here ({done.fallback_reason}); "
                    "moving the tasks by receive, send and delete instead.")
    resent = done.resent
    if resent is None:  # a message move task: SQS moves the tasks itself
        console.say(f"Started a redrive with {METHOD_NAMES[done.method]}: about {counts.total} "
                    f"task(s) from {dlq} to {queue}.")
        console.say(f"Task handle: {done.task_handle}")
        console.say(f"Follow it with: {PROG} dlq moves{stage_flag}")
        return OK
    console.say(f"Moved {len(resent.moved)} task(s) from {dlq} to {queue} with "
                f"{METHOD_NAMES[done.method]}.")
    for old, new, group in resent.moved:
        console.say(f"  {short_id(old)} -> {short_id(new)}  guild {group}")
    for old, reason in resent.failed:
        console.warn(f"  {short_id(old)} not moved: {reason}")
    if resent.failed:
        console.warn(f"{len(resent.failed)} task(s) stayed on {dlq} (with the rest of their "
                     "guild's tasks, to keep their order). Fix the cause and redrive again.")
        return FAILED
    return OK


def moves_command(sqs, resources: StageResources, console: Console, *,
                  now: int | None = None) -> int:
    try:
        elsewhere = not_aws(sqs)
        if elsewhere:
            raise MoveTasksUnavailable(elsewhere)
        tasks = list_move_tasks(sqs, queue_arn(sqs, resources.required(DLQ)))
    except MoveTasksUnavailable as unavailable:
        raise OpsError(f"This SQS endpoint does not offer message move tasks ({unavailable}); "
                       "`dlq redrive` moves tasks directly here, so there is nothing to follow."
                       ) from None
    if not tasks:
        console.say(f"No redrives from {_name(resources.required(DLQ))} yet.")
        return OK
    for line in move_task_table(tasks, now if now is not None else now_ms()):
        console.say(line)
    return OK


def purge_command(sqs, resources: StageResources, console: Console, *, assume_yes: bool) -> int:
    counts = queue_counts(sqs, resources.required(DLQ))
    dlq = _name(resources.required(DLQ))
    if not counts.total:
        console.say(f"{EMPTY} Nothing to purge.")
        return OK
    if not console.confirm(f"Delete all {counts.total} dead-lettered task(s) on {dlq} for good? "
                           "Their campaigns stay failed; users can still resume them with "
                           "/add-campaign.", assume_yes=assume_yes, action="purge"):
        console.say("Nothing deleted.")
        return FAILED
    sqs.purge_queue(QueueUrl=resources.required(DLQ))
    console.say(f"Purged {dlq}: {counts.total} dead-lettered task(s) deleted (SQS can take up to "
                "60 seconds to finish).")
    return OK
