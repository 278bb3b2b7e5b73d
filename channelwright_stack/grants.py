"""The AWS actions each function's code calls, and nothing more (least privilege).

Granted action by action instead of with `grant_read_write_data`/`grant_send_messages`, which also
allow batch reads and writes, scans, stream reads, DescribeTable and the queue's attribute calls
that no code here makes. tests/test_aws_calls.py records the calls the real handlers make and
checks them against these lists; tests/stack/test_access.py pins them in the template.
"""

from __future__ import annotations

# The interactions function: records campaigns and tokens (PutItem), reads them (GetItem, Query
# for lists, autocomplete and buttons), changes a status or frees a name when the queue refuses
# (UpdateItem, DeleteItem), removes server templates (DeleteItem); enqueues tasks.
INGRESS_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                         "dynamodb:DeleteItem", "dynamodb:Query")
INGRESS_QUEUE_ACTIONS = ("sqs:SendMessage",)  # SendMessageBatch is authorised as SendMessage

# The worker: reads campaigns and tokens (GetItem), records progress (UpdateItem), deletes
# campaigns (DeleteItem), saves imported templates (PutItem, after a Query of the server's own).
# Its queue rights (receive, delete, change visibility) come with its SQS event source.
WORKER_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query")
