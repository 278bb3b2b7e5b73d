"""Monitoring: alarms that watch what users see, to one TLS-only topic per stage, and one dashboard.

Every alarm and graph must watch a metric that really exists: one the runtime emits (its catalogue,
lambda_src/channelwright/aws/metric_catalog.py, which tests/aws/test_observability.py holds to what the
handlers emit) or one AWS documents for that namespace (aws_metrics.py), with the dimensions it is
published under, naming a resource of the right type in this stack.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from aws_cdk.assertions import Capture, Match, Template
from channelwright.aws.metric_catalog import CATALOG, NAMESPACE

from channelwright_stack.monitoring.alarms import retry_period

from .aws_metrics import AWS_METRICS
from .helpers import get_att, joined, logical_id, properties, ref

ALARM_COUNT = 11


def alarm_specs(stack) -> dict[str, dict]:
    """Alarm name -> what the single-metric alarms watch and when they fire."""
    s, tasks = stack.stage_settings.name, stack.tasks
    worker_fn = stack.worker.function
    queue_dim = lambda queue: [{"Name": "QueueName", "Value": get_att(stack, queue, "QueueName")}]  # noqa: E731
    function_dim = lambda fn: [{"Name": "FunctionName", "Value": ref(stack, fn)}]  # noqa: E731
    api_dim = [{"Name": "ApiId", "Value": ref(stack, stack.ingress.api)}]
    business = lambda name, service: {  # noqa: E731
        "Namespace": "Channelwright", "MetricName": name,
        "Dimensions": [{"Name": "service", "Value": service}], "Statistic": "Sum"}
    once = {"EvaluationPeriods": 1, "DatapointsToAlarm": 1}
    return {
        f"channelwright-interactions-slow-{s}": {
            "Namespace": "AWS/ApiGateway", "MetricName": "IntegrationLatency", "Dimensions": api_dim,
            "ExtendedStatistic": "p99", "Statistic": Match.absent(), "Period": 300, "Threshold": 2000,
            **once},
        f"channelwright-api-5xx-{s}": {
            "Namespace": "AWS/ApiGateway", "MetricName": "5xx", "Dimensions": api_dim,
            "Statistic": "Sum", "Period": 300, "Threshold": 0, **once},
        f"channelwright-request-path-failures-{s}": {
            **business("RequestPathFailures", "channelwright-interactions"), "Period": 300,
            "Threshold": 0, **once},
        f"channelwright-campaigns-failed-{s}": {
            **business("CampaignsFailed", "channelwright-worker"), "Period": 300, "Threshold": 0, **once},
        f"channelwright-steps-failing-{s}": {
            **business("TaskAttemptsFailed", "channelwright-worker"),
            "Period": int(retry_period(tasks).to_seconds()), "Threshold": 0,
            "EvaluationPeriods": 2, "DatapointsToAlarm": 2},
        f"channelwright-task-queue-age-{s}": {
            "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
            "Dimensions": queue_dim(tasks.queue), "Statistic": "Maximum", "Period": 60,
            "Threshold": 300, **once},
        f"channelwright-dead-letters-{s}": {
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": queue_dim(tasks.dead_letter_queue), "Statistic": "Maximum", "Period": 60,
            "Threshold": 0, **once},
        f"channelwright-worker-errors-{s}": {
            "Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": function_dim(worker_fn),
            "Statistic": "Sum", "Period": 300, "Threshold": 0, **once},
        f"channelwright-worker-throttles-{s}": {
            "Namespace": "AWS/Lambda", "MetricName": "Throttles", "Dimensions": function_dim(worker_fn),
            "Statistic": "Sum", "Period": 300, "Threshold": 0, **once},
        f"channelwright-discord-rate-limited-{s}": {
            **business("DiscordRateLimited", "channelwright-worker"), "Period": 300, "Threshold": 0,
            "EvaluationPeriods": 3, "DatapointsToAlarm": 3},
    }


def alarms_of(template) -> dict[str, dict]:
    """Alarm name -> its properties."""
    return {a["Properties"]["AlarmName"]: a["Properties"]
            for a in template.find_resources("AWS::CloudWatch::Alarm").values()}


def topic_ref(stack) -> dict:
    return ref(stack, stack.monitoring.topic)


def dashboard(template, stack) -> dict:
    body = Capture()
    template.has_resource_properties("AWS::CloudWatch::Dashboard", {
        "DashboardName": f"Channelwright-{stack.stage_settings.name}",
        "DashboardBody": body,
    })
    return json.loads(joined(body.as_object()))


def widgets_of_type(body: dict, kind: str) -> list[dict]:
    return [w for w in body["widgets"] if w["type"] == kind]


def graphed_metrics(body: dict) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, name, {dimension: value}) of every metric a graph draws or computes from."""
    found = []
    for widget in widgets_of_type(body, "metric"):
        for entry in widget["properties"]["metrics"]:
            fields = [f for f in entry if not isinstance(f, dict)]  # the last item holds options
            if not fields:
                continue  # a math expression; the metrics it reads are entries of their own
            namespace, name, *pairs = fields
            found.append((namespace, name, dict(zip(pairs[::2], pairs[1::2]))))
    return found


def alarmed_metrics(template) -> list[tuple[str, str, dict]]:
    """(namespace, name, {dimension: value}) of every metric an alarm reads, math included."""
    found = []
    for alarm in alarms_of(template).values():
        stats = [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
        if "MetricName" in alarm:
            stats.append(alarm)
        for metric in stats:
            found.append((metric["Namespace"], metric["MetricName"],
                          {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}))
    return found


def names_resource_of_type(value, wanted: tuple[str, str | None], template) -> bool:
    """Whether a dimension value (a template intrinsic, or its <Id> / <Id.Attr> rendering in a
    dashboard body) names a resource of the wanted type and attribute."""
    resource_type, attribute = wanted
    if isinstance(value, dict):
        value = joined(value)
    if not (isinstance(value, str) and value.startswith("<") and value.endswith(">")):
        return False
    logical_id, _, got_attribute = value[1:-1].partition(".")
    resource = template.to_json()["Resources"].get(logical_id)
    return (resource is not None and resource["Type"] == resource_type
            and (got_attribute or None) == attribute)


# --- every alarm and graph watches a real metric ------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_alarm_and_graph_watches_a_metric_the_code_or_aws_emits(stage, templates, stacks):
    template = templates[stage]
    watched = alarmed_metrics(template) + graphed_metrics(dashboard(template, stacks[stage]))
    assert len(watched) > 30
    for namespace, name, dimensions in watched:
        what = f"{namespace} {name} {dimensions}"
        if namespace == NAMESPACE:
            assert name in CATALOG, f"{what}: the runtime never emits it"
            metric = CATALOG[name]
            assert set(dimensions) == set(metric.dimensions), f"{what}: published as {metric.dimensions}"
            assert dimensions["service"] == metric.service, f"{what}: emitted by {metric.service}"
            continue
        assert namespace in AWS_METRICS, what
        documented = AWS_METRICS[namespace]
        assert name in documented.metrics, f"{what}: not in {documented.source}"
        assert frozenset(dimensions) in documented.dimension_sets, f"{what}: not published that way"
        for dimension, value in dimensions.items():
            assert names_resource_of_type(value, documented.dimension_targets[dimension], template), what


# --- the alarms -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_alarm_watches_its_metric_and_notifies_the_topic(stage, templates, stacks):
    template, stack = templates[stage], stacks[stage]
    specs = alarm_specs(stack)
    template.resource_count_is("AWS::CloudWatch::Alarm", ALARM_COUNT)
    assert len(specs) == ALARM_COUNT - 1  # and the dead-letter arrivals, a math alarm (below)
    for name, metric in specs.items():
        template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "AlarmName": name,
            **metric,
            "ComparisonOperator": "GreaterThanThreshold",
            # Absent data (no traffic, no failures) is healthy.
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic_ref(stack)],
            "OKActions": [topic_ref(stack)],
            "AlarmDescription": Match.string_like_regexp(
                r"What to do: .+ Runbook: docs/operations\.md#alarms$"),
        })


def test_slow_answers_are_measured_where_discord_waits_cold_starts_included(prod):
    alarm = alarms_of(prod)["channelwright-interactions-slow-prod"]
    # API Gateway's wait for the integration includes Lambda's init; Lambda's Duration does not.
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/ApiGateway", "IntegrationLatency")
    assert alarm["Threshold"] < 3000  # Discord's deadline
    watched = {a.get("MetricName") for a in alarms_of(prod).values()}
    assert "Duration" not in watched and "AckLatency" not in watched


def test_refusals_a_server_admin_must_fix_are_graphed_but_never_page(prod, prod_stack):
    alarmed = {name for _, name, _ in alarmed_metrics(prod)}
    # Refusals are the server's to fix; a build paused by a long Discord limit is no failure.
    assert not alarmed & {"CampaignsRefused", "CampaignsPaused", "DiscordLongRateLimits"}
    graphs = {w["properties"]["title"]: {name for _, name, _ in graphed_metrics({"widgets": [w]})}
              for w in widgets_of_type(dashboard(prod, prod_stack), "metric")}
    assert {"CampaignsRefused", "CampaignsPaused"} <= graphs["Refused or paused: no page"]
    assert "CampaignsFailed" in graphs["Campaigns"]


def test_failing_steps_keep_the_alarm_up_while_they_keep_failing(prod, prod_stack):
    alarm = alarms_of(prod)["channelwright-steps-failing-prod"]
    visibility = prod_stack.tasks.visibility_timeout.to_seconds()
    # SQS retries a failed step every visibility timeout; a period at least that long holds one
    # failed attempt each while the step keeps failing, so the alarm does not drop to OK between.
    assert alarm["Period"] >= visibility and alarm["Period"] % 60 == 0
    assert alarm["MetricName"] == "TaskAttemptsFailed" and alarm["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize("worker_timeout", [30, 60, 120])
def test_the_retry_period_covers_the_visibility_timeout_at_every_allowed_worker_timeout(
        worker_timeout, prod_stack):
    import aws_cdk as cdk

    from channelwright_stack.task_queue import TaskQueue

    stack = cdk.Stack(cdk.App())
    tasks = TaskQueue(stack, "Tasks", worker_timeout=cdk.Duration.seconds(worker_timeout))
    assert retry_period(tasks).to_seconds() >= tasks.visibility_timeout.to_seconds()


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_new_dead_letter_pages_again_even_while_some_wait(stage, templates, stacks):
    template, stack = templates[stage], stacks[stage]
    alarm = alarms_of(template)[f"channelwright-dead-letter-arrivals-{stage}"]
    (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
    (depth,) = [m for m in alarm["Metrics"] if "MetricStat" in m]
    assert expression["Expression"] == f"DIFF({depth['Id']})" and expression["ReturnData"] is True
    assert depth["MetricStat"]["Metric"] == {
        "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": get_att(stack, stack.tasks.dead_letter_queue,
                                                                "QueueName")}]}
    assert depth["MetricStat"]["Period"] == 60
    # An event, not a state: an e-mail per arrival, none when the next minute is quiet.
    assert alarm["AlarmActions"] == [topic_ref(stack)] and "OKActions" not in alarm
    assert alarm["Threshold"] == 0 and alarm["TreatMissingData"] == "notBreaching"


def test_rate_limits_page_only_when_sustained(prod):
    alarm = alarms_of(prod)["channelwright-discord-rate-limited-prod"]
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 3
    assert alarm["Period"] * alarm["EvaluationPeriods"] == 15 * 60


def test_queue_age_alarm_fires_well_inside_the_interaction_token_lifetime(dev, dev_stack):
    alarm = properties(dev, dev_stack, dev_stack.monitoring.alarms["TaskQueueAge"])
    assert alarm["Threshold"] + alarm["Period"] * alarm["EvaluationPeriods"] < 15 * 60 / 2


def test_dead_letter_alarms_give_the_runbook_command(prod):
    for name in ("channelwright-dead-letters-prod", "channelwright-dead-letter-arrivals-prod"):
        assert "python -m channelwright.ops dlq list --stage prod" in alarms_of(prod)[name]["AlarmDescription"]


# --- the alarm topic ----------------------------------------------------------------------


def test_alarm_topic_refuses_plain_http_and_only_this_stages_alarms_may_publish(dev, dev_stack):
    dev.resource_count_is("AWS::SNS::Topic", 1)
    dev.has_resource_properties("AWS::SNS::Topic", {"DisplayName": "Channelwright dev alarms"})
    topic = topic_ref(dev_stack)
    dev.has_resource_properties("AWS::SNS::TopicPolicy", {
        "Topics": [topic],
        "PolicyDocument": {"Statement": Match.array_with([
            {   # enforce_ssl=True
                "Action": "sns:Publish", "Effect": "Deny", "Principal": "*", "Resource": topic,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Sid": Match.any_value(),
            },
            {
                "Action": "sns:Publish", "Effect": "Allow", "Resource": topic,
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {"aws:SourceArn": Match.any_value()},
                },
                "Sid": Match.any_value(),
            },
        ])},
    })
    statement = properties(dev, dev_stack, dev_stack.monitoring.topic.node.find_child("Policy"))[
        "PolicyDocument"]["Statement"][1]
    assert joined(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == (
        "arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:channelwright-*-dev"
    )
    for name in alarm_specs(dev_stack):  # the pattern admits every alarm of the stage
        assert name.startswith("channelwright-") and name.endswith("-dev")


@pytest.fixture(scope="module")
def email_variants(stacks):
    """The prod stack with and without an alarm e-mail, whatever cdk.json says (one synth)."""
    import aws_cdk as cdk

    from channelwright_stack import ChannelwrightStack

    prod = stacks["prod"].stage_settings
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    built = {
        email: ChannelwrightStack(app, f"Variant{i}", stage=dataclasses.replace(prod, alarm_email=email))
        for i, email in enumerate(["ops@example.com", ""])
    }
    return {email: (Template.from_stack(stack), stack) for email, stack in built.items()}


def test_a_stage_with_an_alarm_email_subscribes_it(email_variants):
    template, stack = email_variants["ops@example.com"]
    template.resource_count_is("AWS::SNS::Subscription", 1)
    template.has_resource_properties("AWS::SNS::Subscription", {
        "Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": topic_ref(stack),
    })


def test_a_stage_without_an_alarm_email_has_a_topic_but_no_subscription(email_variants):
    template, _ = email_variants[""]
    template.resource_count_is("AWS::SNS::Topic", 1)
    template.resource_count_is("AWS::SNS::Subscription", 0)


def test_stack_tests_subscribe_exactly_the_fixed_test_email(templates, stacks):
    # The stack tests synthesize with fixed operator values, never cdk.json's (snapshots.py).
    assert stacks["prod"].stage_settings.alarm_email == "alarms@example.com"
    templates["prod"].resource_count_is("AWS::SNS::Subscription", 1)
    assert stacks["dev"].stage_settings.alarm_email == ""
    templates["dev"].resource_count_is("AWS::SNS::Subscription", 0)


# --- the dashboard ------------------------------------------------------------------------

GRAPH_TITLES = {
    "Campaigns", "Refused or paused: no page", "Campaign build time (s)",
    "What Discord waits for (ms)", "Interactions function (ms)", "Request path failures",
    "Task queue depth", "Oldest task age (s)", "Dead letters",
    "Worker failures", "Worker duration (ms)", "Discord rate limits",
}


def test_one_dashboard_per_stage_named_after_it(dev, prod):
    for template in (dev, prod):
        template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    dev.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "Channelwright-dev"})
    prod.has_resource_properties("AWS::CloudWatch::Dashboard", {"DashboardName": "Channelwright-prod"})


def test_dashboard_shows_every_alarm_state_at_the_top(prod, prod_stack):
    body = dashboard(prod, prod_stack)
    (status,) = widgets_of_type(body, "alarm")
    assert status["y"] == 0
    alarms = prod_stack.monitoring.alarms.values()
    assert len(alarms) == ALARM_COUNT
    assert sorted(status["properties"]["alarms"]) == sorted(
        f"<{logical_id(prod_stack, alarm)}.Arn>" for alarm in alarms
    )


def test_dashboard_has_every_graph(prod, prod_stack):
    titles = {w["properties"]["title"] for w in widgets_of_type(dashboard(prod, prod_stack), "metric")}
    assert titles == GRAPH_TITLES


def test_dashboard_graphs_every_business_metric_but_the_per_code_errors(prod, prod_stack):
    graphed = {name for namespace, name, _ in graphed_metrics(dashboard(prod, prod_stack))
               if namespace == NAMESPACE}
    # DiscordErrors has a dimension per error code: Logs Insights answers that better.
    assert graphed == set(CATALOG) - {"DiscordErrors"}


def test_dashboard_graphs_queues_and_both_functions(prod, prod_stack):
    metrics = [m for w in widgets_of_type(dashboard(prod, prod_stack), "metric")
               for m in w["properties"]["metrics"]]
    names = {(m[0], m[1], m[3]) for m in metrics if len(m) > 3}
    queue = f"<{logical_id(prod_stack, prod_stack.tasks.queue)}.QueueName>"
    dlq = f"<{logical_id(prod_stack, prod_stack.tasks.dead_letter_queue)}.QueueName>"
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue) in names
    assert ("AWS/SQS", "ApproximateAgeOfOldestMessage", queue) in names
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq) in names
    for function in (prod_stack.ingress.function, prod_stack.worker.function):
        fn = f"<{logical_id(prod_stack, function)}>"
        for metric in ("Errors", "Throttles", "Duration"):
            assert ("AWS/Lambda", metric, fn) in names


def test_graphs_draw_the_alarm_thresholds_and_discords_deadline(prod, prod_stack):
    graphs = {w["properties"]["title"]: w["properties"] for w in
              widgets_of_type(dashboard(prod, prod_stack), "metric")}
    lines = lambda title: {a["value"] for a in graphs[title]["annotations"]["horizontal"]}  # noqa: E731
    assert lines("Dead letters") == {0}
    assert lines("Oldest task age (s)") == {300}
    assert lines("What Discord waits for (ms)") == {2000, 3000}
    assert lines("Request path failures") == {0}
    assert lines("Campaigns") == {0}
    assert lines("Worker failures") == {0}
    assert lines("Discord rate limits") == {0}


def test_text_next_to_each_row_says_what_to_do_when_it_turns_red(prod, prod_stack):
    texts = "\n".join(w["properties"]["markdown"] for w in widgets_of_type(dashboard(prod, prod_stack), "text"))
    for name in alarms_of(prod):
        assert f"**{name}**" in texts, name
    assert "python -m channelwright.ops dlq list --stage prod" in texts
    assert "python -m channelwright.ops dlq redrive --stage prod" in texts
    assert "Init Duration" in texts  # p99 near 3 s: cold starts
    assert "discordstatus.com" in texts  # queue age: Discord's status
    assert "docs/operations.md" in texts


def test_dashboard_fits_24_columns_without_overlap(prod, prod_stack):
    cells = set()
    for widget in dashboard(prod, prod_stack)["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        for x in range(widget["x"], widget["x"] + widget["width"]):
            for y in range(widget["y"], widget["y"] + widget["height"]):
                assert (x, y) not in cells
                cells.add((x, y))


# --- outputs for the operations CLI -------------------------------------------------------


def test_outputs_name_what_the_operations_cli_needs(dev, dev_stack):
    outputs = dev.to_json()["Outputs"]
    assert outputs["TaskQueueUrl"]["Value"] == ref(dev_stack, dev_stack.tasks.queue)
    assert outputs["DeadLetterQueueUrl"]["Value"] == ref(dev_stack, dev_stack.tasks.dead_letter_queue)
    assert outputs["CampaignTableName"]["Value"] == ref(dev_stack, dev_stack.store.table)
    assert outputs["AlarmTopicArn"]["Value"] == topic_ref(dev_stack)
    dashboard_ref = ref(dev_stack, dev_stack.monitoring.dashboard)
    assert outputs["DashboardName"]["Value"] == dashboard_ref
    assert joined(outputs["DashboardUrl"]["Value"]) == (
        "https://<AWS::Region>.console.aws.amazon.com/cloudwatch/home?region=<AWS::Region>"
        f"#dashboards:name=<{dashboard_ref['Ref']}>"
    )
    # The earlier outputs stay.
    assert {"InteractionsEndpointUrl", "BotTokenSecretArn"} <= set(outputs)
