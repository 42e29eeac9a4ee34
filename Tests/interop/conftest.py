"""Fixtures that run real servers for the interoperability tests.

Every test gets its own `gatehouse serve` on a free loopback port with a fresh
SQLite database, so tests cannot see each other's users, clients or tokens.
The binary is taken from $GATEHOUSE_BIN, or the debug build in the repository.

A test that needs the server started with particular environment variables
marks itself `@pytest.mark.gatehouse_env(NAME="value", ...)`; the `gatehouse`
fixture then passes them to `serve` and to every CLI command it runs.

Tests that need a resource server get a private Apache (Debian's apache2-bin)
the same way: its own configuration, port and logs, stopped at teardown.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / ".build" / "debug" / "gatehouse"

# Debian's apache2-bin: the server binary and its modules' directory.
APACHE_BINARY = Path("/usr/sbin/apache2")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
# What serving static files behind `AuthType ...`/`Require valid-user` needs;
# a test's own configuration loads the module that does the authentication.
APACHE_BASE_MODULES = (
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authn_core_module", "mod_authn_core.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("authz_user_module", "mod_authz_user.so"),
    ("alias_module", "mod_alias.so"),
    ("mime_module", "mod_mime.so"),
)
# Started as root, Apache's workers must run as someone else; Debian's
# packages use www-data. Started as anyone else, Apache keeps that user.
APACHE_WORKER_USER = "www-data"

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


def _environment(extra: Mapping[str, str | None]) -> dict[str, str]:
    """The tests' own environment with `extra` applied: None unsets a variable."""
    environment = dict(os.environ)
    for name, value in extra.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _env_prefix(extra: Mapping[str, str | None]) -> str:
    """`extra` as an env(1) prefix for a logged command, values masked: they may be secrets."""
    if not extra:
        return ""
    unset = [f"-u {name}" for name, value in sorted(extra.items()) if value is None]
    set_ = [f"{name}=***" for name, value in sorted(extra.items()) if value is not None]
    return "env " + " ".join(unset + set_) + " "


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
    # Environment variables set (or, with None, unset) for `serve` and for
    # every CLI command, the way an operator's shell would have them for both.
    env: dict[str, str | None] = field(default_factory=dict)
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

    def run_cli(
        self, *args: str, env: Mapping[str, str | None] | None = None
    ) -> subprocess.CompletedProcess:
        """Run `gatehouse ARGS --database DB`, whatever its exit code.

        `env` is applied on top of the server's own `env`; a None value unsets
        that variable for this command only.
        """
        command = [str(self.binary), *args, "--database", self.database_url]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            cwd=self.log_path.parent,
            env=_environment({**self.env, **(env or {})}),
        )

    def cli(self, *args: str, env: Mapping[str, str | None] | None = None) -> str:
        """Run `gatehouse ARGS --database DB` and return its standard output.

        The command's stderr carries migration logs, so it is only shown when
        the command fails.
        """
        result = self.run_cli(*args, env=env)
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(result.args)} exited with {result.returncode}\n"
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
            log.write(f"$ {_env_prefix(self.env)}{' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.log_path.parent,
                env=_environment(self.env),
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "gatehouse_env(**variables): environment variables for the test's "
        "gatehouse serve and its CLI commands (None unsets one)",
    )


def _marked_env(request: pytest.FixtureRequest) -> dict[str, str | None]:
    marker = request.node.get_closest_marker("gatehouse_env")
    return dict(marker.kwargs) if marker else {}


def _run_gatehouse(
    binary: Path,
    directory: Path,
    *serve_args: str,
    env: Mapping[str, str | None] | None = None,
) -> Iterator[Gatehouse]:
    server = Gatehouse(
        binary=binary,
        database_url=f"sqlite:{directory / 'gatehouse.sqlite'}",
        base_url="",
        log_path=directory / "gatehouse.log",
        env=dict(env or {}),
    )
    try:
        server.start(*serve_args)
        yield server
    finally:
        server.stop()


@pytest.fixture
def gatehouse(
    gatehouse_binary: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Gatehouse]:
    """A fresh server with an empty database (environment: see gatehouse_env)."""
    yield from _run_gatehouse(gatehouse_binary, tmp_path, env=_marked_env(request))


@pytest.fixture
def gatehouse_demo(
    gatehouse_binary: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Gatehouse]:
    """A fresh server started with --demo (user demo/demo, walkthrough at /)."""
    yield from _run_gatehouse(
        gatehouse_binary, tmp_path, "--demo", env=_marked_env(request)
    )


@dataclass
class Apache:
    """A private Apache httpd, run in the foreground as a child of the tests.

    The fixture owns the server-wide part of the configuration (where its
    files go, the port, the basic modules); a test supplies the rest with
    `start(site_config)`: further LoadModule lines, Alias, <Location>...
    """

    run_dir: Path
    # Files to serve: readable by Apache's workers, which run as www-data
    # when the tests run as root and so cannot enter pytest's tmp_path.
    docs_dir: Path
    log_path: Path
    base_url: str = ""
    process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def add_document(self, name: str, content: str) -> Path:
        """Write a file for Apache to serve and return its path."""
        path = self.docs_dir / name
        path.write_text(content)
        path.chmod(0o644)
        return path

    def server_config(self, port: int) -> str:
        lines = [
            f'ServerRoot "{self.run_dir}"',
            f'DefaultRuntimeDir "{self.run_dir}"',
            f'PidFile "{self.run_dir / "httpd.pid"}"',
            # The same file as the process's stdout and stderr, which carry
            # what goes wrong before the configuration is read.
            f'ErrorLog "{self.log_path}"',
            "LogLevel warn",
            f"Listen 127.0.0.1:{port}",
            "ServerName 127.0.0.1",
        ]
        if os.geteuid() == 0:
            lines += [f"User {APACHE_WORKER_USER}", f"Group {APACHE_WORKER_USER}"]
        lines += [
            f'LoadModule {name} "{APACHE_MODULES / file}"'
            for name, file in APACHE_BASE_MODULES
        ]
        lines += [
            f'DocumentRoot "{self.docs_dir}"',
            # Pin the types this needs instead of reading /etc/mime.types.
            "TypesConfig /dev/null",
            "AddType text/plain .txt",
        ]
        return "\n".join(lines) + "\n"

    def start(self, site_config: str) -> None:
        for _ in range(START_ATTEMPTS):
            port = _free_loopback_port()
            self.base_url = f"http://127.0.0.1:{port}"
            config_path = self.run_dir / "httpd.conf"
            config_path.write_text(self.server_config(port) + "\n" + site_config)
            if self._start_with(config_path):
                return
        raise AssertionError(
            f"apache2 exited during startup {START_ATTEMPTS} times; "
            f"last log:\n{_tail(self.log_path)}"
        )

    def _start_with(self, config_path: Path) -> bool:
        """Start Apache and wait until it answers HTTP on its port.

        Returns False if it exited first (most likely the port was taken
        meanwhile; a bad configuration fails every attempt, and start() shows
        the log); fails the test on a timeout.
        """
        command = [str(APACHE_BINARY), "-f", str(config_path), "-D", "FOREGROUND"]
        with self.log_path.open("ab") as log:
            log.write(f"$ {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.run_dir,
                # Its own process group, so that stop() can reach the workers
                # should the parent not take them down itself.
                start_new_session=True,
            )

        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                # Any answer will do, as long as it is Apache's and not that
                # of whoever else may have taken the port.
                response = requests.get(self.url("/"), timeout=1)
                if response.headers.get("Server", "").startswith("Apache"):
                    return True
            except requests.ConnectionError:
                pass  # not listening yet
            try:
                self.process.wait(timeout=POLL_INTERVAL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
            self.process = None
            return False

        self.stop()
        raise AssertionError(
            f"apache2 did not answer within {STARTUP_TIMEOUT_SECONDS:.0f}s; "
            f"log:\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is not None:
            return
        # SIGTERM is Apache's "stop now": the parent ends its workers, waits
        # for them and exits.
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # The parent is not reaped yet, so its group id is still ours:
            # kill it together with whatever workers it left.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def apache(tmp_path: Path) -> Iterator[Apache]:
    """A private Apache, not yet started: call `start(site_config)`."""
    if not os.access(APACHE_BINARY, os.X_OK):
        pytest.fail(
            f"{APACHE_BINARY} not found: apt-get install apache2-bin "
            "(scripts/interop-test does it for you)"
        )
    run_dir = tmp_path / "apache"
    run_dir.mkdir()
    docs_dir = Path(tempfile.mkdtemp(prefix="gatehouse-interop-docs-"))
    docs_dir.chmod(0o755)
    server = Apache(run_dir=run_dir, docs_dir=docs_dir, log_path=tmp_path / "apache.log")
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(docs_dir, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the servers' logs to a failing test's report: they usually say why."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        funcargs = item.funcargs if hasattr(item, "funcargs") else {}
        for name in ("gatehouse", "gatehouse_demo"):
            server = funcargs.get(name)
            if isinstance(server, Gatehouse):
                report.sections.append(
                    (f"gatehouse serve log ({server.log_path})", _tail(server.log_path, 80))
                )
        apache = funcargs.get("apache")
        if isinstance(apache, Apache):
            report.sections.append(
                (f"apache2 log ({apache.log_path})", _tail(apache.log_path, 80))
            )
