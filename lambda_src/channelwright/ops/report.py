"""The text an operator reads: tables of dead letters and move tasks, and one letter in full."""

import time
from datetime import datetime, timezone

from channelwright.campaigns.plan import Step

from .describe import Diagnosis, describe_step

ERROR_WIDTH = 160  # the list's last column; `dlq show` prints the error in full


def now_ms() -> int:
    return int(time.time() * 1000)


def utc(ms: int | None) -> str:
    if ms is None:
        return "?"
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def age(ms: int | None, now: int) -> str:
    if ms is None:
        return "?"
    seconds = max(0, (now - ms) // 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days}d {hours % 24}h"
    if hours:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{minutes}m"


def short_id(message_id: str) -> str:
    return message_id[:8]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns; the last one is not padded."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
            for row in [header, *rows]]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def dead_letter_table(diagnoses: list[Diagnosis], now: int) -> list[str]:
    header = ["ID", "SENT", "AGE", "GUILD", "CAMPAIGN", "STATUS", "STEP", "RECEIVES", "LAST ERROR"]
    rows = [[short_id(d.letter.message_id), utc(d.letter.sent_ms), age(d.letter.sent_ms, now),
             d.guild_id, d.campaign_label(), d.status(), d.step_label(),
             str(d.letter.receive_count), clip(d.last_error(), ERROR_WIDTH)]
            for d in diagnoses]
    return table(header, rows)


def dead_letter_detail(d: Diagnosis, now: int) -> list[str]:
    letter, task, campaign = d.letter, d.letter.task, d.campaign
    lines = [
        f"Dead letter {letter.message_id}",
        f"  Sent:        {utc(letter.sent_ms)} ({age(letter.sent_ms, now)} ago)",
        f"  Receives:    {letter.receive_count} (worker attempts, plus one per `dlq list`/`show`)",
        f"  Group:       {letter.group_id or '-'} (the guild)",
        "  Attributes:",
        *(f"    {name}: {value}" for name, value in sorted(letter.attributes.items())),
    ]
    if letter.message_attributes:
        lines += ["  Message attributes:",
                  *(f"    {name}: {value.get('StringValue', value.get('BinaryValue', ''))}"
                    for name, value in sorted(letter.message_attributes.items()))]
    lines += ["  Body:", *(f"    {line}" for line in letter.pretty_body().splitlines())]

    lines.append("")
    if task is None:
        lines.append("Task: unreadable (not a Channelwright build task)")
    else:
        run = task.interaction_id + (f" (for campaign run {task.campaign_run})"
                                     if task.campaign_run and task.campaign_run != task.interaction_id
                                     else "")
        lines += [f"Task: {task.kind}, guild {task.guild_id}, campaign {task.campaign_key!r}, run {run}",
                  f"  Step:        {d.step_label()}"
                  + (f"; the plan has {len(campaign.plan)} steps, 0 to {len(campaign.plan) - 1}"
                     if campaign and campaign.plan else "")]

    lines.append("")
    if campaign is None:
        if task is not None:
            lines.append(f"Campaign: none recorded for guild {task.guild_id} under "
                         f"{task.campaign_key!r} (deleted?)")
    else:
        creating = [s for s in (Step.from_dict(s) for s in campaign.plan) if s.creates]
        lines += [
            f"Campaign {campaign.name!r}",
            f"  Status:      {campaign.status} (run {campaign.run_count})",
            f"  Requested:   by {campaign.requested_by_name or campaign.requested_by} "
            f"({campaign.requested_by}), {utc(campaign.created_at or None)}",
            f"  Resources:   {len(campaign.resources)} created of {len(creating)} planned "
            f"(plan: {len(campaign.plan)} steps)",
        ]
        failure = campaign.failure
        if failure:
            at = failure.get("step")
            where = f"step {at}" if at is None or not 0 <= at < len(campaign.plan) else \
                f"step {at}: {describe_step(campaign.plan[at])}"
            kind = "transient — Discord or AWS kept failing" if failure.get("transient") else \
                "permanent — retrying cannot fix it"
            lines += [f"  Failure:     at {where} ({kind})",
                      f"    What: {failure.get('what', '')}",
                      f"    Why:  {failure.get('why', '')}",
                      f"    Fix:  {failure.get('fix', '')}"]
        else:
            lines.append(f"  Failure:     {d.last_error()}")
    lines += ["", f"On redrive: {d.on_redrive()}"]
    return lines


def move_task_table(tasks: list[dict], now: int) -> list[str]:
    header = ["STATUS", "STARTED", "AGE", "MOVED", "DESTINATION", "HANDLE / FAILURE"]
    rows = []
    for t in tasks:
        to_move = t.get("ApproximateNumberOfMessagesToMove")
        moved = f"{t.get('ApproximateNumberOfMessagesMoved', 0)}" + (
            f" of {to_move}" if to_move is not None else "")
        rows.append([t.get("Status", "?"), utc(t.get("StartedTimestamp")),
                     age(t.get("StartedTimestamp"), now), moved,
                     (t.get("DestinationArn") or "original source queue").rsplit(":", 1)[-1],
                     t.get("FailureReason") or t.get("TaskHandle") or ""])
    return table(header, rows)
