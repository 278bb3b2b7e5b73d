"""Monitoring: seven alarms to one TLS-only topic per stage, and one dashboard per stage."""

from __future__ import annotations

import dataclasses
import json

import pytest
from aws_cdk.assertions import Capture, Match, Template

from channelwright_stack.monitoring.metrics import METRICS_NAMESPACE

from .helpers import get_att, joined, logical_id, properties, ref

ALARM_COUNT = 7


def alarm_specs(stack) -> dict[str, dict]:
    """Alarm name -> what the alarm watches, per the operations issue."""
    s, tasks = stack.stage_settings.name, stack.tasks
    ingress_fn, worker_fn = stack.ingress.function, stack.worker.function
    queue_dim = lambda queue: [{"Name": "QueueName", "Value": get_att(stack, queue, "QueueName")}]  # noqa: E731
    function_dim = lambda fn: [{"Name": "FunctionName", "Value": ref(stack, fn)}]  # noqa: E731
    return {
        f"channelwright-dead-letters-{s}": {
            "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": queue_dim(tasks.dead_letter_queue),
            "Statistic": "Maximum", "Period": 60, "Threshold": 0,
        },
        f"channelwright-task-queue-age-{s}": {
            "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
            "Dimensions": queue_dim(tasks.queue),
            "Statistic": "Maximum", "Period": 60, "Threshold": 300,
        },
        f"channelwright-worker-errors-{s}": {
            "Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": function_dim(worker_fn),
            "Statistic": "Sum", "Period": 300, "Threshold": 0,
        },
        f"channelwright-worker-throttles-{s}": {
            "Namespace": "AWS/Lambda", "MetricName": "Throttles", "Dimensions": function_dim(worker_fn),
            "Statistic": "Sum", "Period": 300, "Threshold": 0,
        },
        f"channelwright-interactions-slow-{s}": {
            "Namespace": "AWS/Lambda", "MetricName": "Duration", "Dimensions": function_dim(ingress_fn),
            "ExtendedStatistic": "p99", "Statistic": Match.absent(), "Period": 300, "Threshold": 2000,
        },
        f"channelwright-api-5xx-{s}": {
            "Namespace": "AWS/ApiGateway", "MetricName": "5xx",
            "Dimensions": [{"Name": "ApiId", "Value": ref(stack, stack.ingress.api)}],
            "Statistic": "Sum", "Period": 300, "Threshold": 0,
        },
        f"channelwright-campaigns-failed-{s}": {
            "Namespace": "Channelwright", "MetricName": "CampaignsFailed",
            "Dimensions": [{"Name": "service", "Value": "channelwright-worker"}],
            "Statistic": "Sum", "Period": 300, "Threshold": 0,
        },
    }


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


# --- alarms -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_alarm_watches_its_metric_and_notifies_the_topic_on_alarm_and_recovery(stage, templates, stacks):
    template, stack = templates[stage], stacks[stage]
    specs = alarm_specs(stack)
    template.resource_count_is("AWS::CloudWatch::Alarm", ALARM_COUNT)
    assert len(specs) == ALARM_COUNT
    for name, metric in specs.items():
        template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "AlarmName": name,
            **metric,
            "ComparisonOperator": "GreaterThanThreshold",
            "EvaluationPeriods": 1,
            # Absent data (no traffic, no failures) is healthy.
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic_ref(stack)],
            "OKActions": [topic_ref(stack)],
            "AlarmDescription": Match.string_like_regexp(r"Runbook: docs/operations\.md#alarms$"),
        })


def test_queue_age_alarm_fires_well_inside_the_interaction_token_lifetime(dev, dev_stack):
    alarm = properties(dev, dev_stack, dev_stack.monitoring.alarms["TaskQueueAge"])
    assert alarm["Threshold"] + alarm["Period"] * alarm["EvaluationPeriods"] < 15 * 60 / 2


def test_dead_letter_alarm_description_gives_the_runbook_command(prod, prod_stack):
    alarm = properties(prod, prod_stack, prod_stack.monitoring.alarms["DeadLetters"])
    assert "python -m channelwright.ops dlq list --stage prod" in alarm["AlarmDescription"]


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


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_deployed_stages_subscribe_exactly_the_email_in_cdk_json(stage, templates, stacks):
    email = stacks[stage].stage_settings.alarm_email
    templates[stage].resource_count_is("AWS::SNS::Subscription", 1 if email else 0)


# --- the dashboard ------------------------------------------------------------------------

GRAPH_TITLES = {
    "Campaigns", "Channels created", "Campaign build time (s)",
    "Interactions duration (ms)", "Ack latency (ms)", "API errors",
    "Task queue depth", "Oldest task age (s)", "Dead letters",
    "Worker errors and throttles", "Worker duration (ms)", "Discord rate limits",
}

BUSINESS_METRICS = {
    ("CampaignsStarted", "channelwright-interactions"),
    ("AckLatency", "channelwright-interactions"),
    ("CampaignsCompleted", "channelwright-worker"),
    ("CampaignsFailed", "channelwright-worker"),
    ("ChannelsCreated", "channelwright-worker"),
    ("DiscordRateLimited", "channelwright-worker"),
    ("BuildSeconds", "channelwright-worker"),
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
    assert sorted(status["properties"]["alarms"]) == sorted(
        f"<{logical_id(prod_stack, alarm)}.Arn>" for alarm in alarms
    )


def test_dashboard_has_every_graph(prod, prod_stack):
    titles = {w["properties"]["title"] for w in widgets_of_type(dashboard(prod, prod_stack), "metric")}
    assert titles == GRAPH_TITLES


def test_dashboard_graphs_the_business_metrics_with_the_service_that_emits_them(prod, prod_stack):
    found = set()
    for widget in widgets_of_type(dashboard(prod, prod_stack), "metric"):
        for metric in widget["properties"]["metrics"]:
            if metric[0] == METRICS_NAMESPACE:
                assert metric[2] == "service"
                found.add((metric[1], metric[3]))
    assert found == BUSINESS_METRICS


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
    assert lines("Interactions duration (ms)") == {2000, 3000}
    assert lines("API errors") == {0}
    assert lines("Campaigns") == {0}


def test_text_next_to_each_row_says_what_to_do_when_it_turns_red(prod, prod_stack):
    texts = "\n".join(w["properties"]["markdown"] for w in widgets_of_type(dashboard(prod, prod_stack), "text"))
    for name in alarm_specs(prod_stack):
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
