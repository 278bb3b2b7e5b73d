"""The worker Lambda: takes build tasks off the FIFO queue and carries them out.

SQS delivers at least once, so every task is safe to run twice. One invocation receives up to ten
tasks, usually consecutive steps of one campaign; they share one CampaignBuild (and one progress
message, flushed before the invocation ends), and the first of them carries out the rest of the
build, time allowing (_run_build_step). Failures:
- permanent (Discord refused, or no room): the campaign is marked failed, the user is told what to
  fix, and the task is acknowledged — retrying would only repeat the refusal;
- transient (Discord down, rate-limited past our time): the task goes back to SQS; on the last
  allowed attempt the user is told before the task moves to the dead-letter queue.
"""

import functools
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from channelwright.aws.metric_catalog import (
    CAMPAIGNS_FAILED,
    CAMPAIGNS_PAUSED,
    CAMPAIGNS_REFUSED,
    DISCORD_GLOBAL_RATE_LIMITED,
    DISCORD_LONG_RATE_LIMITS,
    TASK_ATTEMPTS_FAILED,
)
from channelwright.aws.observability import MetricUnit, count, discord_error, logger, metrics
from channelwright.campaigns import adopt, archive, doctor_fix, lost_access, rerun, roster, survey, teardown
from channelwright.campaigns.authority import Standing, campaign_role, holds, refusal
from channelwright.campaigns.builder import BuildRefused, BuildStopped, CampaignBuild
from channelwright.campaigns.buttons import undo_buttons
from channelwright.campaigns.guild_snapshot import GuildSnapshot
from channelwright.campaigns.outcome import deliver
from channelwright.campaigns.plan import CATEGORY, CHANNEL, GM_ROLE_KEY
from channelwright.campaigns.progress import ProgressMessage
from channelwright.campaigns.store import COMPLETED, FAILED, Campaign, CampaignStore
from channelwright.campaigns.summary import failure_text
from channelwright.commands.campaign_template import run_template_import, run_template_remove
from channelwright.commands.template_export import run_export
from channelwright.discord.api import DiscordApi
from channelwright.discord.bot_user import BotUserId
from channelwright.discord.budget_slots import BudgetSlots
from channelwright.discord.downloads import DownloadPolicy
from channelwright.discord.errors import DiscordError, DiscordRejected, RateLimitedLong
from channelwright.discord.global_pause import GlobalPause
from channelwright.discord.rate_budget import RateBudget, instances_from_environment
from channelwright.discord.rest import DiscordRest
from channelwright.tasks.decision import RESUME, Decision, decide
from channelwright.tasks.payloads import (
    AdoptConfirm,
    AdoptPreview,
    Answered,
    Archive,
    CampaignInfo,
    ConfirmDelete,
    Delete,
    Doctor,
    DoctorFix,
    MemberChange,
    Request,
    Rerun,
    Roster,
    TemplateExport,
    TemplateImport,
    TemplateRemove,
    Unarchive,
)
from channelwright.tasks.queue import BuildStep, Task
from channelwright.templates.library import TemplateLibrary
from channelwright.text import long_limits
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal, server_must_fix

DEFAULT_API = "https://discord.com/api/v10"
SAFETY_MARGIN_S = 3.0  # leave time to record the outcome before Lambda's timeout
MIN_TASK_TIME_S = 5.0  # don't start a task with less of the invocation left than this


@dataclass
class WorkerDeps:
    rest: DiscordRest
    store: CampaignStore
    application_id: str
    max_receive_count: int
    templates: TemplateLibrary
    downloads: DownloadPolicy = field(default_factory=DownloadPolicy)  # Discord's CDN only
    bot_user: BotUserId = field(init=False, repr=False)

    def __post_init__(self):
        # The application id stands in for my user id until a read confirms it (bot_user.py).
        self.bot_user = BotUserId(lambda: self.api.current_user(), self.application_id)

    @property
    def api(self) -> DiscordApi:
        """Discord's API over `rest` (a thin, stateless facade: the client holds the state)."""
        return DiscordApi(self.rest)

    def bot_user_id(self) -> str:
        """My user id, confirmed (GET /users/@me once per container if no build confirmed it)."""
        return self.bot_user()


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
    instances = instances_from_environment()
    return WorkerDeps(
        rest=DiscordRest(os.environ.get("DISCORD_API_BASE_URL") or DEFAULT_API, bot_token(),
                         budget=RateBudget.share(instances, pause=GlobalPause(dynamodb, table),
                                                 slots=BudgetSlots(dynamodb, table, instances))),
        store=CampaignStore(dynamodb, table),
        application_id=os.environ["DISCORD_APPLICATION_ID"],
        max_receive_count=int(os.environ.get("TASK_MAX_RECEIVE_COUNT", "5")),
        templates=TemplateLibrary(dynamodb, table),
        downloads=DownloadPolicy.from_environment(),
    )


@metrics.log_metrics  # flushed once the handler returns or raises
@logger.inject_lambda_context(clear_state=True)  # no keys from the last invocation; the request id
def handler(event: dict, context: Any) -> dict:
    """An SQS batch event in, `{"batchItemFailures": [...]}` out (process_tasks); `context` is
    Lambda's context object, whose remaining time bounds the Discord calls."""
    deps = default_deps()
    remaining_ms = context.get_remaining_time_in_millis()
    deps.rest.deadline = time.monotonic() + remaining_ms / 1000 - SAFETY_MARGIN_S
    limited_before = deps.rest.stats["rate_limited"]
    global_before = deps.rest.stats["global_rate_limited"]
    budget = deps.rest.budget
    if budget is not None:
        budget.begin()  # leases its slots of the global budget beside the first AWS reads
    try:
        return process_tasks(event, deps, context)
    finally:
        if budget is not None:
            budget.end()  # an idle instance's slots serve the others
        count("DiscordRateLimited", deps.rest.stats["rate_limited"] - limited_before)
        count(DISCORD_GLOBAL_RATE_LIMITED.name, deps.rest.stats["global_rate_limited"] - global_before)


def process_tasks(event: dict, deps: WorkerDeps, context: Any = None) -> dict:
    """Run the batch's tasks in order and report the ones to retry.

    As in a FIFO queue, once a server's task fails its later tasks are handed back too, to keep
    their order — unless that failure stopped the campaign: then they are acknowledged, since they
    would only be skipped later after piling up receive counts (and landing in the DLQ with it).
    Powertools' SqsFifoPartialProcessor can't make that exception, hence this small loop.

    One server's task never takes another's down: each record's failure is its own (its group
    stalls, no other), a task is started only with MIN_TASK_TIME_S of the invocation left (the
    rest are handed back untouched rather than lost with a timed-out invocation), and each
    build's final write is separate, failing only that build's records.
    """
    records = [r for r in (event.get("Records") or []) if isinstance(r, dict)]
    builds: dict[tuple[str, str], CampaignBuild] = {}
    handled: dict[tuple[str, str], list[str | None]] = {}
    failures: list[str | None] = []
    stalled_groups: set[str | None] = set()
    for record in records:
        group = (record.get("attributes") or {}).get("MessageGroupId")
        if _time_left(deps) < MIN_TASK_TIME_S:
            failures.append(record.get("messageId"))
            continue
        try:
            attempt = int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)
            task = Task.from_body(record["body"])
            key = (task.guild_id, task.campaign_key)
            build = builds.get(key)
            if group in stalled_groups and not (build and build.status == FAILED):
                failures.append(record.get("messageId"))
                continue
            handled.setdefault(key, []).append(record.get("messageId"))
            run_task(task, attempt, deps, builds)
        except Exception:
            logger.warning("task handed back to SQS", message_id=record.get("messageId"), exc_info=True)
            count(TASK_ATTEMPTS_FAILED.name)  # per attempt: stays up while a step keeps failing
            failures.append(record.get("messageId"))
            stalled_groups.add(group)
    for key, build in builds.items():
        try:
            build.progress.close()
            build.flush()
        except Exception:
            # Its created ids stay pending-marked: the retried tasks reconcile them.
            logger.warning("could not save a build's progress", exc_info=True)
            retried = [m for m in handled.get(key, []) if m not in failures]
            count(TASK_ATTEMPTS_FAILED.name, len(retried))
            failures += retried
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures
                                  if message_id is not None]}


def run_task(task: Task, attempt: int, deps: WorkerDeps, builds: dict) -> None:
    """Carry out one task as decide() says, dispatched on its payload's kind. A Refusal raised
    on the way is caught here, once, and its asker told."""
    logger.append_keys(guild_id=task.guild_id, campaign=task.campaign_key,
                       interaction_id=task.interaction_id, step=task.step, attempt=attempt,
                       kind=task.kind, campaign_run=task.campaign_run)
    try:
        _dispatch(task, attempt, deps, builds)
    except Refusal as refused:
        logger.info("refused", what=refused.problem.what)
        if isinstance(task.payload, Rerun):
            rerun.tell(task, deps, refused.text())  # a re-run's refusals replace its public answer
        else:
            _reply(task, deps, refused.text())


def _dispatch(task: Task, attempt: int, deps: WorkerDeps, builds: dict) -> None:
    build = builds.get((task.guild_id, task.campaign_key)) if isinstance(task.payload, BuildStep) else None
    # The batch's own build is fresher than the store: it knows what this invocation did.
    campaign = (replace(build.campaign, status=build.status) if build
                else deps.store.get(task.guild_id, task.campaign_key))
    decision = decide(task, campaign)
    if not decision.acts:
        _do_nothing(task, decision, deps)
        return
    if not isinstance(task.payload, (BuildStep, Rerun)):
        run_request(task, attempt, deps)
        return
    if campaign is None:  # decide() lets a build or a re-run act only on its campaign's record
        raise LookupError(f"a {task.kind} task acts on no campaign record")
    if isinstance(task.payload, Rerun):
        _run_rerun(task, campaign, decision, attempt, deps, builds)
    else:
        _run_build_step(task, campaign, build, decision, attempt, deps, builds)


def _do_nothing(task: Task, decision: Decision, deps: WorkerDeps) -> None:
    """A task decide() says does nothing: logged, and its asker told why if they wait on it."""
    logger.info("task does nothing", decision=decision.kind, reason=decision.reason)
    if not decision.tell:
        return
    if isinstance(task.payload, Rerun):
        # A re-run's asker gets a private answer, as its refusals are (rerun.py).
        rerun.tell(task, deps, decision.tell)
    else:
        _tell_asker(task, decision, deps)


def _run_build_step(task: Task, campaign: Campaign, build: CampaignBuild | None, decision: Decision,
                    attempt: int, deps: WorkerDeps, builds: dict) -> None:
    """A build task: the first of a run's records this invocation holds carries out every step
    from its own to the summary, so the build ends in this invocation (SQS hands a worker at most
    ten records, fewer than a build's steps); the records after it, here or in a later batch,
    then find their steps done. A redriven task (RESUME) likewise finishes the whole build."""
    fresh = build is None
    if build is None:
        build = _open_build(task, campaign, deps, builds)
    if decision.kind != RESUME and not fresh:
        _carry_out(build, task, [task.step], attempt, deps, batch_steps=True)
        return
    steps = range(task.step, len(build.steps))
    if decision.kind == RESUME:  # an operator redrove the dead-lettered task: no record follows it
        _carry_out(build, task, steps, attempt, deps, prepare=build.resume)
        return
    _carry_out(build, task, steps, attempt, deps, prepare=functools.partial(build.reserve, list(steps)),
               batch_steps=True, may_start=lambda: _time_left(deps) >= MIN_TASK_TIME_S)


def _time_left(deps: WorkerDeps) -> float:
    """Seconds before the invocation's deadline (its safety margin already taken off)."""
    return deps.rest.deadline - time.monotonic()


def _open_build(task: Task, campaign: Campaign, deps: WorkerDeps, builds: dict,
                guild: GuildSnapshot | None = None) -> CampaignBuild:
    """The batch's build of this campaign's current run. The token lives in its own expiring item
    (store.token): "" once Discord's 15 minutes are over, and then the outcome goes to a channel
    instead (outcome.py)."""
    token = deps.store.token(campaign)
    campaign = replace(campaign, interaction_token=token,
                       message_expired=campaign.message_expired or not token)
    build = builds[(task.guild_id, task.campaign_key)] = CampaignBuild(
        campaign, api=deps.api, store=deps.store, application_id=deps.application_id,
        bot_user_id=deps.bot_user, guild=guild)
    return build


def _resumes_from(task: Task, current: int) -> int:
    """The step a failure names (failure["step"]): a build task's own, since redriving that task
    resumes the build (tasks/decision.py); for a re-run, which carries the whole build, the one that
    failed."""
    return current if isinstance(task.payload, Rerun) else task.step


def _run_rerun(task: Task, campaign: Campaign, decision: Decision, attempt: int,
               deps: WorkerDeps, builds: dict) -> None:
    """A re-run the worker decides (rerun.py): the caller's standing and the takeover first, then
    the whole build in this one task. A retried or redriven task finds the run its own
    (decide() says so) and carries on from what exists."""
    key = (task.guild_id, task.campaign_key)
    guild = None
    if campaign.interaction_id != task.interaction_id:
        earlier = builds.pop(key, None)
        if earlier is not None:  # this batch worked on the run being replaced: save that first
            earlier.progress.close()
            earlier.flush()
        taken = rerun.take_over(task, campaign, deps, last_attempt=attempt >= deps.max_receive_count)
        if taken is None:
            return
        campaign, guild = taken
    build = _open_build(task, campaign, deps, builds, guild=guild)
    steps = range(len(build.steps))
    prepare = build.resume if decision.kind == RESUME else (lambda: build.reserve(list(steps)))
    _carry_out(build, task, steps, attempt, deps, prepare=prepare)


def _carry_out(build: CampaignBuild, task: Task, steps: range | list[int], attempt: int,
               deps: WorkerDeps, prepare: Callable[[], None] | None = None,
               batch_steps: bool = False, may_start: Callable[[], bool] | None = None) -> None:
    """Run `prepare` (the pending marks or the resume write), then `steps` of the build; a failure
    marks the campaign failed and tells the user, or (if a retry may fix it) hands the task back
    to SQS. The preparing writes fail like any step's: on the last attempt the user is told.
    `batch_steps`: every step but the task's own has a record of its own (see _run_steps);
    `may_start`: whether there is time to start steps other than the task's own."""
    build.failed_step = None
    try:
        if prepare is not None:
            prepare()
        _count_done(build, _run_steps(build, task, steps, batch_steps, may_start))
    except BuildRefused as refused:
        _refuse(build, _resumes_from(task, _failed_step(build, task)), refused.problem)
    except BuildStopped as stop:
        _stop(build, _resumes_from(task, _failed_step(build, task)), stop.problem, transient=False,
              server_fixes=True)
    except RateLimitedLong as limited:
        # Discord's long limits are not outages: no retry, no dead letter, no page.
        count(DISCORD_LONG_RATE_LIMITS.name)
        logger.warning("campaign paused by a long Discord rate limit", route=limited.route,
                       retry_at=limited.retry_at)
        _stop(build, _resumes_from(task, _failed_step(build, task)), long_limits.problem(
            limited, progress="Everything created so far is kept.",
            again="Run `/add-campaign` again with the same name"), transient=False,
            retry_at=long_limits.until(limited))
    except DiscordRejected as error:
        step = build.steps[_failed_step(build, task)]
        # The kind as the template names it ("text", "voice", "forum", "category"), or "role".
        doing = f"creating {step.name or 'the campaign'}" + (
            f" ({step.channel_type or step.kind})" if step.name else "")
        _stop(build, _resumes_from(task, _failed_step(build, task)),
              lost_access.explain(error, md(doing), api=deps.api, guild_id=task.guild_id,
                                  bot_user_id=deps.bot_user_id), transient=False,
              server_fixes=server_must_fix(error.status, error.code, error.detail))
        discord_error(error.code, error.status)
        logger.warning("campaign stopped by Discord", error=str(error))
    except Exception as error:  # transient: Discord unavailable, AWS errors, bugs
        if isinstance(error, DiscordError):
            discord_error(error.code, error.status)
        logger.warning("task failed", error=str(error), max_attempts=deps.max_receive_count,
                       exc_info=not isinstance(error, DiscordError))
        if attempt >= deps.max_receive_count:
            _stop(build, _resumes_from(task, _failed_step(build, task)), _gave_up(error, attempt),
                  transient=True)
        raise


def _count_done(build: CampaignBuild, created: list) -> None:
    """The metrics of steps that went well: channels created, and a campaign completed."""
    channels = sum(step.kind in (CHANNEL, CATEGORY) for step in created)
    if channels:
        count("ChannelsCreated", channels)
    if build.status == COMPLETED:
        count("CampaignsCompleted")
        metrics.add_metric(name="BuildSeconds", unit=MetricUnit.Seconds,
                           value=round(build.seconds_since_request(), 1))
        logger.info("campaign completed")


def _run_steps(build: CampaignBuild, task: Task, steps, batch_steps: bool,
               may_start: Callable[[], bool] | None = None) -> list:
    """The steps' run (CampaignBuild.run_steps). A later step that failed keeps its failure for
    its own record: that is the task SQS retries or dead-letters, and the step a redrive resumes
    from, as when each record ran its own step. Its record may be later in this batch (it raises
    the failure then) or in a later one (it runs the step again: nothing of it was recorded done).
    Steps other than the task's own start only while `may_start()` says there is time; those left
    are their own records' to run."""
    deferred = build.deferred_failures.pop(task.step, None)
    if deferred is not None:
        build.failed_step = task.step
        raise deferred
    try:
        return build.run_steps(steps, own=task.step, may_start=may_start)
    except Exception as error:
        if not (batch_steps and build.failed_step is not None and build.failed_step > task.step):
            raise
        build.deferred_failures[build.failed_step] = error
        return build.created_now


def _failed_step(build: CampaignBuild, task: Task) -> int:
    """The step a failure is about: the earliest one of the batch that failed, else the task's."""
    return task.step if build.failed_step is None else build.failed_step


def _gave_up(error: Exception, attempt: int) -> Problem:
    """What the user reads when a build's task failed its last attempt, in words that name
    what failed (an AWS error is no fault of Discord's, and a class name means nothing to them)."""
    if isinstance(error, DiscordError):
        what, why = "Discord kept failing while I built the campaign, so I stopped.", str(error)
    elif isinstance(error, (BotoCoreError, ClientError)):
        what, why = ("My storage kept failing while I built the campaign, so I stopped.",
                     "my campaign store didn't answer")
    else:
        what, why = ("Something went wrong on my side while I built the campaign, so I stopped.",
                     "the same error each time")
    return Problem(what, f"I tried {attempt} times ({why}). Everything created so far is kept.",
                   "Run `/add-campaign` again with the same name in a few minutes to finish it; "
                   "the bot operator has also been alerted.")


# Each takes (task, deps, standing): `standing` is the caller's, already found to meet the task's
# needs; handlers use it to decide what the caller may see.
REQUESTS = {Delete: teardown.run_delete, MemberChange: roster.run_member_change,
            CampaignInfo: survey.run_info, ConfirmDelete: teardown.run_confirm_delete,
            TemplateRemove: run_template_remove, TemplateExport: run_export,
            Archive: archive.run_archive, Unarchive: archive.run_unarchive,
            AdoptPreview: adopt.run_preview, AdoptConfirm: adopt.run_confirm,
            Roster: roster.run_roster,
            Doctor: doctor_fix.run_doctor, DoctorFix: doctor_fix.run_fix}
DOING = {Delete: "deleting the campaign", MemberChange: "changing the campaign's roles",
         CampaignInfo: "reading the server", ConfirmDelete: "reading the server",
         TemplateImport: "checking your permissions", TemplateRemove: "checking your permissions",
         TemplateExport: "reading the server", Archive: "archiving the campaign",
         Unarchive: "unarchiving the campaign",
         AdoptPreview: "reading the server", AdoptConfirm: "adopting the category",
         Roster: "changing the campaign's roster",
         Doctor: "reading the server", DoctorFix: "fixing the campaign"}


def run_request(task: Task, attempt: int, deps: WorkerDeps) -> None:
    """A command's deferred half (decide() said it runs); its answer edits the command's response.

    First the caller's authority: the payload's `needs` is the command's rule (RULES in
    commands/definitions.py, of campaigns/authority.py's rules)
    and its `caller` their user and role ids from the interaction. Refusal if they lack it.
    """
    kind = type(task.payload)
    if kind not in REQUESTS and kind is not TemplateImport:
        logger.error("unknown task kind; dropped", kind=task.kind)
        return
    try:
        standing = _authorize(task, deps)
        if kind is TemplateImport:  # it tells the user itself on the last attempt
            run_template_import(task, deps, last_attempt=attempt >= deps.max_receive_count)
            return
        REQUESTS[kind](task, deps, standing)
    except Refusal:
        raise  # run_task tells the asker
    except RateLimitedLong as limited:
        # Discord's long limits are not outages: no retry, no dead letter; the asker is told when.
        count(DISCORD_LONG_RATE_LIMITS.name)
        logger.warning("request paused by a long Discord rate limit", route=limited.route,
                       retry_at=limited.retry_at)
        deleting = isinstance(task.payload, Delete)
        again = "Run `/delete-campaign` again" if deleting else "Run the command again"
        _answer(task, deps, long_limits.problem(limited, progress="Nothing more was changed.",
                                                again=again).text(), public=deleting)
    except DiscordRejected as error:  # a refusal: trying again would only repeat it
        discord_error(error.code, error.status)
        logger.warning("request refused by Discord", error=str(error))
        _reply(task, deps, lost_access.explain(
            error, DOING.get(kind, "that"), api=deps.api, guild_id=task.guild_id,
            bot_user_id=deps.bot_user_id, again="try the command again").text())
    except Exception as error:
        if isinstance(error, DiscordError):
            discord_error(error.code, error.status)
        logger.warning("request failed", error=str(error), exc_info=not isinstance(error, DiscordError))
        if attempt >= deps.max_receive_count:
            _answer(task, deps, Problem(
                "Discord kept failing, so I gave up.", f"I tried {attempt} times.",
                "Try the command again in a few minutes.").text(),
                public=isinstance(task.payload, Delete))
        raise


def _authorize(task: Task, deps: WorkerDeps) -> Standing:
    """The caller's Standing if they meet the task's needs; else Refusal, saying why."""
    request = task.payload_as(Request)
    caller = request.caller
    campaign = deps.store.get(task.guild_id, task.campaign_key) if task.campaign_key else None
    standing = Standing(deps.api, task.guild_id, caller)
    needs = request.needs
    gm_role = campaign_role(campaign, GM_ROLE_KEY) if campaign is not None else None
    if (campaign is not None and caller.user_id in campaign.gms and gm_role
            and not holds(campaign, caller.role_ids) and gm_role in standing.guild.role_permissions):
        # The GM role was taken away by hand: the record follows the server, which is the truth.
        # A GM role deleted by hand is held by no one: the record keeps its GMs, for
        # /campaign-doctor to give it back to them (its reading is the one `allows` needs next).
        deps.store.remove_member(campaign, "gms", caller.user_id)
    if standing.allows(needs, campaign):
        return standing
    logger.info("refused: caller lacks authority", needs=needs)
    raise Refusal(refusal(needs, campaign_name=campaign.name if campaign else "", doing=request.doing))


def _reply(task: Task, deps: WorkerDeps, text: str) -> None:
    """Edit the task's deferred answer (components [] drops any buttons it had); a long text's
    later parts follow only the asker sees. A GM's click on a join request is told in follow-ups
    only they see: the request, with its buttons, stays for a GM to decide once it can be."""
    answered = task.payload_as(Answered)
    reply = ProgressMessage.answering(deps.api, deps.application_id, answered.token, task.interaction_id)
    if isinstance(task.payload, Roster) and task.payload.public:
        reply.follow_privately(text)
    else:
        reply.finish(text, components=[])


def _tell_asker(task: Task, decision: Decision, deps: WorkerDeps) -> None:
    """Why the task did nothing, for whoever is waiting on its answer."""
    try:
        _answer(task, deps, decision.tell, public=True)
    except DiscordError as error:  # the decision stands; only the telling failed
        logger.warning("could not tell the asker", error=str(error))


def _answer(task: Task, deps: WorkerDeps, text: str, *, public: bool) -> None:
    """Edit the asker's deferred answer; if `public` and it is gone, post in their channel
    (an answer about a campaign's contents, like /campaign-info's, is never posted publicly)."""
    asker = task.payload_as(Answered)
    reply = ProgressMessage.answering(deps.api, deps.application_id, asker.token, task.interaction_id,
                                      ephemeral=not public)
    deliver(reply, deps.api, text, channels=[asker.channel_id] if public else ())


def _refuse(build: CampaignBuild, step: int, problem: Problem) -> None:
    """The requester may not add a campaign: tell only them, and free the name if nothing exists."""
    logger.info("campaign refused", what=problem.what)
    count(CAMPAIGNS_REFUSED.name)  # the server's own affair: graphed, never paged
    failure = {**problem.to_dict(), "step": step, "transient": False}
    build.status = FAILED  # later steps of this run are skipped
    build.campaign = replace(build.campaign, status=FAILED, failure=failure)
    try:
        if not build.progress.finish_privately(problem.text()):
            # The token is dead: tell them where they typed the command (outcome.py).
            deliver(build.progress, build.api, problem.text(), channels=[build.campaign.channel_id])
    except DiscordError as error:
        logger.warning("could not tell the user", error=str(error))
    if build.campaign.run_count == 1 and not build.resources:
        build.store.forget_request(build.campaign)  # after the reply, which may mark the record
    else:
        build.set_status(FAILED, failure=failure)  # a resumed build keeps what it made


def _stop(build: CampaignBuild, step: int, problem: Problem, *, transient: bool,
          retry_at: float | None = None, server_fixes: bool = False) -> None:
    failure = {**problem.to_dict(), "step": step, "transient": transient}
    if retry_at is not None:
        failure["retry_at"] = math.ceil(retry_at)  # /add-campaign answers at once until then
    unrecorded = None
    try:
        build.set_status(FAILED, failure=failure)
    except Exception as error:
        # The store is failing too: the user is still told (else their message says "thinking…"
        # for ever), then the task fails on, to be retried or dead-lettered for the operator.
        # The batch's later steps are skipped all the same; running the command again resumes.
        unrecorded, build.status = error, FAILED
    build.campaign = replace(build.campaign, status=FAILED, failure=failure)
    # Only failures the operator must act on page (CampaignsFailed): a pause for Discord's long
    # limit is no failure of ours, and a server's own refusals are graphed apart.
    kind = (CAMPAIGNS_PAUSED if retry_at is not None
            else CAMPAIGNS_REFUSED if server_fixes else CAMPAIGNS_FAILED)
    count(kind.name)
    logger.warning("campaign failed", what=problem.what, transient=transient)
    done, total = build.counts()
    try:
        build.tell(failure_text(build.campaign.name, done, total, problem),
                   components=undo_buttons(build.campaign, failed=True) if done else None)
    except DiscordError as error:
        logger.warning("could not tell the user", error=str(error))
    if unrecorded is not None:
        raise unrecorded

