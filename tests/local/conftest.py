"""Local mode run the way a user runs it: `python -m channelwright_local ...` as a real subprocess.

No PYTHONPATH is passed on, so these also check that the package finds lambda_src/ by itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith(("AWS_", "DISCORD_"))}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_module(*args: str, timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "channelwright_local", *args], cwd=ROOT,
                          env=env or local_env(), capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    log: Path

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return requests.post(self.url + path, timeout=10, **kwargs)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, as a service manager would; kill if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def start_serve(log: Path, *extra: str) -> Served:
    port = free_port()
    out = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "channelwright_local", "serve", "--port", str(port), *extra],
        cwd=ROOT, env=local_env(), stdout=out, stderr=subprocess.STDOUT)
    out.close()  # the child has its own handle
    served = Served(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{served.output()}")
        try:
            if served.get("/local/info").status_code == 200:
                return served
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    served.stop()
    pytest.fail(f"serve did not answer within {STARTUP_TIMEOUT_S} s:\n{served.output()}")


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    served = start_serve(tmp_path_factory.mktemp("serve") / "serve.log", "--fast-retries")
    try:
        yield served
    finally:
        served.stop()
