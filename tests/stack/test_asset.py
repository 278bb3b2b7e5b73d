"""The Lambda asset: a stable hash, and a bundle that really loads on Lambda's platform."""

from __future__ import annotations

import json
import re
import struct

import pytest
from aws_cdk import BundlingOptions, FileSystem
from aws_cdk.assertions import Template

from channelwright_stack.runtime_asset import (
    ARCHITECTURE,
    ASSET_EXCLUDES,
    LAMBDA_SRC,
    PACKAGE,
    RUNTIME,
    PipLocalBundling,
    pip_platform_args,
)

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

    # Every pinned requirement, at its pinned version.
    for line in (LAMBDA_SRC / "requirements.txt").read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if pin:
            name = re.sub(r"[-_.]+", "_", pin[1]).lower()
            assert (out / f"{name}-{pin[2]}.dist-info").is_dir(), pin[0]

    assert (out / PACKAGE / "__init__.py").is_file()
    assert not (out / "requirements.txt").exists()
    assert not (out / "bin").exists()
    assert not list(out.rglob("__pycache__")) and not list(out.rglob("*.pyc"))
