"""Salesforce opportunities through `simple-salesforce`, logged in by hiyoko itself (SPEC "CRM").

hiyoko posts the OAuth grant to `{SALESFORCE_LOGIN_URL}/services/oauth2/token` — the JWT bearer grant
(an RS256 assertion: iss = consumer key, sub = username, aud = the login URL, exp = now + 3 minutes)
or the password grant (client id and secret, username, password + security token) — and hands the
answer's `instance_url` and `access_token` to `Salesforce(instance_url=…, session_id=…)`. A call that
meets INVALID_SESSION_ID logs in again once and is made again.

The signal id is the Opportunity's external id `Hiyoko_Signal_Id__c` (an admin makes it). A hand-off
reads the opportunity by it; when there is none it is written with an upsert by external id
(`PATCH …/Opportunity/Hiyoko_Signal_Id__c/S-000123`: 201 created, 200/204 updated), which can never
make a second one, even when two attempts race. Salesforce requires a close date: the timing's, else
today + 90 days. The card's permalink goes into `Description` at creation.

Won and lost come back by polling (`changes_since`): opportunities carrying a signal id whose
SystemModstamp moved past the cursor, oldest first.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import jwt
import requests
from simple_salesforce.api import Salesforce, SFType
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from crm.gateway import Check, CrmError, DealChange, DealDraft, DealRef, Outcome
from settings import Settings

EXTERNAL_ID = "Hiyoko_Signal_Id__c"
API_VERSION = "59.0"
DEFAULT_TIMEOUT = 10.0
CLOSE_DATE_DAYS = 90  # Salesforce requires a close date; with no timing, a quarter from today
JWT_LIFETIME = timedelta(minutes=3)
# SystemModstamp is set when a transaction starts, so a change committed late can carry a stamp
# older than one the last poll already saw: each poll looks this far back again (the store hears
# each change once, by its key).
POLL_OVERLAP = timedelta(minutes=5)
_SALESFORCE_ID = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")
_RETRYABLE_CODES = frozenset(
    {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW", "API_CURRENTLY_DISABLED"}
)

T = TypeVar("T")


class _TimeoutSession(requests.Session):
    """A requests session whose calls time out (simple_salesforce passes none of its own)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


@dataclass(frozen=True)
class Stage:
    name: str  # the StageName value (OpportunityStage.ApiName)
    outcome: Outcome


def soql_quote(text: str) -> str:
    """A SOQL string literal: backslash and quote escaped, control characters spelled out."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + escaped.replace("\t", "\\t") + "'"


def soql_datetime(stamp: str, *, back: timedelta = timedelta(0)) -> str:
    """Salesforce answers 2026-11-23T01:00:00.000+0000; SOQL takes 2026-11-23T01:00:00.000Z (`back` earlier)."""
    moment = datetime.fromisoformat(re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", stamp.replace("Z", "+00:00")))
    moment = moment.astimezone(UTC) - back
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _error_parts(exc: SalesforceError) -> tuple[str, str]:
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode") or ""), str(content[0].get("message") or "")
    return "", str(content)[:300]


def crm_error(exc: SalesforceError, doing: str) -> CrmError:
    """Salesforce's answer as a CrmError: limits and 5xx retry, field and permission errors do not."""
    code, message = _error_parts(exc)
    text = f"Salesforce {doing}: {exc.status} {code} {message}".strip()
    if code in _RETRYABLE_CODES or exc.status >= 500 or exc.status == 401:
        return CrmError(text)
    if isinstance(exc, SalesforceRefusedRequest | SalesforceMalformedRequest):
        return CrmError(text, permanent=True)
    if isinstance(exc, SalesforceGeneralError) and exc.status < 500:
        return CrmError(text, permanent=True)
    return CrmError(text, permanent=exc.status < 500)


class SalesforceGateway:
    """The CrmGateway of Salesforce (see the module docstring)."""

    name = "Salesforce"

    def __init__(
        self,
        *,
        login_url: str = "https://login.salesforce.com",
        consumer_key: str,
        username: str,
        private_key: bytes | None = None,
        consumer_secret: str | None = None,
        password: str | None = None,
        security_token: str | None = None,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if private_key is None and not (consumer_secret and password is not None and security_token is not None):
            raise CrmError("Salesforce needs a private key (JWT) or secret + password + token", permanent=True)
        self.login_url = login_url.rstrip("/")
        self.consumer_key = consumer_key
        self.username = username
        self._private_key = private_key
        self._consumer_secret = consumer_secret
        self._password = password
        self._security_token = security_token
        self._session = session or _TimeoutSession(timeout)
        self.timeout = timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._login_lock = threading.Lock()
        self._sf: Salesforce | None = None
        self.instance_url = ""
        self._stages: list[Stage] | None = None
        self.logins = 0

    @classmethod
    def from_settings(cls, settings: Settings, *, session: requests.Session | None = None) -> SalesforceGateway:
        """The gateway HIYOKO_CRM=salesforce asks for (SALESFORCE_* settings)."""
        if not settings.salesforce_consumer_key or not settings.salesforce_username:
            raise CrmError("SALESFORCE_CONSUMER_KEY and SALESFORCE_USERNAME are required", permanent=True)
        key_file = settings.salesforce_private_key_file
        try:
            private_key = Path(key_file).read_bytes() if key_file else None
        except OSError as exc:
            raise CrmError(f"SALESFORCE_PRIVATE_KEY_FILE cannot be read: {exc}", permanent=True) from exc
        return cls(
            login_url=settings.salesforce_login_url,
            consumer_key=settings.salesforce_consumer_key,
            username=settings.salesforce_username,
            private_key=private_key,
            consumer_secret=settings.salesforce_consumer_secret,
            password=settings.salesforce_password,
            security_token=settings.salesforce_security_token,
            session=session,
        )

    # ------------------------------------------------------------------ login

    def _grant(self) -> dict[str, str]:
        if self._private_key is not None:
            now = int(self.clock())
            claims = {
                "iss": self.consumer_key,
                "sub": self.username,
                "aud": self.login_url,
                "exp": now + int(JWT_LIFETIME.total_seconds()),
            }
            assertion = jwt.encode(claims, self._private_key, algorithm="RS256")
            return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        return {
            "grant_type": "password",
            "client_id": self.consumer_key,
            "client_secret": self._consumer_secret or "",
            "username": self.username,
            "password": (self._password or "") + (self._security_token or ""),
        }

    def login(self) -> Salesforce:
        """Post the grant and open a session on the instance it names."""
        try:
            response = self._session.post(
                f"{self.login_url}/services/oauth2/token", data=self._grant(), timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise CrmError(f"Salesforce login: {type(exc).__name__}: {exc}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code != 200 or not isinstance(payload, dict) or "access_token" not in payload:
            error = payload.get("error", "") if isinstance(payload, dict) else ""
            detail = payload.get("error_description", "") if isinstance(payload, dict) else ""
            text = f"Salesforce login: {response.status_code} {error} {detail}".strip()
            raise CrmError(text, permanent=400 <= response.status_code < 500)
        self.instance_url = str(payload["instance_url"]).rstrip("/")
        sf = Salesforce(
            instance_url=self.instance_url,
            session_id=payload["access_token"],
            session=self._session,
            version=API_VERSION,
        )
        with self._lock:
            self._sf = sf
            self.logins += 1
        return sf

    def _relogin(self, stale: Salesforce | None) -> Salesforce:
        """Log in, unless another thread already replaced the session that ended."""
        with self._login_lock:
            current = self._sf
            if current is not None and current is not stale:
                return current
            return self.login()

    def _run(self, doing: str, fn: Callable[[Salesforce], T]) -> T:
        """One API call; logged in first when needed, and once again when the session has ended."""
        sf = self._sf or self._relogin(None)
        for attempt in (1, 2):
            try:
                return fn(sf)
            except SalesforceExpiredSession as exc:
                if attempt == 2:
                    raise crm_error(exc, doing) from exc
                sf = self._relogin(sf)
            except SalesforceError as exc:
                raise crm_error(exc, doing) from exc
            except requests.RequestException as exc:
                raise CrmError(f"Salesforce {doing}: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    def _query(self, doing: str, soql: str) -> list[dict[str, Any]]:
        result = self._run(doing, lambda sf: sf.query_all(soql))
        return list(result.get("records") or [])

    # ------------------------------------------------------------------ what the org holds

    def stages(self) -> list[Stage]:
        """The active stages in sort order (read once)."""
        if self._stages is None:
            rows = self._query(
                "stages",
                "SELECT ApiName, IsClosed, IsWon, SortOrder FROM OpportunityStage WHERE IsActive = true"
                " ORDER BY SortOrder ASC",
            )
            self._stages = [
                Stage(str(r["ApiName"]), "won" if r["IsWon"] else ("lost" if r["IsClosed"] else "open")) for r in rows
            ]
        return self._stages

    def warm_up(self) -> None:
        self.stages()  # logs in first

    def stage_for(self, outcome: Outcome) -> str:
        for stage in self.stages():
            if stage.outcome == outcome:
                return stage.name
        raise CrmError(f"Salesforce has no active {outcome} opportunity stage", permanent=True)

    def owner_id(self, email: str | None) -> str | None:
        if not email:
            return None
        rows = self._query(
            "owner by e-mail",
            f"SELECT Id FROM User WHERE Email = {soql_quote(email)} AND IsActive = true LIMIT 1",
        )
        return str(rows[0]["Id"]) if rows else None

    def account_id(self, crm_id: str | None, name: str) -> str | None:
        """The Accounts tab's CRM ID when Salesforce knows it, else the one account named exactly so."""
        if crm_id and _SALESFORCE_ID.fullmatch(crm_id.strip()):
            rows = self._query("account by id", f"SELECT Id FROM Account WHERE Id = {soql_quote(crm_id.strip())}")
            if rows:
                return str(rows[0]["Id"])
        wanted = name.strip()
        if not wanted:
            return None
        rows = self._query("account by name", f"SELECT Id, Name FROM Account WHERE Name = {soql_quote(wanted)} LIMIT 2")
        exact = [r for r in rows if str(r.get("Name") or "").strip() == wanted]  # SOQL's = ignores case
        return str(exact[0]["Id"]) if len(exact) == 1 else None

    def find(self, signal_id: str) -> dict[str, Any] | None:
        rows = self._query(
            "opportunity by signal id",
            f"SELECT Id, StageName, IsClosed, IsWon FROM Opportunity WHERE {EXTERNAL_ID} = {soql_quote(signal_id)}"
            " LIMIT 1",
        )
        return rows[0] if rows else None

    def url_of(self, opportunity_id: str) -> str:
        return f"{self.instance_url}/lightning/r/Opportunity/{opportunity_id}/view"

    # ------------------------------------------------------------------ the Protocol

    def upsert(self, draft: DealDraft) -> DealRef:
        """Find the opportunity by signal id, else create it by an upsert on the external id."""
        if self._sf is None:
            self.login()
        # The reads do not depend on each other: asked together, a slow org costs one round trip, not four.
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="salesforce-read") as pool:
            owner_read = pool.submit(self.owner_id, draft.owner_email)
            account_read = pool.submit(self.account_id, draft.company_crm_id, draft.company_name)
            existing_read = pool.submit(self.find, draft.signal_id)
            stages_read = pool.submit(self.stages)
            owner, account, existing = owner_read.result(), account_read.result(), existing_read.result()
            stages_read.result()
        fields: dict[str, Any] = {"Name": draft.name[:120]}
        if draft.amount is not None:
            fields["Amount"] = float(draft.amount)  # a JSON number; currency fields hold 18 digits
        fields["CloseDate"] = (draft.close_date or self._default_close()).isoformat()
        if owner:
            fields["OwnerId"] = owner
        if account:
            fields["AccountId"] = account
        if existing is None:
            body = {**fields, "StageName": self.stage_for(draft.outcome), "Description": draft.permalink}
            response = self._run(
                "opportunity upsert",
                lambda sf: _opportunity(sf).upsert(f"{EXTERNAL_ID}/{draft.signal_id}", body, raw_response=True),
            )
            created = response.status_code == 201
            payload = response.json() if response.content else {}
            opportunity_id = str(payload.get("id") or "")
            if not opportunity_id:  # 204 (an API before 46.0): read the id back
                found = self.find(draft.signal_id)
                opportunity_id = str((found or {}).get("Id") or "")
        else:
            opportunity_id = str(existing["Id"])
            created = False
            current = _outcome_of(existing)
            if current != draft.outcome:  # an open opportunity in a later open stage stays where it is
                fields["StageName"] = self.stage_for(draft.outcome)
            self._run("opportunity update", lambda sf: _opportunity(sf).update(opportunity_id, fields))
        return DealRef(
            crm_id=opportunity_id,
            url=self.url_of(opportunity_id),
            created=created,
            owner_found=owner is not None,
            company_found=account is not None,
        )

    def _default_close(self) -> date:
        return datetime.fromtimestamp(self.clock(), tz=UTC).date() + timedelta(days=CLOSE_DATE_DAYS)

    def set_outcome(self, crm_id: str, outcome: Outcome) -> None:
        """Move the opportunity to the first won, lost or open stage."""
        stage = self.stage_for(outcome)
        self._run("opportunity stage", lambda sf: _opportunity(sf).update(crm_id, {"StageName": stage}))

    def changes_since(self, cursor: str) -> tuple[list[DealChange], str]:
        """Opportunities with a signal id changed after `cursor` (a SystemModstamp; "" = from now), oldest first.

        A closed one is won or lost; an open one is "open" (a reopen when hiyoko has it closed; else nothing).
        """
        if not cursor:
            rows = self._query(
                "latest change",
                f"SELECT SystemModstamp FROM Opportunity WHERE {EXTERNAL_ID} != null"
                " ORDER BY SystemModstamp DESC LIMIT 1",
            )
            now = datetime.fromtimestamp(self.clock(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            return ([], str(rows[0]["SystemModstamp"]) if rows else now)
        rows = self._query(
            "changed opportunities",
            f"SELECT Id, {EXTERNAL_ID}, StageName, IsClosed, IsWon, SystemModstamp FROM Opportunity"
            f" WHERE {EXTERNAL_ID} != null AND SystemModstamp > {soql_datetime(cursor, back=POLL_OVERLAP)}"
            " ORDER BY SystemModstamp ASC, Id ASC",
        )
        changes = [
            DealChange(
                key=f"sf:{r['Id']}:{r['SystemModstamp']}",
                crm_id=str(r["Id"]),
                signal_id=str(r[EXTERNAL_ID]) if r.get(EXTERNAL_ID) else None,
                outcome=_outcome_of(r),
                at=datetime.fromisoformat(soql_datetime(str(r["SystemModstamp"])).replace("Z", "+00:00")),
            )
            for r in rows
        ]
        newest = max([cursor, *(str(r["SystemModstamp"]) for r in rows)], key=soql_datetime)
        return (changes, newest)

    def check(self) -> list[Check]:
        """Login, the external id field, create/edit rights, stages: for `hiyoko doctor`."""
        checks: list[Check] = []
        how = "JWT bearer" if self._private_key is not None else "password"
        try:
            self.login()
            checks.append(Check(True, "Salesforce login", f"{how} as {self.username} → {self.instance_url}"))
        except CrmError as exc:
            checks.append(Check(False, "Salesforce login", str(exc)))
            return checks
        try:
            describe = self._run("describe Opportunity", lambda sf: _opportunity(sf).describe())
            fields = {f["name"]: f for f in describe.get("fields") or []}
            field = fields.get(EXTERNAL_ID)
            if field is None:
                checks.append(
                    Check(
                        False,
                        f"Opportunity field {EXTERNAL_ID}",
                        "missing: an admin must create it (Text, External ID, Unique)",
                    )
                )
            elif not field.get("externalId"):
                checks.append(Check(False, f"Opportunity field {EXTERNAL_ID}", "exists but is not marked External ID"))
            else:
                checks.append(Check(True, f"Opportunity field {EXTERNAL_ID}", "external id"))
            rights = [
                word
                for word, ok in (("create", describe.get("createable")), ("edit", describe.get("updateable")))
                if not ok
            ]
            if rights:
                checks.append(
                    Check(False, "Opportunity permissions", f"this user cannot {' or '.join(rights)} opportunities")
                )
            else:
                checks.append(Check(True, "Opportunity permissions", "create and edit"))
        except CrmError as exc:
            checks.append(Check(False, "Opportunity describe", str(exc)))
        try:
            stages = self.stages()
            missing = [o for o in ("open", "won", "lost") if not any(s.outcome == o for s in stages)]
            names = ", ".join(f"{s.name} ({s.outcome})" for s in stages)
            checks.append(
                Check(not missing, "opportunity stages", f"no {'/'.join(missing)} stage: {names}" if missing else names)
            )
        except CrmError as exc:
            checks.append(Check(False, "opportunity stages", str(exc)))
        return checks


def _opportunity(sf: Salesforce) -> SFType:
    return cast(SFType, sf.Opportunity)  # simple_salesforce types attribute access as any object kind


def _outcome_of(row: dict[str, Any]) -> Outcome:
    if row.get("IsWon"):
        return "won"
    return "lost" if row.get("IsClosed") else "open"
