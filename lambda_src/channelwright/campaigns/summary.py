"""The final message: what the campaign now has, grouped the way the Discord sidebar shows it.

Names are the ones Discord gave (kept in the record): Discord rewrites text channel names, so the
template's spelling may not be what the sidebar shows. They are shown literally (names.md). A long
summary (45 channels of long names) is laid out in several messages by ProgressMessage.finish (or
outcome.deliver), never cut.
"""

from channelwright.campaigns.access_marks import legend, marked
from channelwright.campaigns.plan import (
    CHANNEL,
    GM_ROLE_KEY,
    PLAYERS_ROLE_KEY,
    ROLE,
    SPECTATORS_ROLE_KEY,
    Step,
    type_name,
)
from channelwright.campaigns.progress import bar
from channelwright.text.counts import counted
from channelwright.text.names import md
from channelwright.text.problems import Problem

GROUPS = ("text", "voice", "forum")



def shown_name(step: Step, resources: dict[str, dict]) -> str:
    """The name Discord gave the step's role or channel, or the planned one if none is recorded."""
    return resources.get(step.key, {}).get("name") or step.name


def summary_text(name: str, steps: list[Step], resources: dict[str, dict],
                 hidden: frozenset[str] | set[str] = frozenset(), notes=()) -> str:
    """`hidden`: keys of steps whose channels exist but are hidden from the bot; `notes`: further
    ⚠️ lines, e.g. what players can't do for want of a permission."""
    channels = [s for s in steps if s.kind == CHANNEL and s.key in resources]
    roles = {s.key: shown_name(s, resources) for s in steps
             if s.key in (PLAYERS_ROLE_KEY, GM_ROLE_KEY, SPECTATORS_ROLE_KEY)}
    spectators = (f", {md(roles[SPECTATORS_ROLE_KEY])} (spectators)"
                  if SPECTATORS_ROLE_KEY in roles else "")
    lines = [f"✅ Campaign ready: {md(name)}", "",
             f"**Roles:** {md(roles[PLAYERS_ROLE_KEY])} (players), {md(roles[GM_ROLE_KEY])} (game "
             f"masters){spectators}",
             f"**Category:** {md(name)}, visible only to those roles",
             f"**{counted(len(channels), 'channel')}:**"]
    fell_back = []
    for group in GROUPS:
        names = []
        for step in channels:
            actual = type_name(resources[step.key].get("type"), step.channel_type)
            if actual != group:
                continue
            names.append(marked(step.access, md(shown_name(step, resources))))
            if actual != step.channel_type:
                fell_back.append(f"⚠️ {md(shown_name(step, resources))} was created as a {actual} "
                                 f"channel: this server can't have {step.channel_type} channels.")
        if names:
            lines.append(f"{group.title()}: " + ", ".join(names))
    lines += fell_back
    lines += _hidden_lines(steps, resources, hidden) + _left_alone_lines(steps, resources)
    assignment = resources.get("member:gm", {})
    if assignment.get("skipped"):
        lines.append(f"⚠️ The GM role wasn't given to anyone: {assignment['skipped']}.")
    lines += list(notes)
    lines += ["", *_legend(channels)]
    return "\n".join(lines)


def _legend(channels: list[Step]) -> list[str]:
    """A line for each access mode the channels use (party needs none); the last one ends with
    who lets players in."""
    lines = legend({s.access for s in channels}) or [""]
    lines[-1] = f"{lines[-1]} Give players the Players role to let them in.".lstrip()
    return lines


def _hidden_lines(steps: list[Step], resources: dict[str, dict], hidden) -> list[str]:
    names = [f"#{md(shown_name(s, resources))}" for s in steps if s.key in hidden]
    if not names:
        return []
    return [f"🙈 Hidden from me, so I couldn't check them: {', '.join(names)}. Someone denied my role "
            "View Channel there; I left them as they are."]


def _left_alone_lines(steps: list[Step], resources: dict[str, dict]) -> list[str]:
    """Look-alikes found while reconciling a lost reply (reconcile.py): reported, never touched."""
    found = [item for s in steps for item in resources.get(s.key, {}).get("left_alone", [])]
    if not found:
        return []
    names = [("@" if item["kind"] == ROLE else "#") + f"{md(item['name'])} ({item['kind']})"
             for item in found]
    return [f"⚠️ Left alone: {', '.join(names)}. They are named like this campaign's but weren't "
            "made by me for it, so I neither used nor deleted them; delete them yourself if they "
            "are leftovers."]


def failure_text(name: str, done: int, total: int, problem: Problem) -> str:
    return "\n".join([f"⚠️ Campaign “{md(name)}” stopped", "", bar(done, total), "", problem.text()])
