"""The campaign record in DynamoDB: one item per campaign, keyed by server and normalised name.

The key makes "one campaign of a name per server" an atomic conditional write. The item holds the
plan and every Discord id created so far, which is what makes each build step idempotent.

Two identities guard every write after the first:
- `created_at` names the record's incarnation: a campaign deleted and made again under the same
  name is a new item with a new `created_at`, so a late write meant for the old one (a worker that
  was still running, a progress thread) fails instead of upserting stray attributes into the new
  one (DynamoDB's UpdateItem creates a missing item);
- `interaction_id` names the current run: only that run may change the status, so a run that was
  taken over (re-run, resumed) cannot mark the new run failed or completed.
Either failing raises CampaignChanged; the worker hands the task back and, on its next delivery,
tasks.decision.decide() sees the campaign as it now is.
"""

import time
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from channelwright.discord.snowflake import created_ms

QUEUED, BUILDING, COMPLETED, FAILED = "queued", "building", "completed", "failed"
DELETING = "deleting"
# An archive (campaigns/archive.py) under way, done, and being undone; `archive` holds what it
# changed.
ARCHIVING, ARCHIVED, UNARCHIVING = "archiving", "archived", "unarchiving"
# Campaigns share the table with server templates ("~template~<id>"), so their sort keys carry
# a prefix no template key has.
CAMPAIGN_PREFIX = "campaign#"
# How a campaign is joined (campaigns/roster.py): its GMs add players (the default, as before
# self-service existed), anyone may join, or the GMs approve each request.
CLOSED, OPEN, APPROVAL = "closed", "open", "approval"
RUN_COUNT_ATTRIBUTE = "run"  # the item attribute that holds Campaign.run_count
# How long after a failed run's last write a worker invocation of it may still have been sending
# creates: the worker's longest possible run (StageSettings.worker_timeout_seconds is at most 120).
RUN_OUTLIVES_LAST_WRITE_MS = 120_000

# A run's interaction token lives in its own item ("~token~<interaction id>"), deleted by the
# table's TTL on TTL_ATTRIBUTE (Unix seconds) when the token expires.
TOKEN_PREFIX = "~token~"
TTL_ATTRIBUTE = "expires_at"
TOKEN_LIFETIME_S = 15 * 60
# The server's channel and role counts as last read (campaigns/capacity.py), one item a server.
COUNTS_KEY = "~counts~"

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def token_item(guild_id: str, interaction_id: str, token: str) -> dict[str, Any]:
    """The expiring item for an interaction's token: its lifetime runs from the interaction's
    creation, which its snowflake id carries (developers/reference.mdx, "Snowflakes")."""
    created_s = created_ms(interaction_id) // 1000
    return {"guild_id": {"S": guild_id}, "campaign_key": {"S": TOKEN_PREFIX + interaction_id},
            "record_type": {"S": "interaction_token"}, "token": {"S": token},
            TTL_ATTRIBUTE: {"N": str(created_s + TOKEN_LIFETIME_S)}}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the record uses ints."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Campaign:
    guild_id: str
    key: str
    name: str
    template: str
    plan: list[dict]
    interaction_id: str
    interaction_token: str
    requested_by: str
    requested_by_name: str
    # My server-level permissions, computed by the worker before it creates anything ("" until
    # then); they bound every overwrite I set (access.py).
    bot_permissions: str = ""
    status: str = QUEUED
    # How many runs the campaign has had: 1 for its first, one more for each re-run that took it
    # over. Stored as the item's `run` attribute (RUN_COUNT_ATTRIBUTE), its name before it was
    # renamed, so records written since still load.
    run_count: int = 1
    resources: dict[str, dict] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    failure: dict | None = None
    message_expired: bool = False  # the interaction token stopped working; never use it again
    players: frozenset[str] = frozenset()
    gms: frozenset[str] = frozenset()
    # Those given the Spectators role with /add-spectator: whom the doctor gives it back to.
    spectators: frozenset[str] = frozenset()
    created_at: int = 0  # ms; set by create() and kept by restart(): the record's incarnation
    requested_by_roles: list[str] = field(default_factory=list)  # the requester's role ids then
    channel_id: str = ""  # where the run's command was typed: the last place to tell its outcome
    # False from the record's write until every build task of the run is on the queue; records
    # written before this field existed read as True (their tasks' fate is unknown).
    tasks_sent: bool = True
    progress_at: int = 0  # ms of the last write to the record: how a stalled build is recognised
    # [from, until] ms spans in which no run was building: from a failed run's end to the run that
    # resumed it. Nothing made then is the bot's create (reconcile.py), however it looks.
    idle: list[list[int]] = field(default_factory=list)
    # The server as it was before the first edit of an archive (campaigns/archive.py): its
    # `mode` ("lock" or "collapse"), when it was taken (`at`, ms) and each recorded channel's
    # `channels` entry; what /unarchive-campaign restores. A collapse (campaigns/collapse.py) adds
    # `reveal`, the `kept` channels' step keys and, once posted, its `transcript`. None when the
    # campaign is not archived.
    archive: dict | None = None
    # The interaction id of the archive or unarchive that last began: a redelivered task finds
    # its own run and carries on; another one takes over.
    archive_run: str = ""
    # How the campaign came to be: "" built from a template, "adopted" (campaigns/adopt.py) made of
    # a category and channels that existed before.
    origin: str = ""
    # The roster (campaigns/roster.py). `lead_gm`: the GM who may hand the lead over ("" until
    # one is set: the campaign's requester while they are a GM). `joining`: CLOSED, OPEN or
    # APPROVAL; `seats`: how many players at most (0: no cap). `waiting`: the waitlist and
    # `asking`: requests the GMs haven't decided, each {user id: ms when they asked}.
    # `gm_since`: {user id: ms made GM} (GMs without one are the campaign's first).
    lead_gm: str = ""
    joining: str = CLOSED
    seats: int = 0
    waiting: dict[str, int] = field(default_factory=dict)
    asking: dict[str, int] = field(default_factory=dict)
    gm_since: dict[str, int] = field(default_factory=dict)
    declined: dict[str, int] = field(default_factory=dict)  # user -> ms their request was declined

    @property
    def lead(self) -> str:
        """The lead GM's user id, "" if there is none (the requester left or stopped being a GM)."""
        lead = self.lead_gm or self.requested_by
        return lead if lead in self.gms else ""

    @property
    def waitlist(self) -> list[str]:
        """The waitlist's user ids, first come first."""
        return sorted(self.waiting, key=lambda user: (self.waiting[user], int(user)))

    @property
    def collapsed(self) -> bool:
        """Whether its archive is a collapse: a transcript kept, its other channels deleted."""
        return (self.archive or {}).get("mode") == "collapse"

    def to_item(self) -> dict[str, Any]:
        data = asdict(self)
        del data["interaction_token"]  # kept in its own expiring item (token_item)
        data["campaign_key"] = CAMPAIGN_PREFIX + data.pop("key")
        data[RUN_COUNT_ATTRIBUTE] = data.pop("run_count")
        # DynamoDB has no empty sets and no need to store an absent failure.
        data = {k: v for k, v in data.items() if v is not None and v != frozenset()}
        return {k: _serialize(set(v) if isinstance(v, frozenset) else v) for k, v in data.items()}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Campaign":
        data = _plain({k: _deserialize(v) for k, v in item.items()})
        data["key"] = data.pop("campaign_key").removeprefix(CAMPAIGN_PREFIX)
        if RUN_COUNT_ATTRIBUTE in data:
            data["run_count"] = data.pop(RUN_COUNT_ATTRIBUTE)
        data.setdefault("interaction_token", "")  # read with CampaignStore.token
        for name in ("players", "gms", "spectators"):
            data[name] = frozenset(data.get(name) or ())
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def idle_span(campaign: Campaign, now_ms: int) -> list[int] | None:
    """[from, until] ms in which a failed campaign, resumed now, had no run building: from its last
    write (plus the longest a worker invocation may have gone on sending) until now. None for a
    campaign that isn't failed (a stalled run may still be sending) or failed moments ago."""
    start = campaign.progress_at + RUN_OUTLIVES_LAST_WRITE_MS
    return [start, now_ms] if campaign.status == FAILED and start < now_ms else None


class CampaignChanged(Exception):
    """The record was deleted, made again, or taken over by a newer run since it was read."""


class CampaignExists(Exception):
    def __init__(self, existing: Campaign):
        super().__init__(f"campaign {existing.name!r} already exists")
        self.existing = existing


class CampaignStore:
    def __init__(self, client, table_name: str):
        self._db = client
        self._table = table_name

    def _key(self, guild_id: str, key: str) -> dict:
        return {"guild_id": {"S": guild_id}, "campaign_key": {"S": CAMPAIGN_PREFIX + key}}

    def create(self, campaign: Campaign) -> Campaign:
        """Record a new campaign and return it as stored; CampaignExists if the server already
        has one of that name."""
        now = _now_ms()
        stored = replace(campaign, created_at=campaign.created_at or now, progress_at=now)
        self._keep_token(campaign)
        try:
            self._db.put_item(TableName=self._table, Item=stored.to_item(),
                              ConditionExpression="attribute_not_exists(guild_id)",
                              ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except self._db.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item")
            existing = Campaign.from_item(old) if old else self.get(campaign.guild_id, campaign.key)
            if existing is None:  # deleted again since the write was refused: a race to retry
                raise CampaignChanged(f"campaign {campaign.key!r} was deleted while being made") from None
            raise CampaignExists(existing) from None
        return stored

    def _keep_token(self, campaign: Campaign) -> None:
        """Store the run's interaction token in its own item, which DynamoDB's TTL deletes once
        Discord's 15 minutes are over (developers/interactions/receiving-and-responding.mdx:
        "Interaction tokens are valid for 15 minutes"). Written before the campaign, so a
        recorded run always has its token; a refused create leaves one that expires unused."""
        if campaign.interaction_token:
            self._db.put_item(TableName=self._table, Item=token_item(
                campaign.guild_id, campaign.interaction_id, campaign.interaction_token))

    def put_server_counts(self, guild_id: str, counts: dict[str, int]) -> None:
        """Keep the server's channel and role counts as the worker last read them
        (capacity.Counts' fields, all ints), in the server's COUNTS_KEY item."""
        self._db.put_item(TableName=self._table, Item={
            "guild_id": {"S": guild_id}, "campaign_key": {"S": COUNTS_KEY},
            "record_type": {"S": "server_counts"},
            **{name: {"N": str(int(value))} for name, value in counts.items()}})

    def server_counts(self, guild_id: str) -> dict[str, int] | None:
        """The counts put_server_counts kept last, None if none were yet."""
        item = self._db.get_item(TableName=self._table, Key={
            "guild_id": {"S": guild_id}, "campaign_key": {"S": COUNTS_KEY}}).get("Item")
        if not item:
            return None
        return {name: int(value["N"]) for name, value in item.items() if "N" in value}

    def token(self, campaign: Campaign, now: float | None = None) -> str:
        """The interaction token of the campaign's current run, "" once it has expired (TTL
        deletes items within days, not on the second, so the expiry is checked here too)."""
        if campaign.interaction_token:
            return campaign.interaction_token  # an item written before tokens had their own
        item = self._db.get_item(TableName=self._table, Key={
            "guild_id": {"S": campaign.guild_id},
            "campaign_key": {"S": TOKEN_PREFIX + campaign.interaction_id}}).get("Item") or {}
        expires_at = int(item.get(TTL_ATTRIBUTE, {}).get("N", "0"))
        now = time.time() if now is None else now
        return item.get("token", {}).get("S", "") if expires_at > now else ""

    def get(self, guild_id: str, key: str) -> Campaign | None:
        item = self._db.get_item(TableName=self._table, Key=self._key(guild_id, key),
                                 ConsistentRead=True).get("Item")
        return Campaign.from_item(item) if item else None

    def restart(self, old: Campaign, **changes: Any) -> Campaign | None:
        """Start a new run of a failed or stalled campaign, keeping what it created.

        None if the record changed since `old` was read: another run started, or it moved on —
        any write at all, since every write stamps `progress_at`, so a build judged stalled from
        `old` is taken over only if it has stayed silent since. The new run's tasks count as not
        sent (`tasks_sent` False, until mark_tasks_sent()) unless `changes` says otherwise.
        Resuming a failed run notes the span since it ended as `idle`: a stalled run may still be
        sending, so it gets none. Its interaction token is not written here: a restart always
        follows the create() of the same interaction that found the name taken (on the request
        path for a GM, in the worker for anyone else: rerun.py), and create() stored the token
        before trying.
        """
        now = _now_ms()
        span = idle_span(old, now)
        fresh = replace(old, **{
            "status": QUEUED, "run_count": old.run_count + 1, "failure": None, "message_expired": False,
            "tasks_sent": False, "progress_at": now,
            "idle": [*old.idle, span] if span else list(old.idle), **changes})
        values = {":status": {"S": old.status}, ":run": {"N": str(old.run_count)},
                  ":i": {"S": old.interaction_id}}
        if old.progress_at:
            unchanged = "progress_at = :progress_at"
            values[":progress_at"] = {"N": str(old.progress_at)}
        else:  # written before records had a heartbeat
            unchanged = "attribute_not_exists(progress_at)"
        try:
            self._db.put_item(TableName=self._table, Item=fresh.to_item(),
                              ConditionExpression=f"#s = :status AND #r = :run AND interaction_id = :i "
                                                  f"AND {unchanged}",
                              ExpressionAttributeNames={"#s": "status", "#r": RUN_COUNT_ATTRIBUTE},
                              ExpressionAttributeValues=values)
        except self._db.exceptions.ConditionalCheckFailedException:
            return None
        return fresh

    def campaigns(self, guild_id: str) -> list[Campaign]:
        """The server's campaigns, by name, every page of the query read (each page one request
        on this store's client, so on the request path each is time-boxed: aws/request_budget.py)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="guild_id = :g AND begins_with(campaign_key, :p)",
            ExpressionAttributeValues={":g": {"S": guild_id}, ":p": {"S": CAMPAIGN_PREFIX}})
        campaigns = [Campaign.from_item(item) for page in pages for item in page.get("Items", [])]
        return sorted(campaigns, key=lambda c: c.key)

    def find_by_run(self, guild_id: str, run: str) -> Campaign | None:
        """The campaign a button belongs to (buttons name the run, which fits a custom_id)."""
        return next((c for c in self.campaigns(guild_id) if c.interaction_id == run), None)

    def delete(self, campaign: Campaign) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(campaign.guild_id, campaign.key))

    def add_member(self, campaign: Campaign, group: str, user_id: str) -> None:
        """Add a user to the campaign's `players`, `gms` or `spectators` (string sets: adding twice
        is harmless); a new GM's `gm_since` is stamped once."""
        if group != "gms":
            self._update(campaign, f"ADD {group} :u", {}, {":u": {"SS": [user_id]}})
            return
        self._roster_maps(campaign)
        self._update(campaign, "SET gm_since.#u = if_not_exists(gm_since.#u, :now) ADD gms :u",
                     {"#u": user_id}, {":u": {"SS": [user_id]}, ":now": {"N": str(_now_ms())}})

    # -- the roster (campaigns/roster.py) ------------------------------------------------------
    # Each write is conditioned on the state it changes, so a repeated task or a second click
    # changes nothing: False (or CampaignChanged for `seat`) says the record was not as expected.

    def _roster_maps(self, campaign: Campaign) -> None:
        """Make the roster's maps exist (records older than them have none): DynamoDB can set a
        map's key only inside an existing map."""
        self._update(campaign, "SET waiting = if_not_exists(waiting, :e), asking = if_not_exists("
                               "asking, :e), gm_since = if_not_exists(gm_since, :e), "
                               "declined = if_not_exists(declined, :e)", {},
                     {":e": {"M": {}}})

    def note_request(self, campaign: Campaign, where: str, user_id: str) -> bool:
        """Put the user on the waitlist (`where` "waiting") or among the requests ("asking"),
        stamped now; False if they were there already."""
        self._roster_maps(campaign)
        return self._if(campaign, f"SET {where}.#u = :now", {"#u": user_id},
                        {":now": {"N": str(_now_ms())}}, f"attribute_not_exists({where}.#u)")

    def move_request(self, campaign: Campaign, user_id: str) -> bool:
        """An approved request onto the waitlist (the campaign is full), in its asking order;
        False if the request was decided already."""
        self._roster_maps(campaign)
        at = campaign.asking.get(user_id, _now_ms())
        return self._if(campaign, "SET waiting.#u = :at REMOVE asking.#u", {"#u": user_id},
                        {":at": {"N": str(at)}}, "attribute_exists(asking.#u)")

    def decline_request(self, campaign: Campaign, user_id: str) -> bool:
        """A request to join declined: off the requests and noted among the declined, in one
        write; False if it was decided already."""
        self._roster_maps(campaign)
        return self._if(campaign, "SET declined.#u = :now REMOVE asking.#u", {"#u": user_id},
                        {":now": {"N": str(_now_ms())}}, "attribute_exists(asking.#u)")

    def drop_request(self, campaign: Campaign, where: str, user_id: str) -> bool:
        """Take the user off the waitlist, the requests or the declined; False if they weren't
        there."""
        self._roster_maps(campaign)
        return self._if(campaign, f"REMOVE {where}.#u", {"#u": user_id}, {},
                        f"attribute_exists({where}.#u)")

    def seat(self, campaign: Campaign, user_id: str, *, source: str = "") -> bool:
        """Make the user a player, taking them off `source` ("waiting" or "asking") if given,
        while a seat is free (`campaign.seats`, 0: no cap). False if the seats are full or the
        user is no longer in `source`."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":u": {"SS": [user_id]}}
        expression, conditions = "ADD players :u", []
        if source:
            self._roster_maps(campaign)
            names["#u"] = user_id
            expression += f" REMOVE {source}.#u"
            conditions.append(f"attribute_exists({source}.#u)")
        if campaign.seats:
            values[":seats"] = {"N": str(campaign.seats)}
            conditions.append("(attribute_not_exists(players) OR size(players) < :seats)")
        return self._if(campaign, expression, names, values, " AND ".join(conditions))

    def forget_members(self, campaign: Campaign, user_ids: list[str], lead: str | None) -> None:
        """Drop users (who left the server) from every part of the roster; `lead`: the new lead
        GM's id when the lead was among them ("" for none), None to leave it."""
        self._roster_maps(campaign)
        names = {f"#u{i}": user for i, user in enumerate(user_ids)}
        removes = [f"{where}.{n}" for n in names for where in ("waiting", "asking", "gm_since", "declined")]
        expression = "DELETE players :s, gms :s, spectators :s REMOVE " + ", ".join(removes)
        values: dict[str, Any] = {":s": {"SS": list(user_ids)}}
        if lead is not None:
            expression = "SET lead_gm = :lead " + expression
            values[":lead"] = {"S": lead}
        self._update(campaign, expression, names, values)

    def set_lead(self, campaign: Campaign, user_id: str) -> None:
        self._update(campaign, "SET lead_gm = :lead", {}, {":lead": {"S": user_id}})

    def set_joining(self, campaign: Campaign, joining: str, seats: int) -> None:
        self._update(campaign, "SET joining = :j, seats = :n", {},
                     {":j": {"S": joining}, ":n": {"N": str(seats)}})

    def _if(self, campaign: Campaign, expression: str, names: dict, values: dict,
            condition: str) -> bool:
        """_update with `condition` too; False (not CampaignChanged) when that is what failed."""
        try:
            self._update(campaign, expression, names, values, condition=condition)
        except CampaignChanged:
            if self.get(campaign.guild_id, campaign.key) is None:
                raise
            return False
        return True

    def remove_member(self, campaign: Campaign, group: str, user_id: str) -> None:
        self._update(campaign, f"DELETE {group} :u", {}, {":u": {"SS": [user_id]}})

    def forget_request(self, campaign: Campaign) -> None:
        """Undo `create` when the build could not be queued, so the name is free again."""
        try:
            self._db.delete_item(TableName=self._table, Key=self._key(campaign.guild_id, campaign.key),
                                 ConditionExpression="interaction_id = :i",
                                 ExpressionAttributeValues={":i": {"S": campaign.interaction_id}})
        except self._db.exceptions.ConditionalCheckFailedException:
            pass

    def _update(self, campaign: Campaign, expression: str, names: dict, values: dict | None = None,
                *, this_run: bool = False, status_was: bool = False, fresh_archive: bool = False,
                condition: str = ""):
        """One UpdateItem on this incarnation of the record (and, if `this_run`, this run only).

        Every write also stamps `progress_at`, the heartbeat liveness.stalled() reads.
        CampaignChanged if the record is gone, was made again, or (with `this_run`) moved on;
        with `status_was`, if its status is no longer `values[":was"]` (`names` maps "#s"); with
        `fresh_archive`, if it holds an archive snapshot already; with `condition`, if that
        condition expression fails.
        """
        values = {**(values or {}), ":progress_at": {"N": str(_now_ms())}}
        stamp = "SET progress_at = :progress_at"
        expression = (expression.replace("SET ", stamp + ", ", 1) if expression.startswith("SET ")
                      else f"{stamp} {expression}")
        if campaign.created_at:
            guard = "created_at = :created_at"
            values[":created_at"] = {"N": str(campaign.created_at)}
        else:  # a Campaign built in memory, never read back: it can only be checked to exist
            guard = "attribute_exists(campaign_key)"
        if this_run:
            guard += " AND interaction_id = :this_run"
            values[":this_run"] = {"S": campaign.interaction_id}
        if status_was:
            guard += " AND #s = :was"
        if fresh_archive:
            guard += " AND attribute_not_exists(#a)"
        if condition:
            guard += f" AND {condition}"
        kwargs = {"ExpressionAttributeNames": names} if names else {}
        try:
            self._db.update_item(TableName=self._table,
                                 Key=self._key(campaign.guild_id, campaign.key),
                                 UpdateExpression=expression, ConditionExpression=guard,
                                 ExpressionAttributeValues=values, **kwargs)
        except self._db.exceptions.ConditionalCheckFailedException:
            raise CampaignChanged(f"campaign {campaign.key!r} changed since run "
                                  f"{campaign.interaction_id} read it") from None

    def mark_pending(self, campaign: Campaign, step_keys: list[str], started_ms: int) -> None:
        """Note that creates may be sent from now on, so a lost reply can be reconciled later."""
        names = {f"#k{i}": key for i, key in enumerate(step_keys)}
        self._update(campaign, "SET " + ", ".join(f"pending.{n} = :t" for n in names), names,
                     {":t": {"N": str(started_ms)}})

    def claim_pending(self, campaign: Campaign, key: str, started_ms: int) -> bool:
        """mark_pending for one key, only if it is neither pending nor recorded: of two deliveries
        about to create the same thing, one gets True and the other False."""
        return self._if(campaign, "SET pending.#k = :t", {"#k": key}, {":t": {"N": str(started_ms)}},
                        "attribute_not_exists(pending.#k) AND attribute_not_exists(resources.#k)")

    def record(self, campaign: Campaign, resources: dict[str, dict]) -> None:
        """Store created ids (several in one write) and clear their pending marks."""
        if not resources:
            return
        names = {f"#k{i}": key for i, key in enumerate(resources)}
        values = {f":r{i}": _serialize(resource) for i, resource in enumerate(resources.values())}
        expression = ("SET " + ", ".join(f"resources.#k{i} = :r{i}" for i in range(len(names)))
                      + " REMOVE " + ", ".join(f"pending.{n}" for n in names))
        self._update(campaign, expression, names, values)

    def forget(self, campaign: Campaign, step_keys: list[str]) -> None:
        """Drop ids of things someone deleted, so the next step re-creates them."""
        if not step_keys:
            return
        names = {f"#k{i}": k for i, k in enumerate(step_keys)}
        self._update(campaign, "REMOVE " + ", ".join(f"resources.{n}" for n in names), names)

    def set_bot_permissions(self, campaign: Campaign, permissions: int) -> None:
        self._update(campaign, "SET bot_permissions = :p", {}, {":p": {"S": str(permissions)}})

    def add_idle(self, campaign: Campaign, span: list[int]) -> None:
        """Note a span in which no run was building (see Campaign.idle)."""
        self._update(campaign, "SET idle = list_append(if_not_exists(idle, :none), :span)", {},
                     {":none": {"L": []}, ":span": _serialize([span])})

    def mark_message_expired(self, campaign: Campaign) -> None:
        self._update(campaign, "SET message_expired = :t", {}, {":t": {"BOOL": True}})

    def mark_tasks_sent(self, campaign: Campaign) -> None:
        """Every build task of this run is on the queue: from now on only silence means stalled."""
        self._update(campaign, "SET tasks_sent = :t", {}, {":t": {"BOOL": True}}, this_run=True)

    def begin_archive_run(self, campaign: Campaign, status: str, run: str,
                          snapshot: dict | None = None) -> None:
        """Move the campaign from the status it was read with to `status` (ARCHIVING or
        UNARCHIVING) for the archive run `run`, recording `snapshot` as its `archive` when given
        (only while none is recorded: the first snapshot is the one to restore). CampaignChanged
        if the record moved on since it was read."""
        expression = "SET #s = :s, archive_run = :run"
        values: dict[str, Any] = {":s": {"S": status}, ":run": {"S": run}, ":was": {"S": campaign.status}}
        if snapshot is not None:
            expression += ", #a = :a"
            values[":a"] = _serialize(snapshot)
        # "archive" is one of DynamoDB's reserved words: named through "#a" where used.
        names = {"#s": "status", **({"#a": "archive"} if snapshot is not None else {})}
        self._update(campaign, expression, names, values, status_was=True,
                     fresh_archive=snapshot is not None)

    def note_transcript(self, campaign: Campaign, transcript: dict) -> None:
        """Record in the archive snapshot the transcript a collapse posted (campaigns/collapse.py):
        from then on its channels may be deleted, and no later try posts it again."""
        self._update(campaign, "SET #a.transcript = :t", {"#a": "archive"},
                     {":t": _serialize(transcript)})

    def end_archive_run(self, campaign: Campaign, status: str, *, forget_snapshot: bool) -> None:
        """Move the campaign from the status it was read with to `status` (ARCHIVED, or COMPLETED
        after an unarchive, which also drops the snapshot: `forget_snapshot`)."""
        expression = "SET #s = :s" + (" REMOVE #a" if forget_snapshot else "")
        names = {"#s": "status", **({"#a": "archive"} if forget_snapshot else {})}
        self._update(campaign, expression, names,
                     {":s": {"S": status}, ":was": {"S": campaign.status}}, status_was=True)

    def set_status(self, campaign: Campaign, status: str, failure: dict | None = None) -> None:
        """Only the campaign's current run may change its status (CampaignChanged otherwise)."""
        if failure is None:
            self._update(campaign, "SET #s = :s REMOVE failure", {"#s": "status"},
                         {":s": {"S": status}}, this_run=True)
        else:
            self._update(campaign, "SET #s = :s, failure = :f", {"#s": "status"},
                         {":s": {"S": status}, ":f": _serialize(failure)}, this_run=True)
