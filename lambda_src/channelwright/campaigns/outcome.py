"""The last word on a command reaches its user, even when the message it would edit is gone.

A command's answer is an edit of its interaction's original response. That stops working when a
moderator deletes the message (404, code 10008 Unknown message) or the token dies (401, 50027
Invalid webhook token, after 15 minutes; 404, 10015 Unknown webhook, when Discord forgot it or
never got an answer in time) — developers/topics/opcodes-and-status-codes.mdx, JSON error codes;
developers/interactions/receiving-and-responding.mdx, "Interaction Callback" (tokens last 15
minutes). The outcome is then posted as an ordinary bot message in a channel the user can see:
for a campaign its first text channel, else the channel the command was typed in. Success and
failure alike: a failed build that tells no one is as bad as a lost summary.

A long outcome is never cut: the edit sends its later parts as follow-ups (ProgressMessage.finish),
and a channel gets every part as its own message, in order (layout.split_text: a message holds at
most 2000 characters, developers/resources/message.mdx, "Create Message").
"""

from collections.abc import Iterable

from channelwright.aws.observability import logger
from channelwright.campaigns.plan import CHANNEL, Step
from channelwright.campaigns.progress import ProgressMessage
from channelwright.discord.api import DiscordApi
from channelwright.discord.errors import DiscordRejected
from channelwright.discord.types import ChannelType
from channelwright.text.layout import split_text


def deliver(reply: ProgressMessage, api: DiscordApi, text: str, *,
            components: list | None = None, channels: Iterable[str] = ()) -> bool:
    """Edit the reply to `text`; if it can't be edited, post `text` in the first of `channels`
    that accepts it. False if nobody could be told.

    Refusals from a channel (403 50001/50013 no access or permission, 404 10003 gone) move on to
    the next channel; DiscordUnavailable (5xx, timeouts) propagates, so the task is retried.
    """
    if reply.finish(text, components=components):
        return True
    for channel_id in dict.fromkeys(c for c in channels if c):
        try:
            _post(api, channel_id, text, components)
        except DiscordRejected as error:
            logger.warning("could not post the outcome in a channel", channel_id=channel_id,
                           error=str(error))
            continue
        logger.info("outcome posted in a channel: its message is gone", channel_id=channel_id)
        return True
    logger.warning("the outcome reached no one: its message is gone and no channel took it")
    return False


def _post(api: DiscordApi, channel_id: str, text: str, components: list | None) -> None:
    """Every part of `text` as a message in the channel; `components` go with the first part,
    as they do on an edited reply. A refusal of the first part lets the caller try the next
    channel; a later part refused (the channel went away meanwhile) is logged, since the part
    already sent there is where the user will look."""
    first, *later = split_text(text)
    api.create_message(channel_id, first, components=components or None)
    for part in later:
        try:
            api.create_message(channel_id, part)
        except DiscordRejected as error:
            logger.warning("a later part of the outcome was refused", channel_id=channel_id,
                           error=str(error))
            return


def campaign_channels(steps: list[Step], resources: dict[str, dict], invoked_in: str) -> list[str]:
    """Where a campaign's outcome goes instead: its first text channel that exists, then the
    channel its command was typed in."""
    text_channels = (s for s in steps if s.kind == CHANNEL
                     and resources.get(s.key, {}).get("type") == ChannelType.GUILD_TEXT)
    first_text = next((resources[s.key]["id"] for s in text_channels), None)
    return [c for c in (first_text, invoked_in) if c]
