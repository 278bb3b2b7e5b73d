"""Acknowledging a cdk-nag (AwsSolutions) finding: on one resource, with a reason a reviewer accepts.

app.py registers the AwsSolutions pack, so any finding that is neither fixed nor acknowledged
here makes `cdk synth` fail. cdk-nag v3 has no bulk suppression, and this helper takes the
resource itself (not a whole unit or stack) so an acknowledgment cannot hide a new finding
elsewhere.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(resource: IConstruct | None, rule: str, reason: str) -> None:
    """Acknowledge AwsSolutions ``rule`` (e.g. "AwsSolutions-SMG4") on this one resource.

    ``resource`` is usually an L2 construct's ``node.default_child``, which CDK types as optional;
    ValueError if there is none, since the acknowledgment would then cover nothing."""
    if resource is None:
        raise ValueError(f"{rule}: no resource to acknowledge it on")
    Validations.of(resource).acknowledge(Acknowledgment(id=f"{PACK}::{rule}", reason=reason))
