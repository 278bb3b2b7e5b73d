"""Stack tests: the CDK app is synthesized once per session, with bundling skipped.

Skipping bundling (context "aws:cdk:bundling-stacks": []) leaves the asset hash, and so every
S3Key, exactly as a real synth computes it; only the bundle itself is not built.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ROOT = Path(__file__).resolve().parents[2]
NO_BUNDLING = {"aws:cdk:bundling-stacks": []}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bundling: builds the real Lambda asset with pip (needs the package registry; slow)",
    )


def build_test_stacks() -> dict:
    """The stacks app.py defines, from the same cdk.json context, without bundling."""
    import aws_cdk as cdk

    from channelwright_stack import add_stage_stacks, read_cdk_json_context

    app = cdk.App(context={**read_cdk_json_context(ROOT / "cdk.json"), **NO_BUNDLING})
    return add_stage_stacks(app)


@pytest.fixture(scope="session")
def stacks() -> dict:
    return build_test_stacks()


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
