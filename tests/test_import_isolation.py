"""The interactions Lambda's cold start loads only what the request path needs.

Lambda compiles the asset's modules at every cold start (the asset carries no bytecode for its
Python), and Discord wants an answer within 3 s (developers/interactions/receiving-and-responding.mdx,
"Interaction Callback"), so every module the interactions Lambda imports is paid for on
each cold start. The worker's libraries and modules, and the modules of commands other than
/add-campaign (imported on first use), must stay out of it; this test is what holds them out.

Each check runs in a fresh interpreter with only lambda_src on the path, as Lambda runs it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

LAMBDA_SRC = Path(__file__).resolve().parents[1] / "lambda_src"

# Only the worker talks to Discord's REST API, reads template files and builds campaigns.
WORKER_ONLY = (
    "requests",  # the Discord REST client's HTTP library (urllib3 is botocore's too: it loads)
    "yaml",  # template files
    "regex",  # Unicode-property name checks, on first need only
    "channelwright.worker",
    "channelwright.discord.rest",
    "channelwright.discord.rate_budget",
    "channelwright.discord.global_pause",
    "channelwright.discord.downloads",
    "channelwright.discord.api",  # the REST facade (interaction answers are HTTP responses)
    "channelwright.discord.routes",
    "channelwright.templates.files",
    "channelwright.templates.yaml_file",
    "channelwright.templates.schema",
    "channelwright.tasks.decision",
    "channelwright.text.long_limits",
    "channelwright.campaigns.builder",
    "channelwright.campaigns.reconcile",
    "channelwright.campaigns.teardown",
    "channelwright.campaigns.survey",
    "channelwright.campaigns.membership",
    "channelwright.campaigns.rerun",
    "channelwright.campaigns.progress",
    "channelwright.campaigns.outcome",
    "channelwright.campaigns.summary",
    "channelwright.campaigns.lost_access",
    "channelwright.commands.registration",
    "channelwright.ops",
)
# Request-path modules of the other commands and buttons: imported when first used (_later).
FIRST_USE = ("channelwright.commands.lifecycle", "channelwright.commands.campaign_template",
             "channelwright.commands.template_export", "channelwright.commands.archive",
             "channelwright.commands.adopt", "channelwright.commands.roster",
             "channelwright.commands.doctor")
# Everything of ours the cold start may load, and every library: a module or library not named
# here fails the test below, so a new import on the request path is a decision made here, with
# the worker-only list above in view, not an accident.
REQUEST_PATH = {
    "channelwright", "channelwright.interactions",
    "channelwright.aws", "channelwright.aws.http", "channelwright.aws.metric_catalog",
    "channelwright.aws.observability", "channelwright.aws.request_budget",
    "channelwright.campaigns", "channelwright.campaigns.authority", "channelwright.campaigns.guild_snapshot",
    "channelwright.campaigns.liveness", "channelwright.campaigns.plan", "channelwright.campaigns.store",
    "channelwright.commands", "channelwright.commands.definitions", "channelwright.commands.payload_fields",
    "channelwright.discord", "channelwright.discord.errors", "channelwright.discord.permissions",
    "channelwright.discord.signature", "channelwright.discord.snowflake", "channelwright.discord.types",
    "channelwright.tasks", "channelwright.tasks.queue",
    "channelwright.templates", "channelwright.templates.library",
    "channelwright.text", "channelwright.text.layout", "channelwright.text.names", "channelwright.text.pages",
    "channelwright.text.problems", "channelwright.text.responses",
}
# Libraries (top-level packages outside the standard library): the AWS SDK and what it loads,
# Powertools, and PyNaCl for the signature.
REQUEST_PATH_LIBRARIES = {
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3", "certifi",
    "aws_lambda_powertools", "typing_extensions", "nacl", "_sodium", "_cffi_backend",
}
# Powertools' parts the request path does without (docs/architecture.md, "Powertools").
POWERTOOLS_UNUSED = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.idempotency",
    "pydantic",
)

COLD_START = """
import json, sys
import {module} as handler_module
handler_module.default_deps()  # its AWS clients, made on the first request
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by_cold_start(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `module` and making its clients."""
    env = {"PYTHONPATH": str(LAMBDA_SRC), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "DISCORD_PUBLIC_KEY": "ab" * 32, "DISCORD_BOT_TOKEN": "unused", "DISCORD_APPLICATION_ID": "1",
           "CAMPAIGN_TABLE_NAME": "campaigns", "TASK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q.fifo"}
    result = subprocess.run([sys.executable, "-c", COLD_START.format(module=module)], env=env,
                            capture_output=True, text=True, cwd=LAMBDA_SRC.parent, check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.fixture(scope="module")
def interactions_cold_start() -> set[str]:
    return loaded_by_cold_start("channelwright.interactions")


def test_the_interactions_cold_start_loads_nothing_only_the_worker_uses(interactions_cold_start):
    assert sorted(set(WORKER_ONLY) & interactions_cold_start) == []


def unexpected(loaded: set[str]) -> list[str]:
    """What `loaded` holds beyond REQUEST_PATH and REQUEST_PATH_LIBRARIES (and the standard library)."""
    ours = {m for m in loaded if m.split(".")[0] == "channelwright"} - REQUEST_PATH
    libraries = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names) - {"channelwright"}
    interpreter = {"__main__", "__mp_main__", "_distutils_hack"}  # the script itself; setuptools' hook
    return sorted(ours | (libraries - REQUEST_PATH_LIBRARIES - interpreter))


def test_the_interactions_cold_start_loads_only_what_the_request_path_lists(interactions_cold_start):
    assert unexpected(interactions_cold_start) == []


def test_a_new_module_or_library_on_the_request_path_is_caught():
    # What the check above would say of a new module of ours and a new library, neither listed.
    planted = set(REQUEST_PATH) | {"channelwright.campaigns.new_thing", "idna", "idna.core", "json"}
    assert unexpected(planted) == ["channelwright.campaigns.new_thing", "idna"]


def test_the_other_commands_modules_wait_for_their_first_use(interactions_cold_start):
    assert sorted(set(FIRST_USE) & interactions_cold_start) == []


def test_the_request_path_loads_no_powertools_event_handler_parser_or_idempotency(interactions_cold_start):
    assert sorted(set(POWERTOOLS_UNUSED) & interactions_cold_start) == []


def test_the_worker_cold_start_does_load_them():
    # The same check on the worker: what the interactions Lambda leaves out is really there to find.
    loaded = loaded_by_cold_start("channelwright.worker")
    assert {"requests", "channelwright.discord.rest", "channelwright.campaigns.builder",
            "channelwright.templates.library"} <= loaded
