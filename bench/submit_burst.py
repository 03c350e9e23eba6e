"""Submit burst: how hiyoko behaves when many people share signals at once.

Starts the fake Slack Web API and the fake Sheets API v4 in this process (Sheets made slow with
``--sheets-latency`` and held to ``--write-quota`` writes a minute, like Google's per-user quota),
runs the real ``hiyoko run`` as a process in HTTP mode on a SQLite file in a temporary directory,
then fires ``--signals`` signed ``view_submission`` requests at it, ``--concurrency`` in flight at
once over keep-alive connections. It measures:

- the ack latency of every submission (until the HTTP response; each must be 200 with ``{}``/empty);
- the time from the first submit until every signal's ``S-…`` row is in the ``Signals`` tab (and
  until every row carries its card's link), and until every card and owner thread reply is in the
  fake Slack channel;
- the Sheets API calls (reads, writes, 429s) and Slack API calls it took, and duplicate rows,
  cards and thread replies (all must be 0).

Exits 1 when a signal is missing (after ``--timeout``) or duplicated, or an ack failed.

Run from the repository root::

    python -m bench.submit_burst                     # 300 signals, 25 in flight, Sheets 0.5 s
    python -m bench.submit_burst --signals 1000 --concurrency 50 --sheets-latency 1.0
"""

from __future__ import annotations

import argparse
import http.client
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.blocks.card import CARD_EVENT, OWNER_NOTICE_EVENT
from sheets.sync import COLUMNS
from tests.fakes.sheets_api import FakeSheets
from tests.fakes.slack_api import FakeSlack
from tests.process import app_env, free_port, running_app
from tests.slack_requests import interactive_body, modal_state, sign, view_submission

CHANNEL = "CSIGNALS"
SPREADSHEET = "sheet-hiyoko"
TAB = "Signals"
CSM, AE = "UCSM", "UAE"
ID_COL, CUSTOMER_COL, LINK_COL = 0, COLUMNS.index("customer"), COLUMNS.index("link")
POLL_SECONDS = 0.25
SLACK_ACK_DEADLINE_MS = 3000  # Slack shows the user an error when the ack takes longer
LOG_PATTERNS = ("Traceback", "ERROR", "WARNING", "DEAD LETTER", "database is locked", "relay round failed")


# ----------------------------------------------------------------------------------- the burst


@dataclass
class Ack:
    index: int
    latency: float  # seconds, first byte sent until the whole response was read
    status: int
    body: bytes
    error: str = ""
    retried: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and self.status == 200 and self.body.strip() in (b"", b"{}")


class Submitter:
    """One keep-alive connection per worker thread; a stale connection is reopened once."""

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def submit(self, index: int) -> Ack:
        # A unique view id per signal: the app keys submissions on it (a resend stores one signal).
        payload = view_submission(CSM, modal_state(customer=f"顧客{index}"), view_id=f"VBENCH{index:06d}")
        body = interactive_body(payload)
        data = body.encode()
        start = time.perf_counter()
        retried = False
        for attempt in (1, 2):
            headers = {**sign(body), "content-length": str(len(data))}
            conn = self._connection()
            try:
                conn.request("POST", "/slack/events", body=data, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                if response.will_close:
                    self._drop()
                return Ack(index, time.perf_counter() - start, response.status, answer, retried=retried)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self._drop()
                if attempt == 2:
                    return Ack(index, time.perf_counter() - start, 0, b"", f"{type(error).__name__}: {error}",
                               retried)
                retried = True  # same view id: the app stores it once even if the first one landed
            except OSError as error:
                self._drop()
                return Ack(index, time.perf_counter() - start, 0, b"", f"{type(error).__name__}: {error}", retried)
        raise AssertionError("unreachable")


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


def wait_until_delivered(fake_slack: FakeSlack, fake_sheets: FakeSheets, expected: set[str], t0: float,
                         timeout: float) -> tuple[Done, Seen]:
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


def duplicates(counts: Counter[str]) -> int:
    return sum(n - 1 for n in counts.values() if n > 1)


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    value_width = max(len(value) for _, value in rows)
    print(f"+-{'-' * width}-+-{'-' * value_width}-+")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value.ljust(value_width)} |")
    print(f"+-{'-' * width}-+-{'-' * value_width}-+")


def database_signals(db_path: Path) -> dict[str, str]:
    """customer -> S-id of every stored signal (read-only look at the app's SQLite file)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
        return {customer: f"S-{number:06d}" for number, customer in conn.execute(
            "SELECT number, customer FROM signals ORDER BY number")}


def outbox_summary(db_path: Path) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30) as conn:
        states = conn.execute("SELECT target, state, COUNT(*) FROM outbox GROUP BY target, state").fetchall()
        retried = conn.execute("SELECT COUNT(*), MAX(attempts) FROM outbox WHERE attempts > 1").fetchone()
        errors = conn.execute(
            "SELECT last_error, COUNT(*) FROM outbox WHERE last_error != '' GROUP BY last_error "
            "ORDER BY COUNT(*) DESC LIMIT 5").fetchall()
    lines = ["outbox rows: " + ", ".join(f"{target}/{state} {n}" for target, state, n in states),
             f"outbox rows tried more than once: {retried[0]} (most attempts: {retried[1] or 1})"]
    lines += [f"  last_error x{n}: {error}" for error, n in errors]
    return "\n".join(lines)


def log_findings(log_path: Path) -> str:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    lines = text.splitlines()
    found = Counter(pattern for line in lines for pattern in LOG_PATTERNS if pattern in line)
    sample = [line for line in lines if any(p in line for p in LOG_PATTERNS)][:8]
    summary = ", ".join(f"{p!r} x{n}" for p, n in found.items()) or "none of " + ", ".join(LOG_PATTERNS)
    return "\n".join([f"app log {log_path}: {len(lines)} lines; {summary}", *(f"  {line}" for line in sample)])


# ----------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_burst", description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=300, help="signals to submit (default 300)")
    parser.add_argument("--concurrency", type=int, default=25, help="requests in flight at once (default 25)")
    parser.add_argument("--sheets-latency", type=float, default=0.5,
                        help="seconds the fake Sheets API takes per call (default 0.5)")
    parser.add_argument("--write-quota", type=int, default=60,
                        help="Sheets writes allowed per minute, 0 for no limit (default 60, Google's)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds from the first submit to wait for delivery (default 300)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds to keep watching for late duplicates once complete (default 2)")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, workdir: Path) -> int:
    log_path, db_path = workdir / "app.log", workdir / "bench.db"
    with FakeSlack().start() as fake_slack, FakeSheets().start() as fake_sheets:
        fake_slack.add_user(CSM, "sato", display_name="佐藤", real_name="佐藤 花子", locale="ja-JP")
        fake_slack.add_user(AE, "tanaka", display_name="田中", real_name="田中 一郎", locale="ja-JP")
        fake_slack.add_channel(CHANNEL, "upsell-signals")
        fake_slack.add_channel("CDIGEST", "upsell-managers")
        fake_sheets.create_spreadsheet(SPREADSHEET, sheets=["Sheet1"])
        env = app_env(slack_url=fake_slack.url, database_url=f"sqlite:///{db_path}", channel=CHANNEL,
                      port=free_port(), sheets_host=fake_sheets.host, spreadsheet_id=SPREADSHEET)
        print(f"app log: {log_path}", flush=True)
        with running_app(env, workdir, log_path) as base:
            # Slow and rate-limited from here on: the app's start-up is not what we measure.
            fake_sheets.latency = args.sheets_latency
            fake_sheets.set_write_quota(args.write_quota if args.write_quota > 0 else None)
            slack_calls_before, sheets_calls_before = len(fake_slack.calls), len(fake_sheets.calls)

            submitter = Submitter(base)
            t0 = time.monotonic()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                acks = list(pool.map(submitter.submit, range(1, args.signals + 1)))
            burst = time.monotonic() - t0
            print(f"burst sent in {burst:.1f} s; waiting for the sheet and Slack …", flush=True)

            stored = database_signals(db_path)
            expected = set(stored.values())
            done, seen = wait_until_delivered(fake_slack, fake_sheets, expected, t0, args.timeout)
            time.sleep(args.settle)
            read_sheet(fake_sheets, seen)
            read_cards(fake_slack, seen)
            read_replies(fake_slack, seen)
            outbox = outbox_summary(db_path)
        slack_calls = fake_slack.calls[slack_calls_before:]
        sheets_calls = fake_sheets.calls[sheets_calls_before:]

    n = args.signals
    failures = [a for a in acks if not a.ok]
    latencies = sorted(a.latency * 1000 for a in acks)
    acked = {f"顧客{a.index}" for a in acks if a.ok}
    lost_in_db = sorted(acked - set(stored))
    reads = sum(1 for c in sheets_calls if c.kind == "read")
    writes = sum(1 for c in sheets_calls if c.kind == "write")
    statuses = Counter(c.status for c in sheets_calls)
    slack_methods = Counter(c.method for c in slack_calls)
    missing_rows = sorted(expected - set(seen.rows))
    missing_cards = sorted(expected - set(seen.cards))
    missing_replies = sorted(sid for sid in expected if not seen.replies[sid])
    wrong_customer = sorted(sid for customer, sid in stored.items()
                            if sid in seen.row_customer and seen.row_customer[sid] != customer)
    dup_rows, dup_cards, dup_replies = duplicates(seen.rows), duplicates(seen.cards), duplicates(seen.replies)
    other_errors = {status: count for status, count in statuses.items() if status not in (200, 429)}

    print_table([
        ("signals submitted / acked ok / stored", f"{n} / {n - len(failures)} / {len(stored)}"),
        ("concurrency", str(args.concurrency)),
        ("sheets latency (s) / write quota (/min)", f"{args.sheets_latency:g} / {args.write_quota or 'none'}"),
        ("burst wall time (s) / submits per s", f"{burst:.1f} / {n / burst:.0f}"),
        ("ack p50 / p95 / p99 / max (ms)", " / ".join(f"{percentile(latencies, p):.0f}" for p in (50, 95, 99, 100))),
        ("acks over 3 s (Slack's deadline)", str(sum(1 for ms in latencies if ms >= SLACK_ACK_DEADLINE_MS))),
        ("ack failures (reconnects retried)", f"{len(failures)} ({sum(a.retried for a in acks)})"),
        ("sheet: every ID in Signals (s)", seconds(done.sheet_rows, len(expected & set(seen.rows)), len(expected))),
        ("sheet: every row has its card link (s)", seconds(done.sheet_links, len(expected & seen.linked),
                                                           len(expected))),
        ("Slack: every card posted (s)", seconds(done.cards, len(expected & set(seen.cards)), len(expected))),
        ("Slack: every owner thread reply (s)", seconds(done.replies, len(expected) - len(missing_replies),
                                                        len(expected))),
        ("Sheets API calls: total (per signal)", f"{len(sheets_calls)} ({len(sheets_calls) / n:.2f})"),
        ("Sheets API reads / writes (per signal)", f"{reads} / {writes} ({reads / n:.2f} / {writes / n:.2f})"),
        ("Sheets 429s answered / other errors", f"{statuses.get(429, 0)} / "
                                                f"{sum(other_errors.values())} {other_errors or ''}".rstrip()),
        ("Slack API calls: total (per signal)", f"{len(slack_calls)} ({len(slack_calls) / n:.2f})"),
        ("Slack calls by method", ", ".join(f"{m} {c}" for m, c in slack_methods.most_common())),
        ("duplicate rows / cards / thread replies", f"{dup_rows} / {dup_cards} / {dup_replies}"),
        ("missing rows / cards / thread replies", f"{len(missing_rows)} / {len(missing_cards)} / "
                                                  f"{len(missing_replies)}"),
    ])
    print(outbox)
    print(log_findings(log_path))

    problems: list[tuple[str, Sequence[Any]]] = [
        ("acks that failed", [f"#{a.index}: {a.status} {a.body[:120]!r} {a.error}" for a in failures]),
        ("acked but not stored", lost_in_db),
        ("missing from the sheet", missing_rows),
        ("rows with another signal's customer", wrong_customer),
        ("missing cards", missing_cards),
        ("missing thread replies", missing_replies),
        ("duplicated rows", sorted(sid for sid, c in seen.rows.items() if c > 1)),
        ("duplicated cards", sorted(sid for sid, c in seen.cards.items() if c > 1)),
        ("duplicated thread replies", sorted(sid for sid, c in seen.replies.items() if c > 1)),
    ]
    failed = False
    for what, items in problems:
        if items:
            failed = True
            print(f"FAIL {what}: {len(items)}, e.g. {', '.join(map(str, items[:5]))}")
    if done.sheet_links is None and not missing_rows:
        print(f"note: {len(expected - seen.linked)} rows still without their card link")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Kept after the run so the app log (its path is printed first) can be read.
    return run(args, Path(tempfile.mkdtemp(prefix="hiyoko-bench-")))


if __name__ == "__main__":
    raise SystemExit(main())
