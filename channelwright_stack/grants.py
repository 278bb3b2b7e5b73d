"""The AWS actions each function's code calls, and nothing more (least privilege).

Granted action by action instead of with `grant_read_write_data`/`grant_send_messages`, which also
allow batch reads and writes, scans, stream reads, DescribeTable and the queue's attribute calls
that no code here makes. tests/campaigns/test_stored_tokens.py records the calls the real handlers make and
checks them against these lists; tests/stack/test_access.py pins them in the template.
"""

from __future__ import annotations

# The interactions function: records campaigns and tokens (PutItem, conditional: a new name, or
# a run taking over a failed or stalled one), reads them (GetItem, Query for lists, autocomplete
# and buttons), notes that a run's tasks were sent or changes a status when the queue refuses
# (conditional UpdateItem), frees a name when no task went out (DeleteItem); enqueues tasks.
# (Removing a server template is the worker's, once it has checked the caller's roles.)
INGRESS_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                         "dynamodb:DeleteItem", "dynamodb:Query")
INGRESS_QUEUE_ACTIONS = ("sqs:SendMessage",)  # SendMessageBatch is authorised as SendMessage

# The worker: reads campaigns and tokens (GetItem), records progress (conditional UpdateItem),
# lists the server's campaigns to tell its own creates from others' after a lost reply (Query),
# deletes campaigns and server templates or frees a refused name (DeleteItem), saves imported
# templates (PutItem, after a Query of the server's own). The rate budget's bot-wide pause after a
# global 429 (lambda_src/channelwright/discord/global_pause.py) is one item of the same table: every
# instance reads it (GetItem) and the one that met the 429 extends it (conditional UpdateItem).
# Its queue rights (receive, delete, change visibility) come with its SQS event source.
WORKER_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query")
