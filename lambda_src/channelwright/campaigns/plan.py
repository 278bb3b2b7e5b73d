"""What a campaign consists of: a template's channels turned into an ordered list of build steps.

Templates are data (`templates/*.json`). The plan is computed once, when the campaign is recorded,
and stored with it, so a template edited between deploys never changes a build in flight.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from channelwright.discord.types import ChannelType

TEMPLATE_DIR = Path(__file__).parent.parent / "templates" / "builtin"

# Discord channel types (developers/resources/channel.mdx, "Channel Types").
CHANNEL_TYPES = {"text": ChannelType.GUILD_TEXT, "voice": ChannelType.GUILD_VOICE,
                 "category": ChannelType.GUILD_CATEGORY, "forum": ChannelType.GUILD_FORUM}
TYPE_NAMES: dict[int, str] = {number: name for name, number in CHANNEL_TYPES.items()}


def type_name(channel_type: object, default: str) -> str:
    """The template's name for a Discord channel type ("text"...); `default` for any other value
    (a type this code does not make, or none recorded)."""
    return TYPE_NAMES.get(channel_type, default) if isinstance(channel_type, int) else default

ROLE, ASSIGN_GM, CATEGORY, CHANNEL, COMPLETE = "role", "assign_gm", "category", "channel", "complete"
PLAYERS_ROLE_KEY, GM_ROLE_KEY = "role:players", "role:gm"
SPECTATORS_ROLE_KEY = "role:spectators"

# Who may use a campaign channel (access.py turns each into permission overwrites):
# party: players and GMs; gm-only: GMs; gm-posts: GMs post, players read (listen, in voice);
# players-only: players, not the GM role; spectators: party, and the Spectators role reads;
# per-player: a text channel the GMs post in, with a private thread per player under it
# (player_threads.py), seen by that player and the GMs only.
PARTY, GM_ONLY, GM_POSTS, PLAYERS_ONLY, SPECTATORS, PER_PLAYER = (
    "party", "gm-only", "gm-posts", "players-only", "spectators", "per-player")
ACCESS_MODES = (PARTY, GM_ONLY, GM_POSTS, PLAYERS_ONLY, SPECTATORS, PER_PLAYER)


@dataclass(frozen=True)
class ChannelSpec:
    """A template's channel: its name, type ("text", "voice", "forum") and access mode."""
    name: str
    type: str
    access: str = PARTY

    @property
    def gm_only(self) -> bool:
        return self.access == GM_ONLY


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    channels: tuple[ChannelSpec, ...]


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    name: str = ""
    channel_type: str = ""
    access: str = PARTY

    @property
    def gm_only(self) -> bool:
        return self.access == GM_ONLY

    def to_dict(self) -> dict:
        """The stored step: `access` unless party; a GM-only one also keeps `gm_only: true`, the
        field plans recorded before access modes read (and an earlier release reads)."""
        data = {k: v for k, v in asdict(self).items() if v not in ("", PARTY)}
        return {**data, "gm_only": True} if self.gm_only else data

    @classmethod
    def from_dict(cls, data: dict) -> "Step":
        access = data.get("access") or (GM_ONLY if data.get("gm_only") else PARTY)
        return cls(key=data["key"], kind=data["kind"], name=data.get("name", ""),
                   channel_type=data.get("channel_type", ""), access=access)

    @property
    def creates(self) -> bool:
        """Whether the step creates a role or channel (what the progress bar counts)."""
        return self.kind in (ROLE, CATEGORY, CHANNEL)


def load_template(template_id: str = "default") -> Template:
    data = json.loads((TEMPLATE_DIR / f"{template_id}.json").read_text(encoding="utf-8"))
    return Template(
        id=data["id"], title=data["title"],
        channels=tuple(ChannelSpec(c["name"], c["type"], c.get("access")
                                   or (GM_ONLY if c.get("gm_only") else PARTY))
                       for c in data["channels"]),
    )


def players_role_name(campaign_name: str) -> str:
    return f"{campaign_name} Players"


def gm_role_name(campaign_name: str) -> str:
    return f"{campaign_name} GM"


def spectators_role_name(campaign_name: str) -> str:
    return f"{campaign_name} Spectators"


def build_plan(campaign_name: str, template: Template) -> list[Step]:
    """Roles first (channels' overwrites name them), the category next (channels live in it).
    The Spectators role only for a template with a `spectators` channel."""
    steps = [
        Step(PLAYERS_ROLE_KEY, ROLE, players_role_name(campaign_name)),
        Step(GM_ROLE_KEY, ROLE, gm_role_name(campaign_name)),
    ]
    if any(c.access == SPECTATORS for c in template.channels):
        steps.append(Step(SPECTATORS_ROLE_KEY, ROLE, spectators_role_name(campaign_name)))
    steps += [Step("member:gm", ASSIGN_GM), Step("category", CATEGORY, campaign_name, "category")]
    steps += [Step(f"channel:{i}", CHANNEL, c.name, c.type, c.access)
              for i, c in enumerate(template.channels)]
    steps.append(Step("complete", COMPLETE))
    return steps
