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


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    type: str
    gm_only: bool = False


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
    gm_only: bool = False

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", False)}

    @classmethod
    def from_dict(cls, data: dict) -> "Step":
        return cls(key=data["key"], kind=data["kind"], name=data.get("name", ""),
                   channel_type=data.get("channel_type", ""), gm_only=bool(data.get("gm_only")))

    @property
    def creates(self) -> bool:
        """Whether the step creates a role or channel (what the progress bar counts)."""
        return self.kind in (ROLE, CATEGORY, CHANNEL)


def load_template(template_id: str = "default") -> Template:
    data = json.loads((TEMPLATE_DIR / f"{template_id}.json").read_text(encoding="utf-8"))
    return Template(
        id=data["id"], title=data["title"],
        channels=tuple(ChannelSpec(c["name"], c["type"], bool(c.get("gm_only")))
                       for c in data["channels"]),
    )


def players_role_name(campaign_name: str) -> str:
    return f"{campaign_name} Players"


def gm_role_name(campaign_name: str) -> str:
    return f"{campaign_name} GM"


def build_plan(campaign_name: str, template: Template) -> list[Step]:
    """Roles first (channels' overwrites name them), the category next (channels live in it)."""
    steps = [
        Step(PLAYERS_ROLE_KEY, ROLE, players_role_name(campaign_name)),
        Step(GM_ROLE_KEY, ROLE, gm_role_name(campaign_name)),
        Step("member:gm", ASSIGN_GM),
        Step("category", CATEGORY, campaign_name, "category"),
    ]
    steps += [Step(f"channel:{i}", CHANNEL, c.name, c.type, c.gm_only)
              for i, c in enumerate(template.channels)]
    steps.append(Step("complete", COMPLETE))
    return steps
