"""Carrying out a campaign's plan against Discord, each step idempotent.

Every Discord id is recorded in the campaign store as soon as it exists, with the name Discord
gave it (Discord rewrites text channel names; the product never predicts how). Before a create is
sent, a "pending" mark is stored; if the reply is lost, the server's current roles/channels are
read and what identifies the bot's own create for that step (reconcile.py) is adopted rather than
created again. The complete step re-reads the server, re-creates whatever someone deleted
mid-build (asking by id first: a channel missing from the list may only be hidden from the bot,
channel_presence.py) and repairs channels whose category or roles changed under them.

A batch's steps go concurrently where nothing orders them (run_steps): the first role alone, the
second beside the category (private to me alone until both roles exist, then given their
overwrites), every channel at once beside giving the GM role. Each create is reconciled on its own
if its reply is lost; DiscordRest keeps the concurrent requests within what each bucket announces.

Before the first create, the build checks what needs the server's roles (and so can't be checked
on the request path): that the requester may add a campaign (Manage Channels from their roles, or
owning the server; a run resuming one may also be its GM's, who holds its GM role), and that my
server-level permissions let me make it as private as its summary says. Every overwrite is bounded
by those server-level permissions, never by `app_permissions`.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, replace
from typing import NoReturn

from channelwright.campaigns import access, capacity, reconcile
from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, MANAGERS, Caller, Standing, refusal
from channelwright.campaigns.buttons import undo_buttons
from channelwright.campaigns.capacity import MAX_GUILD_CHANNELS, MAX_GUILD_ROLES  # Discord's, with sources
from channelwright.campaigns.channel_presence import may_miss_hidden, survey
from channelwright.campaigns.guild_snapshot import GuildSnapshot
from channelwright.campaigns.outcome import campaign_channels, deliver
from channelwright.campaigns.plan import (
    ASSIGN_GM,
    CATEGORY,
    CHANNEL,
    CHANNEL_TYPES,
    COMPLETE,
    GM_ROLE_KEY,
    PARTY,
    PLAYERS_ROLE_KEY,
    ROLE,
    SPECTATORS_ROLE_KEY,
    Step,
    type_name,
)
from channelwright.campaigns.progress import ProgressMessage, progress_text, token_expired
from channelwright.campaigns.store import BUILDING, COMPLETED, QUEUED, Campaign, CampaignStore, idle_span
from channelwright.campaigns.summary import summary_text
from channelwright.discord import permissions as p
from channelwright.discord.api import DiscordApi
from channelwright.discord.bot_user import BotUserId
from channelwright.discord.errors import DiscordRejected, DiscordUnavailable, JsonErrorCode, OutcomeUnknown
from channelwright.discord.snowflake import created_ms
from channelwright.discord.types import ChannelType
from channelwright.text.problems import Problem

# Requests one batch sends at once at most; each still waits for room in its bucket (rest.py).
MAX_IN_FLIGHT = 10


class BuildStopped(Exception):
    """A condition no retry can fix; the user is told the Problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.what)
        self.problem = problem


class OutOfRoom(BuildStopped):
    """Discord refused a create: the server's channel (30013) or role (30005) limit is met."""

    def __init__(self, problem: Problem, code: int):
        super().__init__(problem)
        self.code = code


class BuildRefused(BuildStopped):
    """The requester may not add a campaign: nothing was built, and only they are told."""


class CampaignBuild:
    def __init__(self, campaign: Campaign, *, api: DiscordApi, store: CampaignStore,
                 application_id: str, bot_user_id: BotUserId,
                 now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
                 guild: GuildSnapshot | None = None):
        self.campaign = campaign
        # The server as the worker read it to clear a re-run's caller (rerun.py): the check before
        # building then judges the requester from that same reading.
        self._snapshot = guild
        self.api, self.store = api, store
        self.steps = [Step.from_dict(s) for s in campaign.plan]
        self.resources = dict(campaign.resources)
        self.pending = dict(campaign.pending)
        self.status = campaign.status
        # Server-level; None until known (a record made before they were computed has "").
        self.bot_permissions = p.parse(campaign.bot_permissions) if campaign.bot_permissions else None
        self.everyone_permissions = 0  # @everyone's, as last read by refresh()
        self._everyone: int | None = None  # @everyone's, if this invocation ran the check
        self._reserved: set[str] = set()  # pending marks written by this invocation
        self._unsaved: dict[str, dict] = {}  # created ids not yet written to the store
        self._left_alone: dict[str, list[dict]] = {}  # step key -> look-alikes not made by us
        self.hidden: set[str] = set()  # recorded channel ids the bot can no longer view
        self._visible_channels: int | None = None  # what the room check counted
        # The server's counts once this build's creates are in (the room check's plus what it
        # was about to create), which the summary states and /list-campaigns shows.
        self._counts_after: capacity.Counts | None = None
        self._bot_user = bot_user_id
        self._lock = threading.RLock()  # the maps above, written from several sending threads
        # One thread at a time rebuilds what was deleted (re-entered if more goes missing meanwhile).
        self._recovering = threading.RLock()
        self._made_here: set[str] = set()  # step keys created or adopted by this invocation
        self._drift = False  # whether anything this invocation saw suggests the server changed
        self.failed_step: int | None = None  # the earliest step of run_steps that failed
        self.created_now: list[Step] = []  # what the last run_steps created, even if it failed
        self.deferred_failures: dict[int, Exception] = {}  # step -> its error, for its own task
        self._reading: Future[tuple] | None = None  # _read_server(), if run_steps started it
        self._listings: dict[str, Future[list]] = {}  # "roles"/"channels": _earlier_listing()
        self._heard = False  # whether a step or the check succeeded in this invocation
        self._category_unfinished = False  # made before the roles: their overwrites still to add
        self._now_ms = now_ms
        self._guild = campaign.guild_id
        self.reason = f"Channelwright: campaign “{campaign.name}” requested by {campaign.requested_by_name}"
        self.progress = ProgressMessage(
            api, application_id, campaign.interaction_token,
            expired=campaign.message_expired or token_expired(campaign.interaction_id, now_ms()),
            on_expired=lambda: store.mark_message_expired(campaign))

    # -- running steps ---------------------------------------------------------------------

    def reserve(self, indices: list[int]) -> None:
        """Mark the pending creates of these steps in one write, before any is sent.

        A step already pending from an earlier invocation keeps its older mark: its create may
        have been sent then, and reconciling must look back that far.
        """
        keys = sorted({self.steps[i].key for i in indices if self.steps[i].creates}
                      - set(self.resources) - set(self.pending))
        if keys:
            now = self._now_ms()
            self.store.mark_pending(self.campaign, keys, now)
            self.pending.update(dict.fromkeys(keys, now))
            self._reserved.update(keys)

    def resume(self) -> None:
        """Go on with a failed build (an operator redrove its task): the span it sat failed is
        noted as idle first, so nothing made meanwhile is taken for one of my creates."""
        span = idle_span(self.campaign, self._now_ms())
        if span:
            self.store.add_idle(self.campaign, span)
            self.campaign = replace(self.campaign, idle=[*self.campaign.idle, span])
        self.set_status(BUILDING)

    def run_steps(self, indices, *, own: int | None = None,
                  may_start: Callable[[], bool] | None = None) -> list[Step]:
        """Carry out these steps (plan indices), concurrently where nothing orders them (_rank):
        the first role, the second beside the category, then the GM role given beside every
        channel, then the final check. Returns the steps that created something just now. On
        failure the other steps of that rank still finish (what they made is recorded), later
        steps run only if what they need exists (giving the GM role needs only that role),
        `failed_step` names the earliest failed step, and its error is raised.

        `may_start`: asked before each rank that holds no `own` step; once it says no (the
        invocation's time is short), no further rank starts and the steps left stay undone,
        their pending marks kept for whoever runs them next."""
        indices = list(indices)
        self.failed_step = indices[0] if indices else None
        if indices and self.status == QUEUED:
            self._check_before_building()
            self.set_status(BUILDING)
            self._heard = True
        created: list[Step] = []
        self.created_now = created
        failure: tuple[int, BaseException] | None = None
        with ThreadPoolExecutor(MAX_IN_FLIGHT, thread_name_prefix="build") as pool:
            if any(self.steps[i].kind == COMPLETE for i in indices) and self._recorded_before():
                # The final check's reading, taken while this batch's creates are in flight: it
                # judges only what earlier invocations recorded, which these creates don't touch.
                self._reading = pool.submit(self._read_server)
            ranks = {i: self._rank(self.steps[i]) for i in indices}
            for rank in sorted(set(ranks.values())):
                wave = [i for i in indices if ranks[i] == rank
                        and (failure is None or self._can_go_on(self.steps[i]))]
                if may_start is not None and own not in wave and wave and not may_start():
                    break
                for index, (step, error) in self._run_wave(pool, wave):
                    if error is not None and (failure is None or index < failure[0]):
                        failure = (index, error)
                    if step is not None:
                        created.append(step)
        if failure is not None:
            self._fail(*failure)
        if self._category_ready():
            self._finish_category()
        return created

    def _fail(self, index: int, error: BaseException) -> NoReturn:
        """Name the earliest failed step (`failed_step`) and raise its error."""
        self.failed_step = index
        if isinstance(error, OutOfRoom):  # counted again once the creates beside it are done
            error.problem = self._out_of_room(error.code)
        raise error

    def _run_wave(self, pool: ThreadPoolExecutor,
                  wave: list[int]) -> list[tuple[int, tuple[Step | None, BaseException | None]]]:
        """One rank's steps side by side, each as (step index, (what it created, its error)), in
        the wave's order; shorter than the wave when its first step, sent alone, failed (the rest
        never ran). The category's overwrites go beside the wave once both roles exist, but never
        beside the final check (which adds them first itself), so the summary never comes before
        them; a failure there is the category step's."""
        finishing = (pool.submit(_outcome, lambda _: self._finish_category(), self._category_index())
                     if self._category_ready() and not any(self.steps[i].kind == COMPLETE for i in wave)
                     else None)
        outcomes: list[tuple[Step | None, BaseException | None]] = []
        if wave and not self._heard and len(wave) > 1:
            # Nothing in this invocation has shown Discord takes my requests here (I may
            # have been removed, and a refusal is never worth repeating): one goes first.
            outcomes.append(_outcome(self.run_step, wave[0]))
        if not (outcomes and outcomes[0][1]):
            outcomes += pool.map(lambda i: _outcome(self.run_step, i), wave[len(outcomes):])
        done = list(zip(wave, outcomes, strict=False))
        if finishing is not None:
            done.append((self._category_index(), finishing.result()))
        return done

    def _rank(self, step: Step) -> int:
        """When a step can go: a step waits for every lower rank. The first role goes alone (a
        refusal there stops the build before anything else exists; on a new server it learns
        the bucket the second role then uses); the category goes beside the second role, private
        to me alone until both roles exist (_step_overwrites), unless a create of it may have been
        sent by an earlier invocation: recognising that one needs the roles' ids."""
        if step.kind == CATEGORY and step.key in self.pending and step.key not in self._reserved:
            return 2
        if step.kind == ROLE:
            return 0 if step.key == PLAYERS_ROLE_KEY else 1
        return {CATEGORY: 1, ASSIGN_GM: 3, CHANNEL: 3, COMPLETE: 4}[step.kind]

    def _can_go_on(self, step: Step) -> bool:
        """After a failure: giving the GM role still may, if that role exists; nothing else."""
        return step.kind == ASSIGN_GM and GM_ROLE_KEY in self.resources

    def _category_ready(self) -> bool:
        return self._category_unfinished and all(k in self.resources for k in (PLAYERS_ROLE_KEY, GM_ROLE_KEY))

    def _finish_category(self) -> None:
        """Give the category made before the roles its full overwrites (one Modify Channel); a
        role deleted meanwhile is made again first (a category made again has them already)."""
        self._category_unfinished = False
        category = self.steps[self._category_index()]

        def finish() -> bool:
            if not self._ensure(category):  # one made again now has the roles' overwrites
                self._repair(self.resources["category"]["id"],
                             {"permission_overwrites": self._overwrites(PARTY)})
            return False

        self._despite_deletions(category, finish)

    def _category_index(self) -> int:
        return next(i for i, s in enumerate(self.steps) if s.kind == CATEGORY)

    def run_step(self, index: int) -> Step | None:
        """Carry out one step; returns it if it created something just now."""
        step = self.steps[index]
        if step.kind == COMPLETE:
            self._complete()
            return None
        created = self._ensure(step)
        self._heard = True
        if created:
            with self._lock:  # counted and shown in one go, so a count shown never steps back
                self.progress.show(self._progress(step))
            return step
        return None

    def _ensure(self, step: Step) -> bool:
        """Make the step's resource exist; True if something was created just now."""
        if step.kind != ASSIGN_GM and step.key in self.resources:
            return False
        return self._despite_deletions(step, lambda: self._make(step))

    def _make(self, step: Step) -> bool:
        if step.kind == ASSIGN_GM:
            return self._assign_gm(step)
        self._create(step)
        return True

    def _despite_deletions(self, step: Step, act: Callable[[], bool]) -> bool:
        """`act` (a request naming the roles or the category); if Discord says one of them was
        deleted since we recorded it, rebuild what `step` needs and act again."""
        with self._recovering:  # not while another step is rebuilding them
            needed = self._dependency_ids()
        try:
            return act()
        except DiscordRejected as error:
            if not self._refers_to_missing(error):
                raise
        # Rebuilt once for all the steps that found it gone (the first to get here does it).
        self._drift = True
        with self._recovering:
            if self._dependency_ids() == needed:
                self.refresh()
                for earlier in self.steps[:self.steps.index(step)]:
                    if earlier.kind != CHANNEL:  # channels in flight beside this one stay theirs
                        self._ensure(earlier)
        return act()

    def _dependency_ids(self) -> tuple:
        """The ids a create names (both roles, the category), as recorded now."""
        return tuple(self.resources.get(k, {}).get("id")
                     for k in (PLAYERS_ROLE_KEY, GM_ROLE_KEY, "category"))

    def _create(self, step: Step) -> None:
        if step.key not in self.pending:
            self.reserve([self.steps.index(step)])
        elif step.key not in self._reserved and self._reconcile(step, self._earlier_listing(step)):
            return  # an earlier invocation's create did happen
        for _ in range(3):
            mask = self.bot_permissions  # what this try's overwrites are bounded by
            try:
                self._record(step, self._send_create(step))
                return
            except OutcomeUnknown:
                self._drift = True
                if self._reconcile(step):
                    return
            except DiscordRejected as error:
                if error.code in (JsonErrorCode.MAX_GUILD_CHANNELS, JsonErrorCode.MAX_GUILD_ROLES):
                    raise OutOfRoom(self._out_of_room(error.code), error.code) from error
                if (error.code == JsonErrorCode.MISSING_PERMISSIONS and step.kind != ROLE
                        and self._permissions_shrank(mask)):
                    continue  # the overwrites are built afresh from what I hold now
                raise
        raise DiscordUnavailable(f"Discord never confirmed creating {step.name}")

    def _send_create(self, step: Step) -> dict:
        if step.kind == ROLE:
            role = self.api.create_role(self._guild, {"name": step.name, "permissions": "0",
                                                      "mentionable": False, "hoist": False},
                                        reason=self.reason)
            return {"id": role["id"], "name": role.get("name", step.name)}
        overwrites = self._step_overwrites(step)
        body = {"name": step.name, "type": CHANNEL_TYPES[step.channel_type],
                "permission_overwrites": overwrites}
        if step.kind == CHANNEL:
            body["parent_id"] = self.resources["category"]["id"]
            # Its place in the template, so a channel re-created later sorts where it was
            # (DOCS/guild "Create Guild Channel": position; equal positions sort by id).
            body["position"] = self._position(step)
        try:
            channel = self.api.create_channel(self._guild, body, reason=self.reason)
        except DiscordRejected as error:
            if error.code != JsonErrorCode.INVALID_CHANNEL_TYPE or body["type"] == ChannelType.GUILD_TEXT:
                raise
            # Some servers can't have forums (developers/topics/opcodes-and-status-codes.mdx, 50024).
            channel = self.api.create_channel(self._guild, {**body, "type": ChannelType.GUILD_TEXT},
                                              reason=self.reason)
        if step.kind == CATEGORY and overwrites == self._private_overwrites():
            self._category_unfinished = True
        return _channel_resource(channel)

    def _assign_gm(self, step: Step) -> bool:
        gm_role = self.resources[GM_ROLE_KEY]["id"]
        if self.resources.get(step.key, {}).get("role") == gm_role:
            return False
        user = self.campaign.requested_by
        try:
            self.api.add_member_role(self._guild, user, gm_role, reason=self.reason)
            self._record(step, {"role": gm_role, "user": user})
        except DiscordRejected as error:
            if error.code != JsonErrorCode.UNKNOWN_MEMBER:
                raise
            self._record(step, {"role": gm_role, "skipped": "the requester has left the server"})
        return False

    def _record(self, step: Step, resource: dict) -> None:
        # Kept in memory and saved in one write by flush(): should this invocation die first,
        # the step's pending mark makes the next attempt find (reconcile) what was created.
        if self._left_alone.get(step.key):
            resource = {**resource, "left_alone": self._left_alone[step.key]}
        with self._lock:
            self._unsaved[step.key] = resource
            self.resources[step.key] = resource
            self.pending.pop(step.key, None)
            self._made_here.add(step.key)

    def flush(self) -> None:
        """Save the ids created since the last flush (before status changes and at the end); if
        the write fails they stay unsaved, for the batch's last flush to try again."""
        with self._lock:
            self.store.record(self.campaign, self._unsaved)
            self._unsaved = {}

    def set_status(self, status: str, failure: dict | None = None) -> None:
        self.flush()
        self.store.set_status(self.campaign, status, failure=failure)
        self.status = status

    # -- knowing what the server has -------------------------------------------------------

    def _reconcile(self, step: Step, listing: list[dict] | None = None) -> bool:
        """Adopt what a create with a lost reply made; delete provable twins, note look-alikes.

        True if adopted. The rules are reconcile.py's; this reads the server (unless given
        `listing`, its roles or channels as read after the create) and acts on them.
        """
        if listing is None:
            listing = self._list(step)
        category = self.resources.get("category", {}).get("id")
        findings = reconcile.find(
            step, listing, since_ms=self.pending[step.key], owned=self._owned_ids(),
            category_id=category, overwrites=[] if step.kind == ROLE else (
                self._private_overwrites() if step.kind == CATEGORY else self._overwrites(step.access)),
            other_overwrites=self._overwrites(PARTY) if step.kind == CATEGORY and self._roles_known() else (),
            idle=self.campaign.idle)
        for twin in findings.twins:
            self._delete_twin(step, twin)
        self._note_left_alone(step, findings.left_alone)
        if findings.adopt is None:
            return False
        keep = findings.adopt
        if step.kind == CATEGORY:
            self._category_unfinished = True  # it may have been made before the roles
        self._record(step, {"id": keep["id"], "name": keep.get("name", step.name)} if step.kind == ROLE
                     else _channel_resource(keep))
        return True

    def _list(self, step: Step) -> list[dict]:
        """The server's roles (for a role step) or channels."""
        if step.kind == ROLE:
            return self.api.guild_roles(self._guild)
        return self.api.guild_channels(self._guild)

    def _earlier_listing(self, step: Step) -> list[dict]:
        """The roles or channels as read once by this invocation, for every step an earlier one
        left pending: any create it sent happened before this invocation began, so one reading
        shows them all (steps running side by side wait for the first one's). A failed reading is
        forgotten, for a later step to try again."""
        kind = "roles" if step.kind == ROLE else "channels"
        with self._lock:
            known = self._listings.get(kind)
            first = known is None
            reading = self._listings[kind] = Future() if known is None else known
        if first:
            try:
                reading.set_result(self._list(step))
            except Exception as error:
                with self._lock:
                    del self._listings[kind]
                reading.set_exception(error)
        return reading.result()

    def _owned_ids(self) -> set[str]:
        """Ids any campaign of this server holds, this one's unsaved ids included."""
        campaigns = self.store.campaigns(self.campaign.guild_id)
        with self._lock:
            mine = dict(self.resources)
        return reconcile.owned_ids([c.resources for c in campaigns] + [mine])

    def _delete_twin(self, step: Step, twin: dict) -> None:
        try:
            if step.kind == ROLE:
                self.api.delete_role(self._guild, twin["id"], reason=self.reason)
            else:
                self.api.delete_channel(twin["id"], reason=self.reason)
        except DiscordRejected as error:
            if error.status != 404:  # 404: already gone, which is what we wanted
                raise

    def _note_left_alone(self, step: Step, items: list[dict]) -> None:
        """Remember look-alikes for the summary; they are never adopted or deleted."""
        noted = self._left_alone.setdefault(step.key, [])
        for item in items:
            if all(n["id"] != item["id"] for n in noted):
                kind = "role" if step.kind == ROLE else type_name(item.get("type"), "channel")
                noted.append({"id": item["id"], "name": item.get("name", ""), "kind": kind})

    def _read_server(self) -> tuple:
        """(the step keys recorded now, their channels' Presence, the role list), read side by
        side: only what was recorded before the reading began can be judged by it."""
        with self._lock:
            known = set(self.resources)
        recorded = [self.resources[s.key]["id"] for s in self.steps
                    if s.kind in (CATEGORY, CHANNEL) and s.key in known]
        with ThreadPoolExecutor(2) as pool:
            roles = pool.submit(self.api.guild_roles, self._guild)
            return known, survey(self.api, self.campaign.guild_id, recorded), roles.result()

    def _recorded_before(self) -> bool:
        """Whether earlier invocations recorded anything that may have changed since."""
        with self._lock:
            return any(k not in self._made_here for k in self.resources)

    def _needs_reread(self) -> bool:
        """Whether the final check must read the server: something this invocation saw suggests
        it changed (a lost reply, a create naming something deleted), or an earlier invocation
        recorded things that may have changed since. What this one created, Discord just made as
        asked."""
        made = {s.key for s in self.steps if s.kind != COMPLETE}
        return self._drift or self._everyone is None or not made <= self._made_here

    def refresh(self, reading: tuple | None = None) -> dict[str, dict]:
        """Read the server (or use `reading`, a _read_server() result); forget recorded ids that
        no longer exist. Returns visible channels by id.

        A recorded channel missing from the list is asked for by id: hidden from the bot, it is
        kept (and noted in `hidden`), never re-created; only a deleted one is forgotten.
        """
        known, presence, role_list = reading or self._read_server()
        self.hidden = presence.hidden
        roles = {r["id"] for r in role_list}
        self.everyone_permissions = next((p.parse(r.get("permissions")) for r in role_list
                                          if r["id"] == self.campaign.guild_id), 0)
        gone = [s.key for s in self.steps
                if s.key in known and s.key in self.resources and s.kind != ASSIGN_GM
                and (self.resources[s.key]["id"] not in roles if s.kind == ROLE
                     else self.resources[s.key]["id"] in presence.gone)]
        with self._lock:
            self.flush()
            self.store.forget(self.campaign, gone)
            for key in gone:
                del self.resources[key]
                self._made_here.discard(key)
        return presence.channels

    def _refers_to_missing(self, error: DiscordRejected) -> bool:
        detail = error.detail
        return error.code in (JsonErrorCode.UNKNOWN_CHANNEL, JsonErrorCode.UNKNOWN_ROLE) or (
            error.code == JsonErrorCode.INVALID_FORM_BODY and "MAX_CHANNELS" not in detail
            and ("parent_id" in detail or "permission_overwrites" in detail))

    def _check_before_building(self) -> None:
        """Refuse before anything is created: a requester who may not (a new campaign is for
        server managers; resuming one also for its GMs, who hold its GM role), my missing a
        permission privacy needs (or per-player channels' threads need), or no room. Reads GET
        /guilds/{id} (roles, owner), my member and the channel list."""
        # The reads the checks need, side by side: the server (roles, owner), my member, the channels.
        with ThreadPoolExecutor(3) as pool:
            reading_guild = pool.submit(lambda: self._snapshot or GuildSnapshot.fetch(self.api, self._guild))
            reading_me = pool.submit(self._bot_member)
            reading_listing = pool.submit(self.api.guild_channels, self._guild)
            guild, me, listing = reading_guild.result(), reading_me.result(), reading_listing.result()
        requester = Caller(self.campaign.requested_by, frozenset(self.campaign.requested_by_roles))
        needs = MANAGERS if self.campaign.run_count == 1 else CAMPAIGN_RUNNERS
        if not Standing(self.api, self.campaign.guild_id, requester, guild).allows(needs, self.campaign):
            raise BuildRefused(refusal(needs, campaign_name=self.campaign.name,
                                       doing="add a campaign" if needs == MANAGERS else "resume it"))
        self._everyone = guild.everyone
        problem = access.threads_problem(self._learn_bot_permissions(guild, me),
                                         (s.access for s in self.steps if s.kind == CHANNEL))
        if problem:
            raise BuildStopped(problem)
        self._check_room(guild.role_count, listing)

    def _learn_bot_permissions(self, guild: GuildSnapshot | None = None, me: dict | None = None) -> int:
        """My server-level permissions (my roles' and @everyone's), stored with the campaign so
        later invocations bound overwrites the same way; BuildStopped if they can't keep it private."""
        held = self._read_bot_permissions(guild, me)
        problem = access.privacy_problem(held)
        if problem:
            raise BuildStopped(problem)
        self.bot_permissions = held
        self.store.set_bot_permissions(self.campaign, held)
        return held

    def _read_bot_permissions(self, guild: GuildSnapshot | None = None, me: dict | None = None) -> int:
        guild = guild or GuildSnapshot.fetch(self.api, self.campaign.guild_id)
        me = me or self._bot_member()
        return guild.base_permissions(self._bot_user(), me.get("roles") or [])

    def _bot_member(self) -> dict:
        """My member object. Until my user id is confirmed, it is read with the candidate id
        (bot_user.py), and that answer confirms or refutes it: no GET /users/@me on the way."""
        bot = self._bot_user
        if not bot.confirmed:
            try:
                member = self.api.get_member(self._guild, bot.candidate())
                if bot.confirm(member):
                    return member
            except DiscordRejected as error:
                # 404 10007 Unknown Member, or 10013 Unknown User when no user has that id
                # (developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes").
                if error.status != 404:
                    raise
                bot.refute()
        return self.api.get_member(self._guild, bot())

    def _permissions_shrank(self, mask: int | None) -> bool:
        """After a 403 50013 on a create whose overwrites `mask` bounded: whether an admin took
        permissions from me since I read them (the stored value may be a whole build, or a
        redrive, old; a create beside this one may have found out first). If so, and what privacy
        needs is still held, I adopt the new value; otherwise the refusal has another cause."""
        if mask is not None and self.bot_permissions != mask:
            return True  # already adopted by a create beside this one
        held = self._read_bot_permissions()
        lost = (mask or 0) & ~held
        if not lost or access.privacy_problem(held):
            return False
        self.bot_permissions = held
        self.store.set_bot_permissions(self.campaign, held)
        return True

    def _overwrite_mask(self) -> int:
        """The permissions overwrites may carry, known to include what privacy needs: a stored value
        that doesn't (an old record's, say) is read afresh rather than trusted to hide less."""
        if self.bot_permissions is None or access.privacy_problem(self.bot_permissions):
            return self._learn_bot_permissions()
        return self.bot_permissions

    def _check_room(self, role_count: int, listing: list[dict]) -> None:
        """Keep the server's counts (what /list-campaigns shows) and refuse up front when it
        visibly lacks room (capacity.shortfall). Channels hidden from the bot are not in the list
        it counts (channel_presence.py), so the limit may still be met midway: `_out_of_room`
        then stops the build cleanly."""
        counts = capacity.Counts.read(listing, role_count, self._now_ms())
        self._visible_channels = counts.channels
        self.store.put_server_counts(self.campaign.guild_id, asdict(counts))
        todo = [s for s in self.steps if s.creates and s.key not in self.resources]
        channels, roles = sum(s.kind != ROLE for s in todo), sum(s.kind == ROLE for s in todo)
        problem = capacity.shortfall(counts, channels=channels, roles=roles,
                                     may_miss_hidden=self._may_miss_hidden(), command="/add-campaign")
        if problem:
            raise BuildStopped(problem)
        self._counts_after = replace(counts, channels=counts.channels + channels,
                                     categories=counts.categories + any(s.kind == CATEGORY for s in todo),
                                     roles=counts.roles + roles)

    def _out_of_room(self, code: int) -> Problem:
        """Discord refused a create: the server's channel (30013) or role (30005) limit is met."""
        done, total = self.counts()
        if code == JsonErrorCode.MAX_GUILD_ROLES:
            what, why = "roles", f"This server reached Discord's limit of {MAX_GUILD_ROLES} roles."
        else:
            what = "channels"
            hidden = "channels hidden from me count too, and I can't see them to count them."
            seen = (f"I could see {self._visible_channels} channels when I checked for room, but {hidden}"
                    if self._visible_channels is not None else "C" + hidden[1:])
            why = f"This server reached Discord's limit of {MAX_GUILD_CHANNELS} channels. {seen}"
        return Problem(
            f"This server ran out of room for {what} partway through.",
            f"{why} I made {done} of the campaign's {total} roles and channels before Discord refused more.",
            f"Press **Undo partial build** to remove what I made, or delete unused {what} and run "
            "`/add-campaign` again with the same name to finish it.")

    def _may_miss_hidden(self) -> bool:
        return may_miss_hidden(self.bot_permissions)

    # -- finishing -------------------------------------------------------------------------

    def _complete(self) -> None:
        if self.status == COMPLETED:
            return
        reading, self._reading = self._reading, None
        if self._everyone is not None and not self._needs_reread():
            channels = {}  # everything was made by this invocation just now, as asked
            self.everyone_permissions = self._everyone
        else:
            channels = self.refresh(reading.result() if reading and not self._drift else None)
        for step in self.steps[:-1]:
            self._ensure(step)
        if self._category_ready():
            self._finish_category()
        category = self.resources["category"]["id"]
        for step in self.steps:
            current = channels.get(self.resources.get(step.key, {}).get("id", ""))
            if current is None or step.kind not in (CATEGORY, CHANNEL):
                continue  # created just now (so already right), or hidden from the bot
            repair = {}
            if step.kind == CHANNEL and current.get("parent_id") != category:
                repair["parent_id"] = category
            expected = self._overwrites(step.access)
            if not access.matches(current.get("permission_overwrites", []), expected):
                repair["permission_overwrites"] = expected
            if repair:
                self._repair(current["id"], repair)
        hidden = {s.key for s in self.steps if self.resources.get(s.key, {}).get("id") in self.hidden}
        ungranted = access.ungranted(self._overwrite_mask(), self.everyone_permissions)
        notes = [players_cannot(ungranted)] if ungranted else []
        text = summary_text(self.campaign.name, self.steps, self.resources, hidden=hidden,
                            notes=notes + self._totals())
        self.tell(text, components=undo_buttons(self.campaign, failed=False))
        self.set_status(COMPLETED)

    def _totals(self) -> list[str]:
        """The server's counts against Discord's limits now that the campaign stands, kept for
        /list-campaigns too; none when this invocation didn't count (a resumed build states the
        ones the store kept, which the build that counted them brought up to date)."""
        counts = self._counts_after
        if counts is not None:
            self.store.put_server_counts(self.campaign.guild_id, asdict(counts))
        else:
            kept = self.store.server_counts(self.campaign.guild_id)
            counts = capacity.Counts.from_record(kept) if kept else None
        return [capacity.totals_text(counts)] if counts is not None else []

    def _repair(self, channel_id: str, changes: dict) -> None:
        """Put a channel back as the campaign made it. One the bot can list but not view (a
        category shows through its visible children, channel_presence.py) answers 403 50001:
        an admin hid it from me on purpose, so, like a hidden channel, it is left and reported."""
        try:
            self.api.modify_channel(channel_id, changes, reason=self.reason)
        except DiscordRejected as error:
            if error.code != JsonErrorCode.MISSING_ACCESS:
                raise
            self.hidden.add(channel_id)

    def tell(self, text: str, components: list | None = None) -> bool:
        """The build's final word: the progress message, or where the players will look when
        that message is gone (outcome.py) — never a channel hidden from me."""
        visible = {k: r for k, r in self.resources.items() if r.get("id") not in self.hidden}
        return deliver(self.progress, self.api, text, components=components,
                       channels=campaign_channels(self.steps, visible, self.campaign.channel_id))

    # -- helpers ---------------------------------------------------------------------------

    def _roles_known(self) -> bool:
        return all(k in self.resources for k in (PLAYERS_ROLE_KEY, GM_ROLE_KEY))

    def _step_overwrites(self, step: Step) -> list[dict]:
        """What a create sends: the campaign's overwrites; for a category made before the roles,
        only @everyone's deny and my own allow (private to me until _finish_category)."""
        if step.kind == CATEGORY and not self._roles_known():
            return self._private_overwrites()
        return self._overwrites(step.access)

    def _private_overwrites(self) -> list[dict]:
        """The category's overwrites before the roles exist: @everyone denied, me allowed."""
        return [o for o in self._overwrites(PARTY, players_role="", gm_role="") if o["id"]]

    def _overwrites(self, mode: str, players_role: str | None = None,
                    gm_role: str | None = None) -> list[dict]:
        """The campaign's overwrites for access `mode`, naming its recorded roles unless other
        ids are given."""
        return access.overwrites(
            guild_id=self.campaign.guild_id,
            players_role=self._role_id(PLAYERS_ROLE_KEY) if players_role is None else players_role,
            gm_role=self._role_id(GM_ROLE_KEY) if gm_role is None else gm_role,
            bot_user_id=self._bot_user(), bot_permissions=self._overwrite_mask(), access=mode,
            spectators_role=self._role_id(SPECTATORS_ROLE_KEY))

    def _role_id(self, key: str) -> str:
        """The recorded role's id; "" while it doesn't exist (an overwrite then names no role)."""
        return self.resources.get(key, {}).get("id") or ""

    def seconds_since_request(self) -> float:
        return (self._now_ms() - created_ms(self.campaign.interaction_id)) / 1000

    def counts(self) -> tuple[int, int]:
        creating = [s for s in self.steps if s.creates]
        return sum(s.key in self.resources for s in creating), len(creating)

    def _progress(self, step: Step) -> str:
        done, total = self.counts()
        kind = "Role" if step.kind == ROLE else type_name(
            self.resources[step.key].get("type"), step.channel_type).title()
        name = self.resources[step.key].get("name") or step.name
        return progress_text(self.campaign.name, done, total, f"{name} ({kind})")

    def _position(self, step: Step) -> int:
        """The channel's index in its template: 0 for the first channel of the category."""
        return [s.key for s in self.steps if s.kind == CHANNEL].index(step.key)


def _outcome(run: Callable[[int], Step | None], index: int) -> tuple[Step | None, BaseException | None]:
    try:
        return run(index), None
    except Exception as error:  # handed back to run_steps, which raises the earliest
        return None, error


def _channel_resource(channel: dict) -> dict:
    """What the record keeps of a channel: its id, the type and name Discord gave it."""
    return {"id": channel["id"], "type": channel["type"], "name": channel.get("name", "")}


def players_cannot(labels: list[str]) -> str:
    listed = p.label_list(labels)
    return (f"⚠️ Players can't {listed} in these channels: neither @everyone nor my role has "
            f"{'that permission' if len(labels) == 1 else 'those permissions'}, so I couldn't "
            f"grant {'it' if len(labels) == 1 else 'them'}. Give the Players role {listed} in the "
            "category's permissions (or give them to my role before the next campaign).")
