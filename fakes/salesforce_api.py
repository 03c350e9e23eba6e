"""A local fake of Salesforce's OAuth token endpoint and REST API, over HTTPS as the real one.

`simple_salesforce` always speaks https://, so the fake serves TLS with a throwaway CA of its own
(``ca_file``); point REQUESTS_CA_BUNDLE at it. One server plays both the login host and the
instance::

    with FakeSalesforce(public_key_pem=...).start() as fake:
        # POST {fake.url}/services/oauth2/token → instance_url = fake.url
        ...

What it speaks: the JWT bearer grant (RS256 signature checked with the public key it was given,
iss = consumer key, sub = username, aud = the login URL, exp in the future) and the password grant
(client id + secret, username, password + security token); bearer sessions that ``expire_sessions``
ends (401 INVALID_SESSION_ID); `describe` of Opportunity; SOQL over Opportunity, OpportunityStage,
User and Account in the subset hiyoko sends — anything else is MALFORMED_QUERY; create (201),
update (204), upsert by external id (201 created / 200 updated, API 46.0+), REQUEST_LIMIT_EXCEEDED,
and faults: ``fail_next``, ``slow``, ``down``/``up``. ``calls`` records (method, path).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import json
import re
import secrets
import ssl
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

__all__ = ["DEFAULT_STAGES", "FakeSalesforce", "SalesforceFault", "rsa_key_pair", "tls_files"]

JsonDict = dict[str, Any]

# Salesforce's sample sales process: (ApiName, IsClosed, IsWon, DefaultProbability).
DEFAULT_STAGES: tuple[tuple[str, bool, bool, int], ...] = (
    ("Prospecting", False, False, 10),
    ("Qualification", False, False, 10),
    ("Needs Analysis", False, False, 20),
    ("Value Proposition", False, False, 50),
    ("Proposal/Price Quote", False, False, 75),
    ("Negotiation/Review", False, False, 90),
    ("Closed Won", True, True, 100),
    ("Closed Lost", True, False, 0),
)


def rsa_key_pair() -> tuple[bytes, bytes]:
    """A throwaway RSA key pair (private PKCS#8 PEM, public PEM) for the JWT bearer grant."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for 127.0.0.1/localhost signed by it: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hiyoko fake CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = (directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


class SalesforceFault(Exception):
    """Raised inside a handler to answer Salesforce's error array `[{"message", "errorCode", "fields"}]`."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields


def _sf_datetime(ts: float) -> str:
    """Salesforce's JSON date-time: 2026-11-23T01:00:00.000+0000."""
    moment = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}+0000"


def _parse_sf_datetime(text: str) -> dt.datetime:
    cleaned = text.replace("Z", "+00:00")
    cleaned = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", cleaned)
    return dt.datetime.fromisoformat(cleaned)


# Field types of the objects the fake holds: (type, createable, updateable).
_FIELDS: dict[str, dict[str, tuple[str, bool, bool]]] = {
    "Opportunity": {
        "Id": ("id", False, False),
        "Name": ("string", True, True),
        "Amount": ("currency", True, True),
        "CloseDate": ("date", True, True),
        "StageName": ("picklist", True, True),
        "OwnerId": ("reference", True, True),
        "AccountId": ("reference", True, True),
        "Description": ("textarea", True, True),
        "IsClosed": ("boolean", False, False),
        "IsWon": ("boolean", False, False),
        "SystemModstamp": ("datetime", False, False),
        "CreatedDate": ("datetime", False, False),
        "LastModifiedDate": ("datetime", False, False),
        "Hiyoko_Signal_Id__c": ("string", True, True),
    },
    "OpportunityStage": {
        "Id": ("id", False, False),
        "ApiName": ("string", False, False),
        "MasterLabel": ("string", False, False),
        "IsActive": ("boolean", False, False),
        "IsClosed": ("boolean", False, False),
        "IsWon": ("boolean", False, False),
        "SortOrder": ("int", False, False),
        "DefaultProbability": ("percent", False, False),
    },
    "User": {
        "Id": ("id", False, False),
        "Email": ("email", False, False),
        "Name": ("string", False, False),
        "IsActive": ("boolean", False, False),
    },
    "Account": {"Id": ("id", False, False), "Name": ("string", False, False)},
}
_PREFIX = {"Opportunity": "006", "OpportunityStage": "01J", "User": "005", "Account": "001"}

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|>=|<=|=|>|<|,)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_KEYWORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "AND", "ORDER", "BY", "ASC", "DESC", "LIMIT", "NULL", "TRUE", "FALSE"}
)


@dataclass
class _Query:
    fields: list[str]
    sobject: str
    where: list[tuple[str, str, Any]] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


def _malformed(message: str) -> SalesforceFault:
    return SalesforceFault(400, "MALFORMED_QUERY", message)


def _unescape(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


def parse_soql(text: str) -> _Query:
    """The SOQL subset hiyoko sends: SELECT f, … FROM o [WHERE f op v AND …] [ORDER BY f [ASC|DESC], …] [LIMIT n]."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _malformed(f"unexpected token: '{text[pos : pos + 20].strip()}'")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    index = 0

    def peek() -> tuple[str, str]:
        return tokens[index] if index < len(tokens) else ("end", "")

    def take(kind: str, value: str | None = None) -> str:
        nonlocal index
        got_kind, got = peek()
        if got_kind != kind or (value is not None and got.upper() != value):
            raise _malformed(f"expecting '{value or kind}', found '{got or 'end of query'}'")
        index += 1
        return got

    take("word", "SELECT")
    fields = [take("word")]
    while peek() == ("op", ","):
        take("op")
        fields.append(take("word"))
    take("word", "FROM")
    query = _Query(fields=fields, sobject=take("word"))
    if peek()[0] == "word" and peek()[1].upper() == "WHERE":
        take("word")
        while True:
            name = take("word")
            if name.upper() in _KEYWORDS:
                raise _malformed(f"unexpected token: '{name}'")
            op = take("op")
            if op == ",":
                raise _malformed("unexpected token: ','")
            kind, raw = peek()
            index += 1
            value: Any
            if kind == "str":
                value = ("str", _unescape(raw))
            elif kind in ("dt", "date", "num"):
                value = (kind, raw)
            elif kind == "word" and raw.upper() in ("NULL", "TRUE", "FALSE"):
                value = (raw.lower(), raw)
            else:
                raise _malformed(f"unexpected token: '{raw or 'end of query'}'")
            query.where.append((name, op, value))
            if peek()[0] == "word" and peek()[1].upper() == "AND":
                take("word")
                continue
            break
    if peek()[0] == "word" and peek()[1].upper() == "ORDER":
        take("word")
        take("word", "BY")
        while True:
            name = take("word")
            descending = False
            if peek()[0] == "word" and peek()[1].upper() in ("ASC", "DESC"):
                descending = take("word").upper() == "DESC"
            query.order.append((name, descending))
            if peek() == ("op", ","):
                take("op")
                continue
            break
    if peek()[0] == "word" and peek()[1].upper() == "LIMIT":
        take("word")
        query.limit = int(take("num"))
    if peek()[0] != "end":
        raise _malformed(f"unexpected token: '{peek()[1]}'")
    return query


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeSalesforce

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients that time out leave broken sockets behind."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_PATCH(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""


@dataclass
class _Fault:
    remaining: int
    status: int
    code: str
    after: bool = False  # do the work, then answer the error (the answer was lost on the way)
    method: str | None = None


class FakeSalesforce:
    """In-process fake of Salesforce's token endpoint and REST API (see the module docstring)."""

    def __init__(
        self,
        *,
        consumer_key: str = "3MVG9-fake-consumer-key",
        consumer_secret: str = "fake-consumer-secret",
        username: str = "hiyoko@example.com",
        password: str = "correct horse",
        security_token: str = "SECTOKEN",
        public_key_pem: bytes | None = None,
        external_id_field: bool = True,
        opportunity_createable: bool = True,
        opportunity_updateable: bool = True,
    ) -> None:
        """``public_key_pem`` verifies JWT assertions (None: the JWT grant is refused); ``external_id_field``
        False leaves Opportunity without `Hiyoko_Signal_Id__c`, as before an admin makes it."""
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.username = username
        self.password = password
        self.security_token = security_token
        self.public_key_pem = public_key_pem
        self.external_id_field = external_id_field
        self.opportunity_createable = opportunity_createable
        self.opportunity_updateable = opportunity_updateable
        self.calls: list[tuple[str, str]] = []
        self.grants: list[str] = []  # grant types of successful logins, in order
        self.clock: Callable[[], float] = time.time
        self._lock = threading.RLock()
        self._dir = Path(tempfile.mkdtemp(prefix="fake-salesforce-"))
        self.ca_file, self._cert, self._key = tls_files(self._dir)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._ids = itertools.count(1)
        self._sessions: set[str] = set()
        self._faults: list[_Fault] = []
        self._delay = 0.0
        self._in_flight = 0
        self.most_at_once = 0  # the most requests being answered at one time (are calls made in parallel?)
        self._last_stamp = 0.0
        self.rows: dict[str, dict[str, JsonDict]] = {name: {} for name in _FIELDS}
        for order, (name, closed, won, probability) in enumerate(DEFAULT_STAGES, start=1):
            self._insert(
                "OpportunityStage",
                {
                    "ApiName": name,
                    "MasterLabel": name,
                    "IsActive": True,
                    "IsClosed": closed,
                    "IsWon": won,
                    "SortOrder": order,
                    "DefaultProbability": probability,
                },
            )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSalesforce:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._cert, self._key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.fake = self
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-salesforce", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSalesforce:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The login URL and the instance URL, both (https, no trailing slash)."""
        if not self._port:
            raise RuntimeError("FakeSalesforce is not started; call start() first")
        return f"https://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ faults

    def fail_next(self, count: int, status: int = 500, *, after: bool = False, method: str | None = None) -> None:
        """Answer the next ``count`` API requests (not logins; only ``method`` ones when given) with ``status``
        (500 UNKNOWN_EXCEPTION, 503 SERVER_UNAVAILABLE…); ``after``: do the work first."""
        code = "SERVER_UNAVAILABLE" if status == 503 else "UNKNOWN_EXCEPTION"
        with self._lock:
            self._faults.append(_Fault(count, status, code, after, method))

    def request_limit_next(self, count: int) -> None:
        """The org's API request limit is spent for the next ``count`` API requests (403 REQUEST_LIMIT_EXCEEDED)."""
        with self._lock:
            self._faults.append(_Fault(count, 403, "REQUEST_LIMIT_EXCEEDED"))

    def slow(self, seconds: float) -> None:
        self._delay = seconds

    def down(self) -> None:
        self.stop()

    def up(self) -> None:
        self.start()

    def expire_sessions(self) -> None:
        """Every session ends; the next API call with one answers 401 INVALID_SESSION_ID."""
        with self._lock:
            self._sessions.clear()

    # ------------------------------------------------------------------ seeding and inspection

    def add_user(self, email: str, name: str = "", *, active: bool = True) -> str:
        return self._insert("User", {"Email": email, "Name": name or email, "IsActive": active})

    def add_account(self, name: str) -> str:
        return self._insert("Account", {"Name": name})

    def opportunities(self) -> list[JsonDict]:
        with self._lock:
            return [dict(row) for row in self.rows["Opportunity"].values()]

    def set_stage(self, opportunity_id: str, stage: str, *, started_earlier_by: float = 0.0) -> None:
        """A rep moves an opportunity in Salesforce (IsClosed, IsWon and SystemModstamp follow).
        `started_earlier_by` seconds: a transaction that began that long ago and commits only now —
        its SystemModstamp (the transaction's start) is older than changes already visible."""
        with self._lock:
            row = self.rows["Opportunity"][opportunity_id]
            self._apply_stage(row, stage)
            if started_earlier_by:
                row["SystemModstamp"] = row["LastModifiedDate"] = _sf_datetime(self.clock() - started_earlier_by)
            else:
                self._touch(row)

    def _insert(self, sobject: str, values: JsonDict) -> str:
        record_id = f"{_PREFIX[sobject]}5g{next(self._ids):010d}AAA"
        with self._lock:
            self.rows[sobject][record_id] = {"Id": record_id, **values}
        return record_id

    def _touch(self, row: JsonDict) -> None:
        stamp = max(self.clock(), self._last_stamp + 0.001)  # SystemModstamp only moves forward
        self._last_stamp = stamp
        row["SystemModstamp"] = row["LastModifiedDate"] = _sf_datetime(stamp)
        row.setdefault("CreatedDate", row["SystemModstamp"])

    def _apply_stage(self, row: JsonDict, stage: str) -> None:
        for s in self.rows["OpportunityStage"].values():
            if s["ApiName"] == stage and s["IsActive"]:
                row["StageName"], row["IsClosed"], row["IsWon"] = stage, s["IsClosed"], s["IsWon"]
                return
        raise SalesforceFault(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Stage: bad value for restricted picklist field: {stage}",
            ["StageName"],
        )

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle(self, req: _Handler) -> None:
        try:
            parts = urlsplit(req.path)
            length = int(req.headers.get("Content-Length") or 0)
            body = req.rfile.read(length) if length > 0 else b""
            with self._lock:
                self.calls.append((req.command, parts.path))
                self._in_flight += 1
                self.most_at_once = max(self.most_at_once, self._in_flight)
            try:
                if self._delay:
                    time.sleep(self._delay)
            finally:
                with self._lock:
                    self._in_flight -= 1
            if parts.path == "/services/oauth2/token" and req.command == "POST":
                status, payload = self._token(req, body)
            else:
                status, payload = self._api(req, parts.path, parts.query, body)
            data = b"" if payload is None else json.dumps(payload).encode()
            req.send_response(status)
            if payload is not None:
                req.send_header("Content-Type", "application/json;charset=UTF-8")
            req.send_header("Content-Length", str(len(data)))
            req.end_headers()
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def _session(self) -> JsonDict:
        token = f"00D5g000004fake!{secrets.token_urlsafe(24)}"
        with self._lock:
            self._sessions.add(token)
        return {
            "access_token": token,
            "instance_url": self.url,
            "id": f"{self.url}/id/00D5g000004fakeAAA/0055g00000fakeAAA",
            "token_type": "Bearer",
            "issued_at": str(int(self.clock() * 1000)),
            "scope": "api",
        }

    def _token(self, req: _Handler, body: bytes) -> tuple[int, Any]:
        if (req.headers.get("Content-Type") or "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return 400, {"error": "invalid_request", "error_description": "invalid content type"}
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt_grant(form.get("assertion", ""))
        if grant == "password":
            if form.get("client_id") != self.consumer_key:
                return 400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
            if form.get("client_secret") != self.consumer_secret:
                return 400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            if form.get("username") != self.username or form.get("password") != self.password + self.security_token:
                return 400, {"error": "invalid_grant", "error_description": "authentication failure"}
            self.grants.append("password")
            return 200, {**self._session(), "signature": "fake-signature"}
        return 400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}

    def _jwt_grant(self, assertion: str) -> tuple[int, Any]:
        if self.public_key_pem is None:
            return 400, {"error": "invalid_grant", "error_description": "invalid assertion"}
        try:
            claims = jwt.decode(
                assertion,
                self.public_key_pem,
                algorithms=["RS256"],
                audience=self.url,
                options={"require": ["exp", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            return 400, {"error": "invalid_grant", "error_description": "expired authorization code"}
        except jwt.InvalidAudienceError:
            return 400, {"error": "invalid_grant", "error_description": "audience is invalid"}
        except jwt.PyJWTError:
            return 400, {"error": "invalid_grant", "error_description": "invalid assertion"}
        if claims.get("iss") != self.consumer_key:
            return 400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
        if claims.get("sub") != self.username:
            return 400, {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}
        if float(claims["exp"]) > self.clock() + 300:  # Salesforce wants a short-lived assertion
            return 400, {"error": "invalid_grant", "error_description": "invalid assertion"}
        self.grants.append("jwt")
        return 200, self._session()

    def _api(self, req: _Handler, path: str, query: str, body: bytes) -> tuple[int, Any]:
        try:
            auth = req.headers.get("Authorization") or ""
            with self._lock:
                if not auth.startswith("Bearer ") or auth[7:].strip() not in self._sessions:
                    raise SalesforceFault(401, "INVALID_SESSION_ID", "Session expired or invalid")
                fault = next((f for f in self._faults if f.method in (None, req.command)), None)
                if fault is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    if not fault.after:
                        raise self._fault_error(fault)
                status, payload = self._resource(req, path, query, body)
                if fault is not None and fault.after:
                    raise self._fault_error(fault)
                return status, payload
        except SalesforceFault as fault:
            error: JsonDict = {"message": fault.message, "errorCode": fault.code}
            if fault.fields is not None:
                error["fields"] = fault.fields
            return fault.status, [error]
        except Exception:  # a bug in the fake: answer loudly instead of dropping the connection
            return 500, [{"message": traceback.format_exc(), "errorCode": "FAKE_BUG"}]

    @staticmethod
    def _fault_error(fault: _Fault) -> SalesforceFault:
        message = "TotalRequests Limit exceeded." if fault.code == "REQUEST_LIMIT_EXCEEDED" else "An unexpected error"
        return SalesforceFault(fault.status, fault.code, message)

    def _resource(self, req: _Handler, path: str, query: str, body: bytes) -> tuple[int, Any]:
        match = re.fullmatch(r"/services/data/v(\d+)\.0/(.+?)/?", path)
        if match is None:
            raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")
        version, rest = int(match.group(1)), match.group(2)
        data: Any = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                raise SalesforceFault(400, "JSON_PARSER_ERROR", "Unexpected character") from None
        if rest == "query" and req.command == "GET":
            return self._query(parse_qs(query).get("q", [""])[0])
        parts = [unquote(p) for p in rest.split("/")]
        if parts[0] != "sobjects" or len(parts) < 2:
            raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")
        sobject = parts[1]
        if sobject not in _FIELDS:
            raise SalesforceFault(404, "NOT_FOUND", f"The requested resource does not exist: {sobject}")
        if len(parts) == 3 and parts[2] == "describe" and req.command == "GET":
            return 200, self._describe(sobject)
        if len(parts) == 2 and req.command == "POST":
            return self._create(sobject, data)
        if len(parts) == 3 and req.command == "PATCH":
            return self._update(sobject, parts[2], data)
        if len(parts) == 4 and req.command == "PATCH":
            return self._upsert(sobject, parts[2], parts[3], data, version)
        raise SalesforceFault(404, "NOT_FOUND", "The requested resource does not exist")

    # ------------------------------------------------------------------ resources

    def _fields(self, sobject: str) -> dict[str, tuple[str, bool, bool]]:
        fields = dict(_FIELDS[sobject])
        if sobject == "Opportunity" and not self.external_id_field:
            del fields["Hiyoko_Signal_Id__c"]
        return fields

    def _describe(self, sobject: str) -> JsonDict:
        fields = self._fields(sobject)
        is_opp = sobject == "Opportunity"
        return {
            "name": sobject,
            "label": sobject,
            "createable": self.opportunity_createable if is_opp else False,
            "updateable": self.opportunity_updateable if is_opp else False,
            "queryable": True,
            "fields": [
                {
                    "name": name,
                    "type": kind,
                    "createable": createable and (self.opportunity_createable or not is_opp),
                    "updateable": updateable and (self.opportunity_updateable or not is_opp),
                    "externalId": name == "Hiyoko_Signal_Id__c",
                    "unique": name == "Hiyoko_Signal_Id__c",
                    "nillable": name not in ("Id", "Name", "CloseDate", "StageName"),
                    "custom": name.endswith("__c"),
                }
                for name, (kind, createable, updateable) in fields.items()
            ],
        }

    def _query(self, soql: str) -> tuple[int, Any]:
        query = parse_soql(soql)
        if query.sobject not in _FIELDS:
            raise SalesforceFault(400, "INVALID_TYPE", f"sObject type '{query.sobject}' is not supported.")
        fields = self._fields(query.sobject)
        for name in [*query.fields, *(w[0] for w in query.where), *(o[0] for o in query.order)]:
            if name not in fields:
                raise SalesforceFault(400, "INVALID_FIELD", f"No such column '{name}' on entity '{query.sobject}'.")
        for clause in query.where:  # a literal of the wrong type is refused even when no row would be compared
            self._holds({}, clause, fields)
        rows = [r for r in self.rows[query.sobject].values() if all(self._holds(r, w, fields) for w in query.where)]
        for name, descending in reversed(query.order):
            present = [r for r in rows if r.get(name) is not None]
            present.sort(key=lambda r, n=name: r[n], reverse=descending)  # type: ignore[misc]
            rows = present + [r for r in rows if r.get(name) is None]  # nulls last, as SOQL's default
        if query.limit is not None:
            rows = rows[: query.limit]
        records = [
            {
                "attributes": {
                    "type": query.sobject,
                    "url": f"/services/data/v59.0/sobjects/{query.sobject}/{r['Id']}",
                },
                **{name: r.get(name) for name in query.fields},
            }
            for r in rows
        ]
        return 200, {"totalSize": len(records), "done": True, "records": records}

    @staticmethod
    def _holds(row: JsonDict, where: tuple[str, str, Any], fields: dict[str, tuple[str, bool, bool]]) -> bool:
        name, op, (kind, raw) = where
        ftype = fields[name][0]
        value = row.get(name)
        if kind == "null":
            if op not in ("=", "!="):
                raise _malformed(f"invalid operator on null: {op}")
            return (value is None) == (op == "=")
        if ftype == "datetime":
            if kind != "dt":
                raise SalesforceFault(
                    400,
                    "INVALID_FIELD",
                    f"value of filter criterion for field '{name}' must be of type dateTime and should not be"
                    " enclosed in quotes",
                )
            left: Any = _parse_sf_datetime(value) if value else None
            right: Any = _parse_sf_datetime(raw)
        elif ftype == "boolean":
            if kind not in ("true", "false"):
                raise SalesforceFault(
                    400, "INVALID_FIELD", f"value of filter criterion for field '{name}' must be boolean"
                )
            left, right = bool(value), kind == "true"
        elif ftype in ("int", "currency", "percent"):
            if kind != "num":
                raise SalesforceFault(
                    400, "INVALID_FIELD", f"value of filter criterion for field '{name}' must be a number"
                )
            left, right = (Decimal(str(value)) if value is not None else None), Decimal(raw)
        else:
            if kind != "str":
                raise SalesforceFault(
                    400,
                    "INVALID_FIELD",
                    f"value of filter criterion for field '{name}' must be of type string and"
                    " should be enclosed in quotes",
                )
            left, right = value, raw
            if ftype in ("string", "email", "textarea", "picklist"):  # SOQL text comparison ignores case
                left, right = (value.lower() if isinstance(value, str) else value), raw.lower()
            elif ftype in ("id", "reference") and len(raw) not in (15, 18):
                raise SalesforceFault(400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {raw}")
            elif ftype in ("id", "reference"):
                left, right = (value or "")[:15], raw[:15]
        if left is None:
            return op == "!="
        return bool(
            {
                "=": left == right,
                "!=": left != right,
                ">": left > right,
                ">=": left >= right,
                "<": left < right,
                "<=": left <= right,
            }[op]
        )

    def _validate(self, sobject: str, data: Any, *, creating: bool) -> JsonDict:
        if sobject != "Opportunity":
            raise SalesforceFault(403, "INSUFFICIENT_ACCESS", f"insufficient access rights on {sobject}")
        if not isinstance(data, dict):
            raise SalesforceFault(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of Opportunity")
        allowed = self.opportunity_createable if creating else self.opportunity_updateable
        if not allowed:
            raise SalesforceFault(403, "INSUFFICIENT_ACCESS", "insufficient access rights on object id")
        fields = self._fields(sobject)
        clean: JsonDict = {}
        for name, value in data.items():
            if name not in fields:
                raise SalesforceFault(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject}")
            kind, createable, updateable = fields[name]
            if not (createable if creating else updateable):
                raise SalesforceFault(
                    400, "INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: {name}.", [name]
                )
            if value is None:
                clean[name] = None
                continue
            if kind == "currency":
                try:
                    clean[name] = float(Decimal(str(value)))
                except InvalidOperation:
                    raise SalesforceFault(400, "JSON_PARSER_ERROR", f"Cannot deserialize {name}: {value}") from None
            elif kind == "date":
                try:
                    clean[name] = dt.date.fromisoformat(str(value)).isoformat()
                except ValueError:
                    raise SalesforceFault(400, "JSON_PARSER_ERROR", f"Cannot deserialize date from {value}") from None
            elif kind == "reference":
                target = {"OwnerId": "User", "AccountId": "Account"}[name]
                if str(value) not in self.rows[target]:
                    raise SalesforceFault(
                        400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {value}", [name]
                    )
                clean[name] = str(value)
            else:
                clean[name] = str(value)
        return clean

    def _write(self, row: JsonDict, clean: JsonDict) -> None:
        stage = clean.pop("StageName", None)
        row.update(clean)
        if stage is not None:
            self._apply_stage(row, stage)
        missing = [f for f in ("Name", "CloseDate", "StageName") if not row.get(f)]
        if missing:
            raise SalesforceFault(
                400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        self._touch(row)

    def _create(self, sobject: str, data: Any) -> tuple[int, Any]:
        clean = self._validate(sobject, data, creating=True)
        ext = clean.get("Hiyoko_Signal_Id__c")
        if ext and any(r.get("Hiyoko_Signal_Id__c") == ext for r in self.rows["Opportunity"].values()):
            raise SalesforceFault(
                400,
                "DUPLICATE_VALUE",
                f"duplicate value found: Hiyoko_Signal_Id__c duplicates value {ext}",
                ["Hiyoko_Signal_Id__c"],
            )
        row: JsonDict = {"OwnerId": next(iter(self.rows["User"]), None), "AccountId": None, "Amount": None}
        self._write(row, clean)
        record_id = self._insert("Opportunity", row)
        return 201, {"id": record_id, "success": True, "errors": []}

    def _update(self, sobject: str, record_id: str, data: Any) -> tuple[int, Any]:
        clean = self._validate(sobject, data, creating=False)
        row = self.rows.get(sobject, {}).get(record_id)
        if row is None:
            raise SalesforceFault(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible")
        updated = dict(row)
        self._write(updated, clean)
        row.update(updated)
        return 204, None

    def _upsert(self, sobject: str, field_name: str, value: str, data: Any, version: int) -> tuple[int, Any]:
        fields = self._fields(sobject)
        if field_name not in fields or field_name != "Hiyoko_Signal_Id__c":
            raise SalesforceFault(
                404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}"
            )
        if isinstance(data, dict) and data.get(field_name) not in (None, value):
            raise SalesforceFault(
                400, "INVALID_FIELD", f"The external ID field {field_name} in the body does not match the URL"
            )
        existing = [r for r in self.rows[sobject].values() if r.get(field_name) == value]
        if len(existing) > 1:
            return 300, [f"/services/data/v{version}.0/sobjects/{sobject}/{r['Id']}" for r in existing]
        if existing:
            clean = self._validate(sobject, data, creating=False)
            updated = dict(existing[0])
            self._write(updated, clean)
            existing[0].update(updated)
            if version < 46:
                return 204, None
            return 200, {"id": existing[0]["Id"], "success": True, "errors": [], "created": False}
        clean = self._validate(sobject, data, creating=True)
        clean[field_name] = value
        row: JsonDict = {"OwnerId": next(iter(self.rows["User"]), None), "AccountId": None, "Amount": None}
        self._write(row, clean)
        record_id = self._insert(sobject, row)
        return 201, {"id": record_id, "success": True, "errors": [], "created": True}


def stage_names(stages: Iterable[tuple[str, bool, bool, int]] = DEFAULT_STAGES) -> list[str]:
    return [s[0] for s in stages]
