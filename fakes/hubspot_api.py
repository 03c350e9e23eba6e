"""A local fake of HubSpot's CRM v3 API, as strict as the real one where hiyoko touches it.

Point the official client at it::

    with FakeHubSpot().start() as fake:
        client = hubspot.HubSpot(access_token=fake.token, host=fake.url)

What it speaks: a private-app bearer token (401 INVALID_AUTHENTICATION otherwise), scopes per
endpoint (403 MISSING_SCOPES), deals (create with associations, read by id or by a unique-value
property, update, page, search with filterGroups), deal properties (read, create), deal
pipelines, owners by e-mail, companies (read, page, search), the v4 default association,
account details, the ten-second rate window (429 + Retry-After), and faults a test programs:
``fail_next``, ``slow``, ``down``/``up``. ``calls`` records (method, path) of every request.

Standard library only; the server runs on 127.0.0.1 in a daemon thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import math
import re
import ssl
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from fakes.salesforce_api import tls_files

__all__ = ["DEFAULT_SCOPES", "DEFAULT_STAGES", "FakeHubSpot", "HubSpotFault"]

JsonDict = dict[str, Any]

DEFAULT_SCOPES: tuple[str, ...] = (
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.schemas.deals.read",
    "crm.schemas.deals.write",
    "crm.objects.owners.read",
    "crm.objects.companies.read",
)

# HubSpot's default deal pipeline: (id, label, isClosed, probability).
DEFAULT_STAGES: tuple[tuple[str, str, bool, str], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", False, "0.2"),
    ("qualifiedtobuy", "Qualified To Buy", False, "0.4"),
    ("presentationscheduled", "Presentation Scheduled", False, "0.6"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", False, "0.8"),
    ("contractsent", "Contract Sent", False, "0.9"),
    ("closedwon", "Closed Won", True, "1.0"),
    ("closedlost", "Closed Lost", True, "0.0"),
)

# Deal properties every portal has, with their types.
_DEAL_PROPERTIES: dict[str, str] = {
    "dealname": "string",
    "amount": "number",
    "closedate": "datetime",
    "pipeline": "enumeration",
    "dealstage": "enumeration",
    "hubspot_owner_id": "enumeration",
    "description": "string",
    "createdate": "datetime",
    "hs_lastmodifieddate": "datetime",
    "hs_object_id": "number",
}
_READ_ONLY = frozenset({"createdate", "hs_lastmodifieddate", "hs_object_id"})
_FIELD_TYPES = {
    "string": {"text", "textarea", "html", "phonenumber", "file"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "bool": {"booleancheckbox"},
}
_DEAL_GROUPS = frozenset({"dealinformation", "deal_activity", "dealstages_history"})
_OPERATORS = frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "IN", "NOT_IN"})
DEAL_TO_COMPANY = 5
RATE_WINDOW = 10.0


class HubSpotFault(Exception):
    """Raised inside a handler to answer with HubSpot's error JSON."""

    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.extra = extra


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def _parse_datetime(value: str) -> str:
    """HubSpot takes epoch milliseconds or ISO 8601; it answers ISO 8601 in UTC."""
    if re.fullmatch(r"-?\d{1,15}", value):
        return _iso(int(value) / 1000)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _iso(parsed.timestamp())


@dataclass
class _Fault:
    remaining: int
    status: int
    after: bool = False  # do the work, then answer the error (the answer was lost on the way)
    method: str | None = None
    path: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeHubSpot

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

    def do_PUT(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""


_Route = tuple[str, re.Pattern[str], tuple[str, ...], Callable[..., tuple[int, Any]]]


class FakeHubSpot:
    """In-process fake of HubSpot's CRM v3 API (see the module docstring)."""

    def __init__(
        self,
        token: str = "pat-na1-00000000-0000-0000-0000-000000000001",
        *,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        portal_id: int = 62515,
        requests_per_window: int = 100,
        client_secret: str = "hubspot-client-secret",
        tls: bool = False,
    ) -> None:
        """``requests_per_window`` requests per rolling ten seconds (HubSpot's private-app burst limit);
        ``tls`` serves https with a throwaway CA (``ca_file``), as api.hubapi.com is reached."""
        self.token = token
        self.ca_file: Path | None = None
        self._tls: tuple[Path, Path] | None = None
        if tls:
            self.ca_file, cert, key = tls_files(Path(tempfile.mkdtemp(prefix="fake-hubspot-")))
            self._tls = (cert, key)
        self.scopes: set[str] = set(scopes)
        self.portal_id = portal_id
        self.requests_per_window = requests_per_window
        self.client_secret = client_secret
        self.calls: list[tuple[str, str]] = []
        self.clock: Callable[[], float] = time.time
        self.monotonic: Callable[[], float] = time.monotonic
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._ids = itertools.count(9_000_000_001)
        self._event_ids = itertools.count(100)
        self._faults: list[_Fault] = []
        self._interleaved: list[tuple[str, str, Callable[[], object]]] = []
        self._delay = 0.0
        self._in_flight = 0
        self.most_at_once = 0  # the most requests being answered at one time (are calls made in parallel?)
        self._window: deque[float] = deque()
        self.properties: dict[str, JsonDict] = {
            name: self._property(name, kind, hubspot_defined=True) for name, kind in _DEAL_PROPERTIES.items()
        }
        self.pipelines: dict[str, JsonDict] = {}
        self.set_pipeline("default", "Sales Pipeline", DEFAULT_STAGES)
        self.owners: dict[str, JsonDict] = {}
        self.companies: dict[str, JsonDict] = {}
        self.deals: dict[str, JsonDict] = {}
        self.associations: set[tuple[str, str]] = set()  # (deal id, company id)
        self.events: list[JsonDict] = []  # webhook events of stage changes made with move_deal
        self._routes: list[_Route] = []
        self._route("GET", r"/account-info/v3/details", (), self._account_details)
        self._route("GET", r"/crm/v3/properties/deals/(?P<name>[^/]+)", ("crm.schemas.deals.read",), self._property_get)
        self._route("POST", r"/crm/v3/properties/deals", ("crm.schemas.deals.write",), self._property_create)
        self._route("GET", r"/crm/v3/pipelines/deals/(?P<pid>[^/]+)", ("crm.objects.deals.read",), self._pipeline_get)
        self._route("GET", r"/crm/v3/pipelines/deals", ("crm.objects.deals.read",), self._pipeline_list)
        self._route("GET", r"/crm/v3/owners/?", ("crm.objects.owners.read",), self._owners_page)
        self._route("POST", r"/crm/v3/objects/deals/search", ("crm.objects.deals.read",), self._deals_search)
        self._route("GET", r"/crm/v3/objects/deals", ("crm.objects.deals.read",), self._deals_page)
        self._route("POST", r"/crm/v3/objects/deals", ("crm.objects.deals.write",), self._deal_create)
        self._route("GET", r"/crm/v3/objects/deals/(?P<did>[^/]+)", ("crm.objects.deals.read",), self._deal_get)
        self._route("PATCH", r"/crm/v3/objects/deals/(?P<did>[^/]+)", ("crm.objects.deals.write",), self._deal_update)
        self._route(
            "POST", r"/crm/v3/objects/companies/search", ("crm.objects.companies.read",), self._companies_search
        )
        self._route("GET", r"/crm/v3/objects/companies", ("crm.objects.companies.read",), self._companies_page)
        self._route(
            "GET", r"/crm/v3/objects/companies/(?P<cid>[^/]+)", ("crm.objects.companies.read",), self._company_get
        )
        self._route(
            "PUT",
            r"/crm/v4/objects/(?P<ft>deals?)/(?P<did>[^/]+)/associations/default/(?P<tt>compan(?:y|ies))/(?P<cid>[^/]+)",
            ("crm.objects.deals.write",),
            self._default_association,
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeHubSpot:
        """Bind 127.0.0.1 (a free port, or the one it had before ``down``) and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        if self._tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        server.fake = self
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-hubspot", daemon=True
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

    def __enter__(self) -> FakeHubSpot:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL (HUBSPOT_API_URL), no trailing slash."""
        if not self._port:
            raise RuntimeError("FakeHubSpot is not started; call start() first")
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ faults

    def fail_next(
        self, count: int, status: int = 500, *, after: bool = False, method: str | None = None, path: str | None = None
    ) -> None:
        """Answer the next ``count`` requests (those of ``method`` on a path starting with ``path``, when given)
        with ``status`` (500, 502, 503…) and HubSpot's error JSON; ``after``: do the work first."""
        with self._lock:
            self._faults.append(_Fault(count, status, after, method, path))

    def interleave_next(self, method: str, path: str, action: Callable[[], object]) -> None:
        """Run ``action`` just before the next ``method`` request on a path starting with ``path`` is handled
        (another writer getting there first)."""
        with self._lock:
            self._interleaved.append((method, path, action))

    def slow(self, seconds: float) -> None:
        """Answer every request after ``seconds`` (0: at once again)."""
        self._delay = seconds

    def down(self) -> None:
        """Refuse connections (the port stays reserved for ``up``)."""
        self.stop()

    def up(self) -> None:
        """Serve again on the same port."""
        self.start()

    # ------------------------------------------------------------------ seeding and inspection

    def set_pipeline(self, pipeline_id: str, label: str, stages: Iterable[tuple[str, str, bool, str]]) -> None:
        """Put a deal pipeline with stages (id, label, isClosed, probability) in display order."""
        now = _iso(self.clock())
        self.pipelines[pipeline_id] = {
            "id": pipeline_id,
            "label": label,
            "displayOrder": len(self.pipelines),
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
            "stages": [
                {
                    "id": sid,
                    "label": slabel,
                    "displayOrder": order,
                    "metadata": {"isClosed": "true" if closed else "false", "probability": probability},
                    "createdAt": now,
                    "updatedAt": now,
                    "archived": False,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for order, (sid, slabel, closed, probability) in enumerate(stages)
            ],
        }

    def add_owner(self, email: str, first: str = "", last: str = "", owner_id: str | None = None) -> str:
        oid = owner_id or str(next(self._ids))
        now = _iso(self.clock())
        self.owners[oid] = {
            "id": oid,
            "email": email,
            "firstName": first,
            "lastName": last,
            "userId": int(oid) % 10_000_000 if oid.isdigit() else 1,
            "userIdIncludingInactive": int(oid) % 10_000_000 if oid.isdigit() else 1,
            "type": "PERSON",
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
            "teams": [],
        }
        return oid

    def add_company(self, name: str, company_id: str | None = None) -> str:
        cid = company_id or str(next(self._ids))
        now = _iso(self.clock())
        self.companies[cid] = {
            "id": cid,
            "properties": {"name": name, "hs_object_id": cid, "createdate": now, "hs_lastmodifieddate": now},
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
        }
        return cid

    def add_deal(self, **properties: str) -> str:
        """A deal made outside hiyoko's gateway (a rep, another worker); properties as HubSpot stores them."""
        with self._lock:
            did = str(next(self._ids))
            now = _iso(self.clock())
            props = {"pipeline": "default", **properties, "hs_object_id": did, "createdate": now}
            props["hs_lastmodifieddate"] = now
            self.deals[did] = {"id": did, "properties": props, "createdAt": now, "updatedAt": now, "archived": False}
            return did

    def deal_list(self) -> list[JsonDict]:
        """The deals as HubSpot holds them (properties as strings), oldest first."""
        with self._lock:
            return [json.loads(json.dumps(d)) for d in self.deals.values()]

    def calls_to(self, method: str, path_prefix: str) -> int:
        return sum(1 for m, p in self.calls if m == method and p.startswith(path_prefix))

    def move_deal(self, deal_id: str, stage_id: str, *, change_source: str = "CRM_UI") -> JsonDict:
        """A rep moves a deal in HubSpot's UI; returns the webhook event HubSpot would send for it."""
        with self._lock:
            deal = self.deals[deal_id]
            deal["properties"]["dealstage"] = stage_id
            now = self.clock()
            deal["updatedAt"] = deal["properties"]["hs_lastmodifieddate"] = _iso(now)
            event = {
                "eventId": next(self._event_ids),
                "subscriptionId": 4242,
                "portalId": self.portal_id,
                "appId": 1160452,
                "occurredAt": int(now * 1000),
                "subscriptionType": "deal.propertyChange",
                "attemptNumber": 0,
                "objectId": int(deal_id),
                "propertyName": "dealstage",
                "propertyValue": stage_id,
                "changeFlag": "PROPERTY_CHANGE",
                "changeSource": change_source,
                "sourceId": "userId:1",
            }
            self.events.append(event)
            return event

    def signed_webhook(
        self, url: str, events: list[JsonDict], *, timestamp_ms: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of HubSpot's POST of these events to ``url`` (v3 signature)."""
        body = json.dumps(events, separators=(",", ":")).encode()
        stamp = str(timestamp_ms if timestamp_ms is not None else int(self.clock() * 1000))
        decoded = re.sub(
            r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", lambda m: unquote(m.group(0)), url, flags=re.IGNORECASE
        )
        source = b"POST" + decoded.encode() + body + stamp.encode()
        key = (secret if secret is not None else self.client_secret).encode()
        signature = base64.b64encode(hmac.new(key, source, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": stamp,
            "X-HubSpot-Signature-Version": "v1",
        }
        return body, headers

    # ------------------------------------------------------------------ HTTP plumbing

    def _route(
        self, method: str, pattern: str, scopes: tuple[str, ...], handler: Callable[..., tuple[int, Any]]
    ) -> None:
        self._routes.append((method, re.compile(pattern + r"/?$"), scopes, handler))

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
            status, payload, headers = self._answer(req, parts.path, parts.query, body)
            self._send(req, status, payload, headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def _answer(self, req: _Handler, path: str, query: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
        correlation = str(uuid.uuid4())
        try:
            auth = req.headers.get("Authorization") or ""
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                raise HubSpotFault(
                    401,
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can"
                    " find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                )
            if auth[7:].strip() != self.token:
                raise HubSpotFault(
                    401, "INVALID_AUTHENTICATION", "Authentication credentials are invalid or have expired."
                )
            with self._lock:
                now = self.monotonic()
                while self._window and now - self._window[0] >= RATE_WINDOW:
                    self._window.popleft()
                if len(self._window) >= self.requests_per_window:
                    oldest = self._window[0] if self._window else now
                    retry = min(int(RATE_WINDOW), max(1, math.ceil(RATE_WINDOW - (now - oldest))))
                    return (
                        429,
                        {
                            "status": "error",
                            "message": "You have reached your ten_secondly_rolling limit.",
                            "errorType": "RATE_LIMIT",
                            "correlationId": correlation,
                            "policyName": "TEN_SECONDLY_ROLLING",
                            "groupName": "publicapi:private-app:burst",
                        },
                        {"Retry-After": str(retry)},
                    )
                self._window.append(now)
                fault = next(
                    (
                        f
                        for f in self._faults
                        if f.method in (None, req.command) and (f.path is None or path.startswith(f.path))
                    ),
                    None,
                )
                if fault is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    if not fault.after:
                        raise HubSpotFault(fault.status, "INTERNAL_ERROR", "internal error")
            for method, pattern, scopes, handler in self._routes:
                match = pattern.match(path)
                if match is None or method != req.command:
                    continue
                missing = [s for s in scopes if s not in self.scopes]
                if missing:
                    raise HubSpotFault(
                        403,
                        "MISSING_SCOPES",
                        "This app hasn't been granted all required scopes to make this call."
                        " Read more about required scopes here: https://developers.hubspot.com/scopes.",
                        errors=[
                            {
                                "message": "One or more of the following scopes are required.",
                                "context": {"requiredGranularScopes": list(scopes)},
                            }
                        ],
                    )
                params = {k: v for k, v in parse_qs(query, keep_blank_values=True).items()}
                data: Any = None
                if body:
                    if "application/json" not in (req.headers.get("Content-Type") or ""):
                        raise HubSpotFault(415, "VALIDATION_ERROR", "Content-Type must be application/json")
                    try:
                        data = json.loads(body)
                    except ValueError:
                        raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON on line 1") from None
                with self._lock:
                    for step in list(self._interleaved):
                        if step[0] == req.command and path.startswith(step[1]):
                            self._interleaved.remove(step)
                            step[2]()
                            break
                    status, payload = handler(params=params, data=data, **match.groupdict())
                if fault is not None and fault.after:
                    raise HubSpotFault(fault.status, "INTERNAL_ERROR", "internal error")
                return status, payload, {}
            raise HubSpotFault(404, "OBJECT_NOT_FOUND", f"No route for {req.command} {path}")
        except HubSpotFault as fault:
            payload = {"status": "error", "message": fault.message, "correlationId": correlation}
            payload.update(fault.extra)
            payload["category"] = fault.category
            return fault.status, payload, {}
        except Exception:  # a bug in the fake: answer loudly instead of dropping the connection
            return 500, {"status": "error", "message": traceback.format_exc(), "category": "FAKE_BUG"}, {}

    @staticmethod
    def _send(req: _Handler, status: int, payload: Any, headers: dict[str, str]) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        req.send_response(status)
        if payload is not None:
            req.send_header("Content-Type", "application/json;charset=utf-8")
        req.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            req.send_header(name, value)
        req.end_headers()
        req.wfile.write(body)

    # ------------------------------------------------------------------ helpers

    def _property(self, name: str, kind: str, *, hubspot_defined: bool, unique: bool = False) -> JsonDict:
        now = _iso(self.clock())
        return {
            "name": name,
            "label": name,
            "type": kind,
            "fieldType": "text" if kind == "string" else ("number" if kind == "number" else "select"),
            "groupName": "dealinformation",
            "description": "",
            "options": [],
            "displayOrder": -1,
            "hasUniqueValue": unique,
            "hidden": False,
            "formField": False,
            "hubspotDefined": hubspot_defined,
            "calculated": False,
            "externalOptions": False,
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
            "modificationMetadata": {"archivable": True, "readOnlyDefinition": hubspot_defined, "readOnlyValue": False},
        }

    @staticmethod
    def _wants(params: dict[str, list[str]], name: str) -> list[str]:
        """A list query parameter, whether sent repeated (``a=1&a=2``) or comma-separated."""
        out: list[str] = []
        for value in params.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def _public(self, record: JsonDict, wanted: list[str], defaults: tuple[str, ...]) -> JsonDict:
        props = record["properties"]
        names = list(defaults) + [w for w in wanted if w not in defaults]
        return {
            "id": record["id"],
            "properties": {n: props.get(n) for n in names if n in props or n in self.properties},
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
            "archived": False,
        }

    def _invalid(self, errors: list[tuple[str, str, str]]) -> HubSpotFault:
        details = [{"isValid": False, "message": m, "error": e, "name": n} for n, e, m in errors]
        return HubSpotFault(400, "VALIDATION_ERROR", f"Property values were not valid: {json.dumps(details)}")

    def _deal_properties(self, given: Any, current: JsonDict | None) -> JsonDict:
        if not isinstance(given, dict):
            raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON: properties must be an object")
        errors: list[tuple[str, str, str]] = []
        clean: JsonDict = {}
        for name, value in given.items():
            spec = self.properties.get(name)
            if spec is None:
                errors.append((name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
                continue
            if name in _READ_ONLY:
                errors.append((name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.'))
                continue
            text = "" if value is None else str(value)
            kind = spec["type"]
            if kind == "number" and text:
                try:
                    Decimal(text)
                except InvalidOperation:
                    errors.append((name, "INVALID_DECIMAL", f"{text} was not a valid number."))
                    continue
            if kind in ("datetime", "date") and text:
                try:
                    text = _parse_datetime(text)
                except ValueError:
                    errors.append((name, "INVALID_DATE", f"{text} was not a valid date or date-time."))
                    continue
            clean[name] = text
        merged = {**(current or {}), **clean}
        pipeline_id = merged.get("pipeline") or "default"
        pipeline = self.pipelines.get(pipeline_id)
        if pipeline is None:
            errors.append(("pipeline", "INVALID_OPTION", f"{pipeline_id} is not a valid pipeline"))
        elif "dealstage" in merged and merged["dealstage"] not in {s["id"] for s in pipeline["stages"]}:
            errors.append(
                ("dealstage", "INVALID_OPTION", f"{merged['dealstage']} is not a valid stage of pipeline {pipeline_id}")
            )
        owner = merged.get("hubspot_owner_id")
        if owner and owner not in self.owners:
            errors.append(("hubspot_owner_id", "INVALID_OWNER_ID", f"{owner} is not a valid owner id"))
        for name, value in clean.items():
            if self.properties[name].get("hasUniqueValue") and value:
                for other in self.deals.values():
                    if other["properties"].get(name) == value and (current is None or other is not current):
                        raise HubSpotFault(
                            409,
                            "CONFLICT",
                            f"A deal with the unique value {value!r} for property {name} already exists."
                            f" Existing ID: {other['id']}",
                        )
        if errors:
            raise self._invalid(errors)
        return clean

    def _search(self, records: Iterable[JsonDict], data: Any, defaults: tuple[str, ...]) -> tuple[int, Any]:
        if not isinstance(data, dict):
            raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON")
        groups = data.get("filterGroups") or []
        if not isinstance(groups, list) or len(groups) > 5:
            raise HubSpotFault(400, "VALIDATION_ERROR", "There was a problem with the request: at most 5 filterGroups")
        if sum(len(g.get("filters") or []) for g in groups) > 18:
            raise HubSpotFault(400, "VALIDATION_ERROR", "There was a problem with the request: at most 18 filters")
        for group in groups:
            filters = group.get("filters") or []
            if len(filters) > 6:
                raise HubSpotFault(400, "VALIDATION_ERROR", "at most 6 filters in a filterGroup")
            for f in filters:
                if f.get("operator") not in _OPERATORS or not f.get("propertyName"):
                    raise HubSpotFault(400, "VALIDATION_ERROR", f"Unsupported filter: {json.dumps(f)}")

        def matches(record: JsonDict) -> bool:
            if not groups:
                return True
            return any(all(self._holds(record, f) for f in g.get("filters") or []) for g in groups)

        limit = int(data.get("limit") or 10)
        if limit > 200:
            raise HubSpotFault(400, "VALIDATION_ERROR", "limit must be at most 200")
        after = int(data.get("after") or 0)
        found = [r for r in records if matches(r)]
        for sort in reversed(data.get("sorts") or []):
            key = sort.get("propertyName") if isinstance(sort, dict) else str(sort)
            descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"

            def sort_key(record: JsonDict, name: Any = key) -> str:
                return str(record["properties"].get(name) or "")

            found.sort(key=sort_key, reverse=descending)
        page = found[after : after + limit]
        payload: JsonDict = {
            "total": len(found),
            "results": [self._public(r, list(data.get("properties") or []), defaults) for r in page],
        }
        if after + limit < len(found):
            payload["paging"] = {"next": {"after": str(after + limit)}}
        return 200, payload

    @staticmethod
    def _holds(record: JsonDict, f: JsonDict) -> bool:
        value = record["properties"].get(f["propertyName"])
        op, wanted = f["operator"], f.get("value")
        if op == "HAS_PROPERTY":
            return bool(value not in (None, ""))
        if op == "NOT_HAS_PROPERTY":
            return bool(value in (None, ""))
        if value in (None, ""):
            return bool(op == "NEQ")
        if op in ("IN", "NOT_IN"):
            inside = str(value).lower() in {str(v).lower() for v in f.get("values") or []}
            return inside if op == "IN" else not inside
        left, right = str(value), str(wanted)
        if op in ("EQ", "NEQ"):
            same = left.lower() == right.lower()  # HubSpot compares strings ignoring case
            return same if op == "EQ" else not same
        try:
            a: Any = Decimal(left)
            b: Any = Decimal(right)
        except InvalidOperation:
            a, b = left, right
            if re.fullmatch(r"\d{10,15}", right):  # a date-time compared with epoch ms
                a, b = (
                    Decimal(str(datetime.fromisoformat(left.replace("Z", "+00:00")).timestamp() * 1000)),
                    Decimal(right),
                )
        return bool({"LT": a < b, "LTE": a <= b, "GT": a > b, "GTE": a >= b}[op])

    # ------------------------------------------------------------------ endpoints

    def _account_details(self, params: Any, data: Any) -> tuple[int, Any]:
        return 200, {
            "portalId": self.portal_id,
            "accountType": "STANDARD",
            "timeZone": "Asia/Tokyo",
            "companyCurrency": "JPY",
            "additionalCurrencies": [],
            "utcOffset": "+09:00",
            "utcOffsetMilliseconds": 32_400_000,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        }

    def _property_get(self, params: Any, data: Any, name: str) -> tuple[int, Any]:
        spec = self.properties.get(name)
        if spec is None:
            raise HubSpotFault(404, "OBJECT_NOT_FOUND", f"Unable to find property {name} for object type deals")
        return 200, spec

    def _property_create(self, params: Any, data: Any) -> tuple[int, Any]:
        if not isinstance(data, dict):
            raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON")
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not data.get(k)]
        if missing:
            raise HubSpotFault(400, "VALIDATION_ERROR", f"Missing required fields: {', '.join(missing)}")
        name, kind, field_type = data["name"], data["type"], data["fieldType"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise HubSpotFault(400, "VALIDATION_ERROR", f"Property name {name} must be lower case letters, digits, _")
        if kind not in _FIELD_TYPES or field_type not in _FIELD_TYPES[kind]:
            raise HubSpotFault(400, "VALIDATION_ERROR", f"fieldType {field_type} is not valid for type {kind}")
        if data["groupName"] not in _DEAL_GROUPS:
            raise HubSpotFault(400, "VALIDATION_ERROR", f"Property group {data['groupName']} does not exist")
        if name in self.properties:
            raise HubSpotFault(409, "OBJECT_ALREADY_EXISTS", f"A property named '{name}' already exists.")
        spec = self._property(name, kind, hubspot_defined=False, unique=bool(data.get("hasUniqueValue")))
        spec.update(
            label=data["label"],
            fieldType=field_type,
            groupName=data["groupName"],
            description=data.get("description", ""),
        )
        self.properties[name] = spec
        return 201, spec

    def _pipeline_get(self, params: Any, data: Any, pid: str) -> tuple[int, Any]:
        pipeline = self.pipelines.get(pid)
        if pipeline is None:
            raise HubSpotFault(404, "OBJECT_NOT_FOUND", f"Unable to find pipeline {pid} for object type deals")
        return 200, pipeline

    def _pipeline_list(self, params: Any, data: Any) -> tuple[int, Any]:
        return 200, {"results": list(self.pipelines.values())}

    def _owners_page(self, params: dict[str, list[str]], data: Any) -> tuple[int, Any]:
        email = (params.get("email") or [""])[0].lower()
        limit = int((params.get("limit") or ["100"])[0])
        owners = [o for o in self.owners.values() if not email or o["email"].lower() == email]
        return 200, {"results": owners[:limit]}

    def _deal_get(self, params: dict[str, list[str]], data: Any, did: str) -> tuple[int, Any]:
        id_property = (params.get("idProperty") or [""])[0]
        if id_property:
            spec = self.properties.get(id_property)
            if spec is None or not (spec.get("hasUniqueValue") or id_property == "hs_object_id"):
                raise HubSpotFault(400, "VALIDATION_ERROR", f"{id_property} is not a unique identifier property")
            deal = next((d for d in self.deals.values() if d["properties"].get(id_property) == did), None)
        else:
            deal = self.deals.get(did)
        if deal is None:
            return 404, None  # HubSpot answers a missing object with an empty 404
        return 200, self._public(deal, self._wants(params, "properties"), ("createdate", "hs_lastmodifieddate"))

    def _deals_page(self, params: dict[str, list[str]], data: Any) -> tuple[int, Any]:
        limit = int((params.get("limit") or ["10"])[0])
        wanted = self._wants(params, "properties")
        deals = [self._public(d, wanted, ("dealname", "amount", "closedate")) for d in self.deals.values()]
        return 200, {"results": deals[:limit]}

    def _deal_create(self, params: Any, data: Any) -> tuple[int, Any]:
        if not isinstance(data, dict) or "properties" not in data:
            raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON: properties is required")
        clean = self._deal_properties(data["properties"], None)
        companies: list[str] = []
        for assoc in data.get("associations") or []:
            to = str((assoc.get("to") or {}).get("id") or "")
            types = assoc.get("types") or []
            if to not in self.companies:
                raise HubSpotFault(400, "VALIDATION_ERROR", f"One or more associations are invalid: company {to}")
            if not any(
                t.get("associationCategory") == "HUBSPOT_DEFINED" and t.get("associationTypeId") == DEAL_TO_COMPANY
                for t in types
            ):
                raise HubSpotFault(400, "VALIDATION_ERROR", f"Invalid association type for deal to company: {types}")
            companies.append(to)
        did = str(next(self._ids))
        now = _iso(self.clock())
        properties = {
            "pipeline": "default",
            **clean,
            "hs_object_id": did,
            "createdate": now,
            "hs_lastmodifieddate": now,
        }
        self.deals[did] = {"id": did, "properties": properties, "createdAt": now, "updatedAt": now, "archived": False}
        for cid in companies:
            self.associations.add((did, cid))
        return 201, self._public(self.deals[did], list(clean), ("createdate", "hs_lastmodifieddate"))

    def _deal_update(self, params: Any, data: Any, did: str) -> tuple[int, Any]:
        deal = self.deals.get(did)
        if deal is None:
            return 404, None
        if not isinstance(data, dict) or "properties" not in data:
            raise HubSpotFault(400, "VALIDATION_ERROR", "Invalid input JSON: properties is required")
        clean = self._deal_properties(data["properties"], deal["properties"])
        deal["properties"].update(clean)
        deal["updatedAt"] = deal["properties"]["hs_lastmodifieddate"] = _iso(self.clock())
        return 200, self._public(deal, list(clean), ("createdate", "hs_lastmodifieddate"))

    def _deals_search(self, params: Any, data: Any) -> tuple[int, Any]:
        return self._search(self.deals.values(), data, ("createdate", "hs_lastmodifieddate", "hs_object_id"))

    def _companies_search(self, params: Any, data: Any) -> tuple[int, Any]:
        return self._search(self.companies.values(), data, ("createdate", "hs_lastmodifieddate", "hs_object_id"))

    def _companies_page(self, params: dict[str, list[str]], data: Any) -> tuple[int, Any]:
        limit = int((params.get("limit") or ["10"])[0])
        return 200, {"results": [self._public(c, [], ("name",)) for c in self.companies.values()][:limit]}

    def _company_get(self, params: dict[str, list[str]], data: Any, cid: str) -> tuple[int, Any]:
        company = self.companies.get(cid)
        if company is None:
            return 404, None
        return 200, self._public(company, self._wants(params, "properties"), ("name",))

    def _default_association(self, params: Any, data: Any, ft: str, did: str, tt: str, cid: str) -> tuple[int, Any]:
        if did not in self.deals or cid not in self.companies:
            raise HubSpotFault(400, "VALIDATION_ERROR", f"No deal {did} or company {cid} to associate")
        self.associations.add((did, cid))
        now = _iso(self.clock())
        return 200, {
            "status": "COMPLETE",
            "results": [
                {
                    "from": {"id": did},
                    "to": {"id": cid},
                    "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": DEAL_TO_COMPANY},
                }
            ],
            "startedAt": now,
            "completedAt": now,
        }
