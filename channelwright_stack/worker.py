"""The worker: runs campaign steps from the task queue and reports progress to Discord."""

from __future__ import annotations

from aws_cdk.aws_lambda_event_sources import SqsEventSource
from constructs import Construct

from .runtime_asset import RuntimeAsset
from .settings import StageSettings
from .task_queue import TaskQueue

# FIFO queues take no batching window, so 10 is SQS's hard maximum. A failed message only
# holds back the rest of its own guild's group (reported as a partial batch failure).
BATCH_SIZE = 10


class Worker(Construct):
    """Worker Lambda fed by the FIFO task queue, with partial batch failures reported."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: RuntimeAsset,
        tasks: TaskQueue,
        stage: StageSettings,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.function = runtime.new_function(
            self,
            "Function",
            handler="channelwright.worker.handler",
            description="Creates a campaign's roles and channels step by step and shows progress",
            memory_mb=stage.worker_memory_mb,
            timeout=stage.worker_timeout,
            stage=stage,
            environment=environment,
        )
        # Also grants the function consume rights (receive/delete/change visibility) on the queue.
        self.function.add_event_source(
            SqsEventSource(
                tasks.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                # Bounds parallel guilds, and so the bot's share of Discord's global rate limit.
                max_concurrency=stage.worker_max_concurrency,
            )
        )
