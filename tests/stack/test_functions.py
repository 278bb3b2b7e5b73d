"""The two Lambda functions: one package, one runtime, and the environment the code reads."""

from __future__ import annotations

from aws_cdk.assertions import Capture, Match

from channelwright_stack.runtime_asset import ARCHITECTURE, RUNTIME

from .helpers import get_att, properties, ref


def test_both_functions_run_the_same_package_on_the_same_runtime(dev):
    dev.resource_count_is("AWS::Lambda::Function", 2)
    s3_key = Capture()
    dev.all_resources_properties("AWS::Lambda::Function", {
        "Runtime": "python3.14",
        "Architectures": ["arm64"],
        "Code": {"S3Key": s3_key},
    })
    assert RUNTIME.name == "python3.14" and ARCHITECTURE.name == "arm64"
    first = s3_key.as_string()
    assert s3_key.next()
    assert s3_key.as_string() == first  # one shared asset, uploaded once
    assert not s3_key.next()


def test_handlers_timeouts_and_memory_come_from_the_stage(dev, dev_stack):
    stage = dev_stack.stage_settings
    ingress = properties(dev, dev_stack, dev_stack.ingress.function)
    worker = properties(dev, dev_stack, dev_stack.worker.function)
    assert ingress["Handler"] == "channelwright.interactions.handler"
    assert worker["Handler"] == "channelwright.worker.handler"
    assert ingress["Timeout"] == stage.ingress_timeout_seconds <= 5
    assert worker["Timeout"] == stage.worker_timeout_seconds == 30
    assert ingress["MemorySize"] == stage.ingress_memory_mb
    assert worker["MemorySize"] == stage.worker_memory_mb


def test_interactions_environment_is_exactly_the_runtime_contract(dev, dev_stack):
    stage = dev_stack.stage_settings
    env = properties(dev, dev_stack, dev_stack.ingress.function)["Environment"]["Variables"]
    assert env == {
        "DISCORD_PUBLIC_KEY": stage.discord_public_key,
        "DISCORD_APPLICATION_ID": stage.discord_application_id,
        "TASK_QUEUE_URL": ref(dev_stack, dev_stack.tasks.queue),
        "CAMPAIGN_TABLE_NAME": ref(dev_stack, dev_stack.store.table),
        "POWERTOOLS_SERVICE_NAME": "channelwright-interactions",
        "POWERTOOLS_METRICS_NAMESPACE": "Channelwright",
    }


def test_worker_environment_is_exactly_the_runtime_contract(dev, dev_stack):
    env = properties(dev, dev_stack, dev_stack.worker.function)["Environment"]["Variables"]
    assert env == {
        "DISCORD_APPLICATION_ID": dev_stack.stage_settings.discord_application_id,
        "DISCORD_BOT_TOKEN_SECRET_ARN": ref(dev_stack, dev_stack.token.secret),
        "CAMPAIGN_TABLE_NAME": ref(dev_stack, dev_stack.store.table),
        "TASK_MAX_RECEIVE_COUNT": str(dev_stack.tasks.max_receive_count),
        # The rate budget's split: one share per instance the event source may run at once.
        "WORKER_MAX_CONCURRENCY": str(dev_stack.stage_settings.worker_max_concurrency),
        "POWERTOOLS_SERVICE_NAME": "channelwright-worker",
        "POWERTOOLS_METRICS_NAMESPACE": "Channelwright",
    }
    # The code defaults to Discord's real API; only tests and local mode point elsewhere.
    assert "DISCORD_API_BASE_URL" not in env


def test_each_function_logs_to_its_own_group_with_stage_retention(dev, prod, dev_stack, prod_stack):
    for template, stack, days in ((dev, dev_stack, 7), (prod, prod_stack, 90)):
        template.resource_count_is("AWS::Logs::LogGroup", 3)  # two functions + API access logs
        for function in (stack.ingress.function, stack.worker.function):
            group = properties(template, stack, function)["LoggingConfig"]["LogGroup"]
            assert group == ref(stack, function.log_group)
            assert properties(template, stack, function.log_group)["RetentionInDays"] == days


def test_worker_consumes_the_task_queue_in_batches_with_partial_failures(dev, prod, dev_stack, prod_stack):
    for template, stack in ((dev, dev_stack), (prod, prod_stack)):
        template.resource_count_is("AWS::Lambda::EventSourceMapping", 1)
        template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
            "EventSourceArn": get_att(stack, stack.tasks.queue, "Arn"),
            "FunctionName": ref(stack, stack.worker.function),
            "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": stack.stage_settings.worker_max_concurrency},
            "MaximumBatchingWindowInSeconds": Match.absent(),  # FIFO queues accept none
        })
    assert dev_stack.stage_settings.worker_max_concurrency < prod_stack.stage_settings.worker_max_concurrency


def test_the_worker_splits_its_rate_budget_as_many_ways_as_the_event_source_runs_it(prod, prod_stack):
    env = properties(prod, prod_stack, prod_stack.worker.function)["Environment"]["Variables"]
    (mapping,) = prod.find_resources("AWS::Lambda::EventSourceMapping").values()
    assert int(env["WORKER_MAX_CONCURRENCY"]) == mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"]
