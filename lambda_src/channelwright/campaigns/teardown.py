"""Deleting a campaign (from /delete-campaign or an Undo button), resumably and idempotently.

Channels first, then the category, then the roles: deleting a category does not delete its
children (developers/resources/channel.mdx, Delete/Close Channel), and the roles are named in the
channels' overwrites. Each deleted id is dropped from the record at once, so a retried task picks
up where the last one stopped; "unknown channel/role" means someone already deleted it. Channels
someone else added to the category are left alone and reported, by name only to a caller who may
see them.

Channels hidden from the bot are not in Discord's channel list (changelog "Channel Obfuscation for
Users and Bots", discord/discord-api-docs#8454), so the report says what the bot could not see: a
campaign channel hidden from it can't be deleted (403 50001) and stops the deletion before the
category and roles, which keep that channel private; and a channel someone hid from the bot inside
the category can't be listed, so the report warns that one may now sit outside any category.
"""

from channelwright.campaigns import lost_access
from channelwright.campaigns.buttons import confirmation
from channelwright.campaigns.channel_presence import may_miss_hidden
from channelwright.campaigns.outcome import deliver
from channelwright.campaigns.plan import CATEGORY, CHANNEL, ROLE, Step
from channelwright.campaigns.progress import ProgressMessage, bar
from channelwright.campaigns.store import DELETING
from channelwright.discord.errors import DiscordRejected, JsonErrorCode
from channelwright.discord.permissions import VIEW_CHANNEL
from channelwright.text.names import md
from channelwright.text.problems import Problem


def run_confirm_delete(task, deps, standing) -> None:
    """A server manager (the worker checked) gets the Delete/Cancel question /delete-campaign asks."""
    reply = ProgressMessage.answering(deps.api, deps.application_id, task.payload.token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    reply.finish(*confirmation(campaign))


def run_delete(task, deps, standing) -> None:
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None or campaign.interaction_id != task.campaign_run:
        return  # already deleted (a duplicate task), or rebuilt since the button was shown
    delete = task.payload  # a Delete (tasks/payloads.py): who asked, where, whether in public
    reply = ProgressMessage.answering(deps.api, deps.application_id, delete.token, task.interaction_id)
    if campaign.status != DELETING:
        deps.store.set_status(campaign, DELETING)
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    strangers = [c for c in deps.api.guild_channels(campaign.guild_id)
                 if category and c.get("parent_id") == category and c["id"] not in ours]
    if not _delete_resources(campaign, delete, deps, reply):
        return
    deps.store.delete(campaign)

    # A GM's Undo edits the public summary (lifecycle.on_button), and a reply whose message is
    # gone is posted where the command was typed (the campaign's own channels are gone): there,
    # only channels everyone may view are named. Otherwise the caller alone reads the report.
    public = _report(campaign, category, strangers, lambda c: _everyone_sees(standing, c),
                     "not everyone can see")
    if not delete.public and reply.finish(
            _report(campaign, category, strangers, standing.sees, "you can't see"), components=[]):
        return
    deliver(reply, deps.api, public, components=[], channels=[delete.channel_id])


def _delete_resources(campaign, delete, deps, reply: ProgressMessage) -> bool:
    """Delete the campaign's channels, then its category, then its roles, each forgotten by the
    record once gone, showing progress. False when something stays: the user was told what
    (channels the bot can't see are reported, and the category and roles kept, since those keep
    such channels private until then)."""
    reason = f"Channelwright: deleting campaign “{campaign.name}”, asked by {delete.by or 'someone'}"
    steps = [Step.from_dict(s) for s in campaign.plan]
    order = ([s for s in steps if s.kind == CHANNEL] + [s for s in steps if s.kind == CATEGORY]
             + [s for s in steps if s.kind == ROLE])
    # Roles an adopted campaign was given ("given") were the server's before it: kept.
    todo = [s for s in order if campaign.resources.get(s.key, {}).get("id")
            and not campaign.resources[s.key].get("given")]
    hidden: list[str] = []
    for done, step in enumerate(todo, start=1):
        if hidden and step.kind != CHANNEL:
            break
        resource_id = campaign.resources[step.key]["id"]
        try:
            if step.kind == ROLE:
                deps.api.delete_role(campaign.guild_id, resource_id, reason=reason)
            else:
                deps.api.delete_channel(resource_id, reason=reason)
        except DiscordRejected as error:
            if step.kind == CHANNEL and error.code == JsonErrorCode.MISSING_ACCESS:
                hidden.append(campaign.resources[step.key].get("name") or step.name)
                continue
            if error.status != 404:  # 404: someone deleted it already, which is what we want
                problem = lost_access.explain(error, f"deleting {md(step.name)}", api=deps.api,
                                              guild_id=campaign.guild_id, bot_user_id=deps.bot_user_id,
                                              again="run `/delete-campaign` again")
                deliver(reply, deps.api, problem.text(), channels=[delete.channel_id])
                return False
        deps.store.forget(campaign, [step.key])
        reply.show(f"🗑️ Deleting **{md(campaign.name)}**\n\n{bar(done, len(todo))}")
    if hidden:
        reply.finish(_hidden_problem(campaign, hidden).text())
        return False
    return True


def _report(campaign, category, strangers: list[dict], sees, unseen: str) -> str:
    """The deletion's last word; `sees(channel)` decides which left-alone channels are named,
    the others are counted ("2 channels <unseen>")."""
    lines = [f"🗑️ Deleted **{md(campaign.name)}**: its channels, its category and its roles are gone."]
    if strangers:
        named = [c["name"] for c in strangers if sees(c)]
        unnamed = len(strangers) - len(named)
        shown = [f"#{md(name)}" for name in named] + (
            [f"{unnamed} channel{'s' if unnamed != 1 else ''} {unseen}"] if unnamed else [])
        lines.append("Left alone (added by someone else, now outside any category): " + ", ".join(shown))
    if category and may_miss_hidden(campaign.bot_permissions):
        lines.append("⚠️ I can't see channels hidden from me, so I can't tell whether someone put "
                     "one in the category: if so, it is kept and now sits outside any category.")
    return "\n".join(lines)


def _everyone_sees(standing, channel: dict) -> bool:
    """Whether @everyone may view the channel: a member with no roles, not the owner."""
    return bool(standing.guild.permissions_in(channel, "", []) & VIEW_CHANNEL)


def _hidden_problem(campaign, names: list[str]) -> Problem:
    listed = ", ".join(f"#{md(name)}" for name in names)
    return Problem(
        f"I couldn't delete {listed}: {'it is' if len(names) == 1 else 'they are'} hidden from me.",
        "Someone denied my role View Channel there, and Discord won't let me delete what I can't "
        f"see. I kept “{md(campaign.name)}”'s category and roles so "
        f"{'it stays' if len(names) == 1 else 'they stay'} private.",
        "Give my role View Channel on it (or delete it yourself), then run `/delete-campaign` again.")
