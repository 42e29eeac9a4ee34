"""Fixtures that run a real `gatehouse serve` for the interoperability tests.

Every test gets its own server process on a free loopback port with a fresh
SQLite database, so tests cannot see each other's users, clients or tokens.
The binary is taken from $GATEHOUSE_BIN, or the debug build in the repository.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / ".build" / "debug" / "gatehouse"

# A debug build migrating a new database starts in well under a second here;
# the bound is generous so that a busy machine (e.g. a parallel `swift build`)
# does not make the suite flaky, while a hung server still fails the test.
STARTUP_TIMEOUT_SECONDS = 30.0
POLL_INTERVAL_SECONDS = 0.05
STOP_TIMEOUT_SECONDS = 10.0
CLI_TIMEOUT_SECONDS = 60.0

# A free port is found by binding port 0 and closing the socket again, so
# another process can take it before the server binds. That is rare; when it
# happens the server exits at once and we simply try another port.
START_ATTEMPTS = 3


def _gatehouse_binary() -> Path:
    configured = os.environ.get("GATEHOUSE_BIN")
    binary = Path(configured).resolve() if configured else DEFAULT_BINARY
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.exit(
            f"gatehouse binary not found at {binary}: run swift build first, "
            "or set GATEHOUSE_BIN to the binary to test",
            returncode=2,
        )
    return binary


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


@dataclass
class Gatehouse:
    """A running `gatehouse serve` and the means to administer its database."""

    binary: Path
    database_url: str
    base_url: str
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        # The server's default issuer is its own http://HOST:PORT.
        return self.base_url

    @property
    def authorize_url(self) -> str:
        return self.url("/oauth2/authorize")

    @property
    def token_url(self) -> str:
        return self.url("/oauth2/token")

    def url(self, path: str) -> str:
        return self.base_url + path

    def cli(self, *args: str) -> str:
        """Run `gatehouse ARGS --database DB` and return its standard output.

        The command's stderr carries migration logs, so it is only shown when
        the command fails.
        """
        command = [str(self.binary), *args, "--database", self.database_url]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            cwd=self.log_path.parent,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} exited with {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result.stdout

    def create_user(self, username: str, password: str) -> None:
        self.cli("users", "create", "--username", username, "--password", password)

    def create_client(
        self, name: str, redirect_uri: str, scope: str, *extra: str
    ) -> dict:
        """Register a client and return the CLI's JSON (client_id, client_secret, ...)."""
        output = self.cli(
            "clients", "create",
            "--name", name,
            "--redirect-uri", redirect_uri,
            "--scope", scope,
            *extra,
            "--json",
        )
        return json.loads(output)

    def start(self, *serve_args: str) -> None:
        for _ in range(START_ATTEMPTS):
            port = _free_loopback_port()
            self.base_url = f"http://127.0.0.1:{port}"
            if self._start_on(port, serve_args):
                return
        raise AssertionError(
            f"gatehouse serve exited during startup {START_ATTEMPTS} times; "
            f"last log:\n{_tail(self.log_path)}"
        )

    def _start_on(self, port: int, serve_args: tuple[str, ...]) -> bool:
        """Start the server and wait until /healthz answers 200.

        Returns False if the process exited before becoming healthy (most
        likely the port was taken meanwhile); fails the test on a timeout.
        """
        command = [
            str(self.binary), "serve",
            "--database", self.database_url,
            "--host", "127.0.0.1",
            "--port", str(port),
            *serve_args,
        ]
        with self.log_path.open("ab") as log:
            log.write(f"$ {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.log_path.parent,
            )

        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                response = requests.get(self.url("/healthz"), timeout=1)
                if response.status_code == 200:
                    return True
            except requests.ConnectionError:
                pass  # not listening yet
            # Waiting on the process doubles as the pause between polls and
            # notices at once when the server has died.
            try:
                self.process.wait(timeout=POLL_INTERVAL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
            self.process = None
            return False

        self.stop()
        raise AssertionError(
            f"gatehouse serve did not become healthy within "
            f"{STARTUP_TIMEOUT_SECONDS:.0f}s; log:\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def gatehouse_binary() -> Path:
    return _gatehouse_binary()


def _run_gatehouse(
    binary: Path, directory: Path, *serve_args: str
) -> Iterator[Gatehouse]:
    server = Gatehouse(
        binary=binary,
        database_url=f"sqlite:{directory / 'gatehouse.sqlite'}",
        base_url="",
        log_path=directory / "gatehouse.log",
    )
    try:
        server.start(*serve_args)
        yield server
    finally:
        server.stop()


@pytest.fixture
def gatehouse(gatehouse_binary: Path, tmp_path: Path) -> Iterator[Gatehouse]:
    """A fresh server with an empty database."""
    yield from _run_gatehouse(gatehouse_binary, tmp_path)


@pytest.fixture
def gatehouse_demo(gatehouse_binary: Path, tmp_path: Path) -> Iterator[Gatehouse]:
    """A fresh server started with --demo (user demo/demo, walkthrough at /)."""
    yield from _run_gatehouse(gatehouse_binary, tmp_path, "--demo")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the server log to a failing test's report: it usually says why."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for name in ("gatehouse", "gatehouse_demo"):
            server = item.funcargs.get(name) if hasattr(item, "funcargs") else None
            if isinstance(server, Gatehouse):
                report.sections.append(
                    (f"gatehouse serve log ({server.log_path})", _tail(server.log_path, 80))
                )
