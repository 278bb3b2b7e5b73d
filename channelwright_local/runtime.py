"""The whole bot on one machine: moto, the template's resources, Discord, the worker's poller and
the HTTP endpoint, started together and stopped together (in reverse).

Both handlers run in this process and read their settings from os.environ, as in Lambda; their
two template environments are merged into it (see `handler_environment`).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import aws
from .discord_side import EmulatedDiscord, RealDiscord
from .function_timeout import call_with_timeout
from .http_gateway import Gateway, GatewayServer
from .local_api import LocalApi
from .playground.app import Playground, is_playground_path
from .sqs_event_source import SqsEventSource
from .stack_template import (FunctionSpec, StackSpec, TemplateError, dead_letter_target, load_stack,
                             max_receive_count)
from .worker_loop import LambdaContext, WorkerLoop, context_factory

log = logging.getLogger("local")

INTERACTIONS_HANDLER = "channelwright.interactions.handler"
WORKER_HANDLER = "channelwright.worker.handler"
TOKEN_SECRET_VARIABLE = "DISCORD_BOT_TOKEN_SECRET_ARN"
DEFAULT_PORT = 8787


@dataclass(frozen=True)
class Options:
    port: int = DEFAULT_PORT
    discord: str = "emulator"  # or "real"
    fast_retries: float | None = None  # seconds before a failed task returns; None: the queue's
    stack_template: Path | None = None
    latency: float = 0.0
    faults: tuple[str, ...] = ()
    poll_wait_seconds: int = 1


def handler_environment(spec: StackSpec, resources: aws.LocalResources,
                        overrides: dict[str, str]) -> dict[str, str]:
    """Both functions' template environments, resolved, merged, with Discord's values on top.

    A variable the two functions set differently (e.g. a per-function service name) cannot be
    shared by one process; it is left out, since no handler reads it.
    """
    merged: dict[str, str] = {}
    conflicting: set[str] = set()
    for function in spec.functions.values():
        for name, value in resources.resolve(function.environment).items():
            if name in merged and merged[name] != str(value):
                conflicting.add(name)
            merged[name] = str(value)
    for name in conflicting - set(overrides):
        log.debug("%s differs between the functions; left unset locally", name)
        del merged[name]
    return {**merged, **overrides}


def token_secret_id(spec: StackSpec) -> str | None:
    """The secret the template hands the worker for the bot token (docs/architecture.md,
    "Environment variables": DISCORD_BOT_TOKEN_SECRET_ARN)."""
    for function in spec.functions.values():
        value = function.environment.get(TOKEN_SECRET_VARIABLE)
        if isinstance(value, dict) and "Ref" in value:
            return value["Ref"]
    return None


def import_handler(dotted: str):
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


class LocalBot:
    def __init__(self, options: Options, *, environ: MutableMapping[str, str] = os.environ):
        self.options, self._environ = options, environ
        self.spec = load_stack(options.stack_template)
        self.worker_fn = self.spec.function_with_handler(WORKER_HANDLER)
        self.events = self.spec.event_source_for(self.worker_fn)
        self.queue = self.spec.queues[self.events.queue_id]
        self.dlq_id = dead_letter_target(self.queue)
        # Checked before anything starts, so a missing setting is the first and only message.
        self.discord = (RealDiscord(environ) if options.discord == "real" else
                        EmulatedDiscord(latency=options.latency, faults=list(options.faults)))
        self._moto: aws.MotoServer | None = None
        self.server: GatewayServer | None = None
        self.worker: WorkerLoop | None = None
        self.resources: aws.LocalResources | None = None
        self._started: list = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LocalBot":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        # The port first: if it is taken, fail before anything else starts.
        self.server = GatewayServer(Gateway({}), self.options.port)
        self._started.append(self.server.server_close)
        self._moto = aws.MotoServer().start()
        self._started.append(self._moto.stop)
        self.discord.start()
        self._started.append(self.discord.close)
        self._create_aws_resources()
        self._configure_handlers()

        self.worker = self._worker_loop().start()
        # Stopping lets the current invocation finish, which Lambda bounds by the function timeout.
        self._started.append(lambda: self.worker.stop(timeout=self.worker_fn.timeout_s + 1))
        self.server.gateway = Gateway(self._routes(), self._local_pages(),
                                      local_hosts=self.server.local_hosts)
        thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="http-gateway", daemon=True)
        thread.start()
        self._started.append(self.server.shutdown)

    def _create_aws_resources(self) -> None:
        endpoint = self._moto.endpoint_url
        clients = {s: aws.client(s, endpoint) for s in ("sqs", "dynamodb", "secretsmanager")}
        secret = token_secret_id(self.spec)
        if secret is None:
            raise TemplateError(f"{self.spec.source}: no function gets {TOKEN_SECRET_VARIABLE}")
        self.resources = aws.create_resources(self.spec, **clients,
                                              secret_values={secret: self.discord.bot_token})
        self._sqs, self._dynamodb = clients["sqs"], clients["dynamodb"]

    def _configure_handlers(self) -> None:
        """The process environment as both functions would see it in Lambda, pointed at moto."""
        for name in aws.SHELL_SETTINGS_TO_DROP:
            self._environ.pop(name, None)
        self._environ.update(aws.aws_environment(self._moto.endpoint_url))
        self.handler_env = handler_environment(self.spec, self.resources, self.discord.environment())
        self._environ.update(self.handler_env)
        # The worker must read the token from the secret, as in AWS, not from the shell.
        self._environ.pop("DISCORD_BOT_TOKEN", None)
        # A new bot is a cold start: handlers cache their clients per container (per process
        # here), and a cache from an earlier bot in this process would point at its moto.
        for function in self.spec.functions.values():
            module = importlib.import_module(function.handler.rpartition(".")[0])
            cached = getattr(module, "default_deps", None)
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()

    def close(self) -> None:
        while self._started:
            stop = self._started.pop()
            try:
                stop()
            except Exception:
                log.exception("while stopping %s", stop)

    def __enter__(self) -> "LocalBot":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the pieces --------------------------------------------------------------------------

    def _worker_loop(self) -> WorkerLoop:
        fn = self.worker_fn
        source = SqsEventSource(
            self._sqs, self.resources.refs[self.queue.logical_id],
            self.discord.worker_gate(import_handler(fn.handler)),
            batch_size=self.events.batch_size,
            retry_delay=self.options.fast_retries,
            context_factory=context_factory(fn.logical_id, fn.timeout_s, fn.memory_mb),
            function_timeout=fn.timeout_s,
            report_batch_item_failures=self.events.report_batch_item_failures,
            region=aws.REGION)
        dlq_url = self.resources.refs.get(self.dlq_id) if self.dlq_id else None
        return WorkerLoop(source, wait_seconds=self.options.poll_wait_seconds,
                          dead_letters=(lambda: self._queue_depth(dlq_url)) if dlq_url else None)

    def _local_pages(self):
        """/local/* for looking inside, and the playground (its page and its /local/playground/*)."""
        api = LocalApi(info=self.info, discord=self.discord, campaigns=self.campaigns)
        playground = Playground(self.discord, f"{self.url}/interactions", self.campaigns)

        def pages(method: str, target: str, body: bytes):
            return (playground if is_playground_path(urlsplit(target).path) else api)(method, target, body)
        return pages

    def _routes(self) -> dict:
        routes = {}
        for route in self.spec.routes:
            if route.payload_format_version != "2.0":
                raise TemplateError(f"route {route.route_key}: only payload format 2.0 is emulated")
            function = self.spec.functions[route.function_id]
            routes[route.route_key] = self.discord.front_door(self._invoker(function))
        return routes

    @staticmethod
    def _invoker(function: FunctionSpec):
        """The function as API Gateway invokes it: with its context, stopped at its timeout."""
        handler = import_handler(function.handler)

        def invoke(event: dict) -> dict:
            context = LambdaContext(function.logical_id, function.timeout_s, function.memory_mb)
            return call_with_timeout(lambda: handler(event, context), function.timeout_s,
                                     function.logical_id)
        return invoke

    def _queue_depth(self, url: str) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    # -- looking inside ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    def campaigns(self, guild_id: str) -> list:
        # The store's own query: the table also holds server templates and interaction tokens.
        from channelwright.campaigns.store import CampaignStore

        return CampaignStore(self._dynamodb, self.handler_env["CAMPAIGN_TABLE_NAME"]).campaigns(str(guild_id))

    def info(self) -> dict:
        fn, refs = self.worker_fn, self.resources.refs
        return {
            **self.discord.info(),
            "interactions_url": f"{self.url}/interactions",
            "aws_endpoint_url": self._moto.endpoint_url,
            "stack_template": str(self.spec.source),
            "task_queue_url": refs[self.queue.logical_id],
            "dead_letter_queue_url": refs.get(self.dlq_id),
            "campaign_table": self.handler_env.get("CAMPAIGN_TABLE_NAME"),
            "bot_token_secret_arn": refs.get(token_secret_id(self.spec)),
            "worker": {"timeout_s": fn.timeout_s, "batch_size": self.events.batch_size,
                       "visibility_timeout_s": int(self.queue.properties.get("VisibilityTimeout", 30)),
                       "max_receive_count": max_receive_count(self.queue),
                       "retry_after_s": self.options.fast_retries},
        }
