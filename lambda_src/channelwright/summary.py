"""The final message: what the campaign now has, grouped the way the Discord sidebar shows it.

Names are shown literally (names.md). A long summary (45 channels of long names) is laid out in
several messages by ProgressMessage.finish, never cut."""

from .plan import CHANNEL, GM_ROLE_KEY, PLAYERS_ROLE_KEY, TYPE_NAMES, Step
from .progress import bar
from .names import md
from .problems import Problem

GROUPS = ("text", "voice", "forum")


def summary_text(name: str, steps: list[Step], resources: dict[str, dict]) -> str:
    channels = [s for s in steps if s.kind == CHANNEL and s.key in resources]
    roles = {s.key: s.name for s in steps if s.key in (PLAYERS_ROLE_KEY, GM_ROLE_KEY)}
    lines = [f"✅ Campaign ready: {md(name)}", "",
             f"**Roles:** {md(roles[PLAYERS_ROLE_KEY])} (players), {md(roles[GM_ROLE_KEY])} (game masters)",
             f"**Category:** {md(name)}, visible only to those roles",
             f"**{len(channels)} channels:**"]
    fell_back = []
    for group in GROUPS:
        names = []
        for step in channels:
            actual = TYPE_NAMES.get(resources[step.key].get("type"), step.channel_type)
            if actual != group:
                continue
            names.append(("🔒 " if step.gm_only else "") + md(step.name))
            if actual != step.channel_type:
                fell_back.append(f"⚠️ {md(step.name)} was created as a {actual} channel: this server "
                                 f"can't have {step.channel_type} channels.")
        if names:
            lines.append(f"{group.title()}: " + ", ".join(names))
    lines += fell_back
    assignment = resources.get("member:gm", {})
    if assignment.get("skipped"):
        lines.append(f"⚠️ The GM role wasn't given to anyone: {assignment['skipped']}.")
    lines += ["", "🔒 = game masters only. Give players the Players role to let them in."]
    return "\n".join(lines)


def failure_text(name: str, done: int, total: int, problem: Problem) -> str:
    return "\n".join([f"⚠️ Campaign “{md(name)}” stopped", "", bar(done, total), "", problem.text()])
