"""Deleting a campaign (from /delete-campaign or an Undo button), resumably and idempotently.

Channels first, then the category, then the roles: deleting a category does not delete its
children (developers/resources/channel.mdx, Delete/Close Channel), and the roles are named in the
channels' overwrites. Each deleted id is dropped from the record at once, so a retried task picks
up where the last one stopped; "unknown channel/role" means someone already deleted it. Channels
someone else added to the category are left alone and reported, by name only to a caller who may
see them.
"""

from . import lost_access
from .discord_errors import DiscordRejected
from .lifecycle import confirmation
from .plan import CATEGORY, CHANNEL, ROLE, Step
from .progress import ProgressMessage, bar, token_expired
from .store import DELETING


def run_confirm_delete(task, deps, standing) -> None:
    """A server manager (the worker checked) gets the Delete/Cancel question /delete-campaign asks."""
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run))
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    reply.finish(*confirmation(campaign))


def run_delete(task, deps, standing) -> None:
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None or campaign.interaction_id != task.args.get("run"):
        return  # already deleted (a duplicate task), or rebuilt since the button was shown
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run))
    if campaign.status != DELETING:
        deps.store.set_status(campaign, DELETING)
    guild = f"/guilds/{campaign.guild_id}"
    reason = f"Channelwright: deleting campaign “{campaign.name}”, asked by {task.args.get('by', 'someone')}"
    steps = [Step.from_dict(s) for s in campaign.plan]
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    strangers = [c for c in deps.rest.request("GET", f"{guild}/channels")
                 if category and c.get("parent_id") == category and c["id"] not in ours]
    named = [c["name"] for c in strangers if standing.sees(c)]

    order = ([s for s in steps if s.kind == CHANNEL] + [s for s in steps if s.kind == CATEGORY]
             + [s for s in steps if s.kind == ROLE])
    todo = [s for s in order if campaign.resources.get(s.key, {}).get("id")]
    for done, step in enumerate(todo, start=1):
        resource_id = campaign.resources[step.key]["id"]
        path = f"{guild}/roles/{resource_id}" if step.kind == ROLE else f"/channels/{resource_id}"
        try:
            deps.rest.request("DELETE", path, reason=reason)
        except DiscordRejected as error:
            if error.status != 404:  # 404: someone deleted it already, which is what we want
                problem = lost_access.explain(error, f"deleting {step.name}", rest=deps.rest,
                                              guild_id=campaign.guild_id, bot_user_id=deps.bot_user_id,
                                              again="run `/delete-campaign` again")
                reply.finish(problem.text())
                return
        deps.store.forget(campaign, [step.key])
        reply.show(f"🗑️ Deleting **{campaign.name}**\n\n{bar(done, len(todo))}")
    deps.store.delete(campaign)

    lines = [f"🗑️ Deleted **{campaign.name}**: its channels, its category and its roles are gone."]
    if strangers:
        hidden = len(strangers) - len(named)
        shown = [f"#{name}" for name in named] + (
            [f"{hidden} channel{'s' if hidden != 1 else ''} you can't see"] if hidden else [])
        lines.append("Left alone (added by someone else, now outside any category): " + ", ".join(shown))
    reply.finish("\n".join(lines), components=[])
