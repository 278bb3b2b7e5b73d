"""Commands for a campaign's life after it is built: list, info, players and GMs, delete and undo.

Request-path halves only: each answers from the campaign store within Discord's 3 seconds, and
whatever needs Discord's REST API (role changes, deletions, reading the server) is queued as a task
for the worker, which edits the answer when done.
"""

from . import permissions
from .commands import Invocation, campaign_key
from .observability import request_path_failure
from .plan import CHANNEL, ROLE, Step
from .problems import Problem
from .responses import DANGER, SECONDARY, buttons, choices, deferred, ephemeral, update_message
from .store import BUILDING, COMPLETED, DELETING, QUEUED, Campaign
from .task_queue import Task

DELETE, INFO, MEMBER = "delete", "info", "member"
MEMBER_ACTIONS = {"add-player": ("players", "add"), "remove-player": ("players", "remove"),
                  "assign-gm": ("gms", "add")}


def is_manager(invocation: Invocation) -> bool:
    """Server managers: whoever may manage channels (administrators included)."""
    return not permissions.missing(invocation.member_permissions, permissions.MANAGE_CHANNELS)


def may_run(campaign: Campaign, invocation: Invocation) -> bool:
    return is_manager(invocation) or invocation.user_id in campaign.gms


def _find(invocation: Invocation, deps, option: str) -> tuple[Campaign | None, dict | None]:
    name = str(invocation.options.get(option) or "")
    campaign = deps.store.get(invocation.guild_id, campaign_key(name)) if name.strip() else None
    if campaign is None:
        return None, ephemeral(Problem(
            f"There is no campaign named “{name.strip()}” in this server.",
            "Campaign names are matched ignoring case and spacing.",
            "Use `/list-campaigns` to see the names, or pick one from the suggestions.").text())
    return campaign, None


def _enqueue(deps, task: Task, answer: dict) -> dict:
    try:
        deps.tasks.enqueue([task])
    except deps.tasks.errors as error:
        request_path_failure("could not enqueue the command's task", error)
        return ephemeral(Problem("I couldn't start that.", "My task queue is unavailable right now; "
                                 "nothing was changed.", "Try again in a minute.").text())
    return answer


def _counts(campaign: Campaign) -> tuple[int, int]:
    steps = [Step.from_dict(s) for s in campaign.plan]
    channels = sum(s.kind == CHANNEL and s.key in campaign.resources for s in steps)
    roles = sum(s.kind == ROLE and s.key in campaign.resources for s in steps)
    return channels, roles


# -- /list-campaigns, /campaign-info -----------------------------------------------------------

def list_campaigns(invocation: Invocation, deps) -> dict:
    campaigns = deps.store.campaigns(invocation.guild_id)
    if not campaigns:
        return ephemeral("This server has no campaigns yet. Start one with `/add-campaign`.")
    lines = [f"**Campaigns in this server ({len(campaigns)})**"]
    for campaign in campaigns:
        channels, _ = _counts(campaign)
        gms = ", ".join(f"<@{g}>" for g in sorted(campaign.gms)) or "nobody"
        players = len(campaign.players)
        lines.append(f"• **{campaign.name}** — {campaign.status} · GM: {gms} · "
                     f"{players} player{'s' if players != 1 else ''} · {channels} channels")
    return ephemeral("\n".join(lines))


def campaign_info(invocation: Invocation, deps) -> dict:
    campaign, refusal = _find(invocation, deps, "name")
    if refusal:
        return refusal
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, kind=INFO,
                args={"token": invocation.token})
    return _enqueue(deps, task, deferred(private=True))


# -- /add-player, /remove-player, /assign-gm ---------------------------------------------------

def change_member(invocation: Invocation, deps) -> dict:
    campaign, refusal = _find(invocation, deps, "campaign")
    if refusal:
        return refusal
    group, action = MEMBER_ACTIONS[invocation.command]
    user = invocation.resolved_user("user")
    problem = None
    if not may_run(campaign, invocation):
        problem = Problem(f"Only the GMs of “{campaign.name}” or server managers can do that.",
                          "Changing who plays or runs a campaign changes who sees its channels.",
                          "Ask one of the campaign's GMs, or someone with Manage Channels.")
    elif campaign.status != COMPLETED:
        problem = Problem(f"“{campaign.name}” isn't finished building (status: {campaign.status}).",
                          "Its roles must exist before people can be given them.",
                          "Wait for the build to finish, or run `/add-campaign` again to resume it.")
    elif user is None or user.get("bot"):
        problem = Problem("That isn't someone I can add.", "Pick a person (not a bot) in this server.",
                          "Run the command again and choose a member.")
    elif permissions.missing(invocation.app_permissions, permissions.MANAGE_ROLES):
        problem = Problem("I'm missing the Manage Roles permission.",
                          "Giving and taking campaign roles needs it.",
                          "In Server Settings → Roles, give my role Manage Roles, then try again.")
    if problem:
        return ephemeral(problem.text())
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, kind=MEMBER,
                args={"token": invocation.token, "group": group, "action": action,
                      "user_id": str(user["id"]), "by": invocation.user_name})
    return _enqueue(deps, task, deferred(private=True))


# -- /delete-campaign and the Undo buttons -------------------------------------------------------

def delete_campaign(invocation: Invocation, deps) -> dict:
    campaign, refusal = _find(invocation, deps, "name")
    if refusal:
        return refusal
    problem = _may_delete(campaign, invocation)
    if problem:
        return ephemeral(problem.text())
    channels, roles = _counts(campaign)
    return ephemeral(
        f"Delete **{campaign.name}**? This deletes its {channels} channels (and everything posted "
        f"in them), its category and its {roles} roles. Channels someone else added to the "
        "category are kept. This can't be undone.",
        buttons(("Delete campaign", f"delete:{campaign.interaction_id}", DANGER),
                ("Cancel", f"cancel:{campaign.interaction_id}", SECONDARY)))


def _may_delete(campaign: Campaign, invocation: Invocation, *, undo: bool = False) -> Problem | None:
    allowed = is_manager(invocation) or invocation.user_id in campaign.gms or (
        undo and invocation.user_id == campaign.requested_by)
    if not allowed:
        return Problem(f"Only the GMs of “{campaign.name}” or server managers can delete it.",
                       "Deleting a campaign removes its channels for everyone.",
                       "Ask one of the campaign's GMs, or someone with Manage Channels.")
    if campaign.status in (QUEUED, BUILDING):
        return Problem(f"“{campaign.name}” is still being built.",
                       "Deleting while channels are still being created would leave some behind.",
                       "Wait for the build to finish or fail, then delete it.")
    if permissions.missing(invocation.app_permissions, permissions.MANAGE_CHANNELS | permissions.MANAGE_ROLES):
        return Problem("I'm missing Manage Channels or Manage Roles.",
                       "Deleting a campaign's channels and roles needs both.",
                       "In Server Settings → Roles, give my role both, then try again.")
    return None


def on_button(invocation: Invocation, deps) -> dict:
    """Delete/Cancel on the confirmation, and Undo on a build's final message."""
    action, _, run = invocation.custom_id.partition(":")
    if action == "cancel":
        return update_message("Cancelled — nothing was deleted.")
    campaign = deps.store.find_by_run(invocation.guild_id, run) if invocation.guild_id else None
    if action not in ("delete", "undo") or campaign is None:
        return ephemeral("That button is out of date: the campaign is gone or was rebuilt since. "
                         "Use `/delete-campaign` instead.")
    problem = _may_delete(campaign, invocation, undo=action == "undo")
    if problem:
        return ephemeral(problem.text())
    task = Task(campaign.guild_id, campaign.key, invocation.interaction_id, kind=DELETE,
                args={"token": invocation.token, "by": invocation.user_name, "run": run})
    return _enqueue(deps, task, update_message(f"🗑️ Deleting **{campaign.name}**…"))


def undo_buttons(campaign: Campaign, *, failed: bool) -> list[dict]:
    label = "Undo partial build" if failed else "Undo"
    return buttons((label, f"undo:{campaign.interaction_id}", DANGER))


# -- autocomplete -------------------------------------------------------------------------------

def campaign_choices(invocation: Invocation, deps) -> dict:
    typed = str(invocation.options.get(invocation.focused) or "").casefold()
    names = [c.name for c in deps.store.campaigns(invocation.guild_id) if c.status != DELETING]
    matching = [n for n in names if typed in n.casefold()]
    return choices([(n, n) for n in matching])
