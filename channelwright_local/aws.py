"""AWS on one machine: moto's server, and the template's queues, table and secret created in it.

Server mode (rather than moto's in-process mock) because the handlers build their own boto3
clients from the environment, exactly as in Lambda; pointing AWS_ENDPOINT_URL at a local server is
the one change they need. Everything lives in the server's memory and is gone when it stops.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import dataclass, field

import boto3

from .stack_template import Resource, StackSpec, TemplateError, resolve

log = logging.getLogger("local.aws")

REGION = "us-east-1"
# Fake, and meant to be: moto accepts anything, and no real account must ever be reachable from
# local mode (a stray request to AWS with these fails instead of touching real resources).
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}
# Settings that would send boto3 elsewhere or to a real account if left from the user's shell.
SHELL_SETTINGS_TO_DROP = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                          "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
NAME_PREFIX = "Channelwright-local"


class MotoServer:
    """moto's server on a free port of 127.0.0.1, answering this machine's AWS clients only.

    moto's own server answers every origin with permissive CORS headers, so any web page open
    in a browser here could read the local Secrets Manager (the bot token) and the table. This
    one puts `local_only` in front of moto's application instead.
    """

    def __init__(self):
        self._server = None
        self._thread: threading.Thread | None = None
        self.endpoint_url: str | None = None

    def start(self) -> "MotoServer":
        # Heavy imports, only when local mode runs.
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        # moto's server logs every AWS call through werkzeug, on stderr even when logging is not
        # configured; the handlers' calls are not news.
        werkzeug = logging.getLogger("werkzeug")
        if werkzeug.level == logging.NOTSET:
            werkzeug.setLevel(logging.WARNING)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", 0, None, threaded=True,
                                   request_handler=WSGIRequestHandler)
        port = self._server.server_address[1]
        self._server.app = local_only(app, {f"127.0.0.1:{port}", f"localhost:{port}"})
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None
            self.endpoint_url = None


def local_only(app, hosts: set[str]):
    """WSGI middleware: 403 for a request a web page made (it carries Origin, or a preflight
    OPTIONS), or that names another Host (DNS rebinding); and no Access-Control-* header on any
    answer, so a browser lets no page read one. boto3 sends neither Origin nor OPTIONS."""
    def guarded(environ, start_response):
        host = (environ.get("HTTP_HOST") or "").lower()
        if environ.get("HTTP_ORIGIN") is not None or environ.get("REQUEST_METHOD") == "OPTIONS" \
                or host not in hosts:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"local AWS answers this machine's AWS clients only, not web pages"]

        def start(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, exc_info)
        return app(environ, start)
    return guarded


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """What the handlers' boto3 clients need to find moto: endpoint, fake credentials, region."""
    return {"AWS_ENDPOINT_URL": endpoint_url, **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def client(service: str, endpoint_url: str):
    """A client bound to moto explicitly, whatever the process environment says."""
    return boto3.client(service, endpoint_url=endpoint_url, region_name=REGION,
                        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"])


@dataclass
class LocalResources:
    """The physical values CloudFormation would have given each logical id."""

    refs: dict[str, str] = field(default_factory=dict)  # what {"Ref": id} returns
    arns: dict[str, str] = field(default_factory=dict)  # what {"Fn::GetAtt": [id, "Arn"]} returns

    def resolve(self, value):
        return resolve(value, self.refs, self.arns)


def create_resources(spec: StackSpec, *, sqs, dynamodb, secretsmanager,
                     secret_values: dict[str, str]) -> LocalResources:
    """Every queue, table and secret of the template, with their settings, in moto.

    `secret_values` gives a secret's value by logical id; others get a random placeholder, as
    GenerateSecretString would.
    """
    made = LocalResources()
    for queue in spec.queues_in_creation_order():
        _create_queue(sqs, queue, made)
    for table in spec.tables.values():
        _create_table(dynamodb, table, made)
    for secret in spec.secrets.values():
        value = secret_values.get(secret.logical_id) or secrets.token_urlsafe(24)
        arn = secretsmanager.create_secret(Name=_name(secret, "Name"), SecretString=value)["ARN"]
        made.refs[secret.logical_id] = made.arns[secret.logical_id] = arn
    log.debug("created in moto: %s", made.refs)
    return made


def _name(resource: Resource, name_property: str, suffix: str = "") -> str:
    # CloudFormation names unnamed resources "<stack>-<logical id>-<random>"; locally the id is
    # unique enough and easier to recognise in logs.
    return resource.properties.get(name_property) or f"{NAME_PREFIX}-{resource.logical_id}{suffix}"


def _create_queue(sqs, queue: Resource, made: LocalResources) -> None:
    props = made.resolve(queue.properties)
    fifo = bool(props.get("FifoQueue"))
    attributes = {}
    for key, value in props.items():
        if key in ("QueueName", "Tags"):
            continue
        if isinstance(value, (dict, list)):
            value = json.dumps(value)  # RedrivePolicy, RedriveAllowPolicy: JSON strings in the API
        elif isinstance(value, bool):
            value = "true" if value else "false"
        attributes[key] = str(value)
    if not fifo:
        attributes.pop("FifoQueue", None)  # SQS refuses FifoQueue=false on a standard queue
    url = sqs.create_queue(QueueName=_name(queue, "QueueName", ".fifo" if fifo else ""),
                           Attributes=attributes)["QueueUrl"]
    made.refs[queue.logical_id] = url
    made.arns[queue.logical_id] = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _create_table(dynamodb, table: Resource, made: LocalResources) -> None:
    props = made.resolve(table.properties)
    if "KeySchema" not in props:
        raise TemplateError(f"table {table.logical_id} has no KeySchema")
    # Only what changes behaviour is passed on; encryption, point-in-time recovery and deletion
    # protection mean nothing in memory.
    kwargs = {k: props[k] for k in ("KeySchema", "AttributeDefinitions", "BillingMode",
                                    "ProvisionedThroughput", "GlobalSecondaryIndexes",
                                    "LocalSecondaryIndexes", "StreamSpecification") if k in props}
    name = _name(table, "TableName")
    arn = dynamodb.create_table(TableName=name, **kwargs)["TableDescription"]["TableArn"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    made.refs[table.logical_id], made.arns[table.logical_id] = name, arn
