"""/campaign-info (worker side): what a campaign has now, what is missing, who runs it.

Anyone may ask, but a private campaign's channel names go only to those who can see them: a
channel's name is shown if the caller can view it (its overwrites and their roles, computed as
Discord does) or manages the server; every other channel is only counted. Role names are shown:
Discord shows every member the server's roles.
"""

from .plan import CATEGORY, CHANNEL, ROLE, TYPE_NAMES, Step
from .progress import ProgressMessage, token_expired


def run_info(task, deps, standing) -> None:
    """`standing`: the caller's (authority.Standing); decides which names they may read."""
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run))
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    channels = {c["id"]: c for c in deps.rest.request("GET", f"/guilds/{campaign.guild_id}/channels")}
    roles = standing.guild.role_permissions  # GET /guilds/{id}: roles, and the owner for permissions
    steps = [Step.from_dict(s) for s in campaign.plan]

    present, missing = Listing(), Listing()
    for step in steps:
        if step.kind not in (ROLE, CATEGORY, CHANNEL):
            continue
        resource = campaign.resources.get(step.key) or {}
        channel = channels.get(resource.get("id"))
        exists = resource.get("id") in roles if step.kind == ROLE else channel is not None
        kind = "role" if step.kind == ROLE else TYPE_NAMES.get(resource.get("type"), step.channel_type)
        if step.kind == ROLE:
            visible = True
        elif exists:
            visible = standing.sees(channel)
        else:
            visible = standing.sees_planned(campaign, step)
        (present if exists else missing).add(f"{'🔒 ' if step.gm_only else ''}{step.name} ({kind})", visible)
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    extra = Listing()
    for channel in channels.values():
        if category and channel.get("parent_id") == category and channel["id"] not in ours:
            extra.add(f"#{channel['name']}", standing.sees(channel))

    gms = ", ".join(f"<@{g}>" for g in sorted(campaign.gms)) or "nobody"
    lines = [f"**{campaign.name}** — {campaign.status}, template “{campaign.template}”",
             f"GMs: {gms} · Players: {len(campaign.players)}",
             f"✅ Exists ({present.count}): " + (present.text() or "nothing")]
    if missing.count:
        lines.append(f"⚠️ Missing ({missing.count}), deleted by hand or never built: " + missing.text())
    if extra.count:
        lines.append("➕ Also in its category (not made by me): " + extra.text())
    reply.finish("\n".join(lines))


class Listing:
    """Names the caller may read, and a count of those they may not."""

    def __init__(self):
        self.names: list[str] = []
        self.hidden = 0

    def add(self, name: str, visible: bool) -> None:
        if visible:
            self.names.append(name)
        else:
            self.hidden += 1

    @property
    def count(self) -> int:
        return len(self.names) + self.hidden

    def text(self) -> str:
        hidden = [f"{self.hidden} channel{'s' if self.hidden != 1 else ''} you can't see"] if self.hidden else []
        return ", ".join(self.names + hidden)
