"""Commands for a campaign's life after it is built: list, info, players and GMs, delete and undo.

Request-path halves only: each answers from the campaign store within Discord's 3 seconds, and
whatever needs Discord's REST API (role changes, deletions, reading the server) is queued as a task
for the worker, which edits the answer when done.

Who may act is never read from `member.permissions` (it describes the invoking channel only). The
one thing known here is the caller's current roles: holding the campaign's GM role is enough. Any
other caller may still be a server manager, which only the server's roles can tell, so their
request goes to the worker (deferred, ephemeral), which decides (authority.py) before acting.
"""

from channelwright.aws.observability import request_path_failure
from channelwright.campaigns import liveness
from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, holds
from channelwright.campaigns.buttons import confirmation, made_counts
from channelwright.campaigns.capacity import Counts, totals_text
from channelwright.campaigns.plan import SPECTATORS_ROLE_KEY
from channelwright.campaigns.store import ARCHIVED, BUILDING, COMPLETED, DELETING, QUEUED, Campaign
from channelwright.commands.definitions import Invocation, campaign_key, request_fields, rule
from channelwright.discord.permissions import ADMINISTRATOR, MANAGE_CHANNELS
from channelwright.tasks.payloads import CampaignInfo, ConfirmDelete, Delete, MemberChange
from channelwright.tasks.queue import Task
from channelwright.text.counts import counted
from channelwright.text.names import clip, key, md, normalise
from channelwright.text.pages import CAMPAIGNS, paged
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import choices, deferred, deferred_update, ephemeral, update_message

MEMBER_ACTIONS = {"add-player": ("players", "add"), "remove-player": ("players", "remove"),
                  "assign-gm": ("gms", "add"), "add-spectator": ("spectators", "add"),
                  "remove-spectator": ("spectators", "remove")}


def _find(invocation: Invocation, deps, option: str) -> Campaign:
    """The campaign the option names; Refusal if there is none of that name."""
    name = str(invocation.options.get(option) or "")
    campaign = deps.store.get(invocation.guild_id, campaign_key(name)) if name.strip() else None
    if campaign is None:
        raise Refusal(Problem(
            f"There is no campaign named “{md(clip(normalise(name), 100))}” in this server.",
            "Campaign names are matched ignoring case and spacing.",
            "Use `/list-campaigns` to see the names, or pick one from the suggestions."))
    return campaign


def find_campaign(invocation: Invocation, deps, option: str) -> Campaign:
    """The campaign the option names, for another command module; Refusal if there is none."""
    return _find(invocation, deps, option)


def enqueue(deps, task: Task, answer: dict) -> dict:
    """Queue `task` and give `answer`, or say in plain words that the queue is unavailable."""
    return _enqueue(deps, task, answer)


def _enqueue(deps, task: Task, answer: dict) -> dict:
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue the command's task", error)
        return ephemeral(Problem("I couldn't start that.", "My task queue is unavailable right now; "
                                 "nothing was changed.", "Try again in a minute.").text())
    return answer


# -- /list-campaigns, /campaign-info -----------------------------------------------------------

def list_campaigns(invocation: Invocation, deps) -> dict:
    return paged(campaigns_text(invocation, deps), CAMPAIGNS)


def campaigns_text(invocation: Invocation, deps, argument: str = "") -> str:
    """Every campaign of the server, one a line (pages.py pages it when it is long)."""
    campaigns = deps.store.campaigns(invocation.guild_id)
    totals = _totals(deps.store.server_counts(invocation.guild_id))
    if not campaigns:
        return "\n".join(["This server has no campaigns yet. Start one with `/add-campaign`.", *totals])
    lines = [f"**Campaigns in this server ({len(campaigns)})**", *totals]
    for campaign in campaigns:
        channels, _ = made_counts(campaign)
        gms = ", ".join(f"<@{g}>" for g in sorted(campaign.gms)) or "nobody"
        players = len(campaign.players)
        adopted = " (adopted)" if campaign.origin == "adopted" else ""
        again = "/adopt-campaign` on its category" if adopted else "/add-campaign`"
        status = campaign.status + adopted + (f" (stalled: run `{again} again to finish it)"
                                              if liveness.stalled(campaign, deps.now_ms()) else "")
        if campaign.status == ARCHIVED:
            status = ("🗜️ archived" + adopted + ", collapsed into a transcript" if campaign.collapsed
                      else "📦 archived" + adopted + " (read-only for its players)")
        lines.append(f"• **{md(campaign.name)}** — {status} · GM: {gms} · "
                     f"{counted(players, 'player')} · {counted(channels, 'channel')}")
    return "\n".join(lines)


def _totals(counts: dict[str, int] | None) -> list[str]:
    """The server's channels and roles against Discord's limits, as the last build counted them
    (capacity.py); nothing before any build has."""
    return [totals_text(Counts.from_record(counts))] if counts else []


def campaign_info(invocation: Invocation, deps) -> dict:
    campaign = _find(invocation, deps, "name")
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id,
                CampaignInfo(**request_fields(invocation)), campaign_run=campaign.interaction_id)
    return _enqueue(deps, task, deferred(private=True))


# -- /add-player, /remove-player, /assign-gm, /add-spectator, /remove-spectator ----------------

def change_member(invocation: Invocation, deps) -> dict:
    campaign = _find(invocation, deps, "campaign")
    group, action = MEMBER_ACTIONS[invocation.command]
    user = invocation.resolved_user("user")
    if campaign.status not in (COMPLETED, ARCHIVED):  # an archived campaign's roles still work
        raise Refusal(Problem(
            f"“{md(campaign.name)}” isn't finished building (status: {campaign.status}).",
            "Its roles must exist before people can be given them.",
            "Wait for the build to finish, or run `/add-campaign` again to resume it."))
    if group == "spectators" and not any(s.get("key") == SPECTATORS_ROLE_KEY for s in campaign.plan):
        raise Refusal(Problem(f"“{md(campaign.name)}” has no Spectators role.",
                              "Its template has no spectators channel, so there is nothing to watch.",
                              "Add its players with `/add-player` instead."))
    if user is None or user.get("bot"):
        raise Refusal(Problem("That isn't someone I can add.",
                              "Pick a person (not a bot) in this server.",
                              "Run the command again and choose a member."))
    # Whether the caller may (a GM now, or a server manager) is decided by the worker; so is
    # whether I may give the role: Discord's answer to the role change says that.
    change = MemberChange(**request_fields(invocation), group=group, action=action,
                          user_id=str(user["id"]), by=invocation.user_name)
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, change,
                campaign_run=campaign.interaction_id)
    return _enqueue(deps, task, deferred(private=True))


# -- /delete-campaign and the Undo buttons -------------------------------------------------------

def delete_campaign(invocation: Invocation, deps) -> dict:
    """Ask for confirmation: at once for a GM (their roles say so); for anyone else once the worker
    has found them a server manager."""
    campaign = _find(invocation, deps, "name")
    _refuse_while_building(campaign, now_ms=deps.now_ms())
    if holds(campaign, invocation.member_roles):
        return ephemeral(*confirmation(campaign))
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id,
                ConfirmDelete(**request_fields(invocation, "delete it")),
                campaign_run=campaign.interaction_id)
    return _enqueue(deps, task, deferred(private=True))


def _refuse_while_building(campaign: Campaign, *, now_ms: int) -> None:
    """Refusal while the campaign is being built (and not stalled)."""
    if campaign.status in (QUEUED, BUILDING) and not liveness.stalled(campaign, now_ms):
        # A stalled build (cut off, see liveness.py) may be deleted: nothing will add to it.
        raise Refusal(Problem(
            f"“{md(campaign.name)}” is still being built.",
            "Deleting while channels are still being created would leave some behind.",
            "Wait for the build to finish or fail, then delete it. If it makes no progress for "
            f"{liveness.SILENT_FOR_MS // 60_000} minutes, it can be deleted as it is."))


def on_button(invocation: Invocation, deps) -> dict:
    """Delete/Cancel on the confirmation, and Undo on a build's final message."""
    action, _, run = invocation.custom_id.partition(":")
    if action == "cancel":
        return update_message("Cancelled — nothing was deleted.")
    campaign = deps.store.find_by_run(invocation.guild_id, run) if invocation.guild_id else None
    if action not in ("delete", "undo") or campaign is None:
        return ephemeral("That button is out of date: the campaign is gone or was rebuilt since. "
                         "Use `/delete-campaign` instead.")
    _refuse_while_building(campaign, now_ms=deps.now_ms())
    gm = holds(campaign, invocation.member_roles)
    # A GM's click is answered by editing the clicked message: for Undo, the public summary, so
    # the worker's report there must suit everyone who reads it ("public").
    delete = Delete(**{**request_fields(invocation, "delete it"), "needs": CAMPAIGN_RUNNERS},
                    by=invocation.user_name, public=gm and action == "undo")
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, delete, campaign_run=run)
    if gm:
        return _enqueue(deps, task, update_message(f"🗑️ Deleting **{md(campaign.name)}**…"))
    # Perhaps a server manager: the worker decides. The confirmation only its asker sees is edited
    # in place; Undo sits on the public summary, so there the answer is a new message only the
    # clicker sees, and the summary stays as it is.
    return _enqueue(deps, task, deferred_update() if action == "delete" else deferred(private=True))


# -- autocomplete -------------------------------------------------------------------------------

# Which campaigns a command can act on, by status: suggesting the others would only lead to a
# refusal (archive an archived campaign, unarchive one that isn't).
_SUGGESTED_STATUSES = {"archive-campaign": frozenset({COMPLETED}),
                       "unarchive-campaign": frozenset({ARCHIVED}),
                       "campaign-doctor": frozenset({COMPLETED})}


def campaign_choices(invocation: Invocation, deps) -> dict:
    """Autocomplete for a campaign name: the server's campaigns the caller could use the command on.

    For a command of its GMs and managers (RULES), a caller who holds none of a campaign's GM role
    and shows no Manage Channels or Administrator in this channel is offered none of it: the
    worker would refuse them. `member.permissions` is only a hint here (it describes the invoking
    channel): a suggestion grants nothing, and the worker still decides from the server's roles."""
    typed = key(invocation.typed)
    wanted = _SUGGESTED_STATUSES.get(invocation.command)
    runs_only = rule(invocation.command, invocation.subcommand) == CAMPAIGN_RUNNERS
    maybe_manager = bool(invocation.member_permissions & (MANAGE_CHANNELS | ADMINISTRATOR))
    names = [c.name for c in deps.store.campaigns(invocation.in_guild)
             if c.status != DELETING and (wanted is None or c.status in wanted)
             and (not runs_only or maybe_manager or holds(c, invocation.member_roles))]
    return choices([(n, n) for n in names if typed in key(n)])
