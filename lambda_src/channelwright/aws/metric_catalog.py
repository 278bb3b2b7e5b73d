"""Every CloudWatch metric the two Lambdas emit, in one list.

The code emits only metrics listed here (observability.count refuses other names), and the stack's
alarms and dashboard (channelwright_stack/monitoring) read their names, services and dimensions
from here too, so an alarm cannot watch a metric nobody emits. tests/aws/test_observability.py checks
the other direction: each metric listed is really emitted, with these dimensions, by the handler
named here.

Powertools Metrics writes CloudWatch EMF: the namespace is POWERTOOLS_METRICS_NAMESPACE and every
metric carries a `service` dimension, POWERTOOLS_SERVICE_NAME; the stack sets both per function.
Standard library only: the CDK app imports this module too.
"""

from dataclasses import dataclass

NAMESPACE = "Channelwright"
INTERACTIONS = "channelwright-interactions"  # the interactions function's service name
WORKER = "channelwright-worker"  # the worker function's service name
SERVICE = "service"


@dataclass(frozen=True)
class Metric:
    name: str
    service: str  # the function that emits it
    unit: str  # CloudWatch's unit name
    meaning: str
    dimensions: tuple[str, ...] = (SERVICE,)


CAMPAIGNS_STARTED = Metric("CampaignsStarted", INTERACTIONS, "Count",
                           "an /add-campaign request was recorded and its steps queued")
ACK_LATENCY = Metric("AckLatency", INTERACTIONS, "Milliseconds",
                     "the handler's time to answer, without the cold start (API Gateway's "
                     "IntegrationLatency includes that)")
REQUEST_PATH_FAILURES = Metric("RequestPathFailures", INTERACTIONS, "Count",
                               "a request that failed on our side: an AWS call failed (even when "
                               "the user got a polite answer), an unhandled error (HTTP 500), a "
                               "payload this code can't read, or a command or interaction type "
                               "this code does not know (stale registration)")
MALFORMED_INTERACTIONS = Metric("MalformedInteractions", INTERACTIONS, "Count",
                                "a signed interaction with a field this code can't read "
                                "(payload_fields.py); each is also a RequestPathFailure")
CHANNELS_CREATED = Metric("ChannelsCreated", WORKER, "Count", "a campaign channel or category was created")
CAMPAIGNS_COMPLETED = Metric("CampaignsCompleted", WORKER, "Count", "a campaign build finished")
CAMPAIGNS_FAILED = Metric("CampaignsFailed", WORKER, "Count",
                          "a build stopped for a reason that is ours or Discord's: it kept failing "
                          "until its last attempt, or Discord refused our token or request")
CAMPAIGNS_REFUSED = Metric("CampaignsRefused", WORKER, "Count",
                           "a build refused or stopped for a reason that is the server's to fix: "
                           "the requester isn't a server manager, a missing permission, the role "
                           "order, Discord's channel or role limit, or the bot was removed")
CAMPAIGNS_PAUSED = Metric("CampaignsPaused", WORKER, "Count",
                          "a build paused by one of Discord's long rate limits (long_limits.py); "
                          "its user was told when to run the command again")
BUILD_SECONDS = Metric("BuildSeconds", WORKER, "Seconds", "from the request to the finished build")
TASK_ATTEMPTS_FAILED = Metric("TaskAttemptsFailed", WORKER, "Count",
                              "a queued step failed and was handed back to SQS to retry")
DISCORD_RATE_LIMITED = Metric("DiscordRateLimited", WORKER, "Count",
                              "Discord answered 429 (any scope); emitted every invocation, 0 included")
DISCORD_GLOBAL_RATE_LIMITED = Metric("DiscordGlobalRateLimited", WORKER, "Count",
                                     "Discord answered 429 for the bot's global limit; emitted "
                                     "every invocation, 0 included")
DISCORD_LONG_RATE_LIMITS = Metric("DiscordLongRateLimits", WORKER, "Count",
                                  "Discord asked for a wait longer than the worker ever waits "
                                  "(discord.rest.LONGEST_WAIT_S): a build or request was paused")
DISCORD_ERRORS = Metric("DiscordErrors", WORKER, "Count",
                        "a Discord error, by its JSON error code (or http-<status>)",
                        dimensions=("code", SERVICE))

CATALOG: dict[str, Metric] = {metric.name: metric for metric in (
    CAMPAIGNS_STARTED, ACK_LATENCY, REQUEST_PATH_FAILURES, MALFORMED_INTERACTIONS, CHANNELS_CREATED,
    CAMPAIGNS_COMPLETED, CAMPAIGNS_FAILED, CAMPAIGNS_REFUSED, CAMPAIGNS_PAUSED, BUILD_SECONDS,
    TASK_ATTEMPTS_FAILED, DISCORD_RATE_LIMITED, DISCORD_GLOBAL_RATE_LIMITED, DISCORD_LONG_RATE_LIMITS,
    DISCORD_ERRORS,
)}
