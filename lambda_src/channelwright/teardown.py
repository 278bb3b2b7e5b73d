"""Deleting a campaign (from /delete-campaign or an Undo button), resumably and idempotently.

Channels first, then the category, then the roles: deleting a category does not delete its
children (developers/resources/channel.mdx, Delete/Close Channel), and the roles are named in the
channels' overwrites. Each deleted id is dropped from the record at once, so a retried task picks
up where the last one stopped; "unknown channel/role" means someone already deleted it. Channels
someone else added to the category are left alone and reported.
"""

from .discord_errors import DiscordRejected
from .names import md
from .plan import CATEGORY, CHANNEL, ROLE, Step
from .problems import for_discord_code
from .progress import ProgressMessage, bar, token_expired
from .store import DELETING


def run_delete(task, deps) -> None:
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None or campaign.interaction_id != task.args.get("run"):
        return  # already deleted (a duplicate task), or rebuilt since the button was shown
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run), ephemeral=True)
    if campaign.status != DELETING:
        deps.store.set_status(campaign, DELETING)
    guild = f"/guilds/{campaign.guild_id}"
    reason = f"Channelwright: deleting campaign “{campaign.name}”, asked by {task.args.get('by', 'someone')}"
    steps = [Step.from_dict(s) for s in campaign.plan]
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    strangers = [c["name"] for c in deps.rest.request("GET", f"{guild}/channels")
                 if category and c.get("parent_id") == category and c["id"] not in ours]

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
                problem = for_discord_code(f"deleting {md(step.name)}", error.status, error.code,
                                           error.detail, again="run `/delete-campaign` again")
                reply.finish(problem.text())
                return
        deps.store.forget(campaign, [step.key])
        reply.show(f"🗑️ Deleting **{md(campaign.name)}**\n\n{bar(done, len(todo))}")
    deps.store.delete(campaign)

    lines = [f"🗑️ Deleted **{md(campaign.name)}**: its channels, its category and its roles are gone."]
    if strangers:
        lines.append("Left alone (added by someone else, now outside any category): "
                     + ", ".join(f"#{md(name)}" for name in strangers))
    reply.finish("\n".join(lines), components=[])
