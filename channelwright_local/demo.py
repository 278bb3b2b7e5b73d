"""The demo: run /add-campaign against a local bot and show what the Discord user would see.

`follow` is the user's side against any running local bot (`send` uses it against `serve`);
`run_demo` starts the bot in this process first, with the emulated Discord, then follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from .client import LocalBotError, LocalClient
from .runtime import LocalBot, Options
from .terminal import MessageView

POLL_S = 0.1
SETTLE_S = 5.0  # after the record says done, how long the final message may take to land
FAST_RETRY_S = 1  # a demo can't wait out a 3-minute visibility timeout
THINKING = "Channelwright is thinking…"  # how Discord shows a deferred answer


class BadCampaignOption(ValueError):
    """An option the bot would refuse: said before anything starts."""


class UnknownTemplate(BadCampaignOption):
    pass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def campaign_options(name: str, template: str) -> dict:
    """/add-campaign's options, checked by the bot's own rules: the name as names.py reads it,
    the template id as the template library matches it (trimmed, case-insensitive)."""
    from channelwright.commands.definitions import campaign_name
    from channelwright.templates.library import TemplateLibrary, builtin_ids
    from channelwright.text.problems import Refusal

    try:
        campaign_name(name)
    except Refusal as refused:
        raise BadCampaignOption(f"--name {name!r}: {refused.problem.what}") from None
    available = sorted(builtin_ids())
    # The library's own normalisation, so "Default " here is what it is in /add-campaign.
    template_id = TemplateLibrary._normal_id(template)
    if template_id not in available:
        raise UnknownTemplate(f"no campaign template {template!r}; available: {', '.join(available)}")
    options = {"name": name}
    if template_id != "default":
        options["template"] = template_id
    return options


def follow(client: LocalClient, options: dict, *, deadline: float, out: TextIO,
           tty: bool | None = None) -> Outcome:
    info = client.info()
    payload = client.create_interaction("add-campaign", options)
    shown = " ".join(f"{k}:{v}" for k, v in options.items())
    print(f"game-master runs  /add-campaign {shown}  in #{payload['channel']['name']} of the "
          f"emulated server (guild {info['guild_id']}).", file=out)
    status, answer = client.send(payload)
    if status != 200 or not isinstance(answer, dict):
        return Outcome(False, f"the interactions endpoint answered HTTP {status}: {answer}")
    print("What game-master sees in Discord:\n", file=out, flush=True)
    view = MessageView(out, tty=tty)
    if answer.get("type") == 4:  # an immediate, ephemeral answer: the bot refused
        view.show(answer["data"]["content"])
        return Outcome(False, "the bot refused the command (see its answer above)")
    try:
        return _watch(client, view, payload, info["guild_id"], deadline)
    finally:
        view.done()


def _watch(client: LocalClient, view: MessageView, payload: dict, guild_id: str,
           deadline: float) -> Outcome:
    """Show each state of the message until the campaign record says the build is over."""
    seen, current, settle_until = 0, THINKING, None
    while time.monotonic() < deadline:
        interaction = client.interaction(payload["token"])
        history = interaction["history"]
        footer = discord_line(client.request_stats()) if view.tty else ""
        for text in history[seen:] or [current]:
            view.show(text, footer)
        seen, current = len(history), (history[-1] if history else current)
        campaign = next((c for c in client.campaigns(guild_id)
                         if c["interaction_id"] == payload["id"]), None)
        outcome = _verdict(campaign, current, interaction.get("channel_messages") or [])
        if outcome is not None:
            # The record is written around the last edit, so give a late final message a moment.
            settle_until = settle_until or time.monotonic() + SETTLE_S
            if outcome.ok or time.monotonic() > settle_until:
                return outcome
        time.sleep(POLL_S)
    return Outcome(False, "timed out before the build finished")


def _verdict(campaign: dict | None, message: str, in_channel: list[str]) -> Outcome | None:
    status = campaign["status"] if campaign else None
    if status == "completed":
        if message.startswith("✅"):  # the summary's mark (summary.summary_text)
            return Outcome(True, "the campaign was built: status completed, summary shown")
        if campaign.get("message_expired") and any(m.startswith("✅") for m in in_channel):
            return Outcome(True, "the campaign was built: status completed; the token had expired, "
                                 "so the summary was posted in the channel")
        return Outcome(False, "the campaign is recorded as completed but the summary never reached "
                              "the message")
    if status == "failed":
        failure = campaign.get("failure") or {}
        return Outcome(False, "the build stopped: " + str(failure.get("what") or failure))
    return None


def discord_line(stats: dict) -> str:
    return (f"  Discord so far: {stats['requests']} requests · {stats['rate_limited']} × 429 · "
            f"{stats['server_errors']} × 5xx · {stats['lost_replies']} lost replies")


def report(client: LocalClient, outcome: Outcome, *, out: TextIO) -> None:
    info = client.info()
    stats = client.request_stats()
    trouble = [f"{stats['rate_limited']} × 429", f"{stats['server_errors']} × 5xx",
               f"{stats['lost_replies']} lost replies"]
    print(f"\nDiscord (emulated) answered {stats['requests']} requests; trouble injected or met: "
          + ", ".join(trouble) + ".", file=out)
    lines = client.recovery(info["guild_id"])
    if lines:
        print("\nWhat the bot met and how it recovered (from the emulator's request log):", file=out)
        for line in lines:
            print(f"  • {line}", file=out)
    print("\nThe emulated server now (who can see what):\n", file=out)
    print(client.tree(info["guild_id"]), file=out)
    print(("\n✔ " if outcome.ok else "\n✘ ") + outcome.message, file=out, flush=True)


def run_demo(*, name: str, template: str, latency: float, faults: list[str], timeout: float,
             out: TextIO, port: int = 0, stack_template=None, tty: bool | None = None) -> int:
    """0 when the campaign was built and its summary shown; BadCampaignOption before starting."""
    deadline = time.monotonic() + timeout
    options = campaign_options(name, template)
    bot_options = Options(port=port, discord="emulator", fast_retries=FAST_RETRY_S,
                          latency=latency, faults=tuple(faults), stack_template=stack_template)
    print("Channelwright, all on this machine: the real handlers, AWS in moto, an emulated Discord.",
          file=out)
    with LocalBot(bot_options) as bot:
        print(f"  endpoint   {bot.url}/interactions", file=out)
        print(f"  settings   {bot.spec.source.name}", file=out)
        if faults or latency:
            print(f"  trouble    faults: {', '.join(faults) or 'none'}; latency {latency} s "
                  "per Discord request", file=out)
        print(file=out, flush=True)
        client = LocalClient(bot.url)
        try:
            outcome = follow(client, options, deadline=deadline, out=out, tty=tty)
            if outcome.message.startswith("timed out"):
                outcome = Outcome(False, f"timed out after {timeout:.0f} s before the build finished")
            report(client, outcome, out=out)
        except LocalBotError as error:
            print(f"demo: {error}", file=out)
            return 1
    return 0 if outcome.ok else 1
