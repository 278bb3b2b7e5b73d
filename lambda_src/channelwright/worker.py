"""The worker Lambda: takes build tasks off the FIFO queue and carries them out.

SQS delivers at least once, so every task is safe to run twice. One invocation receives up to ten
tasks, usually consecutive steps of one campaign; they share one CampaignBuild (and one progress
message, flushed before the invocation ends). Failures:
- permanent (Discord refused, or no room): the campaign is marked failed, the user is told what to
  fix, and the task is acknowledged — retrying would only repeat the refusal;
- transient (Discord down, rate-limited past our time): the task goes back to SQS; on the last
  allowed attempt the user is told before the task moves to the dead-letter queue.
"""

import functools
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

import boto3

from . import membership, survey, teardown
from .builder import BuildStopped, CampaignBuild
from .lifecycle import undo_buttons
from .observability import MetricUnit, count, discord_error, logger, metrics
from .discord_errors import DiscordError, DiscordRejected
from .discord_rest import DiscordRest
from .global_pause import GlobalPause
from .metric_catalog import (CAMPAIGNS_FAILED, CAMPAIGNS_REFUSED, DISCORD_GLOBAL_RATE_LIMITED,
                             TASK_ATTEMPTS_FAILED)
from .rate_budget import RateBudget, instances_from_environment
from .plan import CATEGORY, CHANNEL, TYPE_NAMES
from .problems import Problem, for_discord_code, server_must_fix
from .store import BUILDING, COMPLETED, DELETING, FAILED, CampaignStore
from .summary import failure_text
from .progress import ProgressMessage, token_expired
from .task_queue import BUILD, Task
from .template_commands import TEMPLATE_IMPORT, run_template_import
from .template_library import TemplateLibrary

DEFAULT_API = "https://discord.com/api/v10"
SAFETY_MARGIN_S = 3.0  # leave time to record the outcome before Lambda's timeout


@dataclass
class WorkerDeps:
    rest: DiscordRest
    store: CampaignStore
    application_id: str
    max_receive_count: int
    templates: TemplateLibrary
    _bot_user_id: str | None = field(default=None, repr=False)

    def bot_user_id(self) -> str:
        if self._bot_user_id is None:
            self._bot_user_id = str(self.rest.request("GET", "/users/@me")["id"])
        return self._bot_user_id


def bot_token() -> str:
    """From the environment locally; from Secrets Manager (the bare token string) in AWS."""
    token = os.environ.get("DISCORD_BOT_TOKEN")
    if token:
        return token
    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId=os.environ["DISCORD_BOT_TOKEN_SECRET_ARN"])
    return secret["SecretString"].strip()


@functools.cache
def default_deps() -> WorkerDeps:
    dynamodb, table = boto3.client("dynamodb"), os.environ["CAMPAIGN_TABLE_NAME"]
    return WorkerDeps(
        rest=DiscordRest(os.environ.get("DISCORD_API_BASE_URL") or DEFAULT_API, bot_token(),
                         budget=RateBudget.share(instances_from_environment(),
                                                 pause=GlobalPause(dynamodb, table))),
        store=CampaignStore(dynamodb, table),
        application_id=os.environ["DISCORD_APPLICATION_ID"],
        max_receive_count=int(os.environ.get("TASK_MAX_RECEIVE_COUNT", "5")),
        templates=TemplateLibrary(dynamodb, table),
    )


def handler(event: dict, context: Any) -> dict:
    logger.clear_state()
    deps = default_deps()
    remaining_ms = context.get_remaining_time_in_millis() if context else 60_000
    deps.rest.deadline = time.monotonic() + remaining_ms / 1000 - SAFETY_MARGIN_S
    limited_before = deps.rest.stats["rate_limited"]
    global_before = deps.rest.stats["global_rate_limited"]
    try:
        return process_tasks(event, deps, context)
    finally:
        count("DiscordRateLimited", deps.rest.stats["rate_limited"] - limited_before)
        count(DISCORD_GLOBAL_RATE_LIMITED.name, deps.rest.stats["global_rate_limited"] - global_before)
        metrics.flush_metrics()


def process_tasks(event: dict, deps: WorkerDeps, context: Any = None) -> dict:
    """Run the batch's tasks in order and report the ones to retry.

    As in a FIFO queue, once a server's task fails its later tasks are handed back too, to keep
    their order — unless that failure stopped the campaign: then they are acknowledged, since they
    would only be skipped later after piling up receive counts (and landing in the DLQ with it).
    Powertools' SqsFifoPartialProcessor can't make that exception, hence this small loop.
    """
    records = event.get("Records", [])
    builds: dict[tuple[str, str], CampaignBuild] = {}
    failures, stalled_groups = [], set()
    try:
        for record in records:
            group = record.get("attributes", {}).get("MessageGroupId")
            attempt = int(record.get("attributes", {}).get("ApproximateReceiveCount") or 1)
            try:
                task = Task.from_body(record["body"])
                build = builds.get((task.guild_id, task.campaign_key))
                if group in stalled_groups and not (build and build.status == FAILED):
                    failures.append(record["messageId"])
                    continue
                run_task(task, attempt, deps, builds, batch=records)
            except Exception:
                logger.warning("task handed back to SQS", message_id=record.get("messageId"))
                count(TASK_ATTEMPTS_FAILED.name)  # per attempt: stays up while a step keeps failing
                failures.append(record["messageId"])
                stalled_groups.add(group)
    finally:
        for build in builds.values():
            build.progress.close()
            build.flush()
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}


def run_task(task: Task, attempt: int, deps: WorkerDeps, builds: dict,
             batch: list[dict] = ()) -> None:
    logger.append_keys(guild_id=task.guild_id, campaign=task.campaign_key,
                       interaction_id=task.run, step=task.step, attempt=attempt, kind=task.kind)
    if task.kind != BUILD:
        run_request(task, attempt, deps)
        return
    build = builds.get((task.guild_id, task.campaign_key))
    if build is None:
        campaign = deps.store.get(task.guild_id, task.campaign_key)
        if (campaign is None or campaign.interaction_id != task.run
                or campaign.status in (COMPLETED, DELETING)):
            return  # an abandoned run, a duplicate of finished work, or a campaign being deleted
        build = builds[(task.guild_id, task.campaign_key)] = CampaignBuild(
            campaign, rest=deps.rest, store=deps.store, application_id=deps.application_id,
            bot_user_id=deps.bot_user_id)
        if build.status != FAILED:
            build.reserve([task.step] + _later_steps_of(task, batch))
    if build.status == FAILED:
        failure = build.campaign.failure or {}
        if not (failure.get("transient") and failure.get("step") == task.step):
            return  # the build stopped earlier; later steps wait for a resume
        # An operator redrove the dead-lettered task: finish the whole build from here.
        build.set_status(BUILDING)
        steps = range(task.step, len(build.steps))
    else:
        steps = [task.step]
    try:
        for step in steps:
            created = build.run_step(step)
            if created and created.kind in (CHANNEL, CATEGORY):
                count("ChannelsCreated")
        if build.status == COMPLETED:
            count("CampaignsCompleted")
            metrics.add_metric(name="BuildSeconds", unit=MetricUnit.Seconds,
                               value=round(build.seconds_since_request(), 1))
            logger.info("campaign completed")
    except BuildStopped as stop:
        _stop(build, task, stop.problem, transient=False, server_fixes=True)
    except DiscordRejected as error:
        step = build.steps[task.step]
        doing = f"creating {step.name or 'the campaign'}" + (
            f" ({TYPE_NAMES.get(step.channel_type, step.kind)})" if step.name else "")
        _stop(build, task, for_discord_code(doing, error.status, error.code, error.detail),
              transient=False, server_fixes=server_must_fix(error.status, error.code, error.detail))
        discord_error(error.code, error.status)
        logger.warning("campaign stopped by Discord", error=str(error))
    except Exception as error:  # transient: Discord unavailable, AWS errors, bugs
        if isinstance(error, DiscordError):
            discord_error(error.code, error.status)
        logger.warning("task failed", error=str(error), max_attempts=deps.max_receive_count,
                       exc_info=not isinstance(error, DiscordError))
        if attempt >= deps.max_receive_count:
            why = (str(error) if isinstance(error, DiscordError) else type(error).__name__)
            _stop(build, task, Problem(
                "Discord kept failing while I built the campaign, so I stopped.",
                f"I tried {attempt} times ({why}). Everything created so far is kept.",
                "Run `/add-campaign` again with the same name in a few minutes to finish it; "
                "the bot operator has also been alerted."), transient=True)
        raise


REQUESTS = {"delete": teardown.run_delete, "member": membership.run_member_change,
            "info": survey.run_info}


def run_request(task: Task, attempt: int, deps: WorkerDeps) -> None:
    """A command's deferred half; its answer is an edit of the command's response."""
    if task.kind == TEMPLATE_IMPORT:  # it tells the user itself on the last attempt
        run_template_import(task, deps, last_attempt=attempt >= deps.max_receive_count)
        return
    run = REQUESTS.get(task.kind)
    if run is None:
        logger.error("unknown task kind; dropped", kind=task.kind)
        return
    try:
        run(task, deps)
    except Exception as error:
        if isinstance(error, DiscordError):
            discord_error(error.code, error.status)
        logger.warning("request failed", error=str(error), exc_info=not isinstance(error, DiscordError))
        if attempt >= deps.max_receive_count:
            ProgressMessage(deps.rest, deps.application_id, task.args.get("token", ""),
                            expired=token_expired(task.run)).finish(Problem(
                "Discord kept failing, so I gave up.", f"I tried {attempt} times.",
                "Try the command again in a few minutes.").text())
        raise


def _later_steps_of(task: Task, batch: list[dict]) -> list[int]:
    """The batch's other steps of the same run: the build marks them pending in one write."""
    steps = []
    for record in batch:
        try:
            other = Task.from_body(record["body"])
        except (KeyError, ValueError):
            continue
        if (other.kind, other.guild_id, other.campaign_key, other.run) == (
                BUILD, task.guild_id, task.campaign_key, task.run):
            steps.append(other.step)
    return steps


def _stop(build: CampaignBuild, task: Task, problem: Problem, *, transient: bool,
          server_fixes: bool = False) -> None:
    failure = {**problem.to_dict(), "step": task.step, "transient": transient}
    build.set_status(FAILED, failure=failure)
    build.campaign = replace(build.campaign, status=FAILED, failure=failure)
    # Only failures the operator must act on page; a server's own refusals are graphed apart.
    count((CAMPAIGNS_REFUSED if server_fixes else CAMPAIGNS_FAILED).name)
    logger.warning("campaign failed", what=problem.what, transient=transient)
    done, total = build.counts()
    try:
        build.progress.finish(failure_text(build.campaign.name, done, total, problem),
                              components=undo_buttons(build.campaign, failed=True) if done else None)
    except DiscordError as error:
        logger.warning("could not tell the user", error=str(error))

