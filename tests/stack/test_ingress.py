"""The HTTP API in front of the interactions Lambda."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from .helpers import get_att, properties, ref


def test_only_route_is_post_interactions_to_the_interactions_lambda(dev, dev_stack):
    dev.resource_count_is("AWS::ApiGatewayV2::Api", 1)
    dev.has_resource_properties("AWS::ApiGatewayV2::Api", {"ProtocolType": "HTTP"})
    dev.resource_count_is("AWS::ApiGatewayV2::Route", 1)
    dev.has_resource_properties("AWS::ApiGatewayV2::Route", {
        "RouteKey": "POST /interactions",
        "AuthorizationType": "NONE",  # Discord authenticates with an Ed25519 signature instead
    })
    dev.resource_count_is("AWS::ApiGatewayV2::Integration", 1)
    dev.has_resource_properties("AWS::ApiGatewayV2::Integration", {
        "IntegrationType": "AWS_PROXY",
        "PayloadFormatVersion": "2.0",
        "IntegrationUri": get_att(dev_stack, dev_stack.ingress.function, "Arn"),
    })
    dev.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "FunctionName": get_att(dev_stack, dev_stack.ingress.function, "Arn"),
    })


def test_default_stage_logs_every_request_and_is_throttled(dev, prod, dev_stack, prod_stack):
    for template, stack in ((dev, dev_stack), (prod, prod_stack)):
        stage = stack.stage_settings
        template.resource_count_is("AWS::ApiGatewayV2::Stage", 1)
        template.has_resource_properties("AWS::ApiGatewayV2::Stage", {
            "StageName": "$default",
            "AutoDeploy": True,
            "AccessLogSettings": {
                "DestinationArn": get_att(stack, stack.ingress.access_logs, "Arn"),
                "Format": Match.any_value(),
            },
            "DefaultRouteSettings": {
                "ThrottlingRateLimit": stage.api_throttle_rate,
                "ThrottlingBurstLimit": stage.api_throttle_burst,
            },
        })
    assert dev_stack.stage_settings.api_throttle_rate < prod_stack.stage_settings.api_throttle_rate


def test_access_log_lines_are_json_with_request_status_and_latency(dev, dev_stack):
    log_format = properties(dev, dev_stack, dev_stack.ingress.stage)["AccessLogSettings"]["Format"]
    fields = json.loads(log_format)
    assert fields["requestId"] == "$context.requestId"
    assert fields["routeKey"] == "$context.routeKey"
    assert fields["status"] == "$context.status"
    assert fields["integrationLatency"] == "$context.integrationLatency"
    retention = properties(dev, dev_stack, dev_stack.ingress.access_logs)["RetentionInDays"]
    assert retention == 7


def test_outputs_give_the_endpoint_url_and_the_token_secret(dev, dev_stack):
    outputs = dev.to_json()["Outputs"]
    url = outputs["InteractionsEndpointUrl"]["Value"]["Fn::Join"][1]
    assert url[0] == "https://"
    assert url[1] == ref(dev_stack, dev_stack.ingress.api)
    assert url[-1].endswith("/interactions")
    assert outputs["BotTokenSecretArn"]["Value"] == ref(dev_stack, dev_stack.token.secret)
