"""The worker's half of a re-run the request path could not clear: check the caller, then take over.

Resuming a failed or stalled campaign (running /add-campaign again with its name) is managing it,
so it is for its GMs — the members who hold its GM role now — and server managers (authority.py:
who may manage a campaign rests on server-level permissions and current role membership). A
caller holding the GM role is known from the interaction and takes over at once
(interactions._rerun_or_refuse). Anyone else may still be a server manager, which only the
server's roles tell; the request path makes no Discord call, so it queues one RERUN task and
leaves the record alone. Here, before anything of the campaign changes:
1. the caller's standing is read from the server (GET /guilds/{id}). Refused, only the caller is
   told; the campaign keeps its run — interaction, token, requester, channel, failure, status —
   so its Undo button and its failure message stay true;
2. cleared, the campaign is taken over: store.restart, conditional on the record being as
   tasks.decision.decide() judged it (and, for a stalled build, silent since the asker found it);
3. the worker then carries out the whole build in this one task (worker._run_rerun): it has no
   queue to send the run's step tasks to, and every step is idempotent, so a retried or redriven
   task simply carries on from what exists.
"""

from channelwright.aws.observability import discord_error, logger
from channelwright.campaigns import lost_access
from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, Caller, Standing, refusal
from channelwright.campaigns.guild_snapshot import GuildSnapshot
from channelwright.campaigns.outcome import deliver
from channelwright.campaigns.progress import ProgressMessage
from channelwright.campaigns.store import Campaign, CampaignChanged
from channelwright.discord.errors import DiscordError, DiscordRejected, RateLimitedLong
from channelwright.text import long_limits
from channelwright.text.problems import Problem, Refusal

AGAIN = "Run `/add-campaign` again with the same name"

# `task` below is the worker's re-run task (tasks.queue.Task, a layer above, carrying a
# tasks.payloads.Rerun): read for its guild_id, campaign_key, interaction_id and payload (the
# asker's token, channel_id, caller and display name `by`).


def take_over(task, campaign: Campaign, deps, *,
              last_attempt: bool) -> tuple[Campaign, GuildSnapshot] | None:
    """The campaign as restarted for this re-run, with the server as read to clear its caller;
    None if Discord refused to say (the caller is told why). Refusal if the caller may not
    resume it (the worker tells them, with tell()).

    CampaignChanged if the record moved on between decide() and the takeover: the task goes back
    to SQS and its next delivery is decided afresh. A transient Discord failure propagates too
    (the caller is told on the last attempt): nothing has changed yet.
    """
    guild = _read_server(task, deps, last_attempt=last_attempt)
    if guild is None:
        return None
    rerun = task.payload
    caller: Caller = rerun.caller
    if not Standing(deps.api, task.guild_id, caller, guild).allows(CAMPAIGN_RUNNERS, campaign):
        logger.info("re-run refused: the caller is neither a GM of the campaign nor a manager")
        raise Refusal(refusal(CAMPAIGN_RUNNERS, campaign_name=campaign.name, doing="resume it"))
    resumed = deps.store.restart(
        campaign, interaction_id=task.interaction_id, requested_by=caller.user_id,
        requested_by_name=rerun.by, requested_by_roles=sorted(caller.role_ids),
        bot_permissions="", channel_id=rerun.channel_id,
        # This task carries the whole run: nothing else is still to be sent (liveness.py).
        tasks_sent=True)
    if resumed is None:
        raise CampaignChanged(f"campaign {campaign.key!r} moved on before re-run {task.interaction_id} "
                              "took it over")
    logger.info("campaign resumed by a re-run the worker cleared", was=campaign.status,
                previous_run=campaign.interaction_id)
    return resumed, guild


def _read_server(task, deps, *, last_attempt: bool) -> GuildSnapshot | None:
    """The server's roles and owner, or None once the caller is told why they can't be read."""
    try:
        return GuildSnapshot.fetch(deps.api, task.guild_id)
    except RateLimitedLong as limited:  # a long limit is no outage: tell when, don't retry
        tell(task, deps, long_limits.problem(limited, progress="Nothing was changed.",
                                             again=AGAIN).text())
    except DiscordRejected as error:  # a refusal: trying again would only repeat it
        discord_error(error.code, error.status)
        tell(task, deps, lost_access.explain(error, "checking your permissions", api=deps.api,
                                             guild_id=task.guild_id,
                                             bot_user_id=deps.bot_user_id).text())
    except Exception:
        if last_attempt:
            tell(task, deps, Problem("Discord kept failing, so I couldn't resume the campaign.",
                                     "I couldn't read the server's roles to check your "
                                     "permissions. Nothing was changed.",
                                     f"{AGAIN} in a few minutes.").text())
        raise
    return None


def tell(task, deps, text: str) -> None:
    """Tell only the caller: their public "thinking…" answer is replaced by a message only they
    see (ProgressMessage.finish_privately), or, once its token is dead, `text` goes where they
    typed the command (outcome.py), as the builder's own refusals do."""
    reply = ProgressMessage.answering(deps.api, deps.application_id, task.payload.token, task.interaction_id,
                                      ephemeral=False)
    try:
        if not reply.finish_privately(text):
            deliver(reply, deps.api, text, channels=[task.payload.channel_id])
    except DiscordError as error:  # what was decided stands; only the telling failed
        logger.warning("could not tell the re-run's caller", error=str(error))
