"""Local fake of the Google Sheets API v4 that real gspread can talk to.

Start a :class:`FakeSheets`, set ``SHEETS_EMULATOR_HOST`` to ``fake.host`` and send requests to
``http://{host}/v4/spreadsheets/...`` without credentials.  Bodies and error shapes follow the real
API; see the class docstring for what is modelled and what is simplified.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, cast
from urllib.parse import parse_qs, unquote, urlsplit

CellKind = Literal["empty", "string", "number", "bool", "formula", "date"]
CallKind = Literal["read", "write"]

MAX_CELL_CHARS = 50_000
READS_PER_MINUTE = 60  # Sheets API: read requests per minute per user per project
_EPOCH = dt.datetime(1899, 12, 30)
_PROJECT = "project_number:000000000000"

_STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    499: "The operation was cancelled.",
    500: "Internal error encountered.",
    501: "Method not implemented.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}
# Cosmetic batchUpdate requests that are accepted and ignored (the fake stores values only).
_IGNORED_REQUESTS = frozenset(
    {
        "repeatCell",
        "updateBorders",
        "autoResizeDimensions",
        "updateDimensionProperties",
        "setBasicFilter",
        "clearBasicFilter",
        "addConditionalFormatRule",
        "mergeCells",
        "unmergeCells",
    }
)

_FORMULA_STARTS = "+-@"  # besides "=", once the text is not a number or a date
_NUMBER_RE = re.compile(
    r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?",
)
_DATE_RE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_CELL_RE = re.compile(r"\$?([A-Za-z]*)\$?(\d*)")


# ----------------------------------------------------------------------------------------- cells


def _format_number(value: int | float, grouped: bool) -> str:
    """Format a number the way Sheets' automatic format shows it (``12`` not ``12.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    return format(value, ",.15g" if grouped else ".15g").replace("e", "E")


@dataclass(frozen=True)
class Cell:
    """A stored cell: its kind, typed value and the text the client sent (``raw``).

    ``value`` is ``None`` (empty), ``str`` (string; formula text for formulas), ``int``/``float``
    (number), ``bool`` or ``datetime.date``/``datetime.datetime`` (date).  For JSON numbers and bools
    ``raw`` is their JSON text (``12``, ``true``).
    """

    kind: CellKind
    value: Any
    raw: str

    @property
    def formatted(self) -> str:
        """What FORMATTED_VALUE returns for this cell."""
        if self.kind == "empty":
            return ""
        if self.kind == "bool":
            return "TRUE" if self.value else "FALSE"
        if self.kind == "number":
            return _format_number(self.value, grouped="," in self.raw)
        if self.kind == "date":
            return self.raw.strip()
        if self.kind == "formula":
            return self.raw
        return str(self.value)

    def render(self, value_render: str, date_render: str = "SERIAL_NUMBER") -> Any:
        """Value as returned for a valueRenderOption / dateTimeRenderOption pair."""
        if value_render == "FORMATTED_VALUE" or self.kind in ("empty", "string"):
            return self.formatted
        if self.kind == "formula":
            return self.raw
        if self.kind == "number":
            v = self.value
            return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v
        if self.kind == "date":
            if date_render == "FORMATTED_STRING":
                return self.formatted
            return _serial(self.value)
        return self.value


EMPTY = Cell("empty", None, "")


def _serial(value: dt.date) -> int | float:
    """Sheets serial number (days since 1899-12-30) of a date or datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    days = (moment - _EPOCH).total_seconds() / 86400
    return int(days) if days.is_integer() else days


def _parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.fullmatch(text)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[3]), int(m[4])
    try:
        if m[5] is None:
            return dt.date(year, month, day)
        return dt.datetime(year, month, day, int(m[5]), int(m[6]), int(m[7] or 0))
    except ValueError:
        return None


def to_cell(value: Any, user_entered: bool) -> Cell | None:
    """Turn one JSON input value into a Cell (``None`` means: leave the cell untouched).

    Raises ``ValueError`` for values the API rejects (lists, objects, over-long strings).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return Cell("bool", value, json.dumps(value))
    if isinstance(value, (int, float)):
        return Cell("number", value, json.dumps(value))
    if not isinstance(value, str):
        raise ValueError(f"{type(value).__name__}_value")
    if len(value) > MAX_CELL_CHARS:
        raise ValueError(f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell.")
    if value == "":
        return EMPTY
    if not user_entered:
        return Cell("string", value, value)
    if value.startswith("'"):
        return Cell("string", value[1:], value)
    if value.startswith("="):
        return Cell("formula", value, value)
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return Cell("bool", text.upper() == "TRUE", value)
    if _NUMBER_RE.fullmatch(text):
        plain = text.replace(",", "")
        number: int | float = float(plain) if any(ch in plain for ch in ".eE") else int(plain)
        return Cell("number", number, value)
    date = _parse_date(text)
    if date is not None:
        return Cell("date", date, value)
    if value[0] in _FORMULA_STARTS:
        # Sheets reads a typed `+SUM(1,1)`, `-2+3` or `@A1` as a formula too (it shows "=+SUM(1,1)").
        return Cell("formula", "=" + value, "=" + value)
    return Cell("string", value, value)


# ------------------------------------------------------------------------------------------- A1


def col_letters(index: int) -> str:
    """0-based column index → ``A``, ``Z``, ``AA`` ..."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _a1(r0: int, c0: int, r1: int, c1: int) -> str:
    start = f"{col_letters(c0)}{r0 + 1}"
    return start if (r0, c0) == (r1, c1) else f"{start}:{col_letters(c1)}{r1 + 1}"


def _quote_title(title: str) -> str:
    """Sheet title as the API prints it in ranges (quoted unless plain ASCII identifier)."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title)
    cell_like = re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title)
    if plain and not cell_like:
        return title
    return "'" + title.replace("'", "''") + "'"


def _always_quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split ``'My ''x'' Sheet'!A1:B2`` into (title, cells); either part may be ``None``."""
    if text.startswith("'"):
        buf: list[str] = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if text[i + 1 : i + 2] == "'":
                    buf.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(buf), None
                if rest.startswith("!") and len(rest) > 1:
                    return "".join(buf), rest[1:]
                raise ValueError(text)
            buf.append(ch)
            i += 1
        raise ValueError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        if not title or not cells:
            raise ValueError(text)
        return title, cells
    return None, text


@dataclass(frozen=True)
class Bounds:
    """A parsed A1 cell area, 0-based inclusive; ``None`` ends are open (to the grid's edge)."""

    r0: int
    c0: int
    r1: int | None
    c1: int | None
    single: bool = False
    whole_sheet: bool = False


def parse_cells(cells: str) -> Bounds:
    """Parse the part after ``!``: ``A1``, ``A1:C3``, ``A:Q``, ``2:5``, ``A2:C``; ``ValueError`` if bad."""
    parts = cells.split(":")
    if len(parts) > 2:
        raise ValueError(cells)
    parsed: list[tuple[int | None, int | None]] = []
    for part in parts:
        m = _CELL_RE.fullmatch(part)
        if not m or not (m[1] or m[2]) or len(m[1]) > 3 or (m[2] and int(m[2]) < 1):
            raise ValueError(cells)
        parsed.append((int(m[2]) - 1 if m[2] else None, _col_index(m[1]) if m[1] else None))
    if len(parsed) == 1:
        row, col = parsed[0]
        if row is None or col is None:
            raise ValueError(cells)
        return Bounds(row, col, row, col, single=True)
    (ra, ca), (rb, cb) = parsed
    if (ra is None and cb is None) or (ca is None and rb is None):  # "A:5" / "2:C"
        raise ValueError(cells)
    r0, c0, r1, c1 = ra or 0, ca or 0, rb, cb
    if r1 is not None and r1 < r0:
        r0, r1 = r1, r0
    if c1 is not None and c1 < c0:
        c0, c1 = c1, c0
    return Bounds(r0, c0, r1, c1)


# ----------------------------------------------------------------------------------------- model


class ApiError(Exception):
    """An error answered with Google's JSON error body."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message or _DEFAULT_MESSAGES.get(status, "Unknown error.")

    def payload(self) -> dict[str, Any]:
        """``{"error": {"code", "message", "status"}}``."""
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "status": _STATUS_NAMES.get(self.status, "UNKNOWN"),
            }
        }


def _quota_message(kind: CallKind) -> str:
    metric = "Write requests" if kind == "write" else "Read requests"
    return (
        f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' of "
        f"service 'sheets.googleapis.com' for consumer '{_PROJECT}'."
    )


def _bad_range(text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {text}")


@dataclass
class _Sheet:
    props: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return cast(str, self.props["title"])

    @property
    def sheet_id(self) -> int:
        return cast(int, self.props["sheetId"])

    @property
    def rows(self) -> int:
        return cast(int, self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return cast(int, self.props["gridProperties"]["columnCount"])

    def set_size(self, rows: int, cols: int) -> None:
        self.props["gridProperties"]["rowCount"] = rows
        self.props["gridProperties"]["columnCount"] = cols
        self.cells = {k: v for k, v in self.cells.items() if k[0] < rows and k[1] < cols}

    def put(self, row: int, col: int, cell: Cell) -> None:
        if cell.kind == "empty":
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = cell

    def grid(self, r0: int, c0: int, r1: int, c1: int, columns: bool, render: Callable[[Cell], Any]) -> list[list[Any]]:
        """Rendered values in the box, trailing empty cells/rows trimmed like the API does."""
        ends: dict[int, int] = {}  # major index -> last used minor index
        for r, c in self.cells:
            if r0 <= r <= r1 and c0 <= c <= c1:
                major, minor = (c, r) if columns else (r, c)
                ends[major] = max(ends.get(major, minor), minor)
        if not ends:
            return []
        first_major, first_minor = (c0, r0) if columns else (r0, c0)
        out: list[list[Any]] = []
        for major in range(first_major, max(ends) + 1):
            line = []
            for minor in range(first_minor, ends.get(major, first_minor - 1) + 1):
                key = (minor, major) if columns else (major, minor)
                line.append(render(self.cells.get(key, EMPTY)))
            out.append(line)
        # a rendered "" (e.g. "'" typed) counts as empty for trimming
        for line in out:
            while line and line[-1] == "":
                line.pop()
        while out and not out[-1]:
            out.pop()
        return out

    def shift(self, dimension: str, start: int, delta: int) -> None:
        """Insert (delta > 0) or delete (delta < 0) rows/columns at ``start``."""
        axis = 0 if dimension == "ROWS" else 1
        moved: dict[tuple[int, int], Cell] = {}
        for key, cell in self.cells.items():
            pos = key[axis]
            if pos >= start:
                if delta < 0 and pos < start - delta:
                    continue
                pos += delta
            moved[(pos, key[1]) if axis == 0 else (key[0], pos)] = cell
        self.cells = moved


@dataclass
class _Book:
    spreadsheet_id: str
    props: dict[str, Any]
    sheets: list[_Sheet]
    writable: bool = True
    next_sheet_id: int = 1

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def find_title(self, title: str) -> _Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        folded = title.casefold()
        for sheet in self.sheets:
            if sheet.title.casefold() == folded:
                return sheet
        return None

    def find_id(self, sheet_id: Any) -> _Sheet | None:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        return None

    def snapshot(self) -> tuple[dict[str, Any], list[_Sheet], int]:
        sheets = [_Sheet(copy.deepcopy(s.props), dict(s.cells)) for s in self.sheets]
        return copy.deepcopy(self.props), sheets, self.next_sheet_id

    def restore(self, snap: tuple[dict[str, Any], list[_Sheet], int]) -> None:
        self.props, self.sheets, self.next_sheet_id = snap

    def metadata(self) -> dict[str, Any]:
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": copy.deepcopy(self.props),
            "sheets": [{"properties": copy.deepcopy(s.props)} for s in self.sheets],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }


@dataclass(frozen=True)
class _Range:
    """A range resolved against a sheet."""

    sheet: _Sheet
    bounds: Bounds
    text: str

    @property
    def r_end(self) -> int:
        return self.bounds.r1 if self.bounds.r1 is not None else self.sheet.rows - 1

    @property
    def c_end(self) -> int:
        return self.bounds.c1 if self.bounds.c1 is not None else self.sheet.cols - 1

    def label(self, r0: int, c0: int, r1: int, c1: int) -> str:
        return f"{_quote_title(self.sheet.title)}!{_a1(r0, c0, r1, c1)}"

    def clipped_label(self) -> str:
        b = self.bounds
        return self.label(b.r0, b.c0, min(self.r_end, self.sheet.rows - 1), min(self.c_end, self.sheet.cols - 1))

    def check_in_grid(self) -> None:
        b, s = self.bounds, self.sheet
        rows = [b.r0] + ([b.r1] if b.r1 is not None else [])
        cols = [b.c0] + ([b.c1] if b.c1 is not None else [])
        if max(rows) >= s.rows or max(cols) >= s.cols:
            _, cells = split_sheet(self.text)
            shown = f"{_always_quoted(s.title)}!{(cells or '').upper()}"
            raise _grid_error(s, shown)


def _grid_error(sheet: _Sheet, shown: str) -> ApiError:
    return ApiError(400, f"Range ({shown}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")


def resolve(book: _Book, text: str) -> _Range:
    """Resolve an A1 range string (sheet optional) against a spreadsheet; 400 if unparseable."""
    try:
        title, cells = split_sheet(text)
    except ValueError:
        raise _bad_range(text) from None
    if title is None:
        named = book.find_title(text)
        if named is not None:
            return _Range(named, Bounds(0, 0, None, None, whole_sheet=True), text)
        visible = [s for s in book.sheets if not s.props.get("hidden")] or book.sheets
        sheet = visible[0]
    else:
        found = book.find_title(title)
        if found is None:
            raise _bad_range(text)
        sheet = found
    if cells is None:
        return _Range(sheet, Bounds(0, 0, None, None, whole_sheet=True), text)
    try:
        return _Range(sheet, parse_cells(cells), text)
    except ValueError:
        raise _bad_range(text) from None


@dataclass
class _Write:
    rng: _Range
    r0: int
    c0: int
    entries: list[tuple[int, int, Cell]]
    rows: int
    cols: int
    count: int

    def label(self) -> str:
        if not self.rows:
            return self.rng.clipped_label()
        return self.rng.label(self.r0, self.c0, self.r0 + self.rows - 1, self.c0 + self.cols - 1)

    def apply(self) -> None:
        for dr, dc, cell in self.entries:
            self.rng.sheet.put(self.r0 + dr, self.c0 + dc, cell)

    def summary(self, spreadsheet_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id, "updatedRange": self.label()}
        if self.count:
            out.update(updatedRows=self.rows, updatedColumns=self.cols, updatedCells=self.count)
        return out


def _cells_from_values(values: Any, major: str, user_entered: bool) -> list[tuple[int, int, Cell | None]]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
        raise ApiError(400, "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    out: list[tuple[int, int, Cell | None]] = []
    for i, line in enumerate(values):
        for j, value in enumerate(line):
            try:
                cell = to_cell(value, user_entered)
            except ValueError as exc:
                raise ApiError(400, f"Invalid values[{i}][{j}]: {exc}") from None
            out.append((i, j, cell) if major != "COLUMNS" else (j, i, cell))
    return out


def _enum(source: dict[str, Any], name: str, allowed: Sequence[str], default: str | None, proto: str) -> str:
    value = source.get(name)
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"'{name}' is required but not specified")
        return default
    if value not in allowed:
        snake = re.sub(r"([A-Z])", r"_\1", name).lower()
        raise ApiError(
            400,
            f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4.{proto}), \"{value}\"",
        )
    return cast(str, value)


def _flag(source: dict[str, Any], name: str) -> bool:
    value = source.get(name)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _operation(method: str, rest: str) -> tuple[str, str]:
    """Map method + path tail (after the spreadsheet id, still percent-encoded) to (operation, range)."""
    fixed = {
        ("GET", ""): "metadata",
        ("POST", ":batchUpdate"): "batchUpdate",
        ("GET", "/values:batchGet"): "values.batchGet",
        ("POST", "/values:batchUpdate"): "values.batchUpdate",
        ("POST", "/values:batchClear"): "values.batchClear",
    }
    if (method, rest) in fixed:
        return fixed[(method, rest)], ""
    if not rest.startswith("/values/"):
        return "", ""
    target = rest[len("/values/") :]
    for verb in ("append", "clear"):
        if method == "POST" and target.endswith(f":{verb}"):
            return f"values.{verb}", unquote(target[: -len(verb) - 1])
    op = {"GET": "values.get", "PUT": "values.update"}.get(method, "")
    return op, unquote(target)


def _first(query: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] for k, v in query.items() if v}


# ----------------------------------------------------------------------------------------- calls


@dataclass
class Call:
    """One request the fake received (``path`` is percent-decoded; ``status`` is what it answered)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    kind: CallKind
    status: int = 0


# ---------------------------------------------------------------------------------------- server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, fake: FakeSheets) -> None:
        self.fake = fake
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _serve(self) -> None:
        fake = cast(_Server, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload, delay = fake._handle(self.command, self.path, raw)
        if delay > 0:
            fake._sleep(delay)
        data = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # client gave up (timeout drill) or server stopping
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


# ------------------------------------------------------------------------------------------ fake


class FakeSheets:
    """In-memory Sheets API v4 served on 127.0.0.1 (a daemon thread), with fault injection.

    Modelled: spreadsheet metadata, ``:batchUpdate`` (addSheet, deleteSheet, updateSheetProperties,
    updateSpreadsheetProperties, appendDimension, insertDimension, deleteDimension; a few cosmetic
    requests are accepted and ignored, anything else is 400), values get/batchGet/update/batchUpdate/
    append/clear/batchClear, RAW vs USER_ENTERED typing, grid limits, Google's error bodies.

    Simplified: formulas are never evaluated (every render option returns the formula text); only
    numbers, TRUE/FALSE and ``YYYY-MM-DD[ HH:MM[:SS]]``/``YYYY/MM/DD`` dates are recognised by
    USER_ENTERED (``12%``, currency, bare times stay strings); ``append`` finds the first contiguous
    block of non-empty rows at/after the range start (within the range's columns) and writes below
    it, starting at that block's first non-empty column.  ``fields`` masks on GET are ignored.

    Faults are decided when a request arrives; the request is then processed and the response is
    delayed by ``latency`` plus any ``hang_next`` time, so a write whose client timed out still lands.
    """

    def __init__(self, *, read_quota: int | None = READS_PER_MINUTE) -> None:
        """``read_quota``: reads a minute (Google's per-user limit; ``None``: unlimited)."""
        self._lock = threading.RLock()
        self._books: dict[str, _Book] = {}
        self.calls: list[Call] = []
        self.latency: float = 0.0
        self._fail: deque[int] = deque()
        self._hangs: deque[float] = deque()
        self._down = False
        self._quota: int | None = None
        self._clock: Callable[[], float] = time.monotonic
        self._write_times: deque[float] = deque()
        self._read_quota: int | None = read_quota
        self._read_times: deque[float] = deque()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSheets:
        """Bind 127.0.0.1 on a free port and serve from a daemon thread."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake hung requests and drop open connections."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSheets:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT`` — the value for ``SHEETS_EMULATOR_HOST``."""
        if self._server is None:
            raise RuntimeError("FakeSheets is not started")
        return f"127.0.0.1:{self._server.server_address[1]}"

    # seeding and inspection ------------------------------------------------------------------

    def create_spreadsheet(
        self,
        spreadsheet_id: str,
        *,
        title: str = "Test",
        sheets: Sequence[str] = ("Sheet1",),
        rows: int = 1000,
        cols: int = 26,
    ) -> None:
        """Create a spreadsheet whose sheets get ids 0, 1, 2 ... in order."""
        if not sheets:
            raise ValueError("a spreadsheet needs at least one sheet")
        with self._lock:
            if spreadsheet_id in self._books:
                raise ValueError(f"spreadsheet {spreadsheet_id!r} already exists")
            book = _Book(
                spreadsheet_id,
                {"title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT"},
                [_Sheet(self._sheet_props(i, name, rows, cols)) for i, name in enumerate(sheets)],
                next_sheet_id=len(sheets),
            )
            self._books[spreadsheet_id] = book

    @staticmethod
    def _sheet_props(sheet_id: int, title: str, rows: int, cols: int) -> dict[str, Any]:
        return {
            "sheetId": sheet_id,
            "title": title,
            "index": sheet_id,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }

    def _sheet(self, spreadsheet_id: str, sheet: str) -> _Sheet:
        book = self._books.get(spreadsheet_id)
        if book is None:
            raise KeyError(f"no spreadsheet {spreadsheet_id!r}")
        found = next((s for s in book.sheets if s.title == sheet), None)
        if found is None:
            raise KeyError(f"no sheet {sheet!r} in {spreadsheet_id!r}")
        return found

    def values(self, spreadsheet_id: str, sheet: str) -> list[list[str]]:
        """The whole sheet as FORMATTED_VALUE strings, trailing empties trimmed."""
        with self._lock:
            s = self._sheet(spreadsheet_id, sheet)
            return s.grid(0, 0, s.rows - 1, s.cols - 1, False, lambda c: c.formatted)

    def cell(self, spreadsheet_id: str, sheet: str, a1: str) -> Cell:
        """The stored cell at ``a1`` (e.g. ``"B2"``)."""
        bounds = parse_cells(a1)
        with self._lock:
            return self._sheet(spreadsheet_id, sheet).cells.get((bounds.r0, bounds.c0), EMPTY)

    def set_values(
        self, spreadsheet_id: str, sheet: str, rows: list[list[Any]], start: str = "A1", *, raw: bool = False
    ) -> None:
        """Seed cells as a person typing them (USER_ENTERED), or with ``raw`` as stored text (a Google
        Form's answers: `@sato` stays text); ``ValueError`` outside the grid."""
        bounds = parse_cells(start)
        with self._lock:
            s = self._sheet(spreadsheet_id, sheet)
            for i, line in enumerate(rows):
                for j, value in enumerate(line):
                    r, c = bounds.r0 + i, bounds.c0 + j
                    if r >= s.rows or c >= s.cols:
                        shown = f"{_always_quoted(s.title)}!{_a1(r, c, r, c)}"
                        raise ValueError(_grid_error(s, shown).message)
                    cell = to_cell(value, user_entered=not raw)
                    if cell is not None:
                        s.put(r, c, cell)

    def grid_size(self, spreadsheet_id: str, sheet: str) -> tuple[int, int]:
        """(rowCount, columnCount)."""
        with self._lock:
            s = self._sheet(spreadsheet_id, sheet)
            return s.rows, s.cols

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        """Sheet titles in tab order."""
        with self._lock:
            book = self._books.get(spreadsheet_id)
            if book is None:
                raise KeyError(f"no spreadsheet {spreadsheet_id!r}")
            return [s.title for s in book.sheets]

    @property
    def write_calls(self) -> int:
        """Number of write requests received (every non-GET, including rejected ones)."""
        with self._lock:
            return sum(1 for c in self.calls if c.kind == "write")

    @property
    def read_calls(self) -> int:
        """Number of read (GET) requests received, including rejected ones."""
        with self._lock:
            return sum(1 for c in self.calls if c.kind == "read")

    # faults ----------------------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int = 500) -> None:
        """Answer the next ``count`` requests with ``status`` and a Google error body."""
        with self._lock:
            self._fail.extend([status] * count)

    def hang_next(self, count: int, *, seconds: float) -> None:
        """Delay the response to the next ``count`` requests by ``seconds``."""
        with self._lock:
            self._hangs.extend([seconds] * count)

    def set_write_quota(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        """Allow ``per_minute`` writes per sliding 60 s window of ``clock`` (``None``: unlimited)."""
        with self._lock:
            self._quota = per_minute
            self._clock = clock
            self._write_times.clear()

    def set_read_quota(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        """Allow ``per_minute`` reads per sliding 60 s window of ``clock`` (``None``: unlimited)."""
        with self._lock:
            self._read_quota = per_minute
            self._clock = clock
            self._read_times.clear()

    def set_outage(self, down: bool) -> None:
        """While down every request answers 503 UNAVAILABLE."""
        with self._lock:
            self._down = down

    def set_writable(self, spreadsheet_id: str, writable: bool) -> None:
        """``False``: writes answer 403 PERMISSION_DENIED (reads still work)."""
        with self._lock:
            book = self._books.get(spreadsheet_id)
            if book is None:
                raise KeyError(f"no spreadsheet {spreadsheet_id!r}")
            book.writable = writable

    # request handling ------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _handle(self, method: str, target: str, raw: bytes) -> tuple[int, Any, float]:
        split = urlsplit(target)
        query = parse_qs(split.query, keep_blank_values=True)
        kind: CallKind = "read" if method == "GET" else "write"
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body, bad_json = raw.decode("utf-8", "replace"), True
        with self._lock:
            call = Call(method, unquote(split.path), query, body, kind)
            self.calls.append(call)
            delay = self.latency + (self._hangs.popleft() if self._hangs else 0.0)
            try:
                if self._down:
                    raise ApiError(503)
                if self._fail:
                    status = self._fail.popleft()
                    raise ApiError(status, _quota_message(kind) if status == 429 else None)
                if kind == "write":
                    self._take_write_quota()
                else:
                    self._take_read_quota()
                if bad_json:
                    raise ApiError(400, "Invalid JSON payload received.")
                status, payload = 200, self._route(method, split.path, query, body, kind)
            except ApiError as exc:
                status, payload = exc.status, exc.payload()
            call.status = status
        return status, payload, delay

    def _take_read_quota(self) -> None:
        if self._read_quota is None:
            return
        now = self._clock()
        while self._read_times and self._read_times[0] <= now - 60:
            self._read_times.popleft()
        if len(self._read_times) >= self._read_quota:
            raise ApiError(429, _quota_message("read"))
        self._read_times.append(now)

    def _take_write_quota(self) -> None:
        if self._quota is None:
            return
        now = self._clock()
        while self._write_times and self._write_times[0] <= now - 60:
            self._write_times.popleft()
        if len(self._write_times) >= self._quota:
            raise ApiError(429, _quota_message("write"))
        self._write_times.append(now)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any, kind: CallKind) -> Any:
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", path)
        op, rng = ("", "") if m is None else _operation(method, m[2])
        if m is None or not op:
            raise ApiError(404, f"Fake Sheets: no such endpoint {method} {unquote(path)}")
        book = self._books.get(unquote(m[1]))
        if book is None:
            raise ApiError(404)
        if kind == "write" and not book.writable:
            raise ApiError(403)
        params = _first(query)
        data: dict[str, Any] = body if isinstance(body, dict) else {}
        match op:
            case "metadata":
                return book.metadata()
            case "batchUpdate":
                return self._batch_update(book, data)
            case "values.batchGet":
                return self._values_batch_get(book, query, params)
            case "values.batchUpdate":
                return self._values_batch_update(book, data)
            case "values.batchClear":
                return self._values_batch_clear(book, data)
            case "values.append":
                return self._values_append(book, rng, params, data)
            case "values.clear":
                return self._values_clear(book, rng)
            case "values.get":
                return self._read(book, rng, params)
            case _:
                return self._values_update(book, rng, params, data)

    # values ----------------------------------------------------------------------------------

    @staticmethod
    def _read(book: _Book, text: str, params: dict[str, Any]) -> dict[str, Any]:
        major = _enum(params, "majorDimension", ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED"), "ROWS", "Dimension")
        major = "ROWS" if major == "DIMENSION_UNSPECIFIED" else major
        render = _enum(
            params,
            "valueRenderOption",
            ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
            "FORMATTED_VALUE",
            "ValueRenderOption",
        )
        dates = _enum(
            params,
            "dateTimeRenderOption",
            ("SERIAL_NUMBER", "FORMATTED_STRING"),
            "SERIAL_NUMBER",
            "DateTimeRenderOption",
        )
        rng = resolve(book, text)
        rng.check_in_grid()
        b = rng.bounds
        values = rng.sheet.grid(b.r0, b.c0, rng.r_end, rng.c_end, major == "COLUMNS", lambda c: c.render(render, dates))
        out: dict[str, Any] = {"range": rng.clipped_label(), "majorDimension": major}
        if values:
            out["values"] = values
        return out

    def _values_batch_get(self, book: _Book, query: dict[str, list[str]], params: dict[str, Any]) -> Any:
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
        ranges = query.get("ranges", [])
        if ranges:
            out["valueRanges"] = [self._read(book, text, params) for text in ranges]
        return out

    @staticmethod
    def _plan_write(book: _Book, text: str, values: Any, major: Any, user_entered: bool) -> _Write:
        rng = resolve(book, text)
        major_s = "COLUMNS" if major == "COLUMNS" else "ROWS"
        raw_entries = _cells_from_values(values, major_s, user_entered)
        sheet, b = rng.sheet, rng.bounds
        rows = max((dr for dr, _, _ in raw_entries), default=-1) + 1
        cols = max((dc for _, dc, _ in raw_entries), default=-1) + 1
        anchor = b.single or b.whole_sheet  # values may extend from here to the grid's edge
        if not anchor or not raw_entries:
            rng.check_in_grid()
        if raw_entries and not anchor:
            if b.r1 is not None and b.r0 + rows - 1 > b.r1:
                raise ApiError(
                    400,
                    f"Requested writing within range [{rng.clipped_label()}], but tried writing to row [{b.r0 + rows}]",
                )
            if b.c1 is not None and b.c0 + cols - 1 > b.c1:
                raise ApiError(
                    400,
                    f"Requested writing within range [{rng.clipped_label()}], but tried writing to column "
                    f"[{col_letters(b.c0 + cols - 1)}]",
                )
        if raw_entries and (b.r0 + rows > sheet.rows or b.c0 + cols > sheet.cols):
            shown = f"{_always_quoted(sheet.title)}!{_a1(b.r0, b.c0, b.r0 + rows - 1, b.c0 + cols - 1)}"
            raise _grid_error(sheet, shown)
        entries = [(dr, dc, cell) for dr, dc, cell in raw_entries if cell is not None]
        return _Write(rng, b.r0, b.c0, entries, rows, cols, len(entries))

    @staticmethod
    def _input_option(source: dict[str, Any]) -> bool:
        option = _enum(source, "valueInputOption", ("RAW", "USER_ENTERED"), None, "ValueInputOption")
        return option == "USER_ENTERED"

    def _with_data(self, book: _Book, write: _Write, params: dict[str, Any], out: dict[str, Any]) -> None:
        if _flag(params, "includeValuesInResponse"):
            render = {"valueRenderOption": params.get("responseValueRenderOption")}
            render["dateTimeRenderOption"] = params.get("responseDateTimeRenderOption")
            out["updatedData"] = self._read(book, write.label(), render)

    def _values_update(self, book: _Book, text: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        user_entered = self._input_option(params)
        write = self._plan_write(book, text, data.get("values"), data.get("majorDimension"), user_entered)
        write.apply()
        out = write.summary(book.spreadsheet_id)
        self._with_data(book, write, params, out)
        return out

    def _values_batch_update(self, book: _Book, data: dict[str, Any]) -> Any:
        user_entered = self._input_option(data)
        entries = data.get("data") or []
        plans = [
            self._plan_write(book, str(d.get("range", "")), d.get("values"), d.get("majorDimension"), user_entered)
            for d in entries
        ]
        responses = []
        rows: set[tuple[int, int]] = set()
        cols: set[tuple[int, int]] = set()
        sheets: set[int] = set()
        for plan in plans:
            plan.apply()
            sid = plan.rng.sheet.sheet_id
            for dr, dc, _ in plan.entries:
                rows.add((sid, plan.r0 + dr))
                cols.add((sid, plan.c0 + dc))
                sheets.add(sid)
            resp = plan.summary(book.spreadsheet_id)
            self._with_data(book, plan, data, resp)
            responses.append(resp)
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
        total_cells = sum(p.count for p in plans)
        if total_cells:
            out.update(
                totalUpdatedRows=len(rows),
                totalUpdatedColumns=len(cols),
                totalUpdatedCells=total_cells,
                totalUpdatedSheets=len(sheets),
            )
        if responses:
            out["responses"] = responses
        return out

    def _values_append(self, book: _Book, text: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        user_entered = self._input_option(params)
        insert = _enum(params, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE", "InsertDataOption")
        rng = resolve(book, text)
        sheet, b = rng.sheet, rng.bounds
        major = "COLUMNS" if data.get("majorDimension") == "COLUMNS" else "ROWS"
        raw_entries = _cells_from_values(data.get("values"), major, user_entered)
        c_end = min(rng.c_end, sheet.cols - 1)
        occupied = {r for (r, c) in sheet.cells if r >= b.r0 and b.c0 <= c <= c_end}
        table_range: str | None = None
        start_row, start_col = b.r0, b.c0
        if occupied:
            first = last = min(occupied)
            while last + 1 in occupied:
                last += 1
            used = [c for (r, c) in sheet.cells if first <= r <= last and b.c0 <= c <= c_end]
            start_row, start_col = last + 1, min(used)
            table_range = rng.label(first, start_col, last, max(used))
        rows = max((dr for dr, _, _ in raw_entries), default=-1) + 1
        cols = max((dc for _, dc, _ in raw_entries), default=-1) + 1
        if insert == "INSERT_ROWS" and rows:
            sheet.shift("ROWS", start_row, rows)
            sheet.set_size(sheet.rows + rows, sheet.cols)
        need_rows, need_cols = max(sheet.rows, start_row + rows), max(sheet.cols, start_col + cols)
        if (need_rows, need_cols) != (sheet.rows, sheet.cols):
            sheet.set_size(need_rows, need_cols)
        entries = [(dr, dc, cell) for dr, dc, cell in raw_entries if cell is not None]
        write = _Write(rng, start_row, start_col, entries, rows, cols, len(entries))
        write.apply()
        updates = write.summary(book.spreadsheet_id)
        if not rows:
            updates["updatedRange"] = rng.label(start_row, start_col, start_row, start_col)
        self._with_data(book, write, params, updates)
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
        if table_range:
            out["tableRange"] = table_range
        out["updates"] = updates
        return out

    @staticmethod
    def _clear(book: _Book, text: str) -> str:
        rng = resolve(book, text)
        if not rng.bounds.whole_sheet:
            rng.check_in_grid()
        b, sheet = rng.bounds, rng.sheet
        for key in [k for k in sheet.cells if b.r0 <= k[0] <= rng.r_end and b.c0 <= k[1] <= rng.c_end]:
            del sheet.cells[key]
        return rng.clipped_label()

    def _values_clear(self, book: _Book, text: str) -> Any:
        return {"spreadsheetId": book.spreadsheet_id, "clearedRange": self._clear(book, text)}

    def _values_batch_clear(self, book: _Book, data: dict[str, Any]) -> Any:
        ranges = [str(r) for r in data.get("ranges") or []]
        for text in ranges:  # validate everything before clearing anything
            rng = resolve(book, text)
            if not rng.bounds.whole_sheet:
                rng.check_in_grid()
        cleared = [self._clear(book, text) for text in ranges]
        out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
        if cleared:
            out["clearedRanges"] = cleared
        return out

    # spreadsheet batchUpdate -----------------------------------------------------------------

    def _batch_update(self, book: _Book, data: dict[str, Any]) -> Any:
        requests = data.get("requests") or []
        if not requests:
            raise ApiError(400, "Must specify at least one request.")
        snap = book.snapshot()
        replies: list[dict[str, Any]] = []
        try:
            for i, request in enumerate(requests):
                if not isinstance(request, dict) or len(request) != 1:
                    raise ApiError(400, f"Invalid requests[{i}]: exactly one request kind is required")
                ((name, spec),) = request.items()
                replies.append(self._apply_request(book, i, name, spec if isinstance(spec, dict) else {}))
        except ApiError:
            book.restore(snap)
            raise
        return {"spreadsheetId": book.spreadsheet_id, "replies": replies}

    def _apply_request(self, book: _Book, i: int, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        def fail(message: str) -> ApiError:
            return ApiError(400, f"Invalid requests[{i}].{name}: {message}")

        def sheet_by_id(sheet_id: Any) -> _Sheet:
            found = book.find_id(sheet_id if sheet_id is not None else 0)
            if found is None:
                raise fail(f"No grid with id: {sheet_id}")
            return found

        if name == "addSheet":
            return {"addSheet": {"properties": self._add_sheet(book, spec.get("properties") or {}, fail)}}
        if name == "deleteSheet":
            sheet = sheet_by_id(spec.get("sheetId"))
            if len(book.sheets) == 1:
                raise fail("You can't remove all the sheets in a document.")
            book.sheets.remove(sheet)
            book.reindex()
            return {}
        if name == "updateSheetProperties":
            props = spec.get("properties") or {}
            sheet = sheet_by_id(props.get("sheetId"))
            self._update_sheet(book, sheet, props, str(spec.get("fields") or ""), fail)
            return {}
        if name == "updateSpreadsheetProperties":
            fields = str(spec.get("fields") or "")
            if not fields:
                raise fail("At least one field must be updated.")
            _apply_mask(book.props, spec.get("properties") or {}, fields)
            return {}
        if name == "appendDimension":
            sheet = sheet_by_id(spec.get("sheetId"))
            length = int(spec.get("length") or 0)
            if length < 1:
                raise fail("length must be at least 1")
            if spec.get("dimension") == "COLUMNS":
                sheet.set_size(sheet.rows, sheet.cols + length)
            elif spec.get("dimension") == "ROWS":
                sheet.set_size(sheet.rows + length, sheet.cols)
            else:
                raise fail("dimension must be ROWS or COLUMNS")
            return {}
        if name in ("insertDimension", "deleteDimension"):
            rng = spec.get("range") or {}
            sheet = sheet_by_id(rng.get("sheetId"))
            dim = rng.get("dimension")
            start, end = int(rng.get("startIndex") or 0), int(rng.get("endIndex") or 0)
            size = sheet.rows if dim == "ROWS" else sheet.cols
            if dim not in ("ROWS", "COLUMNS") or end <= start or start < 0:
                raise fail("invalid dimension range")
            if start > size or (name == "deleteDimension" and end > size):
                raise fail(f"Range exceeds grid limits. Max {dim.lower()}: {size}")
            delta = end - start if name == "insertDimension" else start - end
            sheet.shift(dim, start, delta)
            new_size = size + delta
            if new_size < 1:
                raise fail("You can't delete all the rows on the sheet.")
            if dim == "ROWS":
                sheet.set_size(new_size, sheet.cols)
            else:
                sheet.set_size(sheet.rows, new_size)
            return {}
        if name in _IGNORED_REQUESTS:
            return {}
        raise ApiError(400, f"Invalid requests[{i}]: Fake Sheets does not support '{name}'")

    @staticmethod
    def _add_sheet(book: _Book, props: dict[str, Any], fail: Callable[[str], ApiError]) -> dict[str, Any]:
        title = props.get("title")
        if not title:
            n = len(book.sheets) + 1
            while book.find_title(f"Sheet{n}"):
                n += 1
            title = f"Sheet{n}"
        if book.find_title(str(title)) is not None:
            raise fail(f'A sheet with the name "{title}" already exists. Please enter another name.')
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            while book.find_id(book.next_sheet_id) is not None:
                book.next_sheet_id += 1
            sheet_id = book.next_sheet_id
            book.next_sheet_id += 1
        elif book.find_id(sheet_id) is not None:
            raise fail(f"Sheet with id {sheet_id} already exists.")
        grid = props.get("gridProperties") or {}
        rows, cols = int(grid.get("rowCount") or 1000), int(grid.get("columnCount") or 26)
        if rows < 1 or cols < 1:
            raise fail("rowCount and columnCount must be at least 1")
        new_props = copy.deepcopy(props)
        new_props.update(sheetId=sheet_id, title=str(title), sheetType="GRID")
        new_props["gridProperties"] = {**grid, "rowCount": rows, "columnCount": cols}
        index = props.get("index")
        position = len(book.sheets) if index is None else max(0, min(int(index), len(book.sheets)))
        book.sheets.insert(position, _Sheet(new_props))
        book.reindex()
        return copy.deepcopy(new_props)

    @staticmethod
    def _update_sheet(
        book: _Book, sheet: _Sheet, props: dict[str, Any], fields: str, fail: Callable[[str], ApiError]
    ) -> None:
        if not fields:
            raise fail("At least one field must be updated.")
        old_index, old_rows, old_cols = sheet.props["index"], sheet.rows, sheet.cols
        updated = copy.deepcopy(sheet.props)
        _apply_mask(updated, props, fields)
        updated["sheetId"], updated["index"] = sheet.sheet_id, old_index
        title = updated.get("title")
        if not title:
            raise fail("Sheet title must not be empty.")
        clash = book.find_title(str(title))
        if clash is not None and clash is not sheet:
            raise fail(f'A sheet with the name "{title}" already exists. Please enter another name.')
        grid = updated.setdefault("gridProperties", {})
        rows, cols = int(grid.get("rowCount") or old_rows), int(grid.get("columnCount") or old_cols)
        if rows < 1 or cols < 1:
            raise fail("rowCount and columnCount must be at least 1")
        sheet.props = updated
        sheet.set_size(rows, cols)
        if _mask_touches(fields, "index") and props.get("index") is not None:
            target = int(props["index"])
            book.sheets.remove(sheet)
            if target > old_index:  # indexes are "before the move", like the real API
                target -= 1
            book.sheets.insert(max(0, min(target, len(book.sheets))), sheet)
            book.reindex()


def _mask_paths(fields: str) -> Iterable[list[str]]:
    for path in fields.split(","):
        path = path.strip()
        if path:
            yield re.split(r"[./]", path)


def _mask_touches(fields: str, top: str) -> bool:
    return any(p[0] in (top, "*") for p in _mask_paths(fields))


def _apply_mask(target: dict[str, Any], source: dict[str, Any], fields: str) -> None:
    """Copy the field-mask paths from ``source`` into ``target`` (absent in source → removed)."""
    for parts in _mask_paths(fields):
        if parts == ["*"]:
            keep = {k: target[k] for k in ("sheetId", "index") if k in target}
            target.clear()
            target.update(copy.deepcopy(source), **keep)
            continue
        src: Any = source
        dst = target
        for part in parts[:-1]:
            src = src.get(part) if isinstance(src, dict) else None
            dst = dst.setdefault(part, {})
        leaf = parts[-1]
        if isinstance(src, dict) and leaf in src:
            dst[leaf] = copy.deepcopy(src[leaf])
        else:
            dst.pop(leaf, None)
