"""`scripts/setup --browser` on a machine without Chromium: apt-get as root or through sudo, and
in CI a clear failure (never a silent skip) when neither is possible."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fake_bin(tmp_path: Path, *, sudo: bool) -> Path:
    """A PATH with no Chromium, an unprivileged `id`, apt-get (and sudo) that only log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    scripts = {"id": 'echo 1000', "apt-get": f'echo "apt-get $*" >> {tmp_path}/calls'}
    if sudo:
        scripts["sudo"] = f'echo "sudo $*" >> {tmp_path}/calls'
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def setup(tmp_path: Path, bin_dir: Path, ci: str) -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_dir), "CI": ci, "PYTHON": str(bin_dir / "no-python")}
    return subprocess.run([shutil.which("bash"), str(ROOT / "scripts/setup"), "--browser"], env=env,
                          capture_output=True, text=True, timeout=30)


def test_without_root_or_sudo_ci_fails_with_the_reason(tmp_path):
    result = setup(tmp_path, fake_bin(tmp_path, sudo=False), ci="true")
    assert result.returncode == 1
    assert "CI needs Chromium and chromium-driver" in result.stderr and "sudo" in result.stderr
    assert not (tmp_path / "calls").exists(), "apt-get is not tried without the right to install"


def test_without_root_or_sudo_a_developer_is_told_how_and_setup_goes_on(tmp_path):
    result = setup(tmp_path, fake_bin(tmp_path, sudo=False), ci="")
    assert "install Chromium and its chromedriver yourself" in result.stdout
    assert "Channelwright needs Python" in result.stderr, "went on to the rest of the setup"


def test_an_unprivileged_user_installs_through_sudo(tmp_path):
    setup(tmp_path, fake_bin(tmp_path, sudo=True), ci="true")
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "sudo apt-get update -qq"
    assert calls[1].startswith("sudo apt-get install") and "chromium chromium-driver" in calls[1]
