"""Recognising the bot's own create after its reply was lost, without taking anyone else's things.

A create whose reply never arrived may or may not have happened. Reading the server afterwards,
an object is the bot's create for a step only if everything the bot controlled about it says so:

* it was created after the step's pending mark (a snowflake carries its creation time:
  developers/reference.mdx "Snowflakes"), less a few seconds for clock skew, and not while the
  campaign sat failed, waiting to be resumed (its `idle` spans): an admin filling in a stopped
  build by hand makes channels that look exactly like the bot's;
* no campaign of this server owns it already;
* it is what the bot sends: a channel of the step's type (a forum step may have fallen back to
  text), under the campaign's category (the category itself under none), whose overwrites give
  the same audience as the bot's (who is denied and who is allowed View Channel, for the same
  roles and members; a category made before the roles existed names only @everyone and the bot
  until the roles' overwrites are added, and either set identifies it); a role with no
  permissions, no colour, not hoisted, not mentionable, not managed, no icon or tags;
* its name, compared loosely (name_match.fold: Discord rewrites text channel names), is the step's.
  Steps of one campaign share type, parent and overwrites, so the name tells them apart.

Several such objects mean the create was sent more than once: the first is adopted, the others are
twins the bot provably made for this step and may delete. An object named like the step but failing
any other test (an admin's role with permissions, a public channel, a text channel named like the
category) is "left alone": reported to the user, never adopted or deleted. The audit log is not
read; this works where the bot may not read it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from channelwright.campaigns.name_match import same_name
from channelwright.campaigns.plan import CATEGORY, CHANNEL_TYPES, ROLE, Step
from channelwright.discord import permissions as p
from channelwright.discord.snowflake import created_ms

CLOCK_SKEW_MS = 5_000
GUILD_TEXT = CHANNEL_TYPES["text"]


def owned_ids(resource_maps: Iterable[dict[str, dict]]) -> set[str]:
    """Every Discord id recorded in these campaigns' resources."""
    return {str(r["id"]) for resources in resource_maps for r in resources.values() if r.get("id")}


@dataclass
class Findings:
    """What a server listing holds for one step: `adopt` (or None), `twins`, `left_alone`."""

    adopt: dict | None = None
    twins: list[dict] = field(default_factory=list)
    left_alone: list[dict] = field(default_factory=list)


def find(step: Step, listing: list[dict], *, since_ms: int, owned: set[str],
         category_id: str | None = None, overwrites: Sequence[dict] = (),
         idle: Iterable[Iterable[int]] = (), other_overwrites: Sequence[dict] = ()) -> Findings:
    """Sort the listing (roles or channels, as Discord returns them) for `step`.

    `since_ms`: the step's pending mark (Unix ms); `owned`: ids any campaign of the server holds;
    `category_id` and `overwrites`: what a channel step's create sends (unused for roles);
    `idle`: [from, until] ms spans in which the bot sent no create for this campaign;
    `other_overwrites`: a second overwrite set the object may carry (the category's full set).
    """
    fresh = [item for item in listing if str(item["id"]) not in owned
             and created_ms(item["id"]) >= since_ms - CLOCK_SKEW_MS
             and same_name(step.name, item.get("name") or "")]
    fresh.sort(key=lambda item: int(item["id"]))
    findings = Findings()
    spans = _spans(idle)
    for item in fresh:
        if _made_while_idle(item, spans) or not any(
                _made_as_sent(step, item, category_id, sent) for sent in (overwrites, other_overwrites)
                if sent or step.kind == ROLE):
            findings.left_alone.append(item)
        elif findings.adopt is None:
            findings.adopt = item
        else:
            findings.twins.append(item)
    return findings


def _spans(idle: Iterable[Iterable[int]]) -> list[tuple[int, int]]:
    """The stored [from, until] pairs as (from, until) ms."""
    return [(int(start), int(end)) for start, end in idle]


def _made_while_idle(item: dict, idle: list[tuple[int, int]]) -> bool:
    """Made well inside a span in which no run was building (clock skew allowed at both ends)."""
    made = created_ms(item["id"])
    return any(start + CLOCK_SKEW_MS < made < end - CLOCK_SKEW_MS for start, end in idle)


def _made_as_sent(step: Step, item: dict, category_id: str | None, overwrites) -> bool:
    if step.kind == ROLE:
        return role_as_sent(item)
    return channel_as_sent(step, item, category_id, overwrites)


def role_as_sent(role: dict) -> bool:
    """A role as the bot creates one (developers/topics/permissions.mdx "Role Object")."""
    return (role.get("permissions") in ("0", 0) and not role.get("managed")
            and not role.get("hoist") and not role.get("mentionable") and not role.get("color")
            and not role.get("tags") and not role.get("icon") and not role.get("unicode_emoji"))


def channel_as_sent(step: Step, channel: dict, category_id: str | None, overwrites) -> bool:
    types = {CHANNEL_TYPES[step.channel_type]}
    if step.channel_type == "forum":
        types.add(GUILD_TEXT)  # the fallback for servers without forums (50024)
    if channel.get("type") not in types:
        return False
    parent = None if step.kind == CATEGORY else category_id
    if channel.get("parent_id") != parent:
        return False
    return same_audience(channel.get("permission_overwrites") or [], overwrites)


def same_audience(actual: list[dict], expected: list[dict]) -> bool:
    """Whether two overwrite lists name the same roles/members and agree on View Channel.

    The other bits are masked by the bot's permissions at the time (access.py), which may have
    changed since the create was sent, so they don't decide identity.
    """
    def audience(entries):
        return {(str(o["id"]), int(o["type"]), bool(p.parse(o.get("allow")) & p.VIEW_CHANNEL),
                 bool(p.parse(o.get("deny")) & p.VIEW_CHANNEL)) for o in entries}
    return audience(actual) == audience(expected)
