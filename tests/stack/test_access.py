"""Least privilege: who may touch the queue, the table and the bot token."""

from __future__ import annotations

from .helpers import actions, allowed_actions_on, get_att, ref, role_statements

SEND = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
CONSUME = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
TABLE_USE = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_interactions_function_may_only_enqueue_and_keep_records(dev, dev_stack):
    statements = role_statements(dev, dev_stack, dev_stack.ingress.function)
    queue = get_att(dev_stack, dev_stack.tasks.queue, "Arn")
    table = get_att(dev_stack, dev_stack.store.table, "Arn")

    assert allowed_actions_on(statements, queue) == SEND
    assert TABLE_USE <= allowed_actions_on(statements, table)
    everything = set().union(*(actions(s) for s in statements))
    assert not any(a.startswith("secretsmanager:") for a in everything)
    assert not everything & CONSUME
    # Nothing beyond the queue and the table.
    for statement in statements:
        assert statement["Resource"] in (queue, table)


def test_worker_consumes_reads_the_token_and_keeps_records_but_cannot_enqueue(dev, dev_stack):
    statements = role_statements(dev, dev_stack, dev_stack.worker.function)
    queue = get_att(dev_stack, dev_stack.tasks.queue, "Arn")
    table = get_att(dev_stack, dev_stack.store.table, "Arn")
    secret = ref(dev_stack, dev_stack.token.secret)

    assert CONSUME <= allowed_actions_on(statements, queue)
    assert "sqs:SendMessage" not in allowed_actions_on(statements, queue)
    assert TABLE_USE <= allowed_actions_on(statements, table)
    assert allowed_actions_on(statements, secret) == {
        "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
    }
    for statement in statements:
        assert statement["Resource"] in (queue, table, secret)


def test_only_the_worker_can_read_the_bot_token(dev, prod, dev_stack, prod_stack):
    for template, stack in ((dev, dev_stack), (prod, prod_stack)):
        worker_role = ref(stack, stack.worker.function.role)
        readers = [
            policy["Properties"]["Roles"]
            for policy in template.find_resources("AWS::IAM::Policy").values()
            if any(a.startswith("secretsmanager:") for statement in
                   policy["Properties"]["PolicyDocument"]["Statement"] for a in actions(statement))
        ]
        assert readers == [[worker_role]]
        template.resource_count_is("AWS::SecretsManager::ResourcePolicy", 0)


def test_no_policy_grants_on_every_resource(dev):
    for policy in dev.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Resource"] != "*", statement


def test_roles_carry_only_the_basic_execution_policy(dev):
    dev.resource_count_is("AWS::IAM::Role", 2)
    for role in dev.find_resources("AWS::IAM::Role").values():
        managed = role["Properties"]["ManagedPolicyArns"]
        assert len(managed) == 1
        assert managed[0]["Fn::Join"][1][-1].endswith("service-role/AWSLambdaBasicExecutionRole")
