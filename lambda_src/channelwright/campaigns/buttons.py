"""A campaign's buttons: Delete/Cancel on the delete question, Undo on a build's final message,
Approve/Decline on a request to join.

Each names the campaign's run in its custom_id ("delete:<run>"), so a click on a button of an
earlier run of the campaign finds nothing (commands.lifecycle.on_button).

An adoption's preview has Confirm/Cancel (ADOPT, ADOPT_CANCEL): there is no campaign yet, so
Confirm names what it adopts, "adopt:<category>:<players role>:<GM role>:<fingerprint>" (a role
id, or 0 for one to create; at most 81 of the 100 characters Discord allows a custom_id,
developers/components/reference.mdx, "Button").

The doctor's report has one button per kind of fix and "Fix all" (DOCTOR), each naming the
campaign's run and the kind: "doctor:<run>:<kind>" (at most 7 + 20 + 1 + 10 characters).
"""

from channelwright.campaigns.plan import CHANNEL, ROLE, Step
from channelwright.campaigns.store import Campaign
from channelwright.text.counts import counted
from channelwright.text.names import md
from channelwright.text.responses import DANGER, PRIMARY, SECONDARY, buttons

ADOPT, ADOPT_CANCEL = "adopt:", "adopt-cancel"
# A request to join (campaigns/roster.py): "roster-approve:<run>:<user id>" (at most 54
# characters), in the campaign's GM-only channel.
APPROVE, DECLINE = "roster-approve", "roster-decline"
DOCTOR, FIX_ALL = "doctor:", "all"
ROW_BUTTONS = 5  # buttons in one action row (developers/components/reference.mdx, "Action Row")


def made_counts(campaign: Campaign) -> tuple[int, int]:
    """(channels, roles) of the campaign's plan that exist now."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    channels = sum(s.kind == CHANNEL and s.key in campaign.resources for s in steps)
    roles = sum(s.kind == ROLE and s.key in campaign.resources for s in steps)
    return channels, roles


def confirmation(campaign: Campaign) -> tuple[str, list[dict]]:
    """The "Delete X?" question and its Delete/Cancel buttons."""
    channels, roles = made_counts(campaign)
    if campaign.origin == "adopted":
        return adopted_confirmation(campaign, channels)
    return (f"Delete **{md(campaign.name)}**? This deletes its {counted(channels, 'channel')} (and "
            f"everything posted in them), its category and its {counted(roles, 'role')}. Channels "
            "someone else added to the category are kept. This can't be undone.",
            buttons(("Delete campaign", f"delete:{campaign.interaction_id}", DANGER),
                    ("Cancel", f"cancel:{campaign.interaction_id}", SECONDARY)))


def undo_buttons(campaign: Campaign, *, failed: bool) -> list[dict]:
    label = "Undo partial build" if failed else "Undo"
    return buttons((label, f"undo:{campaign.interaction_id}", DANGER))


def adopted_confirmation(campaign: Campaign, channels: int) -> tuple[str, list[dict]]:
    """The "Delete X?" question for an adopted campaign: its channels existed before the bot,
    and deleting them deletes them all the same (a campaign is deleted whole, as /delete-campaign
    says); the roles it was given are kept, since they were the server's before."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    created = sum(s.kind == ROLE and "id" in campaign.resources.get(s.key, {})
                  and not campaign.resources[s.key].get("given") for s in steps)
    return (f"Delete **{md(campaign.name)}**? It was adopted: its category and its {channels} "
            "channels existed before I adopted them, and this deletes them (and everything posted "
            f"in them) all the same. I delete the {created} role{'s' if created != 1 else ''} I created "
            "for it and keep the roles you gave it. This can't be undone.",
            buttons(("Delete campaign", f"delete:{campaign.interaction_id}", DANGER),
                    ("Cancel", f"cancel:{campaign.interaction_id}", SECONDARY)))


def adopt_buttons(category_id: str, players_role: str, gm_role: str, fingerprint: str) -> list[dict]:
    """Confirm/Cancel under an adoption's preview."""
    confirm = f"{ADOPT}{category_id}:{players_role or 0}:{gm_role or 0}:{fingerprint}"
    return buttons(("Confirm", confirm, PRIMARY), ("Cancel", ADOPT_CANCEL, SECONDARY))


def adopt_choice(custom_id: str) -> tuple[str, str, str, str] | None:
    """(category id, players role id, GM role id, fingerprint) a Confirm names ("" for a role to
    create); None if the custom_id isn't one."""
    parts = custom_id.removeprefix(ADOPT).split(":")
    if not custom_id.startswith(ADOPT) or len(parts) != 4 or not all(x.isdigit() for x in parts[:3]):
        return None
    category, players, gm, fingerprint = parts
    return category, "" if players == "0" else players, "" if gm == "0" else gm, fingerprint


def request_buttons(campaign: Campaign, user_id: str) -> list[dict]:
    """Approve/Decline under `user_id`'s request to join the campaign."""
    run = campaign.interaction_id
    return buttons(("Approve", f"{APPROVE}:{run}:{user_id}", PRIMARY),
                   ("Decline", f"{DECLINE}:{run}:{user_id}", SECONDARY))


def request_choice(custom_id: str) -> tuple[str, str, str] | None:
    """("approve" or "decline", run, user id) a request's button names; None if it isn't one."""
    action, _, rest = custom_id.partition(":")
    run, _, user = rest.partition(":")
    if action not in (APPROVE, DECLINE) or not (run.isdigit() and user.isdigit()):
        return None
    return action.removeprefix("roster-"), run, user


def doctor_buttons(campaign: Campaign, fixes: list[tuple[str, str]]) -> list[dict]:
    """A button per (label, kind) of fix, and "Fix all" when there are several, five a row; []
    when there is nothing to fix."""
    specs = [(label, f"{DOCTOR}{campaign.interaction_id}:{kind}", SECONDARY) for label, kind in fixes]
    if len(specs) > 1:
        specs.append(("Fix all", f"{DOCTOR}{campaign.interaction_id}:{FIX_ALL}", PRIMARY))
    return [row for start in range(0, len(specs), ROW_BUTTONS)
            for row in buttons(*specs[start:start + ROW_BUTTONS])]


def doctor_choice(custom_id: str) -> tuple[str, str] | None:
    """(campaign run, kind of fix) a doctor's button names; None if the custom_id isn't one."""
    run, _, kind = custom_id.removeprefix(DOCTOR).partition(":")
    if not custom_id.startswith(DOCTOR) or not run.isdigit() or not kind.isalpha():
        return None
    return run, kind
