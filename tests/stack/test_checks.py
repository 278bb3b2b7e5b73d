"""Security and correctness checks on every test run: cdk-nag on the real app, cfn-lint on its
templates. Both use the one synth of app.py in the `cloud_assembly` fixture."""

from __future__ import annotations

import json

import pytest

# Every finding acknowledged in code, where, and nothing else: adding an acknowledgment is a
# reviewed change to this list, never a silent one. The reasons live next to the resources
# (channelwright_stack/{ingress,bot_token,campaign_store}.py).
ACKNOWLEDGED = {
    # Discord needs an unauthenticated route; the handler verifies its Ed25519 signature.
    ("AwsSolutions-APIG4", "Channelwright-dev/Ingress/Api/POST--interactions/Resource"),
    ("AwsSolutions-APIG4", "Channelwright-prod/Ingress/Api/POST--interactions/Resource"),
    # A Discord bot token can only be reset in the Developer Portal, not rotated by AWS.
    ("AwsSolutions-SMG4", "Channelwright-dev/BotToken/Secret/Resource"),
    ("AwsSolutions-SMG4", "Channelwright-prod/BotToken/Secret/Resource"),
    # Point-in-time recovery is off only in dev, whose data is disposable.
    ("AwsSolutions-DDB3", "Channelwright-dev/Campaigns/Table/Resource"),
}

# cfn-lint warnings accepted, each for a reason; any error, or any other warning, fails.
ACCEPTED_LINT_WARNINGS = {
    # CDK writes DependsOn: [<role>, <role's default policy>] on every Lambda function (the
    # policy must exist before the function runs); the role half is also implied by the
    # function's Role: GetAtt. Redundant, harmless, and not ours to change.
    "W3005",
}


def nag_report(outdir) -> dict:
    report = json.loads((outdir / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    return nag


def test_real_app_registers_cdk_nag_and_synthesizes_with_no_unacknowledged_finding(cloud_assembly):
    app, _, outdir = cloud_assembly
    # Synth would have raised on a finding; the report confirms the pack really ran.
    nag = nag_report(outdir)
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    acknowledged = {
        (finding["ruleName"], construct["constructPath"])
        for finding in nag["suppressedViolations"]
        for construct in finding["violatingConstructs"]
    }
    assert acknowledged == ACKNOWLEDGED
    for finding in nag["suppressedViolations"]:
        # On the resource itself, with a reason a reviewer can read.
        assert finding["acknowledgedAt"] in {c["constructPath"] for c in finding["violatingConstructs"]}
        assert len(finding["reason"]) > 80


def test_nag_fails_synth_on_an_unacknowledged_finding(tmp_path):
    """The plugin is not a report nobody reads: a violation stops `cdk synth`."""
    import aws_cdk as cdk
    import cdk_nag
    from aws_cdk import aws_sqs as sqs

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Bad")
    sqs.Queue(stack, "NoDeadLetterQueueNoTls")  # SQS3 and SQS4
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS4"):
        app.synth()


@pytest.fixture(scope="module")
def lint_results(cloud_assembly):
    from cfnlint.api import ManualArgs, lint_file
    from cfnlint.helpers import REGIONS

    _, assembly, outdir = cloud_assembly
    # The stacks are environment-agnostic, so lint them for every region they could land in.
    return {
        stack.stack_name: lint_file(outdir / stack.template_file, ManualArgs(regions=REGIONS))
        for stack in assembly.stacks
    }


def test_cfn_lint_finds_no_errors_in_either_stage(lint_results):
    assert set(lint_results) == {"Channelwright-dev", "Channelwright-prod"}
    for stack_name, matches in lint_results.items():
        errors = [str(m) for m in matches if m.rule.id.startswith("E")]
        assert errors == [], stack_name


def test_cfn_lint_warnings_are_only_the_accepted_ones(lint_results):
    for stack_name, matches in lint_results.items():
        unexpected = [str(m) for m in matches if m.rule.id not in ACCEPTED_LINT_WARNINGS]
        assert unexpected == [], stack_name
