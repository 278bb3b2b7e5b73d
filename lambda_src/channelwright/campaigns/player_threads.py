"""Each player's private thread in a campaign's `per-player` channels, following the roster.

A player who joins (or is added) gets, in every per-player channel, a private thread named after
them (developers/resources/channel.mdx "Start Thread without Message", type 12), and is added to
it ("Add Thread Member"). Threads are users' spaces, not roles': the GMs see every thread through
the Manage Threads their role holds in the channel (topics/threads.mdx "Permissions": a private
thread is seen by its members "or a moderator (`MANAGE_THREADS` permission)"; access.py). A player
who leaves (or is removed) is taken out of their thread ("Remove Thread Member", allowed to the
thread's creator, the bot); the thread stays, its history the GMs'. A player who comes back is
added to the same thread again, unarchived first if Discord archived it meanwhile; one whose thread
was deleted by hand gets a new one. Players already in the campaign when a per-player channel is
made (again) get theirs through catch_up.

Exactly one thread per player and channel: the thread's record key (`thread_key`) is marked
pending before the create is sent and the thread's id recorded after, as the builder does for
channels. A create whose reply was lost (OutcomeUnknown), or a pending mark found by a later
delivery, is resolved by reading the guild's active threads ("List Active Guild Threads"): the
bot's own thread under that channel, made after the mark and owned by no record, is the one (of
the player's name if several; whatever its name when it is the only one and no other player's
thread there is pending, as the player may have been renamed between two deliveries); only when
there is none is the create sent (again).
"""

import time

from channelwright.campaigns.plan import CHANNEL, PER_PLAYER, Step
from channelwright.discord.errors import DiscordRejected, JsonErrorCode, OutcomeUnknown
from channelwright.discord.snowflake import created_ms
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal

THREAD_PREFIX = "thread:"
# A thread's snowflake and our pending mark come from two clocks: allow this much skew (ms).
CLOCK_SKEW_MS = 5_000
NAME_LIMIT = 100  # "Start Thread without Message": name "1-100 character"


def thread_key(step_key: str, user_id: str) -> str:
    """The record's key for `user_id`'s thread in the channel of plan step `step_key`."""
    return f"{THREAD_PREFIX}{step_key}:{user_id}"


def per_player_channels(campaign) -> list[tuple[str, str]]:
    """(step key, channel id) of each per-player channel the campaign has recorded."""
    steps = [Step.from_dict(s) for s in campaign.plan]
    return [(s.key, str(campaign.resources[s.key]["id"])) for s in steps
            if s.kind == CHANNEL and s.access == PER_PLAYER and campaign.resources.get(s.key, {}).get("id")]


def threads_text(campaign, step_key: str) -> str:
    """How many player threads the record holds in the step's channel, in words ("2 player
    threads")."""
    prefix = f"{THREAD_PREFIX}{step_key}:"
    count = sum(1 for key, made in campaign.resources.items() if key.startswith(prefix) and made.get("id"))
    return f"{count} player thread{'' if count == 1 else 's'}"


def with_threads(campaign) -> set[str]:
    """The step keys of the per-player channels some recorded thread sits in."""
    return {key[len(THREAD_PREFIX):].rsplit(":", 1)[0] for key, made in campaign.resources.items()
            if key.startswith(THREAD_PREFIX) and made.get("id")}


def without_thread(deps, campaign, present: set[str]) -> list[tuple[str, str, str]]:
    """(step key, channel id, user id) of each recorded player, in each per-player channel among
    the `present` channel ids, who has no thread recorded, whose thread was deleted (10003
    Unknown Channel), or who is not a member of it (Get Thread Member's 404 10007, developers/
    resources/channel.mdx). A player who left the campaign is no one's concern: their thread
    stays the GMs'."""
    players = sorted(set(campaign.players) - set(campaign.gms))
    return [(step_key, channel_id, user) for step_key, channel_id in per_player_channels(campaign)
            if channel_id in present for user in players
            if not _in_thread(deps, campaign.resources.get(thread_key(step_key, user), {}).get("id"), user)]


def _in_thread(deps, thread_id, user_id: str) -> bool:
    if not thread_id:
        return False
    try:
        deps.api.get_thread_member(str(thread_id), user_id)
    except DiscordRejected as error:
        if error.code in (JsonErrorCode.UNKNOWN_MEMBER, JsonErrorCode.UNKNOWN_CHANNEL):
            return False
        raise
    return True


def follow(deps, campaign, user_id: str, *, adding: bool) -> None:
    """Give `user_id` their thread in every per-player channel (`adding`; not to a GM, who sees
    them all), or take them out of it. DiscordError as Discord answered; a lost create reply
    that the threads don't explain, or another delivery making the same thread right now, stays
    OutcomeUnknown (the task is retried, and the pending mark is read then). A per-player
    channel deleted by hand is passed over: /campaign-doctor makes it again, and its threads
    with it (catch_up). The record is read afresh: a thread recorded since `campaign` was read
    must not be made again."""
    campaign = deps.store.get(campaign.guild_id, campaign.key) or campaign
    if adding and user_id in campaign.gms:
        return  # a GM who plays sees every thread already (as catch_up and the doctor, none)
    for step_key, channel_id in per_player_channels(campaign):
        key = thread_key(step_key, user_id)
        if adding:
            _give(deps, campaign, channel_id, key, user_id)
        elif campaign.resources.get(key, {}).get("id"):
            _remove(deps, str(campaign.resources[key]["id"]), user_id)


def give(deps, campaign, user_id: str) -> None:
    """follow(adding=True) for a player a roster change just seated: Discord refusing their
    thread (an overwrite of the channel edited by hand, say) doesn't undo the seat, and is a
    Refusal saying so and how the doctor mends it. 404 10007 (they left the server) stays
    DiscordRejected, for the caller to word."""
    try:
        follow(deps, campaign, user_id, adding=True)
    except DiscordRejected as error:
        if error.code == JsonErrorCode.UNKNOWN_MEMBER:
            raise
        name = md(campaign.name)
        raise Refusal(Problem(
            f"<@{user_id}> is a player in “{name}” now, but has no private thread yet.",
            f"Discord refused to let me make or open it in the per-player channel (HTTP "
            f"{error.status}, code {error.code}): my permissions there were likely changed by hand.",
            f"Run `/campaign-doctor` on “{name}”: it shows what is in the way, and its fix gives "
            "them their thread.")) from error


def catch_up(deps, campaign) -> None:
    """Every recorded player into their thread: after a per-player channel came into being with
    players already in the campaign (a build step made it again, an unarchive); a recorded player
    who left the server is passed over."""
    campaign = deps.store.get(campaign.guild_id, campaign.key) or campaign
    if per_player_channels(campaign):
        for user_id in sorted(set(campaign.players) - set(campaign.gms)):
            try:
                follow(deps, campaign, user_id, adding=True)
            except DiscordRejected as error:
                # 404 10007 Unknown Member (developers/topics/opcodes-and-status-codes.mdx): they
                # left the server; the roster's sweep and the doctor's DEPARTED drop them.
                if error.code != JsonErrorCode.UNKNOWN_MEMBER:
                    raise


def after_made(deps, campaign, created) -> None:
    """catch_up when the plan steps `created` (those a build step just made) include a
    per-player channel."""
    if any(s.kind == CHANNEL and s.access == PER_PLAYER for s in created):
        catch_up(deps, campaign)


def _give(deps, campaign, channel_id: str, key: str, user_id: str) -> None:
    """The player into their recorded thread; one deleted by hand (10003 Unknown Channel) is
    forgotten and made again, so the record never points at nothing."""
    recorded = campaign.resources.get(key, {}).get("id")
    if recorded:
        try:
            _while_active(deps, str(recorded), lambda: deps.api.add_thread_member(str(recorded), user_id))
            return
        except DiscordRejected as error:
            if error.code != JsonErrorCode.UNKNOWN_CHANNEL:
                raise
        deps.store.forget(campaign, [key])
        campaign = deps.store.get(campaign.guild_id, campaign.key) or campaign
    try:
        thread = _thread_id(deps, campaign, channel_id, key, _player_name(deps, campaign, user_id))
    except DiscordRejected as error:
        if error.code == JsonErrorCode.UNKNOWN_CHANNEL:
            return  # the channel itself is gone (see follow)
        raise
    _while_active(deps, thread, lambda: deps.api.add_thread_member(thread, user_id))


def _while_active(deps, thread_id: str, act) -> None:
    """`act` (Add or Remove Thread Member), which Discord refuses on an archived thread (400
    50083, developers/resources/channel.mdx "Add Thread Member": "Also requires the thread is
    not archived"); Discord archives threads left idle (topics/threads.mdx "Thread Archiving").
    Then the thread is unarchived first, which its creator may do (topics/threads.mdx
    "Permissions"; resources/channel.mdx "Modify Channel", JSON Params (Thread))."""
    try:
        act()
    except DiscordRejected as error:
        if error.code != JsonErrorCode.ARCHIVED_THREAD:
            raise
        deps.api.modify_channel(thread_id, {"archived": False},
                                reason="Channelwright: a player's thread, to change who is in it")
        act()


def _remove(deps, thread_id: str, user_id: str) -> None:
    """Remove Thread Member (the thread unarchived if need be); someone no longer in it (10007
    Unknown Member) or a thread deleted by hand (10003 Unknown Channel) is already what we want."""
    try:
        _while_active(deps, thread_id, lambda: deps.api.remove_thread_member(thread_id, user_id))
    except DiscordRejected as error:
        if error.code not in (JsonErrorCode.UNKNOWN_MEMBER, JsonErrorCode.UNKNOWN_CHANNEL):
            raise


def _player_name(deps, campaign, user_id: str) -> str:
    """The name the thread takes: the member's server nickname, else their display name, else
    their username (developers/resources/guild.mdx "Guild Member Object", user.mdx "User
    Object"), cut to Discord's 100 characters."""
    member = deps.api.get_member(campaign.guild_id, user_id)
    user = member.get("user") or {}
    name = member.get("nick") or user.get("global_name") or user.get("username") or user_id
    return str(name)[:NAME_LIMIT]


def _thread_id(deps, campaign, channel_id: str, key: str, name: str) -> str:
    """The id of the player's new thread: found after a pending mark, or created now. The mark
    is claimed conditionally (store.claim_pending): a delivery that loses the claim to another
    one reconciles, and if the other's thread isn't there yet, raises OutcomeUnknown."""
    since = campaign.pending.get(key)
    found = _find(deps, campaign, channel_id, key, name, since) if since is not None else None
    if found is None and since is None:
        since = int(time.time() * 1000)
        if not deps.store.claim_pending(campaign, key, since):
            return _after_lost_claim(deps, campaign, channel_id, key, name)
    if found is None:
        try:
            reason = f"Channelwright: a private thread for a player of “{campaign.name}”"
            found = str(deps.api.start_private_thread(channel_id, name, reason=reason)["id"])
        except OutcomeUnknown:
            found = _find(deps, campaign, channel_id, key, name, since)
            if found is None:
                raise
    deps.store.record(campaign, {key: {"id": found, "name": name, "parent_id": channel_id}})
    return found


def _after_lost_claim(deps, campaign, channel_id: str, key: str, name: str) -> str:
    """Another delivery marked (or recorded) the thread first: its thread if recorded or made."""
    campaign = deps.store.get(campaign.guild_id, campaign.key) or campaign
    recorded = campaign.resources.get(key, {}).get("id")
    if recorded:
        return str(recorded)
    since = campaign.pending.get(key)
    found = _find(deps, campaign, channel_id, key, name, since) if since is not None else None
    if found is None:
        raise OutcomeUnknown(f"another delivery is making thread {key!r}")
    deps.store.record(campaign, {key: {"id": found, "name": name, "parent_id": channel_id}})
    return found


def _find(deps, campaign, channel_id: str, key: str, name: str, since_ms: int) -> str | None:
    """The thread of `key` whose create's reply was lost: the bot's thread under `channel_id`,
    made since `since_ms` and recorded for no one; the oldest if the create landed twice. Active
    threads and, as Discord archives idle ones (topics/threads.mdx "Thread Archiving"), the
    channel's archived private threads where the bot may list them. One named `name` is it; else,
    as the player may have been renamed since that create, the one there is, unless another
    player's thread in this channel is pending too (then it may be theirs, and none is taken)."""
    listed = [t for t in deps.api.active_threads(campaign.guild_id) + _archived(deps, channel_id)
              if str(t.get("parent_id")) == channel_id and str(t.get("owner_id")) == deps.bot_user_id()
              and created_ms(str(t["id"])) >= since_ms - CLOCK_SKEW_MS]
    # Read after listing: every thread listed was marked pending (claim_pending) before its create.
    campaign = deps.store.get(campaign.guild_id, campaign.key) or campaign
    owned = {str(r.get("id")) for r in campaign.resources.values()}
    unowned = [t for t in listed if str(t["id"]) not in owned]
    named = [t for t in unowned if t.get("name") == name]
    channel_prefix = key.rsplit(":", 1)[0] + ":"
    others_pending = any(k != key and k.startswith(channel_prefix) for k in campaign.pending)
    mine = named or ([] if others_pending else unowned)
    return str(min(mine, key=lambda t: int(t["id"]))["id"]) if mine else None


def _archived(deps, channel_id: str) -> list[dict]:
    """List Private Archived Threads needs Read Message History and Manage Threads
    (developers/resources/channel.mdx): without them, none (a thread archived within the
    retry's minutes is unlikely: the shortest auto_archive_duration is 60)."""
    try:
        return deps.api.archived_private_threads(channel_id)
    except DiscordRejected as error:
        if error.code in (JsonErrorCode.MISSING_PERMISSIONS, JsonErrorCode.MISSING_ACCESS):
            return []
        raise
