"""What the synthesized CloudFormation template says to build, read rather than restated.

The template is what AWS deploys, the deployment truth, so local mode takes every setting from it: the
queues and their redrive policy, the table's keys, the secret, each function's handler, timeout and
environment, the SQS event source's batch size, and the HTTP API's routes. Nothing here repeats a
number from channelwright_stack.

By default the committed dev-stage snapshot is read: it needs no jsii/node start-up (a synth
takes ~10 s), and tests/stack/test_snapshots.py fails whenever it drifts from the CDK code, so it
is never stale for long. `--stack-template cdk.out/Channelwright-dev.template.json` reads a fresh
synth (`python3 app.py`) instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import REPO_ROOT

SNAPSHOT_DIR = REPO_ROOT / "tests" / "stack" / "__snapshots__"
DEV_SNAPSHOT = SNAPSHOT_DIR / "test_snapshots" / "test_template_matches_snapshot[dev].json"


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str  # "module.attribute", as Lambda resolves it
    timeout_s: int
    memory_mb: int
    environment: dict[str, Any]  # values may be intrinsics ({"Ref": ...}) until resolved


@dataclass(frozen=True)
class EventSourceSpec:
    queue_id: str
    function_id: str
    batch_size: int
    report_batch_item_failures: bool
    max_concurrency: int | None


@dataclass(frozen=True)
class RouteSpec:
    route_key: str  # "POST /interactions"
    function_id: str
    payload_format_version: str


@dataclass(frozen=True)
class StackSpec:
    source: Path
    queues: dict[str, Resource] = field(default_factory=dict)
    tables: dict[str, Resource] = field(default_factory=dict)
    secrets: dict[str, Resource] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    event_sources: list[EventSourceSpec] = field(default_factory=list)
    routes: list[RouteSpec] = field(default_factory=list)

    def function_with_handler(self, handler: str) -> FunctionSpec:
        for function in self.functions.values():
            if function.handler == handler:
                return function
        raise TemplateError(f"{self.source}: no function has the handler {handler!r}")

    def event_source_for(self, function: FunctionSpec) -> EventSourceSpec:
        for source in self.event_sources:
            if source.function_id == function.logical_id:
                return source
        raise TemplateError(f"{self.source}: {function.logical_id} has no SQS event source")

    def queues_in_creation_order(self) -> list[Resource]:
        """Dead-letter queues first: a redrive policy names its target's ARN."""
        targets = {dead_letter_target(q) for q in self.queues.values()} - {None}
        return sorted(self.queues.values(), key=lambda q: q.logical_id not in targets)


class TemplateError(ValueError):
    pass


def default_template_path() -> Path:
    if DEV_SNAPSHOT.exists():
        return DEV_SNAPSHOT
    # Tolerate a renamed snapshot test: any dev-stage snapshot will do.
    found = sorted(p for p in SNAPSHOT_DIR.rglob("*.json") if "[dev]" in p.name)
    if not found:
        raise TemplateError(
            f"no dev-stage template snapshot under {SNAPSHOT_DIR}; synthesize one with "
            "`python3 app.py` and pass --stack-template cdk.out/Channelwright-dev.template.json")
    return found[0]


def load_stack(path: Path | None = None) -> StackSpec:
    path = Path(path) if path else default_template_path()
    try:
        template = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TemplateError(f"cannot read the stack template {path}: {error}") from None
    return parse_template(template, source=path)


def parse_template(template: dict, *, source: Path = Path("<template>")) -> StackSpec:
    resources = [Resource(rid, r.get("Type", ""), r.get("Properties") or {})
                 for rid, r in (template.get("Resources") or {}).items()]

    def of_type(kind: str) -> dict[str, Resource]:
        return {r.logical_id: r for r in resources if r.type == kind}

    spec = StackSpec(
        source=source,
        queues=of_type("AWS::SQS::Queue"),
        tables=of_type("AWS::DynamoDB::Table"),
        secrets=of_type("AWS::SecretsManager::Secret"),
        functions={rid: _function(r) for rid, r in of_type("AWS::Lambda::Function").items()},
    )
    for mapping in of_type("AWS::Lambda::EventSourceMapping").values():
        spec.event_sources.append(_event_source(mapping))
    integrations = of_type("AWS::ApiGatewayV2::Integration")
    for route in of_type("AWS::ApiGatewayV2::Route").values():
        spec.routes.append(_route(route, integrations))
    return spec


def dead_letter_target(queue: Resource) -> str | None:
    policy = queue.properties.get("RedrivePolicy") or {}
    return _logical_id(policy.get("deadLetterTargetArn"))


def max_receive_count(queue: Resource) -> int | None:
    policy = queue.properties.get("RedrivePolicy") or {}
    return int(policy["maxReceiveCount"]) if "maxReceiveCount" in policy else None


def _function(resource: Resource) -> FunctionSpec:
    props = resource.properties
    return FunctionSpec(
        logical_id=resource.logical_id,
        handler=props.get("Handler", ""),
        # CloudFormation's defaults when a property is left out.
        timeout_s=int(props.get("Timeout", 3)),
        memory_mb=int(props.get("MemorySize", 128)),
        environment=dict((props.get("Environment") or {}).get("Variables") or {}),
    )


def _event_source(resource: Resource) -> EventSourceSpec:
    props = resource.properties
    queue_id, function_id = _logical_id(props.get("EventSourceArn")), _logical_id(props.get("FunctionName"))
    if not queue_id or not function_id:
        raise TemplateError(f"event source {resource.logical_id}: cannot tell its queue and function")
    return EventSourceSpec(
        queue_id=queue_id,
        function_id=function_id,
        batch_size=int(props.get("BatchSize", 10)),
        report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
        max_concurrency=(props.get("ScalingConfig") or {}).get("MaximumConcurrency"),
    )


def _route(resource: Resource, integrations: dict[str, Resource]) -> RouteSpec:
    props = resource.properties
    target = props.get("Target")
    # CDK writes the target as {"Fn::Join": ["", ["integrations/", {"Ref": <integration>}]]}.
    parts = target["Fn::Join"][1] if isinstance(target, dict) and "Fn::Join" in target else [target]
    integration = next((integrations[i] for i in map(_logical_id, parts) if i in integrations), None)
    function_id = _logical_id(integration.properties.get("IntegrationUri")) if integration else None
    if not function_id:
        raise TemplateError(f"route {props.get('RouteKey')!r}: no Lambda integration found")
    return RouteSpec(route_key=props["RouteKey"], function_id=function_id,
                     payload_format_version=str(integration.properties.get("PayloadFormatVersion", "2.0")))


def _logical_id(value: Any) -> str | None:
    """The resource an intrinsic points at: {"Ref": id} or {"Fn::GetAtt": [id, attribute]}."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else str(att).split(".")[0]
    return None


def _attribute(value: dict) -> str:
    att = value["Fn::GetAtt"]
    return att[1] if isinstance(att, list) else str(att).split(".", 1)[-1]


def resolve(value: Any, refs: dict[str, str], arns: dict[str, str]) -> Any:
    """A property value with Ref / GetAtt-Arn intrinsics replaced by local physical values."""
    if isinstance(value, dict):
        if "Ref" in value:
            if value["Ref"] not in refs:
                raise TemplateError(f"cannot resolve Ref {value['Ref']!r} locally")
            return refs[value["Ref"]]
        if "Fn::GetAtt" in value:
            target, attribute = _logical_id(value), _attribute(value)
            if attribute != "Arn" or target not in arns:
                raise TemplateError(f"cannot resolve {value!r} locally")
            return arns[target]
        return {k: resolve(v, refs, arns) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, refs, arns) for v in value]
    return value
