"""The message the user watches: a live progress bar, then the summary or what went wrong.

Edits go to the interaction's original response (DiscordApi.edit_original).
Those share a 5-per-2-seconds webhook limit, so edits are coalesced: a background thread sends the
latest text at most every MIN_INTERVAL, and the build never waits for it. Every edit pings no
one (DiscordApi): a campaign named "@everyone" must not notify the server.
"""

import threading
import time
from collections.abc import Callable

from channelwright.aws.observability import logger
from channelwright.discord.api import DiscordApi
from channelwright.discord.errors import DiscordError, DiscordRejected, JsonErrorCode
from channelwright.discord.snowflake import created_ms
from channelwright.text.layout import split_text
from channelwright.text.names import md

BAR_CELLS = 20
MIN_INTERVAL = 0.45
TOKEN_LIFETIME_MS = 15 * 60 * 1000


def bar(done: int, total: int) -> str:
    fraction = done / total if total else 1.0
    filled = int(fraction * BAR_CELLS)
    return f"[{'█' * filled}{'░' * (BAR_CELLS - filled)}] {int(fraction * 100)}% ({done}/{total})"


def progress_text(name: str, done: int, total: int, latest: str) -> str:
    """`name` and `latest` are shown literally (markdown escaped)."""
    lines = [f"🏗️ Creating Campaign: {md(name)}", "", bar(done, total)]
    if latest:
        lines += ["", f"✅ Created: {md(latest)}"]
    return "\n".join(lines)


def token_expired(interaction_id: str, now_ms: int | None = None) -> bool:
    """Interaction tokens last 15 minutes; a snowflake id carries its creation time."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    return now_ms - created_ms(interaction_id) > TOKEN_LIFETIME_MS - 30_000


class ProgressMessage:
    """Coalesced edits of one interaction's original message."""

    def __init__(self, api: DiscordApi, application_id: str, token: str, *,
                 expired: bool = False, on_expired: Callable[[], None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic, ephemeral: bool = False):
        self._api, self._application_id, self._token = api, application_id, token
        self._ephemeral = ephemeral  # follow-ups are ephemeral too when the answer is
        self._clock = clock
        self._wake = threading.Condition()
        self._pending: str | None = None
        self._sent: str | None = None
        self._last_sent_at = float("-inf")
        self._thread: threading.Thread | None = None
        self.expired = expired  # once true, the message can no longer be edited
        self._on_expired = on_expired


    @classmethod
    def answering(cls, api: DiscordApi, application_id: str, token: str, interaction_id: str, *,
                  ephemeral: bool = True) -> "ProgressMessage":
        """The answer to the interaction `interaction_id` (whose `token` edits it), known to be
        past its token's 15 minutes when the interaction is that old."""
        return cls(api, application_id, token, expired=token_expired(interaction_id), ephemeral=ephemeral)

    def show(self, text: str) -> None:
        """Make `text` the next thing shown; returns at once."""
        if self.expired:
            return
        with self._wake:
            self._pending = text
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
                self._thread.start()
            self._wake.notify()

    def finish(self, text: str, components: list | None = None) -> bool:
        """Send `text` as the final state, waiting for it; False if the message can no longer be
        edited (its token expired or was forgotten, or someone deleted the message).

        A text longer than one message is laid out by layout.split_text: the first part (with
        `components`) replaces the message, the others follow it as follow-up messages."""
        self.close()
        if self.expired:
            return False
        first, *rest = split_text(text)
        self._send(first, raise_unavailable=True, components=components)
        for part in rest:
            if self.expired:
                break
            self._follow_up(part)
        return not self.expired

    def finish_privately(self, text: str) -> bool:
        """Replace a public "thinking…" answer with a message only the user sees: delete the
        original, then send ephemeral follow-ups, one per part of a long text (developers/
        interactions/receiving-and-responding.mdx, Delete Original Interaction Response and Create
        Followup Message, whose EPHEMERAL flag 64 makes it "a message that only the user can
        see"). For refusals nobody else needs to read. False if the token no longer works."""
        return self._privately(text, delete_original=True)

    def follow_privately(self, text: str) -> bool:
        """Leave the original as it is (a public message whose button was clicked) and send
        `text` in ephemeral follow-ups only the clicker sees (as finish_privately). False if the
        token no longer works."""
        return self._privately(text, delete_original=False)

    def _privately(self, text: str, *, delete_original: bool) -> bool:
        self.close()
        if self.expired:
            return False
        try:
            try:
                if delete_original:
                    self._api.delete_original(self._application_id, self._token)
            except DiscordRejected as error:
                # A moderator deleted it already (404 10008): the token still takes follow-ups.
                if error.code != JsonErrorCode.UNKNOWN_MESSAGE:
                    raise
            for part in split_text(text):
                self._api.create_followup(self._application_id, self._token, part, ephemeral=True)
        except DiscordRejected as error:
            if error.status in (401, 403, 404):
                self.expired = True
                self._on_expired()
            logger.warning("private answer refused", error=str(error))
        return not self.expired

    def _follow_up(self, text: str) -> None:
        try:
            self._api.create_followup(self._application_id, self._token, text,
                                      ephemeral=self._ephemeral)
        except DiscordError as error:
            # The first part is shown already; a retry would repeat the follow-ups sent so far.
            logger.warning("follow-up message failed", error=str(error))

    def close(self) -> None:
        """Stop the background sender, waiting only for an edit already in flight.

        A newer pending state is dropped rather than sent: the next invocation shows fresher
        progress moments later, and a final state always follows through finish(). Sending it
        here would put one more round trip between this invocation and the next.
        """
        thread = self._thread
        if thread is None:
            return
        with self._wake:
            self._pending = None
            self._thread = None
            self._wake.notify()
        thread.join()

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._wake:
                while self._pending is None and self._thread is me:
                    self._wake.wait()
                # Coalesce: wait out the interval (close() cuts it short), then take the newest.
                while self._thread is me and self._clock() < self._last_sent_at + MIN_INTERVAL:
                    self._wake.wait(self._last_sent_at + MIN_INTERVAL - self._clock())
                text, self._pending = self._pending, None
                stopping = self._thread is not me
            if text is not None:
                self._send(text)
            if stopping:
                return

    def _send(self, text: str, raise_unavailable: bool = False,
              components: list | None = None) -> None:
        if self.expired or (text == self._sent and components is None):
            return
        try:
            self._api.edit_original(self._application_id, self._token, split_text(text)[0],
                                    components=components)
            self._sent, self._last_sent_at = text, self._clock()
        except DiscordRejected as error:
            # 401/50027 after 15 minutes, 404/10015 for a token Discord forgot, 404/10008 for a
            # message someone deleted (developers/topics/opcodes-and-status-codes.mdx): stop
            # using it (repeating any counts toward Discord's invalid-request ban).
            if error.status in (401, 403, 404):
                self.expired = True
                try:
                    self._on_expired()
                except Exception as noting:  # e.g. the campaign was deleted meanwhile
                    logger.warning("could not note the dead message", error=str(noting))
            logger.warning("progress edit refused", error=str(error))
        except DiscordError as error:
            logger.warning("progress edit failed", error=str(error))
            if raise_unavailable:
                raise
