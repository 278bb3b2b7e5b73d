"""/campaign-info (worker side): what a campaign has now, what is missing, who runs it.

A recorded channel missing from the server's channel list may only be hidden from the bot
(channel_presence.py): it is asked for by id and reported as hidden, not as missing.
"""

from .channel_presence import may_miss_hidden, survey
from .plan import CATEGORY, CHANNEL, ROLE, TYPE_NAMES, Step
from .progress import ProgressMessage, token_expired


def run_info(task, deps) -> None:
    reply = ProgressMessage(deps.rest, deps.application_id, task.args["token"],
                            expired=token_expired(task.run))
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    guild = f"/guilds/{campaign.guild_id}"
    steps = [Step.from_dict(s) for s in campaign.plan]
    recorded = [campaign.resources[s.key]["id"] for s in steps
                if s.kind in (CATEGORY, CHANNEL) and s.key in campaign.resources]
    presence = survey(deps.rest, campaign.guild_id, recorded)
    channels = presence.channels
    roles = {r["id"]: r for r in deps.rest.request("GET", f"{guild}/roles")}

    present, missing, hidden = [], [], []
    for step in steps:
        if step.kind not in (ROLE, CATEGORY, CHANNEL):
            continue
        resource = campaign.resources.get(step.key) or {}
        current = (roles if step.kind == ROLE else channels).get(resource.get("id"))
        kind = "role" if step.kind == ROLE else TYPE_NAMES.get(resource.get("type"), step.channel_type)
        # The name Discord shows now, else the one it gave when it was made.
        name = (current or {}).get("name") or resource.get("name") or step.name
        label = f"{'🔒 ' if step.gm_only else ''}{name} ({kind})"
        if current:
            present.append(label)
        elif resource.get("id") in presence.hidden:
            hidden.append(label)
        else:
            missing.append(label)
    category = campaign.resources.get("category", {}).get("id")
    ours = {r.get("id") for r in campaign.resources.values()}
    extra = [c["name"] for c in channels.values()
             if category and c.get("parent_id") == category and c["id"] not in ours]

    gms = ", ".join(f"<@{g}>" for g in sorted(campaign.gms)) or "nobody"
    lines = [f"**{campaign.name}** — {campaign.status}, template “{campaign.template}”",
             f"GMs: {gms} · Players: {len(campaign.players)}",
             f"✅ Exists ({len(present)}): " + (", ".join(present) or "nothing")]
    if missing:
        lines.append(f"⚠️ Missing ({len(missing)}), deleted by hand or never built: " + ", ".join(missing))
    if hidden:
        lines.append(f"🙈 Hidden from me ({len(hidden)}), so I can't check them: " + ", ".join(hidden))
    if extra:
        lines.append("➕ Also in its category (not made by me): " + ", ".join(f"#{n}" for n in extra))
    if category and may_miss_hidden(campaign.bot_permissions):
        lines.append("Channels hidden from me aren't listed: the category may hold others I can't see.")
    reply.finish("\n".join(lines))
