"""Start `hiyoko run` as an operator would, in HTTP mode, for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.slack_requests import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def app_env(*, slack_url: str, database_url: str, channel: str, port: int, sheets_host: str | None = None,
            spreadsheet_id: str | None = None, xlsx_path: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of an HTTP-mode process pointed at the fakes (nothing inherited that matters)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "HIYOKO_"))}
    for name in ("DATABASE_URL", "SPREADSHEET_ID", "SHEETS_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS"):
        env.pop(name, None)
    env.update({
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
    })
    if sheets_host and spreadsheet_id:
        env["SHEETS_EMULATOR_HOST"] = sheets_host
        env["SPREADSHEET_ID"] = spreadsheet_id
    if xlsx_path:
        env["HIYOKO_XLSX_PATH"] = str(xlsx_path)
    return env


@contextmanager
def running_app(env: Mapping[str, str], cwd: Path, log_path: Path, timeout: float = 30.0) -> Iterator[str]:
    """Run `hiyoko run` until the block ends; yields its base URL once /healthz answers."""
    base = f"http://127.0.0.1:{env['PORT']}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "run"], cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)},
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"hiyoko exited with {process.returncode}:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"hiyoko did not become healthy:\n{log_path.read_text()}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
