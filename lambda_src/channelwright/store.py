"""The campaign record in DynamoDB: one item per campaign, keyed by server and normalised name.

The key makes "one campaign of a name per server" an atomic conditional write. The item holds the
plan and every Discord id created so far, which is what makes each build step idempotent.
"""

import time
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

QUEUED, BUILDING, COMPLETED, FAILED = "queued", "building", "completed", "failed"
DELETING = "deleting"
# Campaigns share the table with server templates ("~template~<id>"), so their sort keys carry
# a prefix no template key has.
CAMPAIGN_PREFIX = "campaign#"

# A run's interaction token lives in its own item ("~token~<interaction id>"), deleted by the
# table's TTL on TTL_ATTRIBUTE (Unix seconds) when the token expires.
TOKEN_PREFIX = "~token~"
TTL_ATTRIBUTE = "expires_at"
TOKEN_LIFETIME_S = 15 * 60
DISCORD_EPOCH_MS = 1420070400000

_serialize = TypeSerializer().serialize


def token_item(guild_id: str, interaction_id: str, token: str) -> dict[str, Any]:
    """The expiring item for an interaction's token: its lifetime runs from the interaction's
    creation, which its snowflake id carries (developers/reference.mdx, "Snowflakes")."""
    created_s = ((int(interaction_id) >> 22) + DISCORD_EPOCH_MS) // 1000
    return {"guild_id": {"S": guild_id}, "campaign_key": {"S": TOKEN_PREFIX + interaction_id},
            "record_type": {"S": "interaction_token"}, "token": {"S": token},
            TTL_ATTRIBUTE: {"N": str(created_s + TOKEN_LIFETIME_S)}}
_deserialize = TypeDeserializer().deserialize


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
    bot_permissions: str
    status: str = QUEUED
    run: int = 1
    resources: dict[str, dict] = field(default_factory=dict)
    pending: dict[str, int] = field(default_factory=dict)
    failure: dict | None = None
    message_expired: bool = False  # the interaction token stopped working; never use it again
    players: frozenset[str] = frozenset()
    gms: frozenset[str] = frozenset()
    created_at: int = 0

    def to_item(self) -> dict[str, Any]:
        data = asdict(self)
        del data["interaction_token"]  # kept in its own expiring item (token_item)
        data["campaign_key"] = CAMPAIGN_PREFIX + data.pop("key")
        # DynamoDB has no empty sets and no need to store an absent failure.
        data = {k: v for k, v in data.items() if v is not None and v != frozenset()}
        return {k: _serialize(set(v) if isinstance(v, frozenset) else v) for k, v in data.items()}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "Campaign":
        data = _plain({k: _deserialize(v) for k, v in item.items()})
        data["key"] = data.pop("campaign_key").removeprefix(CAMPAIGN_PREFIX)
        data.setdefault("interaction_token", "")  # read with CampaignStore.token
        for name in ("players", "gms"):
            data[name] = frozenset(data.get(name) or ())
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


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

    def create(self, campaign: Campaign) -> None:
        """Record a new campaign; CampaignExists if the server already has one of that name."""
        item = replace(campaign, created_at=campaign.created_at or int(time.time() * 1000)).to_item()
        self._keep_token(campaign)
        try:
            self._db.put_item(TableName=self._table, Item=item,
                              ConditionExpression="attribute_not_exists(guild_id)",
                              ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except self._db.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item")
            existing = Campaign.from_item(old) if old else self.get(campaign.guild_id, campaign.key)
            raise CampaignExists(existing) from None

    def _keep_token(self, campaign: Campaign) -> None:
        """Store the run's interaction token in its own item, which DynamoDB's TTL deletes once
        Discord's 15 minutes are over (developers/interactions/receiving-and-responding.mdx:
        "Interaction tokens are valid for 15 minutes"). Written before the campaign, so a
        recorded run always has its token; a refused create leaves one that expires unused."""
        if campaign.interaction_token:
            self._db.put_item(TableName=self._table, Item=token_item(
                campaign.guild_id, campaign.interaction_id, campaign.interaction_token))

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

    def restart(self, failed: Campaign, **changes: Any) -> Campaign | None:
        """Start a new run of a failed campaign, keeping what it created. None if it isn't failed."""
        fresh = replace(failed, status=QUEUED, run=failed.run + 1, failure=None,
                        message_expired=False, **changes)
        self._keep_token(fresh)
        try:
            self._db.put_item(TableName=self._table, Item=fresh.to_item(),
                              ConditionExpression="#s = :failed AND #r = :run",
                              ExpressionAttributeNames={"#s": "status", "#r": "run"},
                              ExpressionAttributeValues={":failed": {"S": FAILED},
                                                         ":run": {"N": str(failed.run)}})
        except self._db.exceptions.ConditionalCheckFailedException:
            return None
        return fresh

    def campaigns(self, guild_id: str) -> list[Campaign]:
        """The server's campaigns, by name."""
        campaigns, start = [], {}
        while True:
            page = self._db.query(
                TableName=self._table, ConsistentRead=True, **start,
                KeyConditionExpression="guild_id = :g AND begins_with(campaign_key, :p)",
                ExpressionAttributeValues={":g": {"S": guild_id}, ":p": {"S": CAMPAIGN_PREFIX}})
            campaigns += [Campaign.from_item(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return sorted(campaigns, key=lambda c: c.key)
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def find_by_run(self, guild_id: str, run: str) -> Campaign | None:
        """The campaign a button belongs to (buttons name the run, which fits a custom_id)."""
        return next((c for c in self.campaigns(guild_id) if c.interaction_id == run), None)

    def delete(self, campaign: Campaign) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(campaign.guild_id, campaign.key))

    def add_member(self, campaign: Campaign, group: str, user_id: str) -> None:
        """Add a user to the campaign's `players` or `gms` (string sets: adding twice is harmless)."""
        self._update(campaign, f"ADD {group} :u", {}, {":u": {"SS": [user_id]}})

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

    def _update(self, campaign: Campaign, expression: str, names: dict, values: dict | None = None):
        kwargs = {"ExpressionAttributeValues": values} if values else {}
        if names:
            kwargs["ExpressionAttributeNames"] = names
        self._db.update_item(TableName=self._table, Key=self._key(campaign.guild_id, campaign.key),
                             UpdateExpression=expression, **kwargs)

    def mark_pending(self, campaign: Campaign, step_keys: list[str], started_ms: int) -> None:
        """Note that creates may be sent from now on, so a lost reply can be reconciled later."""
        names = {f"#k{i}": key for i, key in enumerate(step_keys)}
        self._update(campaign, "SET " + ", ".join(f"pending.{n} = :t" for n in names), names,
                     {":t": {"N": str(started_ms)}})

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

    def mark_message_expired(self, campaign: Campaign) -> None:
        self._update(campaign, "SET message_expired = :t", {}, {":t": {"BOOL": True}})

    def set_status(self, campaign: Campaign, status: str, failure: dict | None = None) -> None:
        if failure is None:
            self._update(campaign, "SET #s = :s REMOVE failure", {"#s": "status"},
                         {":s": {"S": status}})
        else:
            self._update(campaign, "SET #s = :s, failure = :f", {"#s": "status"},
                         {":s": {"S": status}, ":f": _serialize(failure)})
