"""`python -m channelwright.ops dlq ...` against moto: what an operator sees and what happens to the
dead-lettered tasks.

moto 5.2.5 does not implement SQS message move tasks (StartMessageMoveTask raises
NotImplementedError in-process), so under moto `dlq redrive` takes its receive/send/delete path;
the move-task path is tested with a small fake SQS client.
"""

import io
import json
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError

from channelwright.discord import permissions as p
from channelwright.ops.__main__ import main
from channelwright.ops.console import Console
from channelwright.ops.peek import peek
from channelwright.ops.redrive import resend
from channelwright.campaigns.plan import build_plan, load_template
from channelwright.campaigns.store import FAILED, Campaign, CampaignStore
from channelwright.tasks.payloads import Delete
from channelwright.tasks.queue import BuildStep, Task

GUILD_A, GUILD_B, GUILD_C = "800000000000000001", "800000000000000002", "800000000000000003"
OUTAGE = {"what": "Discord kept failing while I built the campaign, so I stopped.",
          "why": "I tried 5 times (Discord answered 503). Everything created so far is kept.",
          "fix": "Run `/add-campaign` again with the same name in a few minutes to finish it."}


class Tty(io.StringIO):
    """What an operator's terminal looks like to the prompt: typed answers, and isatty()."""

    def isatty(self):
        return True


class Run:
    """One command line run through `main`, with what it printed."""

    def __init__(self, argv, *, stdin=None, clients=None):
        self.out, self.err = io.StringIO(), io.StringIO()
        console = Console(self.out, self.err, stdin if stdin is not None else io.StringIO())
        self.code = main(argv, clients=clients, console=console, wait_seconds=0)
        self.stdout, self.stderr = self.out.getvalue(), self.err.getvalue()


def dlq(aws, *args, **kwargs) -> Run:
    """A `dlq` command pointed at the moto resources by flags (local mode)."""
    return Run(["dlq", *args, "--queue-url", aws.queue_url, "--dlq-url", aws.dlq_url,
                "--table", aws.table_name], **kwargs)


def record(aws, guild_id, name, *, run="1200000000000000001", failure=None, status=None):
    plan = [s.to_dict() for s in build_plan(name, load_template())]
    campaign = Campaign(guild_id=guild_id, key=" ".join(name.split()).casefold(), name=name,
                        template="default", plan=plan, interaction_id=run,
                        interaction_token="token", requested_by="700000000000000001",
                        requested_by_name="alice", bot_permissions="268435472")
    store = CampaignStore(aws.dynamodb, aws.table_name)
    store.create(campaign)
    if failure is not None or status is not None:
        store.set_status(campaign, status or FAILED, failure=failure)
    return campaign


def dead_letter(aws, campaign_or_guild, step=0, *, body=None, dedup=None) -> str:
    """Put a task on the DLQ directly, as SQS does after the last failed receive."""
    if body is None:
        c = campaign_or_guild
        body = Task(c.guild_id, c.key, c.interaction_id, BuildStep(step)).to_body()
        group = c.guild_id
    else:
        group = campaign_or_guild
    return aws.sqs.send_message(QueueUrl=aws.dlq_url, MessageBody=body, MessageGroupId=group,
                                MessageDeduplicationId=dedup or f"{group}-{step}-{len(body)}")[
        "MessageId"]


def on_queue(aws, url) -> list[tuple[str, dict]]:
    """(group, body) of every message on a queue, consuming them."""
    return [(m["group"], m["body"]) for m in aws.drain(url)]


# --- list ----------------------------------------------------------------------------------------

def test_list_says_when_the_dead_letter_queue_is_empty(aws):
    run = dlq(aws, "list")
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "The dead-letter queue is empty."


def test_list_shows_each_task_with_its_campaign_step_and_last_error(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd", failure={**OUTAGE, "step": 4, "transient": True})
    waterdeep = record(aws, GUILD_B, "Waterdeep", status="building")
    dead_letter(aws, strahd, 4)
    dead_letter(aws, waterdeep, 7)
    dead_letter(aws, GUILD_C, body="not a task")

    run = dlq(aws, "list")

    assert run.code == 0, run.stderr
    header, *rows = run.stdout.splitlines()[:4]
    assert header.split() == ["ID", "SENT", "AGE", "GUILD", "CAMPAIGN", "STATUS", "STEP",
                              "RECEIVES", "LAST", "ERROR"]
    assert GUILD_A in rows[0] and "Curse of Strahd" in rows[0] and "failed" in rows[0]
    assert "4: channel 'announcements' (text)" in rows[0]
    assert "Discord kept failing while I built the campaign, so I stopped. I tried 5 times" in rows[0]
    assert GUILD_B in rows[1] and "Waterdeep" in rows[1] and "building" in rows[1]
    assert "7: channel 'dice-rolls' (text)" in rows[1] and rows[1].endswith("no recorded error")
    assert GUILD_C in rows[2] and "(unreadable task)" in rows[2]
    assert "3 dead-lettered task(s) on channelwright-dlq.fifo." in run.stdout
    assert "dlq show <ID>" in run.stdout


def test_list_consumes_nothing_and_keeps_each_guilds_order(aws):
    # More than one receive's worth (10), several messages per group, interleaved groups.
    campaigns = [record(aws, f"8000000000000001{i:02d}", f"Campaign {i}") for i in range(6)]
    sent = [(c.guild_id, Task(c.guild_id, c.key, c.interaction_id, BuildStep(step)).to_body())
            for step in (3, 4) for c in campaigns]
    for group, body in sent:
        aws.sqs.send_message(QueueUrl=aws.dlq_url, MessageBody=body, MessageGroupId=group,
                             MessageDeduplicationId=f"{group}-{body}"[:128])

    first, second = dlq(aws, "list"), dlq(aws, "list")

    assert first.code == second.code == 0
    assert "12 dead-lettered task(s)" in first.stdout and "12 dead-lettered task(s)" in second.stdout
    left = on_queue(aws, aws.dlq_url)  # receivable at once: nothing was left hidden
    assert sorted(left, key=str) == sorted([(g, json.loads(b)) for g, b in sent], key=str)
    for c in campaigns:
        assert [b["step"] for g, b in left if g == c.guild_id] == [3, 4]


def test_a_guild_with_more_than_ten_dead_letters_shows_its_first_ten_and_says_so(aws):
    # FIFO: a group's later messages come only with its head, at most 10 to a receive.
    strahd = record(aws, GUILD_A, "Curse of Strahd")
    for step in range(12):
        dead_letter(aws, strahd, step)

    run = dlq(aws, "list")

    assert run.code == 0, run.stderr
    assert "10 dead-lettered task(s)" in run.stdout
    assert "SQS counts about 12 visible dead letters but 10 could be read" in run.stdout
    assert [b["step"] for _, b in on_queue(aws, aws.dlq_url)] == list(range(12))


def test_peek_reads_everything_then_leaves_it_visible(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd")
    ids = [dead_letter(aws, strahd, step) for step in (1, 2, 3)]
    seen = peek(aws.sqs, aws.dlq_url, wait_seconds=0)
    assert [letter.message_id for letter in seen.letters] == ids
    assert [letter.task.step for letter in seen.letters] == [1, 2, 3]
    assert seen.notes() == []
    counts = aws.sqs.get_queue_attributes(QueueUrl=aws.dlq_url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) \
        == ("3", "0")


# --- show ----------------------------------------------------------------------------------------

def test_show_prints_the_task_its_campaign_failure_and_what_a_redrive_does(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd", failure={**OUTAGE, "step": 4, "transient": True})
    message_id = dead_letter(aws, strahd, 4)

    run = dlq(aws, "show", message_id[:8])

    assert run.code == 0, run.stderr
    text = run.stdout
    assert f"Dead letter {message_id}" in text
    assert f"MessageGroupId: {GUILD_A}" in text and '"step": 4' in text
    assert "Campaign 'Curse of Strahd'" in text and "Status:      failed" in text
    assert "Resources:   0 created of 13 planned (plan: 15 steps)" in text
    assert "at step 4: channel 'announcements' (text) (transient" in text
    assert f"What: {OUTAGE['what']}" in text and f"Why:  {OUTAGE['why']}" in text
    assert f"Fix:  {OUTAGE['fix']}" in text
    assert "On redrive: the worker resumes the build at step 4 and finishes it" in text
    assert len(on_queue(aws, aws.dlq_url)) == 1, "show consumes nothing either"


def test_show_says_a_superseded_task_would_do_nothing(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd", run="1200000000000000002",
                    failure={**OUTAGE, "step": 4, "transient": True})
    stale = Task(GUILD_A, strahd.key, "1200000000000000001", BuildStep(4)).to_body()
    message_id = dead_letter(aws, GUILD_A, body=stale)
    run = dlq(aws, "show", message_id)
    assert "On redrive: nothing: the campaign was started again since" in run.stdout


def test_show_an_unknown_id_is_a_clear_error(aws):
    dead_letter(aws, record(aws, GUILD_A, "Curse of Strahd"), 2)
    run = dlq(aws, "show", "ffffffff")
    assert run.code == 1
    assert run.stderr.startswith("No dead letter with id 'ffffffff' on channelwright-dlq.fifo (1 there)")
    assert "Traceback" not in run.stderr


# --- redrive -------------------------------------------------------------------------------------

def test_redrive_moves_every_task_back_to_the_task_queue_with_its_guild(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd", failure={**OUTAGE, "step": 4, "transient": True})
    waterdeep = record(aws, GUILD_B, "Waterdeep", failure={**OUTAGE, "step": 6, "transient": True})
    ids = [dead_letter(aws, strahd, 4), dead_letter(aws, waterdeep, 6), dead_letter(aws, strahd, 5)]

    run = dlq(aws, "redrive", "--yes")

    assert run.code == 0, run.stderr
    assert "Message move tasks are not available here" in run.stdout
    assert "Moved 3 task(s) from channelwright-dlq.fifo to channelwright-tasks.fifo with receive, " \
           "send and delete." in run.stdout
    arrived = aws.drain(aws.queue_url)
    assert [(m["group"], m["body"]["step"]) for m in arrived] == [(GUILD_A, 4), (GUILD_B, 6),
                                                                   (GUILD_A, 5)]
    assert [m["dedup"] for m in arrived] == [f"redrive-{i}" for i in ids]
    assert on_queue(aws, aws.dlq_url) == []


def test_redrive_of_an_empty_queue_does_nothing(aws):
    run = dlq(aws, "redrive")
    assert (run.code, run.stdout.strip()) == (0, "The dead-letter queue is empty. Nothing to redrive.")


def test_redrive_asks_first_and_refuses_without_a_terminal(aws):
    dead_letter(aws, record(aws, GUILD_A, "Curse of Strahd"), 2)
    refused = dlq(aws, "redrive")
    declined = dlq(aws, "redrive", stdin=Tty("n\n"))
    assert refused.code == 2 and "Pass --yes" in refused.stderr
    assert declined.code == 1 and "Move about 1 dead-lettered task(s)" in declined.stdout
    assert aws.drain(aws.queue_url) == [] and len(on_queue(aws, aws.dlq_url)) == 1


def test_redrive_with_move_task_method_says_moto_lacks_it(aws):
    dead_letter(aws, record(aws, GUILD_A, "Curse of Strahd"), 2)
    run = dlq(aws, "redrive", "--yes", "--method", "move-task")
    assert run.code == 1
    assert run.stderr.startswith("This SQS endpoint does not offer message move tasks")
    assert len(on_queue(aws, aws.dlq_url)) == 1


class FailingSends:
    """The moto client, except that sends of one guild's tasks fail."""

    def __init__(self, sqs, group):
        self._sqs, self._group = sqs, group

    def __getattr__(self, name):
        return getattr(self._sqs, name)

    def send_message(self, **kwargs):
        if self._group and kwargs.get("MessageGroupId") == self._group:
            raise ClientError({"Error": {"Code": "KMS.DisabledException", "Message": "key disabled"}},
                              "SendMessage")
        return self._sqs.send_message(**kwargs)


def test_resend_keeps_a_guilds_later_tasks_behind_one_that_cannot_be_sent(aws):
    strahd, waterdeep = record(aws, GUILD_A, "Curse of Strahd"), record(aws, GUILD_B, "Waterdeep")
    stuck = dead_letter(aws, strahd, 4)
    dead_letter(aws, waterdeep, 6)
    dead_letter(aws, strahd, 5)

    result = resend(FailingSends(aws.sqs, GUILD_A), aws.dlq_url, aws.queue_url, wait_seconds=0)

    assert [group for _, _, group in result.moved] == [GUILD_B]
    assert result.failed == [(stuck, "KMS.DisabledException: key disabled")]
    assert [(g, b["step"]) for g, b in on_queue(aws, aws.dlq_url)] == [(GUILD_A, 4), (GUILD_A, 5)]


class LocalEndpoint(FailingSends):
    """The moto client as local mode sees it: behind AWS_ENDPOINT_URL, without move tasks."""

    meta = SimpleNamespace(endpoint_url="http://127.0.0.1:5000", region_name="us-east-1")

    def __init__(self, sqs):
        super().__init__(sqs, group=None)

    def start_message_move_task(self, **kwargs):
        raise AssertionError("not asked: moto's server answers this with a retried HTML 500")

    list_message_move_tasks = start_message_move_task


def test_redrive_against_a_local_endpoint_resends_without_asking_for_a_move_task(aws):
    dead_letter(aws, record(aws, GUILD_A, "Curse of Strahd"), 2)
    local = SimpleNamespace(sqs=LocalEndpoint(aws.sqs), dynamodb=aws.dynamodb)
    run = dlq(aws, "redrive", "--yes", clients=local)
    assert run.code == 0, run.stderr
    assert "(http://127.0.0.1:5000 is not an AWS endpoint)" in run.stdout
    assert [m["group"] for m in aws.drain(aws.queue_url)] == [GUILD_A]
    assert "is not an AWS endpoint" in dlq(aws, "moves", clients=local).stderr


class MoveTaskSqs:
    """An SQS client that offers message move tasks, as AWS does (moto 5.2.5 does not)."""

    meta = SimpleNamespace(endpoint_url="https://sqs.eu-west-1.amazonaws.com", region_name="eu-west-1")

    def __init__(self, tasks=()):
        self.tasks, self.started = list(tasks), []

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        name = QueueUrl.rsplit("/", 1)[-1]
        return {"Attributes": {"QueueArn": f"arn:aws:sqs:eu-west-1:111122223333:{name}",
                               "ApproximateNumberOfMessages": "2",
                               "ApproximateNumberOfMessagesNotVisible": "0",
                               "ApproximateNumberOfMessagesDelayed": "0"}}

    def list_message_move_tasks(self, SourceArn, MaxResults):
        return {"Results": self.tasks}

    def start_message_move_task(self, **kwargs):
        self.started.append(kwargs)
        return {"TaskHandle": "eyJ0YXNrSWQiOiJ0YXNrLTEifQ=="}

    def receive_message(self, **kwargs):
        raise AssertionError("a move task moves the messages; the tool must not receive them")


class FakeClients:
    def __init__(self, sqs):
        self.sqs = sqs

    @property
    def cloudformation(self):
        raise AssertionError("every resource came from flags")


def fake_dlq(sqs, *args, **kwargs) -> Run:
    return Run(["dlq", *args, "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/t.fifo",
                "--dlq-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/d.fifo"],
               clients=FakeClients(sqs), **kwargs)


def test_redrive_starts_a_message_move_task_where_sqs_offers_them():
    sqs = MoveTaskSqs()
    run = fake_dlq(sqs, "redrive", "--yes")
    assert run.code == 0, run.stderr
    assert sqs.started == [{"SourceArn": "arn:aws:sqs:eu-west-1:111122223333:d.fifo",
                            "DestinationArn": "arn:aws:sqs:eu-west-1:111122223333:t.fifo"}]
    assert "Started a redrive with an SQS message move task: about 2 task(s) from d.fifo to " \
           "t.fifo." in run.stdout
    assert "Task handle: eyJ0YXNrSWQiOiJ0YXNrLTEifQ==" in run.stdout
    assert "dlq moves --queue-url" in run.stdout


def test_redrive_does_not_start_a_second_move_task():
    sqs = MoveTaskSqs([{"Status": "RUNNING", "TaskHandle": "h-1",
                        "ApproximateNumberOfMessagesMoved": 1}])
    run = fake_dlq(sqs, "redrive", "--yes")
    assert run.code == 1 and sqs.started == []
    assert run.stderr.startswith("A redrive is already running (task h-1, 1 moved so far)")


def test_moves_lists_recent_move_tasks():
    sqs = MoveTaskSqs([
        {"Status": "RUNNING", "TaskHandle": "h-2", "StartedTimestamp": 1_700_000_000_000,
         "ApproximateNumberOfMessagesMoved": 1, "ApproximateNumberOfMessagesToMove": 3,
         "DestinationArn": "arn:aws:sqs:eu-west-1:111122223333:t.fifo", "SourceArn": "x"},
        {"Status": "FAILED", "FailureReason": "AccessDenied", "StartedTimestamp": 1_690_000_000_000,
         "ApproximateNumberOfMessagesMoved": 0, "SourceArn": "x"},
    ])
    run = fake_dlq(sqs, "moves")
    assert run.code == 0, run.stderr
    header, running, failed = run.stdout.splitlines()
    assert header.split()[:4] == ["STATUS", "STARTED", "AGE", "MOVED"]
    assert running.startswith("RUNNING") and "1 of 3" in running and "t.fifo" in running
    assert running.endswith("h-2")
    assert failed.startswith("FAILED") and failed.endswith("AccessDenied")


def test_moves_under_moto_explains_there_is_nothing_to_follow(aws):
    run = dlq(aws, "moves")
    assert run.code == 1 and "does not offer message move tasks" in run.stderr


# --- purge ---------------------------------------------------------------------------------------

def test_purge_with_yes_deletes_every_dead_letter(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd")
    for step in (1, 2):
        dead_letter(aws, strahd, step)
    run = dlq(aws, "purge", "--yes")
    assert run.code == 0, run.stderr
    assert "Purged channelwright-dlq.fifo: 2 dead-lettered task(s) deleted" in run.stdout
    assert on_queue(aws, aws.dlq_url) == []


def test_purge_is_refused_without_a_terminal_and_without_yes(aws):
    dead_letter(aws, record(aws, GUILD_A, "Curse of Strahd"), 1)
    run = dlq(aws, "purge")
    assert run.code == 2
    assert run.stderr.strip() == ("Refusing to purge without confirmation: no terminal to ask on. "
                                  "Pass --yes to confirm.")
    assert len(on_queue(aws, aws.dlq_url)) == 1


def test_purge_asks_with_the_count_and_keeps_everything_unless_told_yes(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd")
    for step in (1, 2, 3):
        dead_letter(aws, strahd, step)
    declined = dlq(aws, "purge", stdin=Tty("\n"))
    assert declined.code == 1
    assert "Delete all 3 dead-lettered task(s) on channelwright-dlq.fifo for good?" in declined.stdout
    assert declined.stdout.rstrip().endswith("Nothing deleted.")
    assert peek(aws.sqs, aws.dlq_url, wait_seconds=0).letters != []

    agreed = dlq(aws, "purge", stdin=Tty("y\n"))
    assert agreed.code == 0 and on_queue(aws, aws.dlq_url) == []


# --- finding the stage, and failures ---------------------------------------------------------------

def stack(name, outputs: dict):
    template = {"Resources": {},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()}}
    boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_a_stage_is_found_through_its_stack_outputs(aws):
    stack("Channelwright-dev", {"TaskQueueUrl": aws.queue_url, "DeadLetterQueueUrl": aws.dlq_url,
                                "CampaignTableName": aws.table_name,
                                "InteractionsEndpointUrl": "https://example.invalid/interactions"})
    strahd = record(aws, GUILD_A, "Curse of Strahd", failure={**OUTAGE, "step": 4, "transient": True})
    dead_letter(aws, strahd, 4)

    listed = Run(["dlq", "list", "--stage", "dev"])
    redriven = Run(["dlq", "redrive", "--stage", "dev", "--yes"])

    assert listed.code == 0 and "Curse of Strahd" in listed.stdout, listed.stderr
    assert "dlq show <ID> --stage dev" in listed.stdout
    assert redriven.code == 0, redriven.stderr
    assert [m["group"] for m in aws.drain(aws.queue_url)] == [GUILD_A]


def test_an_unknown_stage_names_the_stack_and_region(aws):
    run = Run(["dlq", "list", "--stage", "xyz"])
    assert run.code == 1
    assert run.stderr.startswith("Stack Channelwright-xyz not found in region us-east-1.")
    assert "Traceback" not in run.stderr


def test_aws_region_is_honoured_as_the_aws_cli_does(aws, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Run(["dlq", "list", "--stage", "dev"]).stderr.startswith(
        "Stack Channelwright-dev not found in region eu-west-1.")
    assert Run(["dlq", "list", "--stage", "dev", "--region", "eu-central-1"]).stderr.startswith(
        "Stack Channelwright-dev not found in region eu-central-1.")


def test_a_stack_without_the_outputs_says_which_are_missing(aws):
    stack("Channelwright-old", {"InteractionsEndpointUrl": "https://example.invalid/interactions"})
    run = Run(["dlq", "list", "--stage", "old"])
    assert run.code == 1
    assert run.stderr.startswith("Stack Channelwright-old has no output DeadLetterQueueUrl, "
                                 "CampaignTableName (its outputs: InteractionsEndpointUrl).")
    assert "--dlq-url, --table" in run.stderr

    with_flags = Run(["dlq", "list", "--stage", "old", "--dlq-url", aws.dlq_url,
                      "--table", aws.table_name])
    assert with_flags.code == 0 and "empty" in with_flags.stdout


def test_no_stage_and_no_flags_is_a_usage_error(aws):
    run = Run(["dlq", "purge", "--yes"])
    assert run.code == 2 and run.stderr.startswith("Which stage? Pass --stage")


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["dlq", "redrive", "--method", "teleport"])
    assert exit_.value.code == 2


def test_missing_credentials_is_a_sentence_not_a_traceback(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    run = Run(["dlq", "list", "--stage", "prod", "--region", "eu-west-1"])

    assert run.code == 1
    assert run.stderr.startswith("No AWS credentials found: ")
    assert "Traceback" not in run.stderr


# --- end to end: a build dead-lettered by a Discord outage, inspected, fixed, redriven -------------

BOT_PERMISSIONS = (p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
                   | p.READ_MESSAGE_HISTORY | p.CONNECT | p.SPEAK)


def test_a_dead_lettered_build_is_listed_then_finished_by_a_redrive(aws, emulator):
    from tests.support.bot import Bot  # the whole bot: imported here so the rest needs none of it

    emulator.reset()
    guild = emulator.add_guild(name="Barovia", bot_permissions=BOT_PERMISSIONS)
    gm = emulator.add_member(guild, name="alice", permissions=p.MANAGE_CHANNELS)
    bot = Bot(aws, emulator)
    bot.rest._max_retries = 0
    emulator.faults.fail_next(1000, status=503, method="POST", path_regex=r"/channels$")
    payload = bot.add_campaign(guild, gm)
    bot.run_worker()
    assert bot.campaign(guild).status == "failed"

    listed = dlq(aws, "list")
    assert listed.code == 0, listed.stderr
    row = listed.stdout.splitlines()[1]
    assert guild in row and "Curse of Strahd" in row and "failed" in row
    assert "category 'Curse of Strahd'" in row and "Discord kept failing" in row

    emulator.faults.clear()
    assert dlq(aws, "redrive", "--yes").code == 0
    bot.run_worker()

    assert bot.campaign(guild).status == "completed"
    assert emulator.message_history(payload["token"])[-1].startswith("✅ Campaign ready")
    assert dlq(aws, "list").stdout.strip() == "The dead-letter queue is empty."



def test_show_redacts_interaction_tokens_in_task_bodies(aws):
    strahd = record(aws, GUILD_A, "Curse of Strahd")
    body = Task(GUILD_A, strahd.key, "1200000000000000009", Delete(token="secret-interaction-token"),
                campaign_run=strahd.interaction_id).to_body()
    message_id = dead_letter(aws, GUILD_A, body=body)
    run = dlq(aws, "show", message_id)
    assert run.code == 0, run.stderr
    assert "secret-interaction-token" not in run.stdout + run.stderr
    assert '"token": "<redacted>"' in run.stdout
