"""Submit burst: how hiyoko behaves when many people share signals at once.

Starts the fake Slack Web API and the fake Sheets API v4 in this process (Sheets made slow with
``--sheets-latency`` and held to ``--write-quota`` writes a minute, like Google's per-user quota),
runs the real ``hiyoko run`` as a process in HTTP mode on a SQLite file in a temporary directory
(or ``--replicas N`` processes on one fresh PostgreSQL schema with ``--database postgresql``),
then fires ``--signals`` signed ``view_submission`` requests at it (round-robin over the replicas),
``--concurrency`` in flight at once over keep-alive connections. It measures:

- the ack latency of every submission (until the HTTP response; each must be 200 with ``{}``/empty);
- the time from the first submit until every signal's ``S-…`` row is in the ``Signals`` tab (and
  until every row carries its card's link), and until every card and owner thread reply is in the
  fake Slack channel;
- the Sheets API calls (reads, writes, 429s) and Slack API calls it took, and duplicate rows,
  cards and thread replies (all must be 0).

On PostgreSQL the base URL is ``HIYOKO_TEST_POSTGRES_URL`` or what ``scripts/postgres-url`` prints;
the bench creates a schema of its own, runs ``hiyoko db upgrade`` once (the explicit migration step
for replicas), starts the replicas on it and drops the schema at the end.

``--compare`` runs one SQLite process, then two replicas on PostgreSQL, with the same signals,
concurrency, Sheets latency and quota, and ends with one markdown table of both. There "sheet
complete" is when every row is in the sheet with its card link, "Slack complete" when every card and
every owner thread reply is posted, and "missing" counts the submitted signals that are not stored
or lack their row, card or thread reply.

``--slack-latency S`` is Slack at its slowest: every Slack Web API call answers S seconds late, and
the user directory stays empty for the whole run (the start-up users.list never lands), so every
ack runs with nothing known about anyone — the acks must still come well inside Slack's 3 seconds,
since nothing before an ack may ask Slack. ``--acks-only`` measures the acks and what was stored,
without waiting for cards and rows (with Slack that slow, delivering them takes minutes)::

    python -m bench.submit_burst --slack-latency 2 --acks-only --signals 400 --concurrency 50
    python -m bench.submit_burst --slack-latency 2 --acks-only --database postgresql --replicas 2

Exits 1 when a signal is missing (after ``--timeout``) or duplicated, or an ack failed (in either
run with ``--compare``); 2 when a setup could not start (no PostgreSQL, a failed migration).

Run from the repository root::

    python -m bench.submit_burst                     # 300 signals, 25 in flight, Sheets 0.5 s
    python -m bench.submit_burst --signals 1000 --concurrency 50 --sheets-latency 1.0
    python -m bench.submit_burst --replicas 2 --database postgresql
    python -m bench.submit_burst --compare --signals 1000 --concurrency 50 --sheets-latency 1.0
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bot.blocks.card import CARD_EVENT, OWNER_NOTICE_EVENT
from fakes.process import ROOT, AppProcess, app_env, free_port, scratch_schema
from fakes.sheets_api import FakeSheets
from fakes.slack_api import FakeSlack
from fakes.slack_requests import interactive_body, modal_state, sign, view_submission
from models.signal import format_signal_id
from sheets.sync import COLUMNS

CHANNEL = "CSIGNALS"
SPREADSHEET = "sheet-hiyoko"
TAB = "Signals"
CSM, AE = "UCSM", "UAE"
ID_COL, CUSTOMER_COL, LINK_COL = 0, COLUMNS.index("customer"), COLUMNS.index("link")
POLL_SECONDS = 0.25
SLACK_ACK_DEADLINE_MS = 3000  # Slack shows the user an error when the ack takes longer
LOG_PATTERNS = ("Traceback", "ERROR", "WARNING", "DEAD LETTER", "database is locked", "relay round failed")
DATABASES = ("sqlite", "postgresql")
START_TIMEOUT = 60.0  # seconds for a replica to answer /healthz (the machine may be busy)


class SetupError(Exception):
    """A configuration could not be started (no PostgreSQL, a failed migration); exit code 2."""


@dataclass(frozen=True)
class Setup:
    """What runs the app: how many `hiyoko run` processes, on which database."""

    replicas: int
    database: str  # one of DATABASES

    @property
    def label(self) -> str:
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[self.database]
        return f"1 process on {name}" if self.replicas == 1 else f"{self.replicas} replicas on {name}"

    @property
    def slug(self) -> str:
        return f"{self.database}-{self.replicas}"


# ----------------------------------------------------------------------------------- the burst


@dataclass
class Ack:
    index: int
    latency: float  # seconds, first byte sent until the whole response was read
    status: int
    body: bytes
    error: str = ""
    retried: bool = False
    replica: int = 0  # which replica (0-based) it was sent to

    @property
    def ok(self) -> bool:
        return not self.error and self.status == 200 and self.body.strip() in (b"", b"{}")


class Submitter:
    """Round-robin over the replicas; one keep-alive connection per worker thread and replica; a
    stale connection is reopened once."""

    def __init__(self, bases: Sequence[str]) -> None:
        self.targets: list[tuple[str, int]] = []
        for base in bases:
            host, _, port = base.removeprefix("http://").partition(":")
            self.targets.append((host, int(port)))
        self._local = threading.local()

    def _connections(self) -> dict[int, http.client.HTTPConnection]:
        conns: dict[int, http.client.HTTPConnection] | None = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        return conns

    def _connection(self, replica: int) -> http.client.HTTPConnection:
        conns = self._connections()
        if replica not in conns:
            host, port = self.targets[replica]
            conns[replica] = http.client.HTTPConnection(host, port, timeout=30)
        return conns[replica]

    def _drop(self, replica: int) -> None:
        conn = self._connections().pop(replica, None)
        if conn is not None:
            conn.close()

    def submit(self, index: int) -> Ack:
        # A unique view id per signal: the app keys submissions on it (a resend stores one signal).
        payload = view_submission(CSM, modal_state(customer=f"顧客{index}"), view_id=f"VBENCH{index:06d}")
        body = interactive_body(payload)
        data = body.encode()
        replica = index % len(self.targets)
        start = time.perf_counter()
        retried = False
        for attempt in (1, 2):
            headers = {**sign(body), "content-length": str(len(data))}
            conn = self._connection(replica)
            try:
                conn.request("POST", "/slack/events", body=data, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                if response.will_close:
                    self._drop(replica)
                return Ack(
                    index, time.perf_counter() - start, response.status, answer, retried=retried, replica=replica
                )
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self._drop(replica)
                if attempt == 2:
                    return Ack(
                        index, time.perf_counter() - start, 0, b"", f"{type(error).__name__}: {error}", retried, replica
                    )
                retried = True  # same view id: the app stores it once even if the first one landed
            except OSError as error:
                self._drop(replica)
                return Ack(
                    index, time.perf_counter() - start, 0, b"", f"{type(error).__name__}: {error}", retried, replica
                )
        raise AssertionError("unreachable")


# ----------------------------------------------------------------------------------- the database


def postgres_base_url() -> str:
    """HIYOKO_TEST_POSTGRES_URL, or what scripts/postgres-url prints (it starts the local cluster)."""
    url = os.environ.get("HIYOKO_TEST_POSTGRES_URL", "")
    if url:
        return url
    try:
        found = subprocess.run(
            [str(ROOT / "scripts" / "postgres-url")], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SetupError(f"scripts/postgres-url failed: {error}") from None
    url = found.stdout.strip()
    if not url:
        raise SetupError(found.stderr.strip() or "scripts/postgres-url printed no URL")
    return url


@contextmanager
def bench_database(database: str, workdir: Path) -> Iterator[str]:
    """The app's DATABASE_URL: a SQLite file in workdir, or a fresh PostgreSQL schema dropped at the end."""
    if database == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    base = postgres_base_url()
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_schema(base, "bench"))
        except Exception as error:
            raise SetupError(f"could not create a PostgreSQL schema: {type(error).__name__}: {error}") from None
        print(f"a PostgreSQL schema of its own on {make_url(base).render_as_string(hide_password=True)}", flush=True)
        yield url


def reader(database_url: str) -> Engine:
    """An engine to look at what the app stored (read-only on SQLite, beside the running app)."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        return create_engine(
            f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 30}, poolclass=NullPool
        )
    return create_engine(database_url, poolclass=NullPool)


def migrate(env: Mapping[str, str], workdir: Path) -> Path:
    """`hiyoko db upgrade` once, as an operator runs it before starting replicas; returns its log."""
    log_path = workdir / "db-upgrade.log"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli", "db", "upgrade"],
            cwd=workdir,
            capture_output=True,
            text=True,
            env={**env, "PYTHONPATH": str(ROOT)},
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SetupError("`hiyoko db upgrade` did not finish within 300 s") from None
    log_path.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SetupError(f"`hiyoko db upgrade` exited {done.returncode}: {(done.stdout + done.stderr).strip()}")
    return log_path


@contextmanager
def running_replicas(env: Mapping[str, str], count: int, workdir: Path) -> Iterator[list[AppProcess]]:
    """`count` processes of `hiyoko run` with the same environment but their own PORT, healthy."""
    apps: list[AppProcess] = []
    try:
        for number in range(1, count + 1):
            log_path = workdir / ("app.log" if count == 1 else f"app-{number}.log")
            print(f"app log: {log_path}", flush=True)
            port = env["PORT"] if number == 1 else str(free_port())
            try:
                apps.append(AppProcess({**env, "PORT": port}, workdir, log_path, timeout=START_TIMEOUT))
            except RuntimeError as error:
                raise SetupError(f"replica {number} did not start: {error}") from None
        yield apps
    finally:
        for app in apps:
            app.stop()


# ----------------------------------------------------------------------------------- checking


@dataclass
class Seen:
    """What the fakes hold right now, per signal id."""

    rows: Counter[str] = field(default_factory=Counter)
    linked: set[str] = field(default_factory=set)
    row_customer: dict[str, str] = field(default_factory=dict)
    cards: Counter[str] = field(default_factory=Counter)
    card_ts: dict[str, str] = field(default_factory=dict)
    replies: Counter[str] = field(default_factory=Counter)


def read_sheet(fake: FakeSheets, seen: Seen) -> None:
    if TAB not in fake.sheet_titles(SPREADSHEET):
        return
    seen.rows.clear()
    seen.linked.clear()
    for row in fake.values(SPREADSHEET, TAB)[1:]:
        if not row or not row[ID_COL].startswith("S-"):
            continue
        sid = row[ID_COL]
        seen.rows[sid] += 1
        seen.row_customer[sid] = row[CUSTOMER_COL] if len(row) > CUSTOMER_COL else ""
        if len(row) > LINK_COL and row[LINK_COL]:
            seen.linked.add(sid)


def _signal_of(message: dict[str, Any], event_type: str) -> str | None:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != event_type:
        return None
    sid = (meta.get("event_payload") or {}).get("signal_id")
    return str(sid) if sid else None


def read_cards(fake: FakeSlack, seen: Seen) -> None:
    seen.cards.clear()
    for message in fake.messages(CHANNEL):
        sid = _signal_of(message, CARD_EVENT)
        if sid:
            seen.cards[sid] += 1
            seen.card_ts.setdefault(sid, message["ts"])


def read_replies(fake: FakeSlack, seen: Seen, only: set[str] | None = None) -> None:
    """Owner notices in each card's thread (only the given signals', or all and recounted)."""
    if only is None:
        seen.replies.clear()
    for sid, ts in list(seen.card_ts.items()):
        if only is not None and sid not in only:
            continue
        seen.replies[sid] = sum(1 for m in fake.replies(CHANNEL, ts) if _signal_of(m, OWNER_NOTICE_EVENT) == sid)


def posts(fake: FakeSlack, threaded: bool) -> int:
    """chat.postMessage calls received (cheap: no message copies), top-level or in a thread."""
    return sum(1 for args in fake.calls_to("chat.postMessage") if bool(args.get("thread_ts")) == threaded)


@dataclass
class Done:
    """Seconds from the first submit until each part was complete (None: not within the timeout)."""

    sheet_rows: float | None = None
    sheet_links: float | None = None
    cards: float | None = None
    replies: float | None = None

    def all(self) -> bool:
        return None not in (self.sheet_rows, self.sheet_links, self.cards, self.replies)


def wait_until_delivered(
    fake_slack: FakeSlack, fake_sheets: FakeSheets, expected: set[str], t0: float, timeout: float
) -> tuple[Done, Seen]:
    done, seen = Done(), Seen()
    deadline = t0 + timeout
    last_sheet_calls = -1
    while not done.all() and time.monotonic() < deadline:
        now = time.monotonic() - t0
        calls = len(fake_sheets.calls)
        if calls != last_sheet_calls:  # the sheet only changes when the app calls it
            last_sheet_calls = calls
            read_sheet(fake_sheets, seen)
            if done.sheet_rows is None and expected <= set(seen.rows):
                done.sheet_rows = now
            if done.sheet_links is None and expected <= seen.linked:
                done.sheet_links = now
        if done.cards is None and posts(fake_slack, threaded=False) >= len(expected):
            read_cards(fake_slack, seen)
            if expected <= set(seen.cards):
                done.cards = now
        if done.cards is not None and done.replies is None and posts(fake_slack, threaded=True) >= len(expected):
            read_replies(fake_slack, seen, only={sid for sid in expected if not seen.replies[sid]})
            if all(seen.replies[sid] for sid in expected):
                done.replies = now
        time.sleep(POLL_SECONDS)
    return done, seen


# ----------------------------------------------------------------------------------- reporting


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def seconds(value: float | None, got: int, wanted: int) -> str:
    return f"{value:.1f}" if value is not None else f"not within timeout ({got}/{wanted})"


def latest(*values: float | None) -> float | None:
    """When all of several parts were complete (None when one never was)."""
    return None if any(v is None for v in values) else max(v for v in values if v is not None)


def duplicates(counts: Counter[str]) -> int:
    return sum(n - 1 for n in counts.values() if n > 1)


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    value_width = max(len(value) for _, value in rows)
    print(f"+-{'-' * width}-+-{'-' * value_width}-+")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value.ljust(value_width)} |")
    print(f"+-{'-' * width}-+-{'-' * value_width}-+")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def stored_signals(engine: Engine) -> list[tuple[str, str]]:
    """(customer, S-id) of every stored signal, in order (a customer twice is a duplicate)."""
    with engine.connect() as conn:
        return [
            (customer, format_signal_id(number))
            for number, customer in conn.execute(text("SELECT number, customer FROM signals ORDER BY number"))
        ]


def outbox_summary(engine: Engine) -> str:
    with engine.connect() as conn:
        states = conn.execute(
            text("SELECT target, state, COUNT(*) FROM outbox GROUP BY target, state ORDER BY target, state")
        ).all()
        retried = conn.execute(text("SELECT COUNT(*), MAX(attempts) FROM outbox WHERE attempts > 1")).one()
        errors = conn.execute(
            text(
                "SELECT last_error, COUNT(*) FROM outbox WHERE last_error != '' GROUP BY last_error "
                "ORDER BY COUNT(*) DESC LIMIT 5"
            )
        ).all()
    lines = [
        "outbox rows: " + ", ".join(f"{target}/{state} {n}" for target, state, n in states),
        f"outbox rows tried more than once: {retried[0]} (most attempts: {retried[1] or 1})",
    ]
    lines += [f"  last_error x{n}: {error}" for error, n in errors]
    return "\n".join(lines)


def log_findings(log_path: Path) -> str:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    lines = text.splitlines()
    found = Counter(pattern for line in lines for pattern in LOG_PATTERNS if pattern in line)
    sample = [line for line in lines if any(p in line for p in LOG_PATTERNS)][:8]
    summary = ", ".join(f"{p!r} x{n}" for p, n in found.items()) or "none of " + ", ".join(LOG_PATTERNS)
    return "\n".join([f"app log {log_path}: {len(lines)} lines; {summary}", *(f"  {line}" for line in sample)])


# ----------------------------------------------------------------------------------- one run


@dataclass
class Result:
    """One configuration's burst: the detail table, notes, problems and the comparison figures."""

    setup: Setup
    table: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[tuple[str, Sequence[Any]]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)  # the comparison table's cells
    error: str = ""  # set when the setup could not run

    @property
    def failed(self) -> bool:
        return bool(self.error) or any(items for _, items in self.problems)


COMPARE_HEADER = (
    "setup",
    "ack p50 ms",
    "ack p99 ms",
    "acks > 3 s",
    "sheet complete s",
    "Slack complete s",
    "Sheets calls (reads/writes)",
    "duplicates",
    "missing",
)


def measure(args: argparse.Namespace, setup: Setup, workdir: Path) -> Result:
    """Start the fakes and the app as `setup` says, fire the burst, wait for delivery, collect figures."""
    result = Result(setup)
    # Slack's one post a second per channel would make the delivery half take an hour: the fake's
    # limit and the app's pacing are scaled together (--slack-rate), and the table says so.
    with (
        FakeSlack(channel_rate=args.slack_rate).start() as fake_slack,
        FakeSheets().start() as fake_sheets,
        bench_database(setup.database, workdir) as database_url,
    ):
        fake_slack.add_user(CSM, "sato", display_name="佐藤", real_name="佐藤 花子", locale="ja-JP")
        fake_slack.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", locale="ja-JP")
        fake_slack.add_channel(CHANNEL, "upsell-signals")
        fake_slack.add_channel("CDIGEST", "upsell-managers")
        fake_sheets.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        if args.slack_latency > 0:  # a cold directory: each replica's start-up fill never lands
            fake_slack.hang_next(setup.replicas, seconds=args.timeout + 600, method="users.list")
        env = app_env(
            slack_url=fake_slack.url,
            database_url=database_url,
            channel=CHANNEL,
            port=free_port(),
            sheets_host=fake_sheets.host,
            spreadsheet_id=SPREADSHEET,
        )
        env["HIYOKO_SLACK_CHANNEL_INTERVAL"] = str(1.0 / args.slack_rate)
        if setup.database != "sqlite":
            result.logs.append(migrate(env, workdir))
        engine = reader(database_url)
        try:
            with running_replicas(env, setup.replicas, workdir) as apps:
                result.logs += [app.log_path for app in apps]
                # Slow and rate-limited from here on: the app's start-up is not what we measure.
                fake_sheets.latency = args.sheets_latency
                fake_sheets.set_write_quota(args.write_quota if args.write_quota > 0 else None)
                if args.slack_latency > 0:
                    fake_slack.delay_all(args.slack_latency)
                slack_calls_before, sheets_calls_before = len(fake_slack.calls), len(fake_sheets.calls)

                submitter = Submitter([app.base for app in apps])
                t0 = time.monotonic()
                with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                    acks = list(pool.map(submitter.submit, range(1, args.signals + 1)))
                burst = time.monotonic() - t0
                print(f"burst sent in {burst:.1f} s; waiting for the sheet and Slack …", flush=True)

                stored_list = stored_signals(engine)
                stored = dict(stored_list)
                expected = set(stored.values())
                if args.acks_only:
                    result.notes.append(outbox_summary(engine))
                    fake_slack.reset_faults()  # let the replicas stop without waiting on Slack
                    return acks_result(args, setup, result, acks, burst, stored_list)
                done, seen = wait_until_delivered(fake_slack, fake_sheets, expected, t0, args.timeout)
                time.sleep(args.settle)
                read_sheet(fake_sheets, seen)
                read_cards(fake_slack, seen)
                read_replies(fake_slack, seen)
                result.notes.append(outbox_summary(engine))
        finally:
            engine.dispose()
        slack_calls = fake_slack.calls[slack_calls_before:]
        sheets_calls = fake_sheets.calls[sheets_calls_before:]

    n = args.signals
    failures = [a for a in acks if not a.ok]
    latencies = sorted(a.latency * 1000 for a in acks)
    acked = {f"顧客{a.index}" for a in acks if a.ok}
    lost_in_db = sorted(acked - set(stored))
    stored_twice = sorted(customer for customer, count in Counter(c for c, _ in stored_list).items() if count > 1)
    reads = sum(1 for c in sheets_calls if c.kind == "read")
    writes = sum(1 for c in sheets_calls if c.kind == "write")
    statuses = Counter(c.status for c in sheets_calls)
    slack_methods = Counter(c.method for c in slack_calls)
    missing_rows = sorted(expected - set(seen.rows))
    missing_cards = sorted(expected - set(seen.cards))
    missing_replies = sorted(sid for sid in expected if not seen.replies[sid])
    wrong_customer = sorted(
        sid for customer, sid in stored.items() if sid in seen.row_customer and seen.row_customer[sid] != customer
    )
    dup_rows, dup_cards, dup_replies = duplicates(seen.rows), duplicates(seen.cards), duplicates(seen.replies)
    other_errors = {status: count for status, count in statuses.items() if status not in (200, 429)}
    over_deadline = sum(1 for ms in latencies if ms >= SLACK_ACK_DEADLINE_MS)
    sheet_complete, slack_complete = latest(done.sheet_rows, done.sheet_links), latest(done.cards, done.replies)

    result.table = [
        ("replicas / database", f"{setup.replicas} / {setup.database}"),
        ("fake Slack posts per second per channel (Slack: 1)", f"{args.slack_rate:g}"),
        ("signals submitted / acked ok / stored", f"{n} / {n - len(failures)} / {len(stored)}"),
        ("concurrency", str(args.concurrency)),
        ("sheets latency (s) / write quota (/min)", f"{args.sheets_latency:g} / {args.write_quota or 'none'}"),
        ("burst wall time (s) / submits per s", f"{burst:.1f} / {n / burst:.0f}"),
        ("ack p50 / p95 / p99 / max (ms)", " / ".join(f"{percentile(latencies, p):.0f}" for p in (50, 95, 99, 100))),
        ("acks over 3 s (Slack's deadline)", str(over_deadline)),
        ("ack failures (reconnects retried)", f"{len(failures)} ({sum(a.retried for a in acks)})"),
    ]
    if setup.replicas > 1:
        per_replica = [sorted(a.latency * 1000 for a in acks if a.replica == r) for r in range(setup.replicas)]
        result.table.append(
            (
                "acks per replica (p50 / p99 ms)",
                ", ".join(
                    f"#{r + 1}: {len(ms)} ({percentile(ms, 50):.0f} / {percentile(ms, 99):.0f})"
                    for r, ms in enumerate(per_replica)
                ),
            )
        )
    result.table += [
        ("sheet: every ID in Signals (s)", seconds(done.sheet_rows, len(expected & set(seen.rows)), len(expected))),
        (
            "sheet: every row has its card link (s)",
            seconds(done.sheet_links, len(expected & seen.linked), len(expected)),
        ),
        ("Slack: every card posted (s)", seconds(done.cards, len(expected & set(seen.cards)), len(expected))),
        (
            "Slack: every owner thread reply (s)",
            seconds(done.replies, len(expected) - len(missing_replies), len(expected)),
        ),
        ("Sheets API calls: total (per signal)", f"{len(sheets_calls)} ({len(sheets_calls) / n:.2f})"),
        ("Sheets API reads / writes (per signal)", f"{reads} / {writes} ({reads / n:.2f} / {writes / n:.2f})"),
        (
            "Sheets 429s answered / other errors",
            f"{statuses.get(429, 0)} / {sum(other_errors.values())} {other_errors or ''}".rstrip(),
        ),
        ("Slack API calls: total (per signal)", f"{len(slack_calls)} ({len(slack_calls) / n:.2f})"),
        ("Slack calls by method", ", ".join(f"{m} {c}" for m, c in slack_methods.most_common())),
        ("duplicate rows / cards / thread replies", f"{dup_rows} / {dup_cards} / {dup_replies}"),
        (
            "missing rows / cards / thread replies",
            f"{len(missing_rows)} / {len(missing_cards)} / {len(missing_replies)}",
        ),
    ]
    result.notes += [log_findings(path) for path in result.logs if path.name != "db-upgrade.log"]
    result.problems = [
        ("acks that failed", [f"#{a.index}: {a.status} {a.body[:120]!r} {a.error}" for a in failures]),
        ("acked but not stored", lost_in_db),
        ("customers stored twice", stored_twice),
        ("missing from the sheet", missing_rows),
        ("rows with another signal's customer", wrong_customer),
        ("missing cards", missing_cards),
        ("missing thread replies", missing_replies),
        ("duplicated rows", sorted(sid for sid, c in seen.rows.items() if c > 1)),
        ("duplicated cards", sorted(sid for sid, c in seen.cards.items() if c > 1)),
        ("duplicated thread replies", sorted(sid for sid, c in seen.replies.items() if c > 1)),
    ]
    if done.sheet_links is None and not missing_rows:
        result.notes.append(f"note: {len(expected - seen.linked)} rows still without their card link")

    # Submitted signals not stored, or stored without their row, card or reply, each counted once.
    missing = (
        n
        - len(set(stored) & {f"顧客{i}" for i in range(1, n + 1)})
        + len(set(missing_rows) | set(missing_cards) | set(missing_replies))
    )
    dup_total = len(stored_list) - len(stored) + dup_rows + dup_cards + dup_replies
    timeout = f"> {args.timeout:g}"
    result.compact = [
        setup.label,
        f"{percentile(latencies, 50):.0f}",
        f"{percentile(latencies, 99):.0f}",
        str(over_deadline),
        f"{sheet_complete:.1f}" if sheet_complete is not None else timeout,
        f"{slack_complete:.1f}" if slack_complete is not None else timeout,
        f"{len(sheets_calls)} ({reads}/{writes})",
        str(dup_total),
        str(missing),
    ]
    return result


def acks_result(
    args: argparse.Namespace,
    setup: Setup,
    result: Result,
    acks: list[Ack],
    burst: float,
    stored_list: list[tuple[str, str]],
) -> Result:
    """`--acks-only`: the ack latencies and what was stored, without waiting for delivery."""
    n = args.signals
    failures = [a for a in acks if not a.ok]
    latencies = sorted(a.latency * 1000 for a in acks)
    stored = dict(stored_list)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    result.table = [
        ("replicas / database", f"{setup.replicas} / {setup.database}"),
        (
            "Slack latency per call (s) / directory",
            f"{args.slack_latency:g} / {'empty' if args.slack_latency > 0 else 'filled at start'}",
        ),
        ("fake Slack posts per second per channel (Slack: 1)", f"{args.slack_rate:g}"),
        ("signals submitted / acked ok / stored", f"{n} / {n - len(failures)} / {len(stored)}"),
        ("concurrency", str(args.concurrency)),
        ("burst wall time (s) / submits per s", f"{burst:.1f} / {n / burst:.0f}"),
        ("ack p50 / p95 / p99 / max (ms)", " / ".join(f"{percentile(latencies, p):.0f}" for p in (50, 95, 99, 100))),
        ("acks over 3 s (Slack's deadline)", str(sum(1 for ms in latencies if ms >= SLACK_ACK_DEADLINE_MS))),
        ("ack failures (reconnects retried)", f"{len(failures)} ({sum(a.retried for a in acks)})"),
    ]
    acked = {f"顧客{a.index}" for a in acks if a.ok}
    result.problems = [
        ("acks that failed", [f"#{a.index}: {a.status} {a.body[:120]!r} {a.error}" for a in failures]),
        ("acked but not stored", sorted(acked - set(stored))),
        ("customers stored twice", sorted(c for c, k in Counter(c for c, _ in stored_list).items() if k > 1)),
    ]
    result.compact = [
        setup.label,
        f"{p50:.0f}",
        f"{p99:.0f}",
        str(sum(1 for ms in latencies if ms >= SLACK_ACK_DEADLINE_MS)),
        "—",
        "—",
        "—",
        str(len(stored_list) - len(stored)),
        str(len(acked - set(stored))),
    ]
    return result


def report(result: Result) -> None:
    """The detail table, the outbox and log findings, and a FAIL line per kind of problem."""
    if result.error:
        print(f"FAIL {result.setup.label}: {result.error}")
        return
    print_table(result.table)
    for note in result.notes:
        print(note)
    for what, items in result.problems:
        if items:
            print(f"FAIL {what}: {len(items)}, e.g. {', '.join(map(str, items[:5]))}")


# ----------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_burst", description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=300, help="signals to submit (default 300)")
    parser.add_argument("--concurrency", type=int, default=25, help="requests in flight at once (default 25)")
    parser.add_argument(
        "--sheets-latency", type=float, default=0.5, help="seconds the fake Sheets API takes per call (default 0.5)"
    )
    parser.add_argument(
        "--write-quota",
        type=int,
        default=60,
        help="Sheets writes allowed per minute, 0 for no limit (default 60, Google's)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds from the first submit to wait for delivery (default 300)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds to keep watching for late duplicates once complete (default 2)",
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="`hiyoko run` processes sharing the database, round-robin (default 1)"
    )
    parser.add_argument(
        "--database",
        choices=DATABASES,
        default="sqlite",
        help="sqlite (a file) or postgresql (a fresh schema; HIYOKO_TEST_POSTGRES_URL or "
        "scripts/postgres-url) (default sqlite)",
    )
    parser.add_argument(
        "--slack-latency",
        type=float,
        default=0.0,
        help="seconds every Slack Web API call takes, with the user directory left empty "
        "(default 0: Slack answers at once and the directory fills at start)",
    )
    parser.add_argument(
        "--acks-only",
        action="store_true",
        help="measure the acks and what was stored; do not wait for cards and sheet rows",
    )
    parser.add_argument(
        "--slack-rate",
        type=float,
        default=50.0,
        help="posts per second per channel the fake Slack allows, the app's pacing matched "
        "(Slack's is 1; default 50, so delivery finishes in minutes)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="run 1 process on SQLite, then 2 replicas on PostgreSQL, and print both in one "
        "markdown table (ignores --replicas and --database)",
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if args.database == "sqlite" and args.replicas > 1 and not args.compare:
        print(
            "note: several processes on one SQLite file is not a supported deployment (replicas need "
            "PostgreSQL); measuring it anyway",
            flush=True,
        )
    return args


def run_setup(args: argparse.Namespace, setup: Setup, workdir: Path) -> Result:
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args, setup, workdir)
    except SetupError as error:
        return Result(setup, error=str(error))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Kept after the run so the app logs (their paths are printed first) can be read.
    workdir = Path(tempfile.mkdtemp(prefix="hiyoko-bench-"))
    setups = [Setup(1, "sqlite"), Setup(2, "postgresql")] if args.compare else [Setup(args.replicas, args.database)]
    results: list[Result] = []
    for setup in setups:
        if args.compare:
            print(
                f"\n== {setup.label}: {args.signals} signals, {args.concurrency} in flight, Sheets "
                f"{args.sheets_latency:g} s and {args.write_quota or 'no'} writes/min ==",
                flush=True,
            )
        result = run_setup(args, setup, workdir / setup.slug if args.compare else workdir)
        report(result)
        results.append(result)
    if args.compare:
        print(
            f"\n{args.signals} signals, {args.concurrency} in flight, Sheets {args.sheets_latency:g} s per call "
            f"and {args.write_quota or 'no'} writes/min; logs under {workdir}\n"
        )
        print(
            markdown_table(
                COMPARE_HEADER,
                [
                    r.compact
                    or [r.setup.label, f"failed: {r.error.splitlines()[0][:100]}", *["—"] * (len(COMPARE_HEADER) - 2)]
                    for r in results
                ],
            )
        )
    if any(r.failed and not r.error for r in results):
        return 1  # a signal missing or duplicated, or an ack failed
    return 2 if any(r.error for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
