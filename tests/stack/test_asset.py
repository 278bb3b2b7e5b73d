"""The Lambda asset: a stable hash, and a bundle that really loads on Lambda's platform."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from aws_cdk import BundlingOptions, FileSystem
from aws_cdk.assertions import Template

from channelwright_stack.native_strip import loaded_size, strip_tree
from channelwright_stack.runtime_asset import (
    ARCHITECTURE,
    ASSET_EXCLUDES,
    LAMBDA_SRC,
    PACKAGE,
    RECIPE,
    RUNTIME,
    UNUSED,
    PipLocalBundling,
    docker_fallback_command,
    drop_unused,
    pip_platform_args,
)
from channelwright_stack.snapshots import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;#\\]+)")

# ELF e_machine values: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
ELF_MACHINE = {"arm64": 183, "x86_64": 62}  # EM_AARCH64, EM_X86_64


def s3_keys(template) -> set[str]:
    return {
        function["Properties"]["Code"]["S3Key"]
        for function in template.find_resources("AWS::Lambda::Function").values()
    }


def test_app_py_defines_both_stages_and_hashes_the_asset_as_the_tests_do(templates, cloud_assembly):
    # A second, independent synth through app.py itself.
    _, assembly, outdir = cloud_assembly
    assert sorted(s.stack_name for s in assembly.stacks) == ["Channelwright-dev", "Channelwright-prod"]

    expected = s3_keys(templates["dev"])
    assert len(expected) == 1
    for stack in assembly.stacks:
        template = Template.from_json(json.loads((outdir / stack.template_file).read_text()))
        assert s3_keys(template) == expected


def test_pip_targets_lambdas_platform_not_this_machines():
    args = pip_platform_args(RUNTIME, ARCHITECTURE)
    assert args == [
        "--platform", "manylinux2014_aarch64", "--only-binary=:all:",
        "--implementation", "cp", "--python-version", "3.14",
    ]


def test_bytecode_and_caches_do_not_change_the_asset_hash(tmp_path):
    source = tmp_path / "lambda_src"
    (source / PACKAGE).mkdir(parents=True)
    (source / "requirements.txt").write_text("PyNaCl==1.6.2\n")
    (source / PACKAGE / "__init__.py").write_text("")
    before = FileSystem.fingerprint(str(source), exclude=ASSET_EXCLUDES)

    (source / PACKAGE / "__pycache__").mkdir()
    (source / PACKAGE / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (source / PACKAGE / "stray.pyc").write_bytes(b"\0")
    (source / ".pytest_cache").mkdir()
    assert FileSystem.fingerprint(str(source), exclude=ASSET_EXCLUDES) == before

    (source / PACKAGE / "plan.py").write_text("X = 1\n")
    assert FileSystem.fingerprint(str(source), exclude=ASSET_EXCLUDES) != before


@pytest.mark.bundling
def test_bundle_contains_lambda_compatible_native_code_and_the_package(tmp_path):
    out = tmp_path / "asset"
    out.mkdir()
    bundler = PipLocalBundling(LAMBDA_SRC, runtime=RUNTIME, architecture=ARCHITECTURE)
    assert bundler.try_bundle(str(out), BundlingOptions(image=RUNTIME.bundling_image)) is True

    sodium = out / "nacl" / "_sodium.abi3.so"
    assert sodium.is_file(), sorted(p.name for p in out.iterdir())
    header = sodium.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert header[4] == 2 and header[5] == 1  # 64-bit, little-endian
    (e_machine,) = struct.unpack_from("<H", header, 18)
    assert e_machine == ELF_MACHINE[ARCHITECTURE.name]
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[ARCHITECTURE.name]
    assert (out / f"_cffi_backend.cpython-314-{machine}-linux-gnu.so").is_file()

    # Every pinned requirement, at its pinned version, and nothing else.
    pins = pinned(LAMBDA_SRC / "requirements.txt")
    for name, version in pins.items():
        assert (out / f"{name}-{version}.dist-info").is_dir(), name
    assert len(list(out.glob("*.dist-info"))) == len(pins)
    assert not (out / "pycparser").exists()

    # Left out: what no handler imports; stripped: every native module.
    for pattern in UNUSED:
        assert not list(out.glob(pattern)), pattern
    for library in out.rglob("*.so"):
        assert loaded_size(library.read_bytes()) == library.stat().st_size, library

    assert (out / PACKAGE / "__init__.py").is_file()
    assert not (out / "requirements.txt").exists()
    assert not (out / "bin").exists()
    assert not list(out.rglob("__pycache__")) and not list(out.rglob("*.pyc"))

    zipped = tmp_path / "asset.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(out.rglob("*")):
            archive.write(path, path.relative_to(out).as_posix())
    # About 3.7 MB before the pruning and stripping (4.5 MB with regex); README's "The Lambda
    # asset" has the figures. regex's native module and Unicode tables are 0.3 MB of it zipped.
    assert zipped.stat().st_size < 1.75 * 1024 * 1024, zipped.stat().st_size


# --- what goes into the asset -----------------------------------------------------------------


def pinned(requirements: Path) -> dict[str, str]:
    """Normalised package name -> pinned version."""
    found = {}
    for line in requirements.read_text().splitlines():
        pin = PIN.match(line.strip())
        if pin:
            found[re.sub(r"[-_.]+", "_", pin[1]).lower()] = pin[2]
    return found


def test_every_asset_pin_carries_the_hash_of_its_wheel():
    text = (LAMBDA_SRC / "requirements.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9_.-]+==\S+) \\\n\s+--hash=sha256:([0-9a-f]{64})$", text, re.M)
    assert len(entries) == len(pinned(LAMBDA_SRC / "requirements.txt")) >= 10


def test_tests_run_the_versions_the_asset_ships():
    asset, dev = pinned(LAMBDA_SRC / "requirements.txt"), pinned(ROOT / "requirements-dev.txt")
    assert {name: dev.get(name) for name in asset} == asset


def test_the_recipe_is_part_of_the_asset_fingerprint():
    # CDK hashes the source and the bundling options; the (never run) Docker command names the
    # pip flags, the recipe and what is left out, so changing any of them changes the hash.
    command = " ".join(docker_fallback_command(pip_platform_args(RUNTIME, ARCHITECTURE)))
    for part in (RECIPE, *UNUSED, "--platform manylinux2014_aarch64"):
        assert part in command


BLOCK_LEFT_OUT = """
import fnmatch, importlib.machinery, os, sys
SITE, LEFT_OUT = {site!r}, {left_out!r}

class LeftOut:
    \"\"\"Makes what the asset leaves out unimportable, as it is in Lambda.\"\"\"
    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.origin and spec.origin.startswith(SITE):
            relative = os.path.relpath(spec.origin, SITE)
            for pattern in LEFT_OUT:
                if fnmatch.fnmatch(relative, pattern) or relative.startswith(pattern + "/"):
                    raise ModuleNotFoundError(f"{{relative}} is not in the asset", name=name)
        return None

sys.meta_path.insert(0, LeftOut())
"""

HANDLERS_AT_WORK = """
import importlib, pkgutil
import channelwright
for module in pkgutil.walk_packages(channelwright.__path__, "channelwright."):
    importlib.import_module(module.name)
from channelwright.aws import observability
from channelwright.templates import files as template_files
from channelwright.aws.metric_catalog import CAMPAIGNS_STARTED
try:
    1 / 0
except ZeroDivisionError:
    observability.logger.exception("logged with its traceback")
observability.count(CAMPAIGNS_STARTED.name)
observability.discord_error(50013, 403)
observability.metrics.flush_metrics()
template = template_files.parse_template_file(
    b"id: t\\ntitle: T\\nchannels:\\n  - {name: a, type: text}\\n", "t.yaml")
import nacl.signing, requests, yaml
key = nacl.signing.SigningKey.generate()
key.verify_key.verify(key.sign(b"x"))
requests.Session()
assert not yaml.__with_libyaml__, "libyaml's binding was importable"
# Both handlers with their Powertools decorators (Lambda context in the logs, metrics flushed).
import os, uuid
os.environ.update(AWS_DEFAULT_REGION="us-east-1", DISCORD_PUBLIC_KEY=key.verify_key.encode().hex(),
                  CAMPAIGN_TABLE_NAME="t", TASK_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/1/q.fifo",
                  DISCORD_BOT_TOKEN="t", DISCORD_APPLICATION_ID="1")
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "f", 128, str(uuid.uuid4())
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    def get_remaining_time_in_millis(self): return 30_000
from channelwright import interactions, worker
forged = {"headers": {"x-signature-ed25519": "00", "x-signature-timestamp": "1"}, "body": "{}"}
assert interactions.handler(forged, Context())["statusCode"] == 401
assert worker.handler({"Records": []}, Context()) == {"batchItemFailures": []}
print("worked without what the asset leaves out")
"""


def test_the_handlers_work_without_what_the_asset_leaves_out(tmp_path):
    # A fresh interpreter in which the left-out files cannot be imported imports every runtime
    # module and works the libraries as the handlers do: logs (with a traceback), metrics, a YAML
    # template, a signature check, an HTTP session.
    import nacl

    site = str(Path(nacl.__file__).parent.parent)
    script = BLOCK_LEFT_OUT.format(site=site, left_out=[p.rstrip("/") for p in UNUSED]) + HANDLERS_AT_WORK
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                            env={"PYTHONPATH": str(LAMBDA_SRC), "PATH": "/usr/bin:/bin",
                                 "POWERTOOLS_SERVICE_NAME": "asset-check"})
    assert result.stdout.strip().endswith("worked without what the asset leaves out"), result.stderr


def test_leaving_out_removes_exactly_what_is_listed(tmp_path):
    for path in ("aws_lambda_powertools/event_handler/api_gateway.py",
                 "aws_lambda_powertools/utilities/batch/base.py",
                 "aws_lambda_powertools/utilities/jmespath_utils/__init__.py",
                 "aws_lambda_powertools/logging/logger.py",
                 "yaml/_yaml.cpython-314-aarch64-linux-gnu.so", "yaml/__init__.py",
                 "_yaml/__init__.py", "cffi/api.py", "_cffi_backend.cpython-314-aarch64-linux-gnu.so",
                 "regex/tests/test_regex.py", "regex/_main.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    removed = drop_unused(tmp_path)
    assert sorted(removed) == ["_yaml", "aws_lambda_powertools/event_handler",
                               "aws_lambda_powertools/utilities/batch", "cffi", "regex/tests",
                               "yaml/_yaml.cpython-314-aarch64-linux-gnu.so"]
    assert (tmp_path / "aws_lambda_powertools/utilities/jmespath_utils/__init__.py").exists()
    assert (tmp_path / "_cffi_backend.cpython-314-aarch64-linux-gnu.so").exists()
    assert (tmp_path / "regex/_main.py").exists()


def test_stripped_native_modules_still_load_and_work(tmp_path):
    # The same stripping, on this machine's builds of the same packages, which it can load.
    import _cffi_backend
    import nacl
    import yaml

    site = Path(nacl.__file__).parent.parent
    for package in ("nacl", "yaml", "charset_normalizer", "regex"):
        shutil.copytree(site / package, tmp_path / package)
    shutil.copy2(_cffi_backend.__file__, tmp_path)
    before = sum(p.stat().st_size for p in tmp_path.rglob("*.so"))
    saved = strip_tree(tmp_path)
    assert saved > before / 2, (saved, before)
    assert strip_tree(tmp_path) == 0  # nothing left to take
    assert yaml.__with_libyaml__
    script = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
import _cffi_backend, charset_normalizer, nacl.signing, regex, yaml
from charset_normalizer import md, cd
from regex import _regex
for module in (_cffi_backend, nacl, yaml, md, cd, regex, _regex):
    assert module.__file__.startswith({str(tmp_path)!r}), module.__file__
key = nacl.signing.SigningKey.generate()
assert key.verify_key.verify(key.sign(b"signed")) == b"signed"
assert yaml.load("a: [1, 2]", Loader=yaml.CSafeLoader) == {{"a": [1, 2]}}
assert str(charset_normalizer.from_bytes("héllo wörld".encode("utf-8")).best()) == "héllo wörld"
assert regex.findall(r"\\X", "e\u0301👍🏽") == ["e\u0301", "👍🏽"]  # grapheme clusters, names.py's use
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_strip_leaves_files_that_are_not_64_bit_elf_alone(tmp_path):
    text = tmp_path / "not-elf.so"
    text.write_bytes(b"#!/bin/sh\n" * 100)
    assert strip_tree(tmp_path) == 0 and text.read_bytes() == b"#!/bin/sh\n" * 100
