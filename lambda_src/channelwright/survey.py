"""/campaign-info (worker side): what a campaign has now, what is missing, who runs it.

Every name is shown literally (names.md); a long answer continues in follow-up messages
(ProgressMessage.finish), so the "Missing" and "Also in its category" lines are never lost."""

from .names import md
from .plan import CATEGORY, CHANNEL, ROLE, TYPE_NAMES, Step
from .progress import ProgressMessage, token_expired


def run_info(task, deps) -> None:
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run), ephemeral=True)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    guild = f"/guilds/{campaign.guild_id}"
    channels = {c["id"]: c for c in deps.rest.request("GET", f"{guild}/channels")}
    roles = {r["id"]: r for r in deps.rest.request("GET", f"{guild}/roles")}
    steps = [Step.from_dict(s) for s in campaign.plan]

    present, missing = [], []
    for step in steps:
        if step.kind not in (ROLE, CATEGORY, CHANNEL):
            continue
        resource = campaign.resources.get(step.key)
        exists = resource and resource["id"] in (roles if step.kind == ROLE else channels)
        kind = "role" if step.kind == ROLE else TYPE_NAMES.get((resource or {}).get("type"), step.channel_type)
        label = f"{'🔒 ' if step.gm_only else ''}{md(step.name)} ({kind})"
        (present if exists else missing).append(label)
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    extra = [c["name"] for c in channels.values()
             if category and c.get("parent_id") == category and c["id"] not in ours]

    gms = ", ".join(f"<@{g}>" for g in sorted(campaign.gms)) or "nobody"
    lines = [f"**{md(campaign.name)}** — {campaign.status}, template “{md(campaign.template)}”",
             f"GMs: {gms} · Players: {len(campaign.players)}",
             f"✅ Exists ({len(present)}): " + (", ".join(present) or "nothing")]
    if missing:
        lines.append(f"⚠️ Missing ({len(missing)}), deleted by hand or never built: " + ", ".join(missing))
    if extra:
        lines.append("➕ Also in its category (not made by me): " + ", ".join(f"#{md(n)}" for n in extra))
    reply.finish("\n".join(lines))
