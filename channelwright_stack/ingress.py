"""Discord's way in: an HTTP API with one route, POST /interactions, and the interactions Lambda."""

from __future__ import annotations

import json

import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from .nag import acknowledge
from .runtime_asset import RuntimeAsset
from .settings import StageSettings

INTERACTIONS_PATH = "/interactions"

# One JSON object per request, with HTTP API's own variables (several REST API ones, e.g.
# $context.identity.caller, do not exist here).
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "userAgent": "$context.identity.userAgent",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "protocol": "$context.protocol",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationStatus": "$context.integrationStatus",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)


# HttpStage wants an object implementing IAccessLogSettings; a plain dict fails to deserialize
# in Python although the CDK docs show one.
@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, log_group: logs.ILogGroup, log_format: str) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        self._format = apigateway.AccessLogFormat.custom(log_format)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format


class Ingress(Construct):
    """HTTP API -> interactions Lambda (payload format 2.0), with access logs and throttling."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: RuntimeAsset,
        stage: StageSettings,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.function = runtime.new_function(
            self,
            "Function",
            handler="channelwright.interactions.handler",
            description="Verifies and answers Discord interactions, and enqueues campaign steps",
            memory_mb=stage.ingress_memory_mb,
            timeout=stage.ingress_timeout,
            stage=stage,
            environment=environment,
        )

        # The HTTP API rather than a REST API: lower latency and cost, and a Lambda proxy route
        # is all Discord needs. The default stage is added by hand because HttpApi's own default
        # stage takes neither access-log nor throttle settings.
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=f"channelwright-{stage.name}",
            description="Discord interactions endpoint for Channelwright",
            create_default_stage=False,
        )
        (self.route,) = self.api.add_routes(
            path=INTERACTIONS_PATH,
            methods=[apigwv2.HttpMethod.POST],
            integration=HttpLambdaIntegration(
                "Interactions",
                self.function,
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
            ),
        )
        acknowledge(
            self.route.node.default_child,
            "AwsSolutions-APIG4",
            "Discord calls this route without any credential of ours. Every request is "
            "authenticated in the handler instead: Discord's Ed25519 signature over timestamp + "
            "raw body is verified and anything else gets 401. An HTTP API authorizer cannot do "
            "that check (it never sees the body) and would only add latency to Discord's 3 s "
            "deadline.",
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=stage.log_retention, removal_policy=stage.removal_policy
        )
        # Not "Default": CDK drops that id from logical ids, which collides with the API's own.
        self.stage = self.api.add_stage(
            "Stage",
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_AccessLogSettings(self.access_logs, ACCESS_LOG_FORMAT),
            # Caps what a flood of forged requests can cost: each one is a Lambda invocation
            # before the signature check rejects it.
            throttle=apigwv2.ThrottleSettings(
                rate_limit=stage.api_throttle_rate, burst_limit=stage.api_throttle_burst
            ),
        )
        # stage.url ends with "/" for the $default stage.
        self.endpoint_url = f"{self.stage.url}{INTERACTIONS_PATH.lstrip('/')}"
