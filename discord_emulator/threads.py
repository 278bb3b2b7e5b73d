"""Private threads: start one without a message, add, remove and list its members.

Sources (DOCS/x as in actions.py): DOCS/channel "Start Thread without Message", "Add Thread
Member", "Remove Thread Member", "Get Thread Member", "List Thread Members", "Thread Member
Object", "Thread Metadata Object", "Modify Channel" (JSON Params (Thread)), "List Private
Archived Threads"; DOCS/guild "List Active Guild Threads" and "Get Guild Channels" ("Does not
include threads"); topics/threads.mdx "Public & Private Threads", "Active & Archived Threads",
"Thread Archiving" and "Permissions". Only private threads (type 12) are modelled: the others are refused as a type
this emulator does not create, the stricter reading.

Threads live apart from guild channels: Get Guild Channels never lists them, and nothing in the
docs counts them against the 500 guild channels (DOCS/codes 30013 names "guild channels"), so
they are not counted.

Archiving: Discord archives a thread after `auto_archive_duration` minutes without activity
(topics/threads.mdx "Thread Archiving"); the emulator has no clock, so a test archives a thread
as that would (`archive`). An archived thread is not listed by List Active Guild Threads, and Add
and Remove Thread Member refuse it ("Also requires the thread is not archived": 400 50083,
DOCS/codes "Tried to perform an operation on an archived thread"). Every public method runs under the state lock and returns wire JSON or
raises `ApiError`.
"""

from dataclasses import dataclass, field

from . import errors
from .actions import require, snowflake, string
from .errors import archived_thread, form_error
from .model import TEXT, iso_now
from .permissions import (CREATE_PRIVATE_THREADS, MANAGE_THREADS, READ_MESSAGE_HISTORY,
                          SEND_MESSAGES_IN_THREADS, VIEW_CHANNEL, channel_permissions)

PRIVATE_THREAD = 12
# DOCS/channel "Start Thread without Message": auto_archive_duration "can be set to: 60, 1440,
# 4320, 10080" (minutes). Unset, the thread takes 1440, the value of DOCS/channel "Thread Example".
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
DEFAULT_ARCHIVE_DURATION = 1440


@dataclass
class Thread:
    id: str
    guild_id: str
    parent_id: str
    name: str
    owner_id: str
    invitable: bool
    auto_archive_duration: int
    member_ids: dict[str, str] = field(default_factory=dict)  # user id -> join timestamp
    created_at: str = field(default_factory=iso_now)
    archived: bool = False
    archive_timestamp: str = ""  # DOCS/channel "Thread Metadata Object": set at create, archive, unarchive

    def to_json(self) -> dict:
        """A channel object of type 12 (DOCS/channel "Channel Object", example "Thread Example")."""
        return {
            "id": self.id, "type": PRIVATE_THREAD, "guild_id": self.guild_id, "name": self.name,
            "parent_id": self.parent_id, "owner_id": self.owner_id, "last_message_id": None,
            "rate_limit_per_user": 0, "flags": 0, "message_count": 0, "member_count": len(self.member_ids),
            "total_message_sent": 0,
            "thread_metadata": {"archived": self.archived, "auto_archive_duration": self.auto_archive_duration,
                                "archive_timestamp": self.archive_timestamp or self.created_at, "locked": False,
                                "invitable": self.invitable, "create_timestamp": self.created_at},
        }

    def member_json(self, user_id: str) -> dict:
        """DOCS/channel "Thread Member Object"."""
        return {"id": self.id, "user_id": user_id, "join_timestamp": self.member_ids[user_id], "flags": 0}


class Threads:
    def __init__(self, state, actions):
        self.state = state
        self.actions = actions  # for the parent channel as the bot reaches it
        self.threads: dict[str, Thread] = {}

    # -- what a member may see -------------------------------------------------------------

    def sees(self, thread: Thread, user_id: str) -> bool:
        """topics/threads.mdx "Permissions": threads inherit the parent's permissions, and a
        private thread is seen only by its members "or a moderator (`MANAGE_THREADS`
        permission)" — both still need View Channel in the parent."""
        perms = self._perms_in_parent(thread, user_id)
        return bool(perms & VIEW_CHANNEL) and (user_id in thread.member_ids or bool(perms & MANAGE_THREADS))

    def _perms_in_parent(self, thread: Thread, user_id: str) -> int:
        parent = self.state.channels.get(thread.parent_id)
        guild = self.state.guilds.get(thread.guild_id)
        if parent is None or guild is None or user_id not in guild.members:
            return 0
        return channel_permissions(guild, guild.members[user_id], parent)

    def thread(self, thread_id: str) -> Thread:
        """The thread as the bot reaches it: 404 10003 when unknown (or its parent is gone),
        403 50001 when the bot can't see it."""
        thread = self.threads.get(str(thread_id))
        if thread is None or thread.parent_id not in self.state.channels:
            raise errors.unknown("channel")
        if not self.sees(thread, self.state.bot.id):
            raise errors.missing_access()
        return thread

    def _active(self, thread: Thread) -> Thread:
        """DOCS/channel "Add Thread Member" / "Remove Thread Member": "Also requires the thread is
        not archived" — 400 50083 otherwise (DOCS/codes)."""
        if thread.archived:
            raise archived_thread()
        return thread

    def archive(self, thread_id: str) -> None:
        """What Discord does to a thread left without activity for its `auto_archive_duration`
        (topics/threads.mdx "Thread Archiving"); `archive_timestamp` changes with it."""
        thread = self.threads[str(thread_id)]
        thread.archived, thread.archive_timestamp = True, iso_now()

    # -- routes ------------------------------------------------------------------------------

    def start(self, channel_id: str, body: dict) -> dict:
        """POST /channels/{id}/threads without a message. The parent must be a text channel
        ("Private threads ... can only be created in `GUILD_TEXT` channels"), the bot needs
        Create Private Threads there (topics/permissions.mdx), and `type` defaults to 12.
        The creator becomes the thread's first member (its `owner_id`)."""
        st = self.state
        parent, perms = self.actions.visible_channel(channel_id)
        name = string(body, "name", 1, 100)
        kind = body.get("type", PRIVATE_THREAD)
        duration = body.get("auto_archive_duration", DEFAULT_ARCHIVE_DURATION)
        if duration not in ARCHIVE_DURATIONS or isinstance(duration, bool):
            raise form_error("auto_archive_duration", "BASE_TYPE_CHOICES",
                             f"Value must be one of {ARCHIVE_DURATIONS}.")
        invitable = body.get("invitable", True)
        if not isinstance(invitable, bool):
            raise form_error("invitable", "BASE_TYPE_BAD_BOOLEAN", "Must be either true or false.")
        if kind != PRIVATE_THREAD or parent.type != TEXT:
            raise errors.bad_channel_type()
        require(perms, CREATE_PRIVATE_THREADS)
        thread = Thread(st.ids.next(), parent.guild_id, parent.id, name, st.bot.id, invitable, duration)
        thread.member_ids[st.bot.id] = iso_now()
        self.threads[thread.id] = thread
        return thread.to_json()

    def add_member(self, thread_id: str, user_id: str) -> None:
        """PUT /channels/{id}/thread-members/{user.id}: "Requires the ability to send messages
        in the thread" (Send Messages in Threads, topics/threads.mdx); 204 also when the user
        already is a member. A user outside the guild: 404 Unknown Member (10007)."""
        thread = self._active(self.thread(thread_id))
        require(self._perms_in_parent(thread, self.state.bot.id), SEND_MESSAGES_IN_THREADS)
        self.state.member(self.state.guilds[thread.guild_id], user_id)
        thread.member_ids.setdefault(str(user_id), iso_now())

    def remove_member(self, thread_id: str, user_id: str) -> None:
        """DELETE /channels/{id}/thread-members/{user.id}: "Requires the `MANAGE_THREADS`
        permission, or the creator of the thread if it is a `PRIVATE_THREAD`". Removing a user
        who is not a member answers 404 Unknown Member (10007): the docs name no outcome, and
        this is the stricter reading."""
        thread = self._active(self.thread(thread_id))
        if thread.owner_id != self.state.bot.id:
            require(self._perms_in_parent(thread, self.state.bot.id), MANAGE_THREADS)
        if thread.member_ids.pop(snowflake(user_id, "user_id"), None) is None:
            raise errors.unknown("member")

    def get_member(self, thread_id: str, user_id: str) -> dict:
        """GET /channels/{id}/thread-members/{user.id}: the member, "returns a 404 response
        otherwise" (10007 Unknown Member)."""
        thread = self.thread(thread_id)
        if str(user_id) not in thread.member_ids:
            raise errors.unknown("member")
        return thread.member_json(str(user_id))

    def modify(self, thread_id: str, body: dict) -> dict:
        """PATCH /channels/{id} on a thread, `archived` only (other fields: 400, not modelled).
        topics/threads.mdx "Permissions": changing `archived` "requires `MANAGE_THREADS` or that
        the current user is the thread creator" (403 50013 otherwise); unarchiving is activity,
        so `archive_timestamp` changes (topics/threads.mdx "Thread Archiving")."""
        thread = self.thread(thread_id)
        for key in body:
            if key != "archived":
                raise form_error(key, "UNSUPPORTED", "This emulator models only `archived` on threads.")
        archived = body.get("archived", thread.archived)
        if not isinstance(archived, bool):
            raise form_error("archived", "BASE_TYPE_BAD_BOOLEAN", "Must be either true or false.")
        if thread.owner_id != self.state.bot.id:
            require(self._perms_in_parent(thread, self.state.bot.id), MANAGE_THREADS)
        if archived != thread.archived:
            thread.archived, thread.archive_timestamp = archived, iso_now()
        return thread.to_json()

    def archived_private(self, channel_id: str) -> dict:
        """GET /channels/{id}/threads/archived/private: the parent's archived private threads,
        newest `archive_timestamp` first; "Requires both the `READ_MESSAGE_HISTORY` and
        `MANAGE_THREADS` permissions" (DOCS/channel "List Private Archived Threads"). The
        `before` and `limit` query params are not modelled: every thread fits in one answer."""
        parent, perms = self.actions.visible_channel(channel_id)
        require(perms, READ_MESSAGE_HISTORY)
        require(perms, MANAGE_THREADS)
        bot = self.state.bot.id
        threads = sorted((t for t in self.threads.values() if t.parent_id == parent.id and t.archived),
                         key=lambda t: t.archive_timestamp, reverse=True)
        return {"threads": [t.to_json() for t in threads],
                "members": [t.member_json(bot) for t in threads if bot in t.member_ids],
                "has_more": False}

    def list_members(self, thread_id: str) -> list[dict]:
        thread = self.thread(thread_id)
        return [thread.member_json(uid) for uid in thread.member_ids]

    def active(self, guild_id: str) -> dict:
        """GET /guilds/{id}/threads/active: the threads the bot can access, ordered by id
        descending, with a member object for each one the bot joined (DOCS/guild "List Active
        Guild Threads"; topics/threads.mdx: "all active threads in a guild that the current
        user can access")."""
        guild = self.state.bot_guild(guild_id)
        bot = self.state.bot.id
        threads = sorted((t for t in self.threads.values()
                          if t.guild_id == guild.id and t.parent_id in self.state.channels
                          and not t.archived and self.sees(t, bot)),
                         key=lambda t: int(t.id), reverse=True)
        return {"threads": [t.to_json() for t in threads],
                "members": [t.member_json(bot) for t in threads if bot in t.member_ids],
                # The OpenAPI description's ThreadsResponse requires it; all of them fit in one answer.
                "has_more": False}

