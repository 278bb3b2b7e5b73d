"""Carrying out a campaign's plan against Discord, each step idempotent.

Every Discord id is recorded in the campaign store as soon as it exists. Before a create is sent,
a "pending" mark is stored; if the reply is lost, the server's current roles/channels are read and
anything made after that mark with the step's name is adopted rather than created again. The
complete step re-reads the server, re-creates whatever someone deleted mid-build and repairs
channels whose category or roles changed under them, so nothing is left dangling.
"""

import re
import time
from collections.abc import Callable

from . import access
from .discord_errors import DiscordRejected, DiscordUnavailable, OutcomeUnknown
from .discord_rest import DiscordRest
from .layout import split_text
from .lifecycle import undo_buttons
from .plan import (ASSIGN_GM, CATEGORY, CHANNEL, CHANNEL_TYPES, COMPLETE, GM_ROLE_KEY,
                   PLAYERS_ROLE_KEY, ROLE, TYPE_NAMES, Step)
from .problems import Problem
from .progress import ProgressMessage, progress_text, token_expired
from .store import BUILDING, COMPLETED, QUEUED, Campaign, CampaignStore
from .summary import summary_text

MAX_GUILD_CHANNELS, MAX_GUILD_ROLES = 500, 250
DISCORD_EPOCH_MS = 1420070400000
CLOCK_SKEW_MS = 5_000
FORUM_UNAVAILABLE = 50024
UNKNOWN_MEMBER = 10007
NORMALISED_TYPES = (0, 5, 15)  # Discord lower-cases and hyphenates these channels' names


class BuildStopped(Exception):
    """A condition no retry can fix; the user is told the Problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.what)
        self.problem = problem


def created_ms(snowflake: str) -> int:
    return (int(snowflake) >> 22) + DISCORD_EPOCH_MS


def normal_name(name: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", name.strip().lower())).strip("-")


class CampaignBuild:
    def __init__(self, campaign: Campaign, *, rest: DiscordRest, store: CampaignStore,
                 application_id: str, bot_user_id: Callable[[], str],
                 now_ms: Callable[[], int] = lambda: int(time.time() * 1000)):
        self.campaign = campaign
        self.rest, self.store = rest, store
        self.steps = [Step.from_dict(s) for s in campaign.plan]
        self.resources = dict(campaign.resources)
        self.pending = dict(campaign.pending)
        self.status = campaign.status
        self._reserved: set[str] = set()  # pending marks written by this invocation
        self._unsaved: dict[str, dict] = {}  # created ids not yet written to the store
        self._bot_user_id = bot_user_id
        self._now_ms = now_ms
        self._guild = f"/guilds/{campaign.guild_id}"
        self.reason = f"Channelwright: campaign “{campaign.name}” requested by {campaign.requested_by_name}"
        self.progress = ProgressMessage(
            rest, application_id, campaign.interaction_token,
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

    def run_step(self, index: int) -> Step | None:
        """Carry out one step; returns it if it created something just now."""
        if self.status == QUEUED:
            self._check_room()
            self.set_status(BUILDING)
        step = self.steps[index]
        if step.kind == COMPLETE:
            self._complete()
            return None
        if self._ensure(step):
            self.progress.show(self._progress(step))
            return step
        return None

    def _ensure(self, step: Step) -> bool:
        """Make the step's resource exist; True if something was created just now."""
        if step.kind == ASSIGN_GM:
            return self._assign_gm(step)
        if step.key in self.resources:
            return False
        try:
            self._create(step)
        except DiscordRejected as error:
            if not self._refers_to_missing(error):
                raise
            # A role or the category was deleted since we recorded it: rebuild what it needs.
            self.refresh()
            for earlier in self.steps[:self.steps.index(step)]:
                self._ensure(earlier)
            self._create(step)
        return True

    def _create(self, step: Step) -> None:
        if step.key not in self.pending:
            self.reserve([self.steps.index(step)])
        elif step.key not in self._reserved and self._reconcile(step):
            return  # an earlier invocation's create did happen
        for _ in range(3):
            try:
                self._record(step, self._send_create(step))
                return
            except OutcomeUnknown:
                if self._reconcile(step):
                    return
        raise DiscordUnavailable(f"Discord never confirmed creating {step.name}")

    def _send_create(self, step: Step) -> dict:
        if step.kind == ROLE:
            role = self.rest.request("POST", f"{self._guild}/roles", reason=self.reason,
                                     json={"name": step.name, "permissions": "0",
                                           "mentionable": False, "hoist": False})
            return {"id": role["id"]}
        body = {"name": step.name, "type": CHANNEL_TYPES[step.channel_type],
                "permission_overwrites": self._overwrites(step.gm_only)}
        if step.kind == CHANNEL:
            body["parent_id"] = self.resources["category"]["id"]
        try:
            channel = self.rest.request("POST", f"{self._guild}/channels", json=body, reason=self.reason)
        except DiscordRejected as error:
            if error.code != FORUM_UNAVAILABLE or body["type"] == 0:
                raise
            # Some servers can't have forums (developers/topics/opcodes-and-status-codes.mdx, 50024).
            channel = self.rest.request("POST", f"{self._guild}/channels", reason=self.reason,
                                        json={**body, "type": 0})
        return {"id": channel["id"], "type": channel["type"]}

    def _assign_gm(self, step: Step) -> bool:
        gm_role = self.resources[GM_ROLE_KEY]["id"]
        if self.resources.get(step.key, {}).get("role") == gm_role:
            return False
        user = self.campaign.requested_by
        try:
            self.rest.request("PUT", f"{self._guild}/members/{user}/roles/{gm_role}", reason=self.reason)
            self._record(step, {"role": gm_role, "user": user})
        except DiscordRejected as error:
            if error.code != UNKNOWN_MEMBER:
                raise
            self._record(step, {"role": gm_role, "skipped": "the requester has left the server"})
        return False

    def _record(self, step: Step, resource: dict) -> None:
        # Kept in memory and saved in one write by flush(): should this invocation die first,
        # the step's pending mark makes the next attempt find (reconcile) what was created.
        self._unsaved[step.key] = resource
        self.resources[step.key] = resource
        self.pending.pop(step.key, None)

    def flush(self) -> None:
        """Save the ids created since the last flush (before status changes and at the end)."""
        unsaved, self._unsaved = self._unsaved, {}
        self.store.record(self.campaign, unsaved)

    def set_status(self, status: str, failure: dict | None = None) -> None:
        self.flush()
        self.store.set_status(self.campaign, status, failure=failure)
        self.status = status

    # -- knowing what the server has -------------------------------------------------------

    def _reconcile(self, step: Step) -> bool:
        """Adopt what a create with a lost reply made; remove accidental twins. True if adopted."""
        since = self.pending[step.key] - CLOCK_SKEW_MS
        listing = self.rest.request("GET", f"{self._guild}/roles" if step.kind == ROLE
                                    else f"{self._guild}/channels")
        known = {r.get("id") for r in self.resources.values()}
        found = sorted((item for item in listing
                        if item["id"] not in known and created_ms(item["id"]) >= since
                        and self._is_made_by(step, item)), key=lambda item: int(item["id"]))
        if not found:
            return False
        for twin in found[1:]:
            path = f"{self._guild}/roles/{twin['id']}" if step.kind == ROLE else f"/channels/{twin['id']}"
            self.rest.request("DELETE", path, reason=self.reason)
        keep = found[0]
        self._record(step, {"id": keep["id"]} if step.kind == ROLE
                     else {"id": keep["id"], "type": keep["type"]})
        return True

    def _is_made_by(self, step: Step, item: dict) -> bool:
        if step.kind == ROLE:
            return item.get("name") == step.name
        if item.get("type") not in (CHANNEL_TYPES[step.channel_type], 0):
            return False
        if step.kind == CHANNEL and item.get("parent_id") != self.resources.get("category", {}).get("id"):
            return False
        if item.get("type") in NORMALISED_TYPES:
            return normal_name(item.get("name", "")) == normal_name(step.name)
        return item.get("name") == step.name

    def refresh(self) -> dict[str, dict]:
        """Read the server; forget recorded ids that no longer exist. Returns channels by id."""
        channels = {c["id"]: c for c in self.rest.request("GET", f"{self._guild}/channels")}
        roles = {r["id"] for r in self.rest.request("GET", f"{self._guild}/roles")}
        gone = [s.key for s in self.steps if s.key in self.resources and s.kind != ASSIGN_GM
                and self.resources[s.key]["id"] not in (roles if s.kind == ROLE else channels)]
        self.flush()
        self.store.forget(self.campaign, gone)
        for key in gone:
            del self.resources[key]
        return channels

    def _refers_to_missing(self, error: DiscordRejected) -> bool:
        detail = error.detail
        return error.code in (10003, 10011) or (
            error.code == 50035 and "MAX_CHANNELS" not in detail
            and ("parent_id" in detail or "permission_overwrites" in detail))

    def _check_room(self) -> None:
        todo = [s for s in self.steps if s.creates and s.key not in self.resources]
        for things, limit, need in (("channels", MAX_GUILD_CHANNELS, sum(s.kind != ROLE for s in todo)),
                                    ("roles", MAX_GUILD_ROLES, sum(s.kind == ROLE for s in todo))):
            have = len(self.rest.request("GET", f"{self._guild}/{things}"))
            if have + need > limit:
                raise BuildStopped(Problem(
                    f"This server has no room for the campaign's {things}.",
                    f"This server has {have} of {limit} {things}; the campaign needs {need}. "
                    "Nothing new was created.",
                    f"Delete unused {things}, then run `/add-campaign` again."))

    # -- finishing -------------------------------------------------------------------------

    def _complete(self) -> None:
        if self.status == COMPLETED:
            return
        channels = self.refresh()
        for step in self.steps[:-1]:
            self._ensure(step)
        category = self.resources["category"]["id"]
        for step in self.steps:
            current = channels.get(self.resources.get(step.key, {}).get("id"))
            if current is None or step.kind not in (CATEGORY, CHANNEL):
                continue  # created just now, so already right
            repair = {}
            if step.kind == CHANNEL and current.get("parent_id") != category:
                repair["parent_id"] = category
            expected = self._overwrites(step.gm_only)
            if not access.matches(current.get("permission_overwrites", []), expected):
                repair["permission_overwrites"] = expected
            if repair:
                self.rest.request("PATCH", f"/channels/{current['id']}", json=repair, reason=self.reason)
        text = summary_text(self.campaign.name, self.steps, self.resources)
        if not self.progress.finish(text, components=undo_buttons(self.campaign, failed=False)):
            self._post_in_first_text_channel(text)
        self.set_status(COMPLETED)

    def _post_in_first_text_channel(self, text: str) -> None:
        """The interaction token has expired: leave the summary where the players will look."""
        for step in self.steps:
            resource = self.resources.get(step.key, {})
            if step.kind == CHANNEL and resource.get("type") == 0:
                for part in split_text(text):  # a long summary as several messages, none cut
                    self.rest.request("POST", f"/channels/{resource['id']}/messages",
                                      json={"content": part, "allowed_mentions": {"parse": []}})
                return

    # -- helpers ---------------------------------------------------------------------------

    def _overwrites(self, gm_only: bool) -> list[dict]:
        return access.overwrites(
            guild_id=self.campaign.guild_id, players_role=self.resources[PLAYERS_ROLE_KEY]["id"],
            gm_role=self.resources[GM_ROLE_KEY]["id"], bot_user_id=self._bot_user_id(),
            bot_permissions=int(self.campaign.bot_permissions or 0), gm_only=gm_only)

    def seconds_since_request(self) -> float:
        return (self._now_ms() - created_ms(self.campaign.interaction_id)) / 1000

    def counts(self) -> tuple[int, int]:
        creating = [s for s in self.steps if s.creates]
        return sum(s.key in self.resources for s in creating), len(creating)

    def _progress(self, step: Step) -> str:
        done, total = self.counts()
        kind = "Role" if step.kind == ROLE else TYPE_NAMES.get(
            self.resources[step.key].get("type"), step.channel_type).title()
        return progress_text(self.campaign.name, done, total, f"{step.name} ({kind})")
