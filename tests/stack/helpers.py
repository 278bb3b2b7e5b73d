"""Small lookups over synthesized templates, shared by the stack tests."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Template
from aws_cdk import aws_lambda as lambda_

from channelwright_stack.snapshots import joined

__all__ = [
    "actions", "allowed_actions_on", "get_att", "joined", "logical_id", "properties", "ref",
    "resource", "role_statements",
]


def logical_id(stack: Stack, construct) -> str:
    """The logical id of an L2 construct's CloudFormation resource."""
    return stack.get_logical_id(construct.node.default_child)


def ref(stack: Stack, construct) -> dict:
    return {"Ref": logical_id(stack, construct)}


def get_att(stack: Stack, construct, attribute: str) -> dict:
    return {"Fn::GetAtt": [logical_id(stack, construct), attribute]}


def resource(template: Template, stack: Stack, construct) -> dict[str, Any]:
    return template.to_json()["Resources"][logical_id(stack, construct)]


def properties(template: Template, stack: Stack, construct) -> dict[str, Any]:
    return resource(template, stack, construct)["Properties"]


def role_statements(template: Template, stack: Stack, function: lambda_.Function) -> list[dict]:
    """Every inline policy statement attached to a function's execution role."""
    role = ref(stack, function.role)
    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if role in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions(statement: dict) -> set[str]:
    value = statement["Action"]
    return {value} if isinstance(value, str) else set(value)


def allowed_actions_on(statements: list[dict], resource_value: Any) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        if statement["Effect"] == "Allow" and resource_value in resources:
            found |= actions(statement)
    return found

