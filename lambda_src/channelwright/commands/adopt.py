"""/adopt-campaign (request path): an existing category and its channels become a campaign.

Only what the interaction itself tells is checked here (no Discord call on this path): the
category option's resolved channel is a category, and no campaign of its name exists. Everything
else needs the server (campaigns/adopt_survey.py): the worker reads it and answers with a preview
only the asker sees, under Confirm/Cancel. Confirm queues the change; Cancel changes nothing.
Whether the caller may (a server manager) is decided by the worker, from the server's roles.
"""

from channelwright.campaigns.buttons import ADOPT_CANCEL, adopt_choice
from channelwright.commands.definitions import Invocation, campaign_key, request_fields, rule
from channelwright.commands.lifecycle import enqueue
from channelwright.discord.types import ChannelType
from channelwright.tasks.payloads import AdoptConfirm, AdoptPreview
from channelwright.tasks.queue import Task
from channelwright.text.names import clip, md
from channelwright.text.problems import Problem, Refusal
from channelwright.text.responses import deferred, deferred_update, ephemeral, update_message


def adopt_campaign(invocation: Invocation, deps) -> dict:
    """Queue the preview; the worker edits the private "thinking…" answer into it."""
    category_id = str(invocation.options.get("category") or "")
    category = (invocation.resolved.get("channels") or {}).get(category_id)
    if not category_id.isdigit() or (isinstance(category, dict)
                                     and category.get("type") != ChannelType.GUILD_CATEGORY):
        raise Refusal(Problem("That isn't a category.",
                              "A campaign is adopted whole: a category and the channels in it.",
                              "Run `/adopt-campaign` again and pick a category."))
    name = str(category.get("name") or "") if isinstance(category, dict) else ""
    existing = deps.store.get(invocation.in_guild, campaign_key(name)) if name.strip() else None
    if existing is not None and existing.origin != "adopted":
        raise Refusal(Problem(f"A campaign named “{md(clip(existing.name, 100))}” already exists.",
                              "A campaign takes its category's name, and names are unique per "
                              "server, ignoring case.",
                              "Rename the category, then run `/adopt-campaign` again."))
    ask = AdoptPreview(**request_fields(invocation, "adopt a category as a campaign"),
                       category_id=category_id, players_role=_role(invocation, "players-role"),
                       gm_role=_role(invocation, "gm-role"))
    return enqueue(deps, Task(invocation.in_guild, "", invocation.interaction_id, ask),
                   deferred(private=True))


def _role(invocation: Invocation, option: str) -> str:
    value = str(invocation.options.get(option) or "")
    return value if value.isdigit() else ""


def on_button(invocation: Invocation, deps) -> dict:
    """Confirm queues the adoption, the preview showing it is under way; Cancel ends it there."""
    if invocation.custom_id == ADOPT_CANCEL:
        return update_message("Cancelled — nothing was changed.")
    choice = adopt_choice(invocation.custom_id)
    if choice is None or not invocation.guild_id:
        return ephemeral("That button is out of date. Run `/adopt-campaign` again.")
    category_id, players_role, gm_role, fingerprint = choice
    confirm = AdoptConfirm(**{**request_fields(invocation, "adopt a category as a campaign"),
                              "needs": rule("adopt-campaign")},
                           category_id=category_id, players_role=players_role, gm_role=gm_role,
                           fingerprint=fingerprint, by=invocation.user_name)
    return enqueue(deps, Task(invocation.guild_id, "", invocation.interaction_id, confirm),
                   deferred_update())
