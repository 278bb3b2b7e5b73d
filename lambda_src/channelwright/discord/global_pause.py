"""A global 429 seen by one worker instance slows them all: one "paused until" item in DynamoDB.

Discord answers a bot that exceeded its global limit with 429 and `"global": true`, and says in
`retry_after` (seconds, a float) how long to wait (developers/topics/rate-limits.mdx, "Exceeding A
Rate Limit" and "Global Rate Limit"). The whole bot is limited, not the instance that happened to
hear it, so that instance writes `until = now + retry_after` to one item of the campaign table and
every instance reads the item, at most once every POLL_S seconds while it is sending, and waits
until then.

Times in the item are wall-clock epoch seconds (Lambda's clocks are NTP-synchronised; containers
share no monotonic clock). The item's key cannot collide with a campaign or a template: guild ids
are snowflakes (digits only). AWS errors never stop a request: the pause already applies locally
(DiscordRest keeps its own), so a failed read or write only costs the other instances the warning.
"""

import threading
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from channelwright.aws.observability import logger

PAUSE_KEY = {"guild_id": {"S": "~bot~"}, "campaign_key": {"S": "~discord-global-pause~"}}
UNTIL = "paused_until_epoch_s"
POLL_S = 1.0  # how stale an instance's view of the pause may be; one GetItem per busy second


class GlobalPause:
    def __init__(self, dynamodb, table_name: str, *, poll_s: float = POLL_S,
                 wall_clock: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic):
        self._db, self._table = dynamodb, table_name
        self._poll_s, self._wall, self._clock = poll_s, wall_clock, clock
        self._until = 0.0  # epoch seconds, the latest pause this instance knows of
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left in the bot-wide pause (0 when there is none)."""
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self._poll_s:
                self._read_at = now
                self._until = max(self._until, self._read())
            return max(0.0, self._until - self._wall())

    def extend(self, seconds: float) -> None:
        """Pause every instance for `seconds` from now (a later pause already set is kept)."""
        until = self._wall() + seconds
        with self._lock:
            self._until = max(self._until, until)
        try:
            self._db.update_item(
                TableName=self._table, Key=PAUSE_KEY,
                UpdateExpression="SET #u = :u",
                ConditionExpression="attribute_not_exists(#u) OR #u < :u",
                ExpressionAttributeNames={"#u": UNTIL},
                ExpressionAttributeValues={":u": {"N": f"{until:.3f}"}})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                logger.warning("could not share the global rate-limit pause", error=str(error))
        except BotoCoreError as error:
            logger.warning("could not share the global rate-limit pause", error=str(error))

    def _read(self) -> float:
        try:
            item = self._db.get_item(TableName=self._table, Key=PAUSE_KEY,
                                     ProjectionExpression="#u",
                                     ExpressionAttributeNames={"#u": UNTIL}).get("Item") or {}
        except (BotoCoreError, ClientError) as error:
            logger.warning("could not read the global rate-limit pause", error=str(error))
            return 0.0
        try:
            return float(item[UNTIL]["N"])
        except (KeyError, TypeError, ValueError):
            return 0.0
