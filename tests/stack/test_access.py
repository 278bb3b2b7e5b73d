"""Least privilege: who may touch the queue, the table and the bot token."""

from __future__ import annotations

from .helpers import actions, allowed_actions_on, get_att, ref, role_statements

SEND = {"sqs:SendMessage"}
CONSUME = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
# Exactly the calls the code makes (tests/test_aws_calls.py records them): no Scan, no batch
# reads or writes, no DescribeTable, no stream reads.
TABLE_USE = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
             "dynamodb:Query"}
WRITE_LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_interactions_function_may_only_enqueue_and_keep_records(dev, dev_stack):
    statements = role_statements(dev, dev_stack, dev_stack.ingress.function)
    queue = get_att(dev_stack, dev_stack.tasks.queue, "Arn")
    table = get_att(dev_stack, dev_stack.store.table, "Arn")
    logs = get_att(dev_stack, dev_stack.ingress.function.log_group, "Arn")

    assert allowed_actions_on(statements, queue) == SEND
    assert allowed_actions_on(statements, table) == TABLE_USE
    everything = set().union(*(actions(s) for s in statements))
    assert not any(a.startswith("secretsmanager:") for a in everything)
    assert not everything & CONSUME
    # Nothing beyond the queue, the table and its own logs.
    for statement in statements:
        assert statement["Resource"] in (queue, table, logs)


def test_worker_consumes_reads_the_token_and_keeps_records_but_cannot_enqueue(dev, dev_stack):
    statements = role_statements(dev, dev_stack, dev_stack.worker.function)
    queue = get_att(dev_stack, dev_stack.tasks.queue, "Arn")
    table = get_att(dev_stack, dev_stack.store.table, "Arn")
    secret = ref(dev_stack, dev_stack.token.secret)
    logs = get_att(dev_stack, dev_stack.worker.function.log_group, "Arn")

    assert CONSUME <= allowed_actions_on(statements, queue)
    assert "sqs:SendMessage" not in allowed_actions_on(statements, queue)
    assert allowed_actions_on(statements, table) == TABLE_USE
    assert allowed_actions_on(statements, secret) == {
        "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
    }
    for statement in statements:
        assert statement["Resource"] in (queue, table, secret, logs)


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


def test_each_function_has_its_own_role_that_writes_only_its_own_logs(dev, dev_stack):
    # No AWSLambdaBasicExecutionRole: it allows creating and writing any log group.
    dev.resource_count_is("AWS::IAM::Role", 2)
    for role in dev.find_resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
            "Action": "sts:AssumeRole", "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }]
    functions = (dev_stack.ingress.function, dev_stack.worker.function)
    assert len({ref(dev_stack, f.role)["Ref"] for f in functions}) == 2
    for function in functions:
        statements = role_statements(dev, dev_stack, function)
        log_statements = [s for s in statements if any(a.startswith("logs:") for a in actions(s))]
        assert log_statements == [{
            "Action": sorted(WRITE_LOGS), "Effect": "Allow",
            "Resource": get_att(dev_stack, function.log_group, "Arn"),
        }]
