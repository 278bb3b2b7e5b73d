"""Operator tools, run from a workstation: `python -m channelwright.ops dlq list --stage dev`.

The package ships in the Lambda asset with the rest of `channelwright` but the handlers never
import it. Each module holds one idea, and its functions receive their collaborators (boto3
clients, the console) so tests can hand them moto clients or fakes; `__main__` only parses the
command line and builds the real clients.
"""

PROG = "python -m channelwright.ops"
