"""The objects a guild is made of, and their JSON form.

Ids and permissions are strings on the wire and (for permissions) ints here,
so rules can use bit arithmetic and `to_json` is the only place that converts.
"""

import copy
import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

DISCORD_EPOCH_MS = 1420070400000

TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM = 0, 2, 4, 5, 13, 15
CHANNEL_TYPE_NAMES = {
    TEXT: "text", VOICE: "voice", CATEGORY: "category",
    ANNOUNCEMENT: "announcement", STAGE: "stage", FORUM: "forum",
}
VOICE_LIKE = {VOICE, STAGE}


class Snowflakes:
    """((ms since the Discord epoch) << 22) | counter, strictly increasing across threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> str:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            value = (ms << 22) | (next(self._counter) & 0x3FFFFF)
            # A counter wrap or clock step back must not hand out a smaller id.
            value = max(value, self._last + 1)
            self._last = value
            return str(value)


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


@dataclass
class User:
    id: str
    username: str
    bot: bool = False

    def to_json(self) -> dict:
        """A user object (resources/user.mdx "User Object") with every field the OpenAPI
        description's UserResponse marks required; `primary_guild` null (none chosen)."""
        data = {
            "id": self.id, "username": self.username, "global_name": None,
            "discriminator": "0", "avatar": None, "public_flags": 0, "flags": 0,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    def current_user_json(self) -> dict:
        """GET /users/@me: the user object plus the fields the OpenAPI description's
        UserPIIResponse requires (`mfa_enabled`, `locale`); a bot has no e-mail address
        (resources/user.mdx "Get Current User": `email` needs the `email` scope)."""
        return {**self.to_json(), "mfa_enabled": False, "locale": "en-US", "verified": True,
                "email": None}


@dataclass
class Role:
    id: str
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: str | None = None

    def to_json(self) -> dict:
        data = {
            "id": self.id, "name": self.name, "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist, "icon": None, "unicode_emoji": None,
            "position": self.position, "permissions": str(self.permissions),
            "managed": self.managed, "mentionable": self.mentionable, "flags": 0,
        }
        if self.bot_id:
            data["tags"] = {"bot_id": self.bot_id}
        return data


@dataclass
class Member:
    user_id: str
    role_ids: list[str] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def to_json(self, user: User) -> dict:
        """A guild member object; every field the OpenAPI GuildMemberResponse requires."""
        return {
            "user": user.to_json(), "nick": None, "avatar": None, "banner": None,
            "roles": list(self.role_ids), "joined_at": self.joined_at, "premium_since": None,
            "communication_disabled_until": None, "deaf": False, "mute": False,
            "flags": 0, "pending": False,
        }


@dataclass
class Overwrite:
    id: str
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class Channel:
    id: str
    guild_id: str
    type: int
    name: str
    position: int
    parent_id: str | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: dict[str, Overwrite] = field(default_factory=dict)  # insertion-ordered by id

    def to_json(self) -> dict:
        data = {
            "id": self.id, "type": self.type, "guild_id": self.guild_id, "name": self.name,
            "position": self.position, "parent_id": self.parent_id,
            "permission_overwrites": [ow.to_json() for ow in self.overwrites.values()],
            "topic": self.topic, "nsfw": self.nsfw, "flags": 0,
        }
        if self.type in VOICE_LIKE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        if self.type != CATEGORY:
            data["rate_limit_per_user"] = 0
        return data


def numbered_components(components: list) -> list:
    """A copy of message components with every missing `id` filled in. components/reference.mdx
    "Anatomy of a Component": the id "is generated sequentially if left empty", never reusing
    an id another component of the message has, and an id of 0 "will be treated as empty and
    replaced"; the OpenAPI description's *ComponentResponse schemas require it."""
    def walk(items):
        for item in items:
            if isinstance(item, dict):
                yield item
                yield from walk(item.get("components") or [])

    copied = copy.deepcopy(components)
    taken = {c["id"] for c in walk(copied) if isinstance(c.get("id"), int) and c["id"]}
    counter = itertools.count(1)
    for component in walk(copied):
        if not (isinstance(component.get("id"), int) and component["id"]):
            component["id"] = next(n for n in counter if n not in taken)
        if component.get("type") in SELECT_TYPES:
            # components/reference.mdx, String Select: min_values and max_values default to 1.
            component.setdefault("min_values", 1)
            component.setdefault("max_values", 1)
    return copied


SELECT_TYPES = (3, 5, 6, 7, 8)  # string, user, role, mentionable, channel selects


def stored_embeds(embeds: list) -> list:
    """Embeds as a message returns them. DOCS/message "Embed Object": `type` is "rich" for
    webhook/bot embeds, and an embed field's `inline` is optional in a request but always
    present in the answer (the OpenAPI MessageEmbedResponse/MessageEmbedFieldResponse schemas)."""
    result = []
    for embed in copy.deepcopy(embeds):
        if isinstance(embed, dict):
            embed.setdefault("type", "rich")
            for item in embed.get("fields") or []:
                if isinstance(item, dict):
                    item.setdefault("inline", False)
        result.append(embed)
    return result


@dataclass
class Message:
    id: str
    channel_id: str
    author: User
    content: str = ""
    flags: int = 0
    embeds: list = field(default_factory=list)
    components: list = field(default_factory=list)
    allowed_mentions: dict | None = None
    # Attachment objects (DOCS/message "Attachment Object"), as uploads.attach made them.
    attachments: list = field(default_factory=list)
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    webhook_id: str | None = None
    # Set when the bot or a moderator deletes it; every later look-up answers 404 10008.
    deleted: bool = False

    def to_json(self) -> dict:
        """The message object as Discord answers with it (DOCS/message "Message Object")."""
        data = {
            "id": self.id, "type": 0, "channel_id": self.channel_id, "author": self.author.to_json(),
            "content": self.content, "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp, "tts": False, "mention_everyone": False,
            "mentions": [], "mention_roles": [], "attachments": copy.deepcopy(self.attachments), "embeds": stored_embeds(self.embeds),
            "components": numbered_components(self.components), "pinned": False, "flags": self.flags,
        }
        if self.webhook_id:
            data["webhook_id"] = self.webhook_id
        return data

    def inspect_json(self) -> dict:
        """to_json() plus the `allowed_mentions` the bot sent, for tests to check. Discord's
        message object has no such field, so it never goes on the wire (a client must not
        come to rely on it)."""
        return {**self.to_json(), "allowed_mentions": self.allowed_mentions}


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    forums_enabled: bool = True
    disabled_types: set[int] = field(default_factory=set)  # 400 50024 when created
    roles: dict[str, Role] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    channel_ids: list[str] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        """A Community guild (the default here) has COMMUNITY and NEWS (resources/guild.mdx
        "Guild Features": NEWS "guild has access to create announcement channels")."""
        return ["COMMUNITY", "NEWS"] if self.forums_enabled else []

    def to_json(self) -> dict:
        """A guild object (resources/guild.mdx "Guild Object") with every field the OpenAPI
        description's GuildWithCountsResponse requires. Values are a plain new server's;
        `region` is "deprecated", the only value Discord still sends since voice regions
        moved to channels (discord-api-docs PR #3001; DiscordPHP PR #630 reports the value)."""
        return {
            "id": self.id, "name": self.name, "icon": None, "description": None,
            "home_header": None, "splash": None, "discovery_splash": None, "banner": None,
            "owner_id": self.owner_id, "application_id": None, "region": "deprecated",
            "features": self.features,
            "roles": [r.to_json() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [], "stickers": [], "premium_tier": 0, "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False, "preferred_locale": "en-US",
            "afk_channel_id": None, "afk_timeout": 300, "system_channel_id": None,
            "system_channel_flags": 0, "widget_enabled": False, "widget_channel_id": None,
            "rules_channel_id": None, "safety_alerts_channel_id": None,
            "public_updates_channel_id": None, "vanity_url_code": None,
            "verification_level": 0, "mfa_level": 0, "nsfw_level": 0, "nsfw": False,
            "default_message_notifications": 0, "explicit_content_filter": 0,
            "max_presences": None, "max_members": 250000, "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50, "incidents_data": None,
        }
