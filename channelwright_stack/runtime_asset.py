"""The one Lambda package both functions run: lambda_src/channelwright plus its pinned dependencies.

Bundling happens on the host, without Docker: pip downloads the Linux wheels that match the Lambda
runtime and architecture (not this machine's), so PyNaCl's native libsodium binding loads in
Lambda. Every wheel is pinned by hash (lambda_src/requirements.txt); parts of packages the handlers
never import are left out (UNUSED) and native modules are stripped of symbols and debug data
(native_strip.py), all in plain Python so every machine builds the same bundle. A single ``Code``
object is shared, so the stack uploads one asset and both functions run the same code.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, Duration, ILocalBundling
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from .native_strip import strip_tree
from .settings import StageSettings

# The newest Python runtime this CDK version offers. Every dependency ships a wheel for it on
# both architectures (PyNaCl and cffi as abi3/cp314 manylinux2014 wheels).
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Graviton: the same wheels exist for aarch64, and Lambda bills arm64 about 20% less per GB-s.
ARCHITECTURE = lambda_.Architecture.ARM_64

LAMBDA_SRC = Path(__file__).resolve().parent.parent / "lambda_src"
PACKAGE = "channelwright"

# Kept out of the source fingerprint, so a test run or an editor cannot change the asset hash.
ASSET_EXCLUDES = [
    "**/__pycache__",
    "*.pyc",
    "**/*.pyc",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/*.egg-info",
    "**/.DS_Store",
]

# What the bundle leaves out of the installed packages, as globs under the asset's root. Each is
# code no handler imports; tests/stack/test_asset.py checks that against what the handlers do
# import. (Whole packages are left out of requirements.txt instead: pycparser.)
UNUSED = (
    # Powertools' event handlers (API Gateway/AppSync routers): both handlers take raw events.
    "aws_lambda_powertools/event_handler",
    # Powertools' utilities but jmespath_utils, which its Logger imports: no batch processing,
    # idempotency, parameters, parser, validation, feature flags, data masking, streaming...
    *(f"aws_lambda_powertools/utilities/{name}" for name in (
        "auth_alpha", "batch", "circuit_breaker", "data_classes", "data_masking", "feature_flags",
        "idempotency", "kafka", "metadata", "parameters", "parser", "serialization.py",
        "streaming", "typing", "validation")),
    # libyaml's binding: without it PyYAML's own parser reads templates (lambda_src/channelwright/
    # templates/yaml_file.py picks whichever is present); `import yaml` does without it.
    "yaml/_yaml.*.so", "_yaml",
    # cffi's Python side compiles C declarations; PyNaCl's binding is compiled already and
    # needs only the _cffi_backend module, which stays.
    "cffi",
    # regex's own test suite (names.py imports only the package).
    "regex/tests",
)
# Part of the asset's fingerprint (see the bundling command): a new recipe must mean a new hash.
RECIPE = "no-deps+hashes; unused dropped; ELF sections past the segments dropped (v1)"

# pip names the architecture as the kernel does; Lambda and Docker use their own names.
_PIP_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}


def pip_platform_args(runtime: lambda_.Runtime, architecture: lambda_.Architecture) -> list[str]:
    """pip flags that select wheels for the Lambda runtime rather than for the host."""
    return [
        "--platform",
        f"manylinux2014_{_PIP_MACHINE[architecture.name]}",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        runtime.name.removeprefix("python"),
    ]


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """Builds the asset on the host: pinned requirements as Lambda wheels, then the package."""

    def __init__(
        self,
        source_dir: Path,
        *,
        runtime: lambda_.Runtime,
        architecture: lambda_.Architecture,
        package: str = PACKAGE,
    ) -> None:
        self.source_dir = Path(source_dir)
        self.package = package
        self.platform_args = pip_platform_args(runtime, architecture)

    # Two positional arguments: the CDK Python docs show a different signature, but jsii calls
    # it this way (aws/aws-cdk#26581).
    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        out = Path(output_dir)
        command = [
            sys.executable, "-m", "pip", "install",
            "--quiet", "--no-input", "--disable-pip-version-check",
            # Host-interpreter bytecode is useless in Lambda and only makes the asset bigger.
            "--no-compile",
            # requirements.txt is the whole list, each wheel pinned by its hash.
            "--no-deps", "--require-hashes",
            *self.platform_args,
            "--requirement", str(self.source_dir / "requirements.txt"),
            "--target", str(out),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                "Bundling lambda_src failed: pip could not install requirements.txt as "
                f"{' '.join(self.platform_args)} wheels.\n$ {shlex.join(command)}\n"
                f"{result.stdout[-4000:]}{result.stderr[-4000:]}"
            )
        # Console scripts carry this machine's interpreter path; nothing in Lambda runs them.
        shutil.rmtree(out / "bin", ignore_errors=True)
        drop_unused(out)
        strip_tree(out)
        shutil.copytree(
            self.source_dir / self.package,
            out / self.package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        return True


def docker_fallback_command(platform_args: list[str]) -> list[str]:
    """What CDK would run in Docker if local bundling declined: a refusal naming the recipe.

    Never run, but part of the asset's fingerprint (CDK hashes the source and the bundling
    options), so a change of pip flags, recipe or left-out parts gives a new asset hash.
    """
    return [
        "bash", "-c",
        "echo 'lambda_src is bundled on the host by PipLocalBundling (pip install "
        f"{' '.join(platform_args)}; {RECIPE}; without {' '.join(UNUSED)}); "
        "Docker bundling is not supported' >&2; exit 1",
    ]


def drop_unused(root: Path) -> list[str]:
    """Delete what UNUSED names under `root`; returns the paths removed, relative to it."""
    removed = []
    for pattern in UNUSED:
        for path in sorted(root.glob(pattern)):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path.relative_to(root).as_posix())
    return removed


class RuntimeAsset(Construct):
    """Owns the shared ``Code`` and makes the functions that run it, alike in runtime and arch."""

    runtime = RUNTIME
    architecture = ARCHITECTURE

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        bundler = PipLocalBundling(LAMBDA_SRC, runtime=RUNTIME, architecture=ARCHITECTURE)
        self.code = lambda_.Code.from_asset(
            str(LAMBDA_SRC),
            exclude=ASSET_EXCLUDES,
            bundling=BundlingOptions(
                image=RUNTIME.bundling_image,
                platform=ARCHITECTURE.docker_platform,
                # try_bundle takes the options as jsii passes them (see it), not as the stub spells them.
                local=bundler,  # type: ignore[arg-type]
                # Docker is only the fallback CDK uses when local bundling declines, which ours
                # never does; fail with a reason instead of building something different. The
                # pip flags in the message also make them part of the asset hash.
                command=docker_fallback_command(bundler.platform_args),
            ),
        )

    def new_function(
        self,
        scope: Construct,
        id: str,
        *,
        handler: str,
        description: str,
        memory_mb: int,
        timeout: Duration,
        stage: StageSettings,
        environment: dict[str, str],
    ) -> lambda_.Function:
        # An explicit log group, so retention and removal are ours rather than Lambda's
        # never-expiring default (log_retention= is deprecated and needs a custom resource).
        log_group = logs.LogGroup(
            scope, f"{id}Logs", retention=stage.log_retention, removal_policy=stage.removal_policy
        )
        # An execution role of our own instead of the AWSLambdaBasicExecutionRole managed
        # policy, which lets a function create any log group and write to every one in the
        # account: this function may write to its own group and nothing else (grants add the
        # rest). The group already exists, so logs:CreateLogGroup is not needed either.
        role = iam.Role(
            scope,
            f"{id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role: {description}",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            scope,
            id,
            runtime=self.runtime,
            architecture=self.architecture,
            code=self.code,
            handler=handler,
            description=description,
            memory_size=memory_mb,
            timeout=timeout,
            role=role,
            log_group=log_group,
            environment=environment,
        )
