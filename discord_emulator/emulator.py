"""`DiscordEmulator`: the one object tests, benchmarks and the demo hold.

It owns the model (state, actions, messages, interactions), the HTTP server on
127.0.0.1, rate limits, faults and the request log, and offers the test-facing
API: set a guild up, fake an interaction, break things mid-build, look inside.
"""

import copy
import threading
import time

from .actions import Actions
from .application_commands import DAILY_CREATES, ApplicationCommands
from .attachments import Attachments
from .faults import Faults
from .interactions import ACK_DEADLINE, TOKEN_LIFETIME, Interactions, parse_response
from .channel_names import rewrite_or_none
from .direct_messages import DirectMessages
from .messages import LOADING, ChannelMessages
from .model import Overwrite
from .permissions import DEFAULT_BOT_PERMISSIONS, SEND_MESSAGES, VIEW_CHANNEL, as_bits, channel_permissions
from .ratelimit import RateLimiter
from .recording import Recorder, RecordedRequest
from .render import render_tree
from .server import Api, EmulatorHTTPServer
from .state import State
from .threads import Threads


INLINE_REPLY_ROUTE = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def overwrites_from_json(items) -> list[Overwrite]:
    return [Overwrite(str(o["id"]), int(o.get("type", 0)), as_bits(o.get("allow")), as_bits(o.get("deny")))
            for o in items or ()]


class DiscordEmulator:
    def __init__(self, bot_token: str = "test-bot-token", application_id: str = "1100000000000000001",
                 bot_name: str = "Channelwright", port: int = 0):
        self.bot_token = bot_token
        self.application_id = str(application_id)
        self.bot_user_id = self.application_id  # a bot's user id is its application id
        self.latency = 0.0  # seconds slept in the handler thread before every answer
        self.faults = Faults()
        self.rate_limiter = RateLimiter()
        self.internal_errors: list[str] = []  # tracebacks of emulator bugs (answered as 500)
        self._state = State(self.application_id, bot_name)
        self._actions = Actions(self._state)
        self._threads = Threads(self._state, self._actions)
        self._dms = DirectMessages(self._state)
        self._commands = ApplicationCommands(self._state, self.application_id)
        self._attachments = Attachments(self._state.ids)
        self._interactions = Interactions(self._state, self.application_id, self._commands,
                                          self._attachments)
        self._api = Api(self._state, self._actions,
                        ChannelMessages(self._state, self._actions, self._attachments),
                        self._interactions, self._commands, self._threads, self._dms)
        self._recorder = Recorder()
        self._port = port
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "DiscordEmulator":
        self._server = EmulatorHTTPServer(self, self._port)
        self._port = self._server.server_address[1]  # a restart reuses the same port
        self._attachments.base = f"http://127.0.0.1:{self._port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="discord-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "DiscordEmulator":
        return self.start() if self._server is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the emulator has no port until start()")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    # -- setting a guild up -----------------------------------------------------------------

    def add_guild(self, name: str = "Test Guild", bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
                  forums_enabled: bool = True, filler_channels: int = 0, filler_roles: int = 0,
                  disabled_channel_types=(), owner_name: str = "owner", with_bot: bool = True) -> str:
        """A guild with @everyone, an owner, and the bot holding a managed role at the top
        whose permissions are `bot_permissions`. Fillers help reach the 500/250 limits;
        filler roles sit below the bot's role. `forums_enabled=False`: not a Community guild
        (no COMMUNITY or NEWS feature), so forum and announcement channels are refused with
        400 50024. `with_bot=False`: a guild the app is not
        installed in (the bot's REST calls get 403 50001, `GET /guilds/{id}` 404 10004;
        only user-installed invocations come from it)."""
        st = self._state
        with st.lock:
            guild = st.add_guild(name, int(bot_permissions), forums_enabled, disabled_channel_types,
                                 owner_name, with_bot)
            for i in range(1, filler_roles + 1):
                st.add_role(guild, f"filler-role-{i}", 0, position=i)
            for i in range(1, filler_channels + 1):
                st.insert_channel(guild, 0, f"filler-{i}")
            return guild.id

    def add_user(self, name: str = "user") -> str:
        with self._state.lock:
            return self._state.add_user(name).id

    def add_member(self, guild_id: str, name: str = "member", permissions: int = 0, roles=()) -> str:
        """A new user in the guild; non-zero `permissions` come from a new role of their own."""
        st = self._state
        with st.lock:
            guild = st.guild(guild_id)
            role_ids = list(roles)
            if permissions:
                role_ids.append(st.add_role(guild, f"{name}'s role", int(permissions), position=1).id)
            return st.add_member(guild, st.add_user(name), role_ids).user_id

    def add_role(self, guild_id: str, name: str = "role", permissions: int = 0,
                 position: int | None = 1, above_bot: bool = False) -> str:
        """A role created in the client. Default position 1 (as Discord does); `above_bot`
        puts it at the very top, out of the bot's reach."""
        st = self._state
        with st.lock:
            guild = st.guild(guild_id)
            return st.add_role(guild, name, int(permissions), position=None if above_bot else position).id

    def give_role(self, guild_id: str, user_id: str, role_id: str) -> None:
        """Give a member a role, as an admin in the client would (no hierarchy checks)."""
        with self._state.lock:
            guild = self._state.guild(guild_id)
            member = self._state.member(guild, user_id)
            if role_id not in member.role_ids:
                member.role_ids.append(self._state.role(guild, role_id).id)

    def add_channel(self, guild_id: str, name: str, type: int = 0, parent_id: str | None = None,
                    permission_overwrites=(), topic: str | None = None, bot_allow: int = 0,
                    bot_deny: int = 0) -> str:
        """A channel made in the client: no permission or limit checks, but the name is
        rewritten as Discord rewrites it (see channel_names). `bot_allow` / `bot_deny`
        add an overwrite for the bot's managed role: e.g. `bot_deny=VIEW_CHANNEL` makes a
        staff channel the bot cannot see, `bot_allow=MANAGE_MESSAGES` one where it holds
        a permission it lacks in the guild."""
        st = self._state
        stored = rewrite_or_none(name, type)
        if stored is None:
            raise ValueError(f"Discord would refuse the channel name {name!r}: nothing is left of it")
        with st.lock:
            guild = st.guild(guild_id)
            channel = st.insert_channel(guild, type, stored, parent_id,
                                        overwrites_from_json(permission_overwrites), topic)
            if bot_allow or bot_deny:
                self._edit_bot_overwrite(channel.id, int(bot_allow), int(bot_deny))
            return channel.id

    # -- channels that treat the bot differently (overwrites on its managed role) -------------

    def bot_role_id(self, guild_id: str) -> str:
        """The id of the managed role Discord gave the bot in this guild."""
        with self._state.lock:
            role = self._state.bot_role(self._state.guild(guild_id))
            if role is None:
                raise ValueError(f"the bot is not in guild {guild_id}")
            return role.id

    def hide_channel_from_bot(self, channel_id: str) -> None:
        """A staff channel: its overwrite denies the bot's role View Channel, so the bot
        cannot see it (no effect on an Administrator bot, as in Discord)."""
        self._edit_bot_overwrite(channel_id, 0, VIEW_CHANNEL)

    def grant_bot_in_channel(self, channel_id: str, bits: int) -> None:
        """The channel's overwrite allows the bot's role `bits` (held here, perhaps not in
        the guild)."""
        self._edit_bot_overwrite(channel_id, int(bits), 0)

    def make_read_only_for_bot(self, channel_id: str) -> None:
        """The bot's role may view the channel but is denied Send Messages in it."""
        self._edit_bot_overwrite(channel_id, VIEW_CHANNEL, SEND_MESSAGES)

    def _edit_bot_overwrite(self, channel_id: str, allow: int, deny: int) -> None:
        """Merge into the bot role's overwrite: new allows win over old denies and back."""
        st = self._state
        with st.lock:
            channel = st.channel(channel_id)
            role = st.bot_role(st.guild(channel.guild_id))
            if role is None:
                raise ValueError(f"the bot is not in the guild of channel {channel_id}")
            old = channel.overwrites.get(role.id) or Overwrite(role.id, 0)
            channel.overwrites[role.id] = Overwrite(role.id, 0, (old.allow & ~deny) | allow,
                                                    (old.deny & ~allow) | deny)

    def move_role(self, guild_id: str, role_id: str, position: int) -> None:
        """Someone drags a role in Server Settings → Roles to `position` (1 = just above
        @everyone, which stays at 0); the roles between shift by one, as the client's drag does
        (DOCS/perms "Permission Hierarchy": a role's place decides what it may manage)."""
        with self._state.lock:
            guild = self._state.guild(guild_id)
            role = guild.roles[str(role_id)]
            if role.id == guild.id:
                raise ValueError("@everyone stays at the bottom")
            others = sorted((r for r in guild.roles.values() if r.id not in (guild.id, role.id)),
                            key=lambda r: r.position)
            position = max(1, min(int(position), len(others) + 1))
            others.insert(position - 1, role)
            for index, each in enumerate(others, start=1):
                each.position = index

    def remove_member(self, guild_id: str, user_id: str) -> None:
        """A member leaves the server (or is kicked): from then on Get Guild Member answers 404
        10007 Unknown Member (DOCS/codes "JSON Error Codes"). No event reaches a bot that takes
        interactions over HTTP only; channel overwrites naming the member stay, as nothing in the
        docs says leaving removes them. For the bot itself, remove_bot."""
        with self._state.lock:
            guild = self._state.guild(guild_id)
            if str(user_id) == self._state.bot.id:
                raise ValueError("the bot leaves with remove_bot")
            if guild.members.pop(str(user_id), None) is None:
                raise ValueError(f"{user_id} is not a member of {guild_id}")

    def remove_bot(self, guild_id: str) -> None:
        """The bot is kicked (or its app uninstalled from the guild): its member and managed
        role go; from then on its calls to the guild get 403 50001."""
        with self._state.lock:
            self._state.remove_bot(self._state.guild(guild_id))

    def invite_bot(self, guild_id: str, permissions: int = DEFAULT_BOT_PERMISSIONS) -> None:
        """The bot joins a guild it is not in, with a new managed role at the top."""
        with self._state.lock:
            guild = self._state.guild(guild_id)
            if not self._state.has_bot(guild):
                self._state.add_bot(guild, int(permissions))

    assign_role = give_role

    def set_bot_permissions(self, guild_id: str, permissions: int) -> None:
        """What the bot's managed role grants in the guild, as an admin would set it."""
        with self._state.lock:
            role = self._state.bot_role(self._state.guild(guild_id))
            if role is None:
                raise ValueError(f"the bot is not in guild {guild_id}")
            role.permissions = int(permissions)

    def set_everyone_permissions(self, guild_id: str, permissions: int) -> None:
        """What @everyone (the role sharing the guild's id, DOCS/perms) grants in the guild,
        e.g. a server where only some roles may send messages."""
        with self._state.lock:
            guild = self._state.guild(guild_id)
            guild.roles[guild.id].permissions = int(permissions)

    # -- sabotage, as an admin in the client would ------------------------------------------

    def delete_channel(self, channel_id: str) -> None:
        """A channel, or a thread (its id then answers 10003 Unknown Channel)."""
        with self._state.lock:
            if self._threads.threads.pop(str(channel_id), None) is None:
                self._state.remove_channel(self._state.channel(channel_id))

    def archive_thread(self, thread_id: str) -> None:
        """Archive a thread as Discord does once it had no activity for its
        `auto_archive_duration` minutes (threads.Threads.archive)."""
        with self._state.lock:
            self._threads.archive(thread_id)

    def delete_role(self, guild_id: str, role_id: str) -> None:
        with self._state.lock:
            guild = self._state.guild(guild_id)
            self._state.remove_role(guild, self._state.role(guild, role_id))

    def delete_guild(self, guild_id: str) -> None:
        with self._state.lock:
            self._state.remove_guild(self._state.guild(guild_id))

    # -- interactions -----------------------------------------------------------------------

    def create_interaction(self, guild_id, user_id, command: str, options=None, app_permissions=None,
                           member_permissions=None, channel_id=None, locale: str = "en-US",
                           resolved: dict | None = None, attachments=(), user_installed: bool = False) -> dict:
        """An APPLICATION_COMMAND payload as Discord would POST it. Without `channel_id` it
        comes from the guild's first text channel, creating "bot-commands" if there is none.
        `guild_id=None` makes a DM interaction (`user` instead of `member`). Permissions
        default to those computed in the channel; pass ints or strings to override.
        `resolved` becomes `data.resolved`; `attachments` (objects from add_attachment) are
        added to `data.resolved.attachments` by id. Subcommand options nest as Discord sends
        them: `[{"type": 1, "name": "import", "options": [{"type": 11, "name": "file",
        "value": attachment["id"]}]}]`.

        `member.permissions` and `app_permissions` are those in the invoking channel, its
        overwrites included (DOCS/rr "Interaction Object"). `user_installed=True`: the user
        installed the app, so `authorizing_integration_owners` has "1": user id, and "0"
        only if the bot is in the guild; a guild without the bot needs it (else ValueError).
        When the command is registered here (guild scope, then global), raises
        CommandUnavailable if Discord would not offer it: `default_member_permissions` the
        member lacks in that channel (Administrator and owner exempt; "0" admins only),
        `contexts` or `integration_types` that exclude this invocation (DOCS/ac)."""
        resolved = {k: dict(v) if isinstance(v, dict) else v for k, v in (resolved or {}).items()}
        if attachments:
            resolved.setdefault("attachments", {}).update({a["id"]: dict(a) for a in attachments})
        with self._state.lock:
            return self._interactions.create(guild_id, user_id, command, options, app_permissions,
                                             member_permissions, channel_id, locale, resolved or None,
                                             user_installed)

    def click(self, token: str, user_id: str, custom_id: str, app_permissions=None,
              member_permissions=None) -> dict:
        """A button click on the original message of the interaction `token`, as Discord POSTs it."""
        with self._state.lock:
            return self._interactions.click(token, user_id, custom_id, app_permissions,
                                            member_permissions)

    def click_channel_message(self, channel_id: str, message_id: str, user_id: str, custom_id: str) -> dict:
        """A button click on a message the bot posted in a channel, as Discord POSTs it
        (Interactions.click_channel_message)."""
        with self._state.lock:
            return self._interactions.click_channel_message(channel_id, message_id, user_id, custom_id)

    def create_autocomplete(self, guild_id, user_id, command: str, options, **create_args) -> dict:
        """An APPLICATION_COMMAND_AUTOCOMPLETE payload (interaction type 4): `options` as for
        create_interaction, one of them with `"focused": True`. The bot must answer it with
        type 8 (`{"type": 8, "data": {"choices": [...]}}`); see `autocomplete_choices`.
        `create_args`: create_interaction's keyword arguments (channel_id, permissions, ...)."""
        with self._state.lock:
            return self._interactions.autocomplete(guild_id, user_id, command, options, **create_args)

    def autocomplete_choices(self, token: str) -> list[dict] | None:
        """The choices of the bot's type-8 answer, None before it answered."""
        with self._state.lock:
            choices = self._interactions.by_token[token].autocomplete_choices
            return None if choices is None else [dict(c) for c in choices]

    def acknowledge(self, payload, response) -> None:
        """Record the bot's inline reply (dict, JSON text, or API Gateway result). Type 5
        creates a loading @original; type 4 an @original with data.content; 6 and 7 answer a
        click (7 edits the clicked message); 8 answers an autocomplete interaction; 9 opens a
        modal. The reply is held to Discord's rules (discord_emulator.validation). Raises
        AcknowledgedTooLate (and invalidates the token) when it comes more than
        `ack_deadline` seconds after create_interaction(); ValueError for a reply
        Discord would refuse or a second acknowledgement."""
        token = payload["token"] if isinstance(payload, dict) else payload
        self._observe_inline_reply(token, response)
        with self._state.lock:
            self._interactions.acknowledge(token, response)

    def _observe_inline_reply(self, token: str, response) -> None:
        """Show request observers (the suite's spec gate) the inline reply as the callback
        request it stands for (DOCS/rr "Responding to an Interaction": the HTTP answer carries
        an interaction response, the body of POST /interactions/{id}/{token}/callback), before
        the emulator judges it. A reply that is not JSON is left to acknowledge() to refuse."""
        with self._state.lock:
            interaction = self._interactions.by_token.get(token)
        try:
            body = parse_response(response)
        except (ValueError, TypeError):
            return
        if interaction is None:
            return
        self._recorder.notify(RecordedRequest(
            "POST", f"/interactions/{interaction.id}/{token}/callback", INLINE_REPLY_ROUTE,
            {"content-type": "application/json"}, copy.deepcopy(body), time.monotonic(), inline_reply=True))

    def original_message(self, token: str) -> dict | None:
        """@original as Discord would return it, plus `loading` (True until the first edit
        of a type-5 defer) and the `allowed_mentions` the bot last sent with it. None before
        acknowledgement or after deletion."""
        with self._state.lock:
            interaction = self._interactions.by_token.get(token)
            original = interaction.original if interaction else None
            if original is None or original.deleted:
                return None
            return {**original.inspect_json(), "loading": bool(original.flags & LOADING)}

    def message_history(self, token: str) -> list[str]:
        """Every content @original has had: the type-4 reply (a type-5 defer adds nothing),
        then one entry per successful PATCH."""
        with self._state.lock:
            return list(self._interactions.by_token[token].history)

    def delete_original_message(self, token: str) -> None:
        """A moderator deletes the interaction's original response in the client; from then
        on GET, PATCH and DELETE of @original answer 404 10008 Unknown Message (DOCS/codes),
        for this token and for clicks on that message, and nobody can click it."""
        with self._state.lock:
            self._interactions.delete_original_by_moderator(token)

    def followup_messages(self, token: str) -> list[dict]:
        with self._state.lock:
            return [m.inspect_json() for m in self._interactions.by_token[token].followups.values()]

    def expire_token(self, token: str) -> None:
        with self._state.lock:
            self._interactions.expire(token)

    def forget_token(self, token: str) -> None:
        with self._state.lock:
            self._interactions.forget(token)

    @property
    def token_lifetime(self) -> float:
        """Seconds before a token answers 401 50027 on its own (Discord: 15 minutes)."""
        return self._interactions.token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self._interactions.token_lifetime = seconds

    @property
    def ack_deadline(self) -> float | None:
        """Seconds the bot has to acknowledge (Discord: 3); None disables the check."""
        return self._interactions.ack_deadline

    @ack_deadline.setter
    def ack_deadline(self, seconds: float | None) -> None:
        self._interactions.ack_deadline = seconds

    # -- uploads and application commands -------------------------------------------------------

    def add_attachment(self, filename: str, content: bytes, content_type: str | None = None,
                       channel_id: str | None = None) -> dict:
        """A file "uploaded" to Discord: the attachment object an interaction's
        `data.resolved.attachments` holds ({id, filename, size, url, proxy_url, content_type}).
        `url` is a signed CDN link served by this emulator (after start()) without auth; its
        requests are recorded with route "GET /attachments/{channel_id}/{attachment_id}/{filename}".
        `content_type` defaults to a guess from the file name."""
        base = f"http://127.0.0.1:{self.port}"
        with self._state.lock:
            attachment = self._attachments.add(filename, bytes(content), content_type,
                                               str(channel_id or self._state.ids.next()))
            return self._attachments.to_json(attachment, base)

    def expire_attachment(self, attachment_id: str) -> None:
        """Its CDN link now answers 404, as an expired or deleted upload's does."""
        with self._state.lock:
            self._attachments.by_id[str(attachment_id)].expired = True

    def registered_commands(self, guild_id: str | None = None) -> list[dict]:
        """The application commands as the last bulk overwrite left them (global, or a guild's)."""
        with self._state.lock:
            return [dict(c) for c in self._commands.by_scope.get(guild_id, [])]

    @property
    def daily_command_creates(self) -> int:
        """How many command creates a scope may make before 30034 (Discord: 200 a day)."""
        return self._commands.daily_creates

    @daily_command_creates.setter
    def daily_command_creates(self, value: int) -> None:
        self._commands.daily_creates = int(value)

    # -- looking inside -----------------------------------------------------------------------

    def guild(self, guild_id: str) -> dict:
        with self._state.lock:
            return self._state.guild(guild_id).to_json()

    def guild_channels(self, guild_id: str) -> list[dict]:
        with self._state.lock:
            return [self._state.channels[c].to_json() for c in self._state.guild(guild_id).channel_ids]

    def guild_roles(self, guild_id: str) -> list[dict]:
        with self._state.lock:
            return self._state.guild(guild_id).to_json()["roles"]

    def channel(self, channel_id: str) -> dict | None:
        with self._state.lock:
            channel = self._state.channels.get(str(channel_id))
            return channel.to_json() if channel else None

    def find_channel(self, guild_id: str, name: str, type: int | None = None) -> dict | None:
        return next((c for c in self.guild_channels(guild_id)
                     if c["name"] == name and (type is None or c["type"] == type)), None)

    def find_role(self, guild_id: str, name: str) -> dict | None:
        return next((r for r in self.guild_roles(guild_id) if r["name"] == name), None)

    def member_role_ids(self, guild_id: str, user_id: str) -> list[str]:
        with self._state.lock:
            return list(self._state.member(self._state.guild(guild_id), user_id).role_ids)

    def close_dms(self, user_id: str) -> None:
        """The user turns off direct messages from server members (their privacy settings):
        from then on the bot's messages to them answer 403 50007 (direct_messages.py)."""
        with self._state.lock:
            self._dms.closed.add(str(user_id))

    def direct_messages(self, user_id: str) -> list[dict]:
        """What the bot sent the user by DM, oldest first, each with its `allowed_mentions`."""
        return self._dms.received(str(user_id))

    def channel_messages(self, channel_id: str) -> list[dict]:
        """Oldest first, each with the `allowed_mentions` the bot sent."""
        with self._state.lock:
            return [m.inspect_json() for m in self._state.messages.get(str(channel_id), [])]

    def visible_to(self, channel_id: str, user_id: str) -> bool:
        """Whether a member can see a channel or, for a thread id, that private thread
        (threads.Threads.sees)."""
        with self._state.lock:
            thread = self._threads.threads.get(str(channel_id))
            if thread is not None:
                return self._threads.sees(thread, str(user_id))
            return self._state.visible_to(self._state.channel(channel_id), user_id)

    def threads_in(self, channel_id: str) -> list[dict]:
        """The private threads under a channel (channel objects with `member_ids`, the users in
        each), oldest first, whoever can see them."""
        with self._state.lock:
            return [{**t.to_json(), "member_ids": list(t.member_ids)}
                    for t in self._threads.threads.values() if t.parent_id == str(channel_id)]

    def permissions_in(self, channel_id: str, user_id: str) -> int:
        """A member's computed permissions in a channel (DOCS/perms algorithm)."""
        with self._state.lock:
            channel = self._state.channel(channel_id)
            guild = self._state.guild(channel.guild_id)
            return channel_permissions(guild, self._state.member(guild, user_id), channel)

    def render_tree(self, guild_id: str) -> str:
        with self._state.lock:
            return render_tree(self._state, guild_id)

    @property
    def channel_obfuscation(self) -> bool:
        """True (default): GET /guilds/{id}/channels omits every channel the bot cannot view
        (changelog "Channel Obfuscation for Users and Bots"; mandatory from 2026-11-16).
        `guild_channels()` here still shows everything, as a test needs."""
        return self._state.channel_obfuscation

    @channel_obfuscation.setter
    def channel_obfuscation(self, value: bool) -> None:
        self._state.channel_obfuscation = value

    # -- the request log and rate limits --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._recorder.snapshot()

    def count(self, method=None, path_regex=None, status=None, route_regex=None) -> int:
        return self._recorder.count(method, path_regex, status, route_regex)

    def clear_requests(self) -> None:
        self._recorder.clear()

    def observe_requests(self, callback) -> None:
        """`callback(record)` for every request from now on, once answered (or its reply lost),
        whatever clear_requests() or reset() later do to the log; runs on a server thread.
        Also for every inline reply given to acknowledge() (`record.inline_reply`, on the
        caller's thread), shaped as the callback request it stands for."""
        self._recorder.observe(callback)

    def set_bucket(self, route_regex: str, limit: int, per_seconds: float, bucket: str | None = None) -> None:
        self.rate_limiter.set_bucket(route_regex, limit, per_seconds, bucket)

    def set_long_limit(self, route_regex: str, limit: int, per_seconds: float) -> None:
        """A limit lasting minutes to days on matching routes (re.search on the route key,
        e.g. r"^POST /guilds/\\{guild_id\\}/roles$"), per major parameter, counted beside
        the route's bucket; its 429 announces the real wait in Retry-After and
        X-RateLimit-Reset-After. Default: role creation, 250 per guild per 48 h."""
        self.rate_limiter.set_long_limit(route_regex, limit, per_seconds)

    def share_bucket_hash(self, *route_keys: str) -> None:
        """Make these routes (e.g. "GET /guilds/{guild_id}/channels") report one
        X-RateLimit-Bucket hash while each keeps its own count (DOCS/rl)."""
        self.rate_limiter.share_hash(*route_keys)

    def set_global_limit(self, limit: int | None, per_seconds: float = 1.0) -> None:
        self.rate_limiter.set_global_limit(limit, per_seconds)

    def reset_rate_limits(self) -> None:
        """Close every open window; bucket settings stay."""
        self.rate_limiter.reset()

    def reset(self) -> None:
        """A clean slate for the next test with a module-scoped emulator: default knobs
        (faults, buckets, global limit, latency, token timings, obfuscation) and an
        empty request log, a new day for command creates. Guilds, users, interactions,
        attachments and registered commands stay."""
        self.clear_requests()
        self._commands.creates.clear()
        self._commands.daily_creates = DAILY_CREATES
        self.faults.clear()
        self.rate_limiter.reset(overrides=True)
        self.latency = 0.0
        self.token_lifetime = TOKEN_LIFETIME
        self.ack_deadline = ACK_DEADLINE
        self.channel_obfuscation = True
