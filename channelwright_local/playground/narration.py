"""What went wrong on the way and how the bot recovered, told from what really happened: the
emulated Discord's request log (every 429, 5xx and lost reply it served, and what the bot sent
after each), and a count of the roles and channels in the server against the campaign record.

One line per fault met:
  429 waited out     a later request on the same route, after the announced retry_after
                     (developers/topics/rate-limits.mdx "Exceeding A Rate Limit");
  5xx retried        a later request on the same route;
  lost reply         the create happened but its answer never arrived: reconciled when the bot
                     listed the server afterwards and did not create that name again;
  expired token      the edit of @original was refused with 401 50027 Invalid Webhook Token
                     (developers/topics/opcodes-and-status-codes.mdx "JSON Error Codes"), then the
                     bot posted in the channel instead.
"""

from __future__ import annotations

import re
from collections import Counter

INVALID_WEBHOOK_TOKEN = 50027
_CREATE = re.compile(r"^/guilds/\d+/(channels|roles)$")


def recovery(requests: list) -> list[str]:
    """One plain line per fault the bot met, in the order it met them."""
    log = [r for r in requests if not r.inline_reply]
    lines = []
    for index, record in enumerate(log):
        later = log[index + 1:]
        line = (_rate_limited(record, later) if record.status == 429 else
                _server_error(record, later) if (record.status or 0) >= 500 else
                _lost(record, later) if record.reply_lost else
                _expired(record, later) if _token_expired(record) else None)
        if line:
            lines.append(line)
    return lines


def _where(record) -> str:
    name = record.json.get("name") if isinstance(record.json, dict) else None
    return (record.route or f"{record.method} {record.path}") + (f" ({name})" if name else "")


def _answer(retry) -> str:
    return "its reply was lost" if retry.reply_lost else f"answered {retry.status}"


def _same_route(record, later: list):
    return next((r for r in later if r.method == record.method and r.path == record.path), None)


def _rate_limited(record, later) -> str:
    response = record.response if isinstance(record.response, dict) else {}
    wait = response.get("retry_after") or record.response_headers.get("retry-after")
    retry = _same_route(record, later)
    if retry is None:
        return f"429 on {_where(record)}: not retried yet"
    waited = retry.started - (record.finished or record.started)
    announced = f" (Discord asked for {float(wait):g} s)" if wait is not None else ""
    return f"429 on {_where(record)}: waited {waited:.2f} s{announced}, then retried ({_answer(retry)})"


def _server_error(record, later) -> str:
    retry = _same_route(record, later)
    if retry is None:
        return f"{record.status} on {_where(record)}: not retried yet"
    return f"{record.status} on {_where(record)}: retried ({_answer(retry)})"


def _lost(record, later) -> str:
    name = record.json.get("name") if isinstance(record.json, dict) else None
    if record.method == "POST" and _CREATE.match(record.path) and name:
        again = [r for r in later if r.method == "POST" and r.path == record.path
                 and isinstance(r.json, dict) and r.json.get("name") == name
                 and (r.status or 0) in range(200, 300)]
        looked = any(r.method == "GET" and r.path == record.path for r in later)
        if again:
            return f"lost reply to {_where(record)}: created AGAIN, a duplicate"
        if looked:
            return (f"lost reply to {_where(record)}: reconciled (found it listing the server, "
                    "not created again)")
        return f"lost reply to {_where(record)}: not reconciled yet"
    retry = _same_route(record, later)
    return f"lost reply to {_where(record)}: " + ("sent again" if retry else "not retried yet")


def _token_expired(record) -> bool:
    return record.status == 401 and record.path.startswith("/webhooks/") and \
        record.code == INVALID_WEBHOOK_TOKEN


def _expired(record, later) -> str:
    posted = next((r for r in later if r.method == "POST" and re.fullmatch(r"/channels/\d+/messages", r.path)
                   and r.status == 200), None)
    if posted is None:
        return "the interaction token expired (401 50027): nothing posted in the channel yet"
    return "the interaction token expired (401 50027): the answer was posted in the channel instead"


def duplicates(emulator, guild_id: str, campaigns: list) -> list[str]:
    """A line for every role or channel the server holds more than once for one step of a
    campaign's plan (same name and kind, and for channels the same category)."""
    roles = {r["id"]: r for r in emulator.guild_roles(guild_id)}
    channels = {c["id"]: c for c in emulator.guild_channels(guild_id)}
    role_names = Counter(r["name"] for r in roles.values())
    channel_keys = Counter((c["name"], c["type"], c.get("parent_id")) for c in channels.values())
    found = []
    for campaign in campaigns:
        for step in campaign.plan:
            made = (campaign.resources.get(step["key"]) or {}).get("id")
            if step["kind"] == "role" and made in roles:
                count = role_names[roles[made]["name"]]
                what = f"role @{roles[made]['name']}"
            elif step["kind"] in ("category", "channel") and made in channels:
                channel = channels[made]
                count = channel_keys[(channel["name"], channel["type"], channel.get("parent_id"))]
                what = f"channel #{channel['name']}"
            else:
                continue
            if count > 1:
                found.append(f"{campaign.name}: {what} exists {count} times")
    return found


def summary(emulator, guild_id: str, campaigns: list) -> list[str]:
    """The recovery lines, then the duplicate check's verdict."""
    lines = recovery(emulator.requests)
    dupes = duplicates(emulator, guild_id, campaigns)
    steps = sum(1 for c in campaigns for s in c.plan
                if s["kind"] in ("role", "category", "channel") and s["key"] in c.resources)
    if dupes or steps:
        lines += dupes or [f"0 duplicates: each of the {steps} roles and channels in the campaign "
                           "records exists once in the server"]
    return lines
