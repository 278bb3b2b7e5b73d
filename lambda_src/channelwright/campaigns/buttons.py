"""A campaign's buttons: Delete/Cancel on the delete question, Undo on a build's final message.

Each names the campaign's run in its custom_id ("delete:<run>"), so a click on a button of an
earlier run of the campaign finds nothing (commands.lifecycle.on_button).
"""

from channelwright.campaigns.plan import CHANNEL, ROLE, Step
from channelwright.campaigns.store import Campaign
from channelwright.text.names import md
from channelwright.text.responses import DANGER, SECONDARY, buttons


def made_counts(campaign: Campaign) -> tuple[int, int]:
    """(channels, roles) of the campaign's plan that exist now."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    channels = sum(s.kind == CHANNEL and s.key in campaign.resources for s in steps)
    roles = sum(s.kind == ROLE and s.key in campaign.resources for s in steps)
    return channels, roles


def confirmation(campaign: Campaign) -> tuple[str, list[dict]]:
    """The "Delete X?" question and its Delete/Cancel buttons."""
    channels, roles = made_counts(campaign)
    return (f"Delete **{md(campaign.name)}**? This deletes its {channels} channels (and everything "
            f"posted in them), its category and its {roles} roles. Channels someone else added to "
            "the category are kept. This can't be undone.",
            buttons(("Delete campaign", f"delete:{campaign.interaction_id}", DANGER),
                    ("Cancel", f"cancel:{campaign.interaction_id}", SECONDARY)))


def undo_buttons(campaign: Campaign, *, failed: bool) -> list[dict]:
    label = "Undo partial build" if failed else "Undo"
    return buttons((label, f"undo:{campaign.interaction_id}", DANGER))
