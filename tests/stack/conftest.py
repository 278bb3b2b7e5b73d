"""Stack tests: the CDK app is synthesized once per session, with bundling skipped and with the
fixed operator values of channelwright_stack.snapshots.TEST_OPERATOR_VALUES (never cdk.json's).

Skipping bundling (context "aws:cdk:bundling-stacks": []) leaves the asset hash, and so every
S3Key, exactly as a real synth computes it; only the bundle itself is not built.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from channelwright_stack.settings import STAGES_CONTEXT_KEY  # noqa: E402
from channelwright_stack.snapshots import (NO_BUNDLING, TEST_OPERATOR_VALUES,  # noqa: E402
                                           build_offline_stacks)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bundling: builds the real Lambda asset with pip (needs the package registry; slow)",
    )


@pytest.fixture(scope="session")
def stacks() -> dict:
    """The stacks app.py defines, without bundling and without cdk-nag (see real_app below)."""
    return build_offline_stacks()


@pytest.fixture(scope="session")
def templates(stacks) -> dict:
    from aws_cdk.assertions import Template

    return {name: Template.from_stack(stack) for name, stack in stacks.items()}


@pytest.fixture(scope="session")
def dev_stack(stacks):
    return stacks["dev"]


@pytest.fixture(scope="session")
def prod_stack(stacks):
    return stacks["prod"]


@pytest.fixture(scope="session")
def dev(templates):
    return templates["dev"]


@pytest.fixture(scope="session")
def prod(templates):
    return templates["prod"]


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory):
    """The real app (app.py, with cdk-nag registered) synthesized once, bundling skipped.

    Synth raises if cdk-nag finds anything unacknowledged, so every test using this fails with
    the findings in its message.
    """
    from app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(outdir=str(outdir),
                    extra_context={STAGES_CONTEXT_KEY: TEST_OPERATOR_VALUES, **NO_BUNDLING})
    return app, app.synth(), outdir
