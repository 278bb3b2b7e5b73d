"""Whether a campaign's build is still alive, or was cut off and may be taken over.

A build is `queued` or `building` while a run is carrying it out. Two things can leave it there
with no run left to finish it:
- the interactions function was stopped between writing the record and sending every build task
  (its 5 s timeout, see docs/operations.md "The 3-second path"). The record's `tasks_sent` is
  still False, and once the request that wrote it is certainly over, nothing else will send them;
- the worker died on a task's last attempt (timeout, crash) and the task went to the dead-letter
  queue without the campaign being marked failed. Then the record stops changing.

Either way the campaign is "stalled": running `/add-campaign` again takes it over (a new run that
keeps what exists), and `/delete-campaign` or Undo may delete it. Taking over a build that was in
fact alive is harmless: every step is idempotent, the old run's remaining tasks are ignored, and
only the current run may change the status (store.py).
"""

from channelwright.campaigns.store import BUILDING, QUEUED, Campaign
from channelwright.discord.snowflake import created_ms

# The request that wrote the record is over by then: the ingress function's timeout (5 s,
# StageSettings.ingress_timeout_seconds) plus 5 s for the clock difference between Discord's ids
# and ours.
REQUEST_OVER_AFTER_MS = 10_000
# No write for longer than a task's whole retry schedule can take: the task queue's attempts end
# inside the 15-minute interaction-token lifetime by construction (channelwright_stack/
# task_queue.py, max_receive_count), and a live build writes at every worker invocation.
SILENT_FOR_MS = 15 * 60 * 1000


def request_over(campaign: Campaign, now_ms: int) -> bool:
    """The interaction that started the current run can no longer be running."""
    return now_ms - created_ms(campaign.interaction_id) > REQUEST_OVER_AFTER_MS


def stalled(campaign: Campaign, now_ms: int) -> bool:
    """No run will finish this queued/building campaign; False for any other status."""
    if campaign.status not in (QUEUED, BUILDING):
        return False
    if not campaign.tasks_sent and request_over(campaign, now_ms):
        return True
    return now_ms - (campaign.progress_at or campaign.created_at) > SILENT_FOR_MS
