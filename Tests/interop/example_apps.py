"""The example apps of `Examples/`, built beside the gatehouse binary, run as processes for a test."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import requests

from conftest import _tail

STARTUP_TIMEOUT_SECONDS = 30.0


def start_example(binary: Path, port: int, issuer: str, client: dict, log: Path) -> subprocess.Popen:
    """Start an example app that talks to Gatehouse at `issuer` as `client`; wait for its /healthz."""
    process = subprocess.Popen(
        [
            str(binary),
            "--issuer", issuer,
            "--port", str(port),
            "--client-id", client["client_id"],
            "--client-secret", client["client_secret"],
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{binary.name} exited at start:\n{_tail(log)}")
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"{binary.name} did not start:\n{_tail(log)}")
