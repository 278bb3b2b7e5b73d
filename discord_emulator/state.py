"""Where guilds live: storage, look-ups that fail the way Discord does, and
direct edits made "by a human in the client" (setup and mid-build sabotage).

Everything that the bot does over HTTP goes through `actions.py`, which adds
Discord's rules on top of these primitives. One re-entrant lock guards it all;
the HTTP layer and the test-facing API both take it.
"""

import threading

from . import errors
from .model import ANNOUNCEMENT, CATEGORY, FORUM, TEXT, Channel, Guild, Member, Message, Overwrite, Role, Snowflakes, User
from .permissions import DEFAULT_EVERYONE, VIEW_CHANNEL, base_permissions, channel_permissions


class State:
    def __init__(self, bot_user_id: str, bot_name: str):
        self.lock = threading.RLock()
        self.ids = Snowflakes()
        self.users: dict[str, User] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.bot = User(bot_user_id, bot_name, bot=True)
        self.users[bot_user_id] = self.bot
        # Changelog "Channel Obfuscation for Users and Bots": GET /guilds/{id}/channels
        # leaves out every channel the bot cannot view.
        self.channel_obfuscation = True

    # -- look-ups (raise Discord's 404s) -------------------------------------------

    def guild(self, guild_id: str) -> Guild:
        guild = self.guilds.get(str(guild_id))
        if guild is None:
            raise errors.unknown("guild")
        return guild

    def channel(self, channel_id: str) -> Channel:
        channel = self.channels.get(str(channel_id))
        if channel is None:
            raise errors.unknown("channel")
        return channel

    def role(self, guild: Guild, role_id: str) -> Role:
        role = guild.roles.get(str(role_id))
        if role is None:
            raise errors.unknown("role")
        return role

    def member(self, guild: Guild, user_id: str) -> Member:
        member = guild.members.get(str(user_id))
        if member is None:
            raise errors.unknown("member" if str(user_id) in self.users else "user")
        return member

    def children(self, category: Channel) -> list[Channel]:
        return [c for c in self.channels.values() if c.parent_id == category.id]

    # -- the bot's standing in a guild ---------------------------------------------

    def has_bot(self, guild: Guild) -> bool:
        return self.bot.id in guild.members

    def bot_guild(self, guild_id: str) -> Guild:
        """The guild as the bot's REST calls reach it: 404 10004 if it does not exist,
        403 50001 if the bot is not a member (a user-installed app, or the bot was
        removed). Public reports: discord/discord-api-docs#5840 (only `GET /guilds/{id}`
        answers 10004 for "not in the guild"; see `bot_guild_object`), #867 ("Missing
        Access when trying to do any actions" where the bot has no access)."""
        guild = self.guild(guild_id)
        if not self.has_bot(guild):
            raise errors.missing_access()
        return guild

    def bot_guild_object(self, guild_id: str) -> Guild:
        """`GET /guilds/{id}`: 404 10004 both for an unknown guild and for one the bot is
        not in, so a bot cannot learn that a guild exists (discord-api-docs#5840)."""
        guild = self.guild(guild_id)
        if not self.has_bot(guild):
            raise errors.unknown("guild")
        return guild

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot.id]

    def bot_role(self, guild: Guild) -> Role | None:
        """The managed role Discord made for the bot when it joined (None once it left)."""
        return next((r for r in guild.roles.values() if r.managed and r.bot_id == self.bot.id), None)

    def bot_base(self, guild: Guild) -> int:
        return base_permissions(guild, self.bot_member(guild))

    def bot_in(self, channel: Channel) -> int:
        """The bot's permissions in `channel`, overwrites included; 0 outside its guilds."""
        guild = self.guilds[channel.guild_id]
        if not self.has_bot(guild):
            return 0
        return channel_permissions(guild, self.bot_member(guild), channel)

    def bot_sees(self, channel: Channel) -> bool:
        """Whether the bot may view `channel`: VIEW_CHANNEL there, or, for a category, in any
        of its children (developers/topics/permissions.mdx "Channel Visibility", added by
        discord/discord-api-docs#8454: "Channel categories are viewable if any of their child
        channels are viewable")."""
        if self.bot_in(channel) & VIEW_CHANNEL:
            return True
        return channel.type == CATEGORY and any(self.bot_in(c) & VIEW_CHANNEL for c in self.children(channel))

    def bot_top_position(self, guild: Guild) -> int:
        member = self.bot_member(guild)
        return max((guild.roles[r].position for r in member.role_ids if r in guild.roles), default=0)

    def visible_to(self, channel: Channel, user_id: str) -> bool:
        guild = self.guilds[channel.guild_id]
        member = guild.members.get(str(user_id))
        if member is None:
            return False
        return bool(channel_permissions(guild, member, channel) & VIEW_CHANNEL)

    # -- setup and direct edits ------------------------------------------------------

    def add_user(self, name: str, bot: bool = False) -> User:
        user = User(self.ids.next(), name, bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, bot_permissions: int, forums_enabled: bool,
                  disabled_types=(), owner_name: str = "owner", with_bot: bool = True) -> Guild:
        owner = self.add_user(owner_name)
        guild = Guild(self.ids.next(), name, owner.id, forums_enabled, set(disabled_types))
        if not forums_enabled:
            # Not a Community guild: no forums, and without NEWS no announcement channels
            # (resources/guild.mdx "Guild Features").
            guild.disabled_types.update((FORUM, ANNOUNCEMENT))
        # The @everyone role shares the guild's id (DOCS/perms).
        guild.roles[guild.id] = Role(guild.id, "@everyone", DEFAULT_EVERYONE, 0)
        guild.members[owner.id] = Member(owner.id)
        self.guilds[guild.id] = guild
        if with_bot:
            self.add_bot(guild, bot_permissions)
        return guild

    def add_bot(self, guild: Guild, permissions: int) -> Member:
        """The bot joins with a managed role of its own at the top (what inviting it does)."""
        bot_role = self.add_role(guild, self.bot.username, permissions, managed=True, bot_id=self.bot.id)
        member = guild.members[self.bot.id] = Member(self.bot.id, [bot_role.id])
        return member

    def remove_bot(self, guild: Guild) -> None:
        """The bot is kicked: its member goes, and Discord deletes its managed role with it."""
        guild.members.pop(self.bot.id, None)
        for channel_id in guild.channel_ids:
            self.channels[channel_id].overwrites.pop(self.bot.id, None)
        role = self.bot_role(guild)
        if role is not None:
            self.remove_role(guild, role)

    def add_role(self, guild: Guild, name: str, permissions: int, position: int | None = None,
                 managed: bool = False, bot_id: str | None = None, **fields) -> Role:
        """Insert at `position` (default: top), shifting roles at or above it up by one."""
        top = max(r.position for r in guild.roles.values()) + 1
        position = top if position is None else max(1, min(position, top))
        for other in guild.roles.values():
            if other.position >= position and other.id != guild.id:
                other.position += 1
        role = Role(self.ids.next(), name, permissions, position, managed=managed, bot_id=bot_id, **fields)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, role_ids=()) -> Member:
        member = Member(user.id, list(role_ids))
        guild.members[user.id] = member
        return member

    def insert_channel(self, guild: Guild, type: int, name: str, parent_id: str | None = None,
                       overwrites=(), topic=None, nsfw=False, position=None) -> Channel:
        if position is None:
            position = len(guild.channel_ids)
        channel = Channel(self.ids.next(), guild.id, type, name, position, parent_id, topic, nsfw,
                          {ow.id: ow for ow in overwrites})
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        if type != CATEGORY:
            self.messages[channel.id] = []
        return channel

    def remove_channel(self, channel: Channel) -> None:
        # DOCS/channel: deleting a category does not delete its children; they lose parent_id.
        for child in self.children(channel):
            child.parent_id = None
        del self.channels[channel.id]
        self.messages.pop(channel.id, None)
        guild = self.guilds.get(channel.guild_id)
        if guild is not None:
            guild.channel_ids.remove(channel.id)

    def remove_role(self, guild: Guild, role: Role) -> None:
        del guild.roles[role.id]
        for other in guild.roles.values():
            if other.position > role.position:
                other.position -= 1
        for member in guild.members.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        for channel_id in guild.channel_ids:
            self.channels[channel_id].overwrites.pop(role.id, None)

    def remove_guild(self, guild: Guild) -> None:
        for channel_id in list(guild.channel_ids):
            self.channels.pop(channel_id, None)
            self.messages.pop(channel_id, None)
        del self.guilds[guild.id]

    def first_text_channel(self, guild: Guild) -> Channel:
        texts = [self.channels[c] for c in guild.channel_ids if self.channels[c].type == TEXT]
        if texts:
            return min(texts, key=lambda c: (c.position, int(c.id)))
        # A name no campaign template would use, so tests can tell it from the bot's channels.
        return self.insert_channel(guild, TEXT, "bot-commands")

    @staticmethod
    def overwrite(id: str, type: int, allow: int = 0, deny: int = 0) -> Overwrite:
        return Overwrite(str(id), type, allow, deny)
