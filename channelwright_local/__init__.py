"""Running Channelwright on one machine: AWS stand-ins and the glue Lambda would provide.

`python -m channelwright_local serve|demo|send` (see docs/local-mode.md). This package sits outside
`lambda_src/` on purpose: it never ships in the Lambda asset.

Modules, one idea each:
  stack_template  what the synthesized CloudFormation template says to build (read, not restated)
  aws             moto's server and the resources the template describes, created in it
  sqs_event_source / worker_loop   what Lambda's SQS event source mapping does
  http_gateway    what API Gateway's HTTP API does: HTTP request -> payload 2.0 event -> response
  discord_side    the Discord the handlers talk to: the emulator, or the real API
  local_api       /local/* endpoints to look inside, for tests, the demo and `send`
  playground/     the browser page at /: the emulated server, a command bar, messages as Discord
                  draws them, acting as any member, faults on and off, recovery narrated
  runtime         all of the above started together, and stopped together
  client          talking to a running local bot over HTTP, as Discord and a user would
  demo / terminal the one-command demo and how it draws the user's message
"""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SRC = REPO_ROOT / "lambda_src"

# The handlers import as `channelwright.*` with lambda_src/ as their root (as in the Lambda asset);
# the emulator and the stack live at the repo root. Put both on the path so that
# `python -m channelwright_local` works from a plain checkout without PYTHONPATH.
for _path in (str(LAMBDA_SRC), str(REPO_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
