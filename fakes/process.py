"""Start `hiyoko run` as an operator would, in HTTP mode, for end-to-end tests and benchmarks."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from fakes.slack_requests import SIGNING_SECRET, sign

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def app_env(
    *,
    slack_url: str,
    database_url: str,
    channel: str,
    port: int,
    sheets_host: str | None = None,
    spreadsheet_id: str | None = None,
    xlsx_path: Path | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of an HTTP-mode process pointed at the fakes (nothing inherited that matters)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "HIYOKO_"))}
    for name in ("DATABASE_URL", "SPREADSHEET_ID", "SHEETS_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS"):
        env.pop(name, None)
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_url,
            "SIGNALS_CHANNEL_ID": channel,
            "DIGEST_CHANNEL_ID": "CDIGEST",  # a digest caught up at start must not land among the cards
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "HIYOKO_HOST": "127.0.0.1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **extra,
        }
    )
    if sheets_host and spreadsheet_id:
        env["SHEETS_EMULATOR_HOST"] = sheets_host
        env["SPREADSHEET_ID"] = spreadsheet_id
    if xlsx_path:
        env["HIYOKO_XLSX_PATH"] = str(xlsx_path)
    return env


@contextmanager
def scratch_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of its own (the URL selects it by search_path), dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)  # survives restarts
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def post_signed(base: str, body: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
    """POST a Slack request body to /slack/events, signed unless headers are given."""
    request = urllib.request.Request(
        f"{base}/slack/events",
        data=body.encode(),
        method="POST",
        headers=dict(headers if headers is not None else sign(body)),
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_oversized(base: str, body: str) -> int | str:
    """POST a body the server should refuse from its Content-Length alone: its status, or
    "closed" when it answered and closed before the client had sent it all (the client then
    meets a broken pipe or a reset instead of reading the 413 — either way nothing was read)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=15)
    try:
        connection.request("POST", "/slack/events", body=body.encode(), headers=sign(body))
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return "closed"
    finally:
        connection.close()


class AppProcess:
    """`hiyoko run` as a child process, healthy once started."""

    def __init__(self, env: Mapping[str, str], cwd: Path, log_path: Path, timeout: float = 30.0) -> None:
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()/kill()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "run"],
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"hiyoko exited with {self.process.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"hiyoko did not become healthy:\n{log_path.read_text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill would."""
        self.process.kill()
        self.process.wait()
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@contextmanager
def running_app(env: Mapping[str, str], cwd: Path, log_path: Path, timeout: float = 30.0) -> Iterator[str]:
    """Run `hiyoko run` until the block ends; yields its base URL once /healthz answers."""
    app = AppProcess(env, cwd, log_path, timeout)
    try:
        yield app.base
    finally:
        app.stop()
