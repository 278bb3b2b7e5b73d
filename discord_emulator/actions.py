"""What the bot may do to channels, overwrites, roles and members, with Discord's rules.

Sources: DOCS/guild (Create Guild Channel, Create/Modify/Delete Guild Role,
Add/Remove Guild Member Role), DOCS/channel (Modify/Delete Channel, Edit/Delete
Channel Permissions), DOCS/perms (hierarchy), DOCS/codes (limits). Every public
method runs under the state lock (taken by the caller) and returns wire JSON or
raises `ApiError`.
"""

from . import errors
from .channel_names import rewrite_or_none
from .errors import ApiError, form_error
from .model import ANNOUNCEMENT, CATEGORY, FORUM, STAGE, TEXT, VOICE, Channel, Guild, Overwrite
from .permissions import ADMINISTRATOR, MANAGE_CHANNELS, MANAGE_ROLES, VIEW_CHANNEL

MAX_GUILD_CHANNELS = 500
MAX_CATEGORY_CHILDREN = 50
MAX_ROLES = 250  # counts @everyone and the bot's managed role
CREATABLE_TYPES = {TEXT, VOICE, CATEGORY, ANNOUNCEMENT, STAGE, FORUM}
KNOWN_TYPES = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16}


def snowflake(value, path: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    raise form_error(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')


def bits(value, path: str) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise form_error(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')


def string(body: dict, field: str, low: int, high: int) -> str:
    value = body.get(field)
    if value is None:
        raise errors.required(field)
    if not isinstance(value, str):
        raise form_error(field, "BASE_TYPE_STRING", f'Could not interpret "{value}" as string.')
    if not low <= len(value) <= high:
        raise errors.bad_length(field, low, high)
    return value


def require(perms: int, bit: int) -> None:
    if not perms & bit:
        raise errors.missing_permissions()


class Actions:
    def __init__(self, state):
        self.state = state

    # -- channels --------------------------------------------------------------------

    def visible_channel(self, channel_id: str) -> tuple[Channel, int]:
        """The channel and the bot's permissions in it, for acting on it. 404 10003 once
        deleted; 403 50001 when the bot lacks VIEW_CHANNEL there or is not in its guild: the
        changelog "Channel Obfuscation for Users and Bots" (discord/discord-api-docs#8454) and
        #867 ("Missing Access when trying to do any actions on channels you don't have
        permissions for"); DOCS/perms "Implicit Permissions": without VIEW_CHANNEL the other
        channel permissions do not count, so a category the bot sees only through a child
        cannot be edited (the stricter reading)."""
        channel = self.state.channel(channel_id)
        perms = self.state.bot_in(channel)
        if not self.state.has_bot(self.state.guilds[channel.guild_id]):
            raise errors.missing_access()
        if not perms & VIEW_CHANNEL:
            raise errors.missing_access()
        return channel, perms

    def get_channel(self, channel_id: str) -> dict:
        """GET /channels/{id}: as visible_channel, except that a category is viewable when one
        of its children is (see State.bot_sees), as in the channel list."""
        channel = self.state.channel(channel_id)
        if not self.state.has_bot(self.state.guilds[channel.guild_id]) or not self.state.bot_sees(channel):
            raise errors.missing_access()
        return channel.to_json()

    def list_channels(self, guild_id: str) -> list[dict]:
        """GET /guilds/{id}/channels. Changelog "Channel Obfuscation for Users and Bots"
        (discord/discord-api-docs#8454): over HTTP the list "will omit those channels [the
        bot lacks VIEW_CHANNEL on] from the response entirely"; a category stays while the bot
        can view one of its children (State.bot_sees)."""
        st = self.state
        guild = st.bot_guild(guild_id)
        channels = [st.channels[c] for c in guild.channel_ids]
        if st.channel_obfuscation:
            channels = [c for c in channels if st.bot_sees(c)]
        return [c.to_json() for c in channels]

    def guild_object(self, guild_id: str) -> dict:
        return self.state.bot_guild_object(guild_id).to_json()

    def list_roles(self, guild_id: str) -> list[dict]:
        return self.state.bot_guild(guild_id).to_json()["roles"]

    def get_member(self, guild_id: str, user_id: str) -> dict:
        guild = self.state.bot_guild(guild_id)
        member = self.state.member(guild, user_id)
        return member.to_json(self.state.users[member.user_id])

    def create_channel(self, guild_id: str, body: dict) -> dict:
        st = self.state
        guild = st.bot_guild(guild_id)
        require(st.bot_base(guild), MANAGE_CHANNELS)
        type = body.get("type")
        type = TEXT if type is None else type
        if not isinstance(type, int) or isinstance(type, bool) or type not in KNOWN_TYPES:
            raise form_error("type", "BASE_TYPE_CHOICES",
                             f"Value must be one of {sorted(CREATABLE_TYPES)}.")
        name = self._channel_name(body, type)
        topic = self._topic(body)
        parent = None
        if body.get("parent_id") is not None:
            parent = self._parent(guild, body["parent_id"], type)
        overwrites = self._overwrites(guild, body.get("permission_overwrites"))
        if type not in CREATABLE_TYPES or type in guild.disabled_types:
            raise errors.bad_channel_type()
        if len(guild.channel_ids) >= MAX_GUILD_CHANNELS:
            raise ApiError(400, 30013, "Maximum number of guild channels reached (500)")
        if parent is not None:
            self._check_room(parent)
        if overwrites:
            require(st.bot_base(guild), MANAGE_ROLES)
        self._check_grant(guild, overwrites)
        if parent is not None and not overwrites:
            overwrites = self._synced_with(parent)
        position = body.get("position")
        channel = st.insert_channel(
            guild, type, name, parent.id if parent else None, overwrites, topic,
            bool(body.get("nsfw", False)), position if isinstance(position, int) else None)
        return channel.to_json()

    def modify_channel(self, channel_id: str, body: dict) -> dict:
        channel, perms = self.visible_channel(channel_id)
        guild = self.state.guild(channel.guild_id)
        require(perms, MANAGE_CHANNELS)
        changes = {}
        if body.get("type") is not None and body["type"] != channel.type:
            # DOCS/channel "Modify Channel": "only conversion between text and announcement is
            # supported and only in guilds with the "NEWS" feature".
            if {body["type"], channel.type} != {TEXT, ANNOUNCEMENT} or "NEWS" not in guild.features:
                raise errors.bad_channel_type()
            changes["type"] = body["type"]
        if "name" in body:
            changes["name"] = self._channel_name(body, channel.type)
        if "topic" in body:
            changes["topic"] = self._topic(body)
        if "nsfw" in body:
            changes["nsfw"] = bool(body["nsfw"])
        if isinstance(body.get("position"), int):
            changes["position"] = body["position"]
        if "parent_id" in body:
            parent = None
            if body["parent_id"] is not None:
                parent = self._parent(guild, body["parent_id"], channel.type)
                if parent.id != channel.parent_id:
                    self._check_room(parent)
            changes["parent_id"] = parent.id if parent else None
        if "permission_overwrites" in body:
            require(perms, MANAGE_ROLES)
            overwrites = self._overwrites(guild, body["permission_overwrites"])
            self._check_grant(guild, overwrites, channel)
            changes["overwrites"] = {ow.id: ow for ow in overwrites}
        for key, value in changes.items():
            setattr(channel, key, value)
        return channel.to_json()

    def delete_channel(self, channel_id: str) -> dict:
        channel, perms = self.visible_channel(channel_id)
        require(perms, MANAGE_CHANNELS)
        data = channel.to_json()
        self.state.remove_channel(channel)
        return data

    def put_overwrite(self, channel_id: str, overwrite_id: str, body: dict) -> None:
        st = self.state
        channel, perms = self.visible_channel(channel_id)
        guild = st.guild(channel.guild_id)
        require(perms, MANAGE_ROLES)
        type = self._overwrite_type(body.get("type"), "type")
        if type == 0:
            st.role(guild, overwrite_id)
        else:
            st.member(guild, overwrite_id)
        ow = Overwrite(overwrite_id, type, bits(body.get("allow"), "allow"), bits(body.get("deny"), "deny"))
        self._check_grant(guild, [ow], channel)
        channel.overwrites[ow.id] = ow

    def delete_overwrite(self, channel_id: str, overwrite_id: str) -> None:
        channel, perms = self.visible_channel(channel_id)
        require(perms, MANAGE_ROLES)
        if channel.overwrites.pop(overwrite_id, None) is None:
            raise errors.unknown("overwrite")

    # -- roles and members --------------------------------------------------------------

    def create_role(self, guild_id: str, body: dict) -> dict:
        st = self.state
        guild = st.bot_guild(guild_id)
        held = st.bot_base(guild)
        require(held, MANAGE_ROLES)
        fields = self._role_fields(body)
        fields.setdefault("name", "new role")
        # DOCS/guild: permissions default to @everyone's in the guild.
        fields.setdefault("permissions", guild.roles[guild.id].permissions)
        if len(guild.roles) >= MAX_ROLES:
            raise ApiError(400, 30005, "Maximum number of guild roles reached (250)")
        if fields["permissions"] & ~held:
            raise errors.missing_permissions()
        name, permissions = fields.pop("name"), fields.pop("permissions")
        return st.add_role(guild, name, permissions, position=1, **fields).to_json()

    def modify_role(self, guild_id: str, role_id: str, body: dict) -> dict:
        st = self.state
        guild = st.bot_guild(guild_id)
        held = st.bot_base(guild)
        require(held, MANAGE_ROLES)
        role = st.role(guild, role_id)
        fields = self._role_fields(body)
        self._check_below_bot(guild, role)
        # DOCS/perms: "it can only grant permissions it has to those roles".
        if fields.get("permissions", 0) & ~role.permissions & ~held:
            raise errors.missing_permissions()
        for key, value in fields.items():
            setattr(role, key, value)
        return role.to_json()

    def delete_role(self, guild_id: str, role_id: str) -> None:
        st = self.state
        guild = st.bot_guild(guild_id)
        require(st.bot_base(guild), MANAGE_ROLES)
        role = st.role(guild, role_id)
        if role.id == guild.id or role.managed:
            raise ApiError(400, 50028, "Invalid Role")
        self._check_below_bot(guild, role)
        st.remove_role(guild, role)

    def set_member_role(self, guild_id: str, user_id: str, role_id: str, present: bool) -> None:
        st = self.state
        guild = st.bot_guild(guild_id)
        require(st.bot_base(guild), MANAGE_ROLES)
        member = st.member(guild, user_id)
        role = st.role(guild, role_id)
        if role.id == guild.id:
            raise errors.unknown("role")
        if role.managed:
            raise errors.missing_permissions()
        self._check_below_bot(guild, role)
        if present and role.id not in member.role_ids:
            member.role_ids.append(role.id)
        elif not present and role.id in member.role_ids:
            member.role_ids.remove(role.id)

    # -- rules shared by the above ----------------------------------------------------------

    def _channel_name(self, body: dict, type: int) -> str:
        """The name as Discord stores it (see channel_names); a text-like name with nothing
        left after the rewrite is refused like an empty one (the stricter reading)."""
        name = rewrite_or_none(string(body, "name", 1, 100), type)
        if name is None:
            raise errors.bad_length("name", 1, 100)
        return name

    @staticmethod
    def _topic(body: dict):
        # Its length (1024, or 4096 in forums) is checked per channel type by validation.channels.
        topic = body.get("topic")
        if topic is not None and not isinstance(topic, str):
            raise errors.bad_length("topic", 0, 1024)
        return topic

    def _parent(self, guild: Guild, value, child_type: int) -> Channel:
        parent = self.state.channels.get(snowflake(value, "parent_id"))
        if parent is None or parent.guild_id != guild.id:
            raise form_error("parent_id", "CHANNEL_PARENT_INVALID", "Unknown channel")
        if parent.type != CATEGORY or child_type == CATEGORY:
            raise form_error("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Not a category")
        return parent

    @staticmethod
    def _synced_with(parent: Channel) -> list[Overwrite]:
        """A copy of the category's overwrites, for a channel created in it without any of its
        own: permissions.mdx "Permission Syncing" (a synced child has "the same permissions
        and overwrites ... as its parent category"); discord.py documents "The permissions will
        be automatically synced to category if no overwrites are provided" and sends an empty
        list for that (discord/guild.py `_create_channel`); discord/discord-api-docs#6357 and
        #6573 create with only `parent_id` "to inherit permission overwrites", unchallenged by
        Discord staff. The copy is Discord's, so it is not judged against the bot's permissions."""
        return [Overwrite(ow.id, ow.type, ow.allow, ow.deny) for ow in parent.overwrites.values()]

    def _check_room(self, parent: Channel) -> None:
        if len(self.state.children(parent)) >= MAX_CATEGORY_CHILDREN:
            raise form_error("parent_id", "CHANNEL_PARENT_MAX_CHANNELS",
                             "Maximum number of channels in category reached (50)")

    @staticmethod
    def _overwrite_type(value, path: str) -> int:
        if value is None:
            raise errors.required(path)
        if value in (0, 1, "0", "1") and not isinstance(value, bool):
            return int(value)
        raise form_error(path, "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")

    def _overwrites(self, guild: Guild, raw) -> list[Overwrite]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise form_error("permission_overwrites", "BASE_TYPE_LIST", "Must be a list.")
        result = {}
        for i, item in enumerate(raw):
            path = f"permission_overwrites.{i}"
            if not isinstance(item, dict):
                raise form_error(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            if item.get("id") is None:
                raise errors.required(f"{path}.id")
            oid = snowflake(item["id"], f"{path}.id")
            type = self._overwrite_type(item.get("type"), f"{path}.type")
            known = guild.roles if type == 0 else guild.members
            if oid not in known:
                raise form_error(f"{path}.id", "UNKNOWN_OVERWRITE_TARGET",
                                 "Unknown role" if type == 0 else "Unknown member")
            result[oid] = Overwrite(oid, type, bits(item.get("allow"), f"{path}.allow"),
                                    bits(item.get("deny"), f"{path}.deny"))
        return list(result.values())

    def _check_grant(self, guild: Guild, overwrites, channel: Channel | None = None) -> None:
        """403 50013 unless the bot may put every bit of `overwrites` (allowed or denied).

        DOCS/guild "Create Guild Channel": "only permissions your bot has in the guild can
        be allowed/denied. Setting `MANAGE_ROLES` permission in channels is only possible
        for guild administrators." DOCS/channel "Modify Channel" and "Edit Channel
        Permissions": "Only permissions your bot has in the guild or parent channel (if
        applicable) can be allowed/denied (unless your bot has a `MANAGE_ROLES` overwrite
        in the channel)." Changelog 2021-01-22 "Change to Permission Checking when Creating
        Channels": Manage Roles in an overwrite is "only possible for guild administrators
        or users with MANAGE_ROLES as a permission overwrite in the channel".

        Stricter readings, chosen on purpose: a new channel (`channel` None) is judged on
        the bot's guild (base) permissions alone, since Create Guild Channel names no
        parent; an existing channel with a parent is judged on the bot's permissions in
        that parent, which replace its guild permissions ("(if applicable)"), so a parent
        that denies the bot a bit takes it away; and a Manage Roles overwrite for the bot
        in the channel lifts only the Manage Roles rule, not the rule for other bits.
        Permissions the bot has in any other channel (the one a command came from, say)
        never count."""
        wanted = 0
        for ow in overwrites:
            wanted |= ow.allow | ow.deny
        st = self.state
        held = st.bot_base(guild)
        if not wanted or held & ADMINISTRATOR:
            return
        parent = st.channels.get(channel.parent_id or "") if channel is not None else None
        if parent is not None:
            held = st.bot_in(parent)
        if wanted & MANAGE_ROLES and not (channel is not None
                                          and self._bot_has_manage_roles_overwrite(guild, channel)):
            raise errors.missing_permissions()
        if wanted & ~held & ~MANAGE_ROLES:
            raise errors.missing_permissions()

    def _bot_has_manage_roles_overwrite(self, guild: Guild, channel: Channel) -> bool:
        bot = self.state.bot_member(guild)
        for oid in [bot.user_id, *bot.role_ids]:
            ow = channel.overwrites.get(oid)
            if ow is not None and ow.allow & MANAGE_ROLES:
                return True
        return False

    def _check_below_bot(self, guild: Guild, role) -> None:
        # DOCS/perms "Permission Hierarchy": only roles below the bot's highest role.
        if guild.owner_id != self.state.bot.id and role.position >= self.state.bot_top_position(guild):
            raise errors.missing_permissions()

    @staticmethod
    def _role_fields(body: dict) -> dict:
        fields = {}
        if body.get("name") is not None:
            fields["name"] = string(body, "name", 0, 100)
        if body.get("permissions") is not None:
            fields["permissions"] = bits(body["permissions"], "permissions")
        if body.get("color") is not None:
            fields["color"] = bits(body["color"], "color")
        for flag in ("hoist", "mentionable"):
            if body.get(flag) is not None:
                fields[flag] = bool(body[flag])
        return fields
