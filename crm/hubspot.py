"""HubSpot deals through the official `hubspot-api-client` (CRM v3, a private-app token).

The signal id lives in the deal property `hiyoko_signal_id` (string, unique values), made once when
missing. A hand-off first reads the deal by that property (`GET /crm/v3/objects/deals/{id}?idProperty=`,
which, unlike search, sees a deal the moment it is made), and creates only when there is none; a create
that races another meets the property's uniqueness and is read back instead.

The permalink of the card goes into the deal's `description` at creation (a field every portal shows;
later edits by the rep are left alone). Won and lost come back by webhook (crm/webhook.py), so
`changes_since` polls nothing.

The client's urllib3 pools are built with no retries of their own: urllib3's default retries a GET or
PUT that got 429 + Retry-After after sleeping, which would hide HubSpot's rate limit from the outbox.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

import certifi
import hubspot
import hubspot.crm.associations.v4 as hs_assoc
import hubspot.crm.companies as hs_companies
import hubspot.crm.deals as hs_deals
import hubspot.crm.owners as hs_owners
import hubspot.crm.pipelines as hs_pipelines
import hubspot.crm.properties as hs_properties
import requests
import urllib3
from urllib3.util.retry import Retry

from crm.gateway import Check, CrmError, DealChange, DealDraft, DealRef, Outcome
from crm.webhook import StageEvent
from settings import Settings

SIGNAL_PROPERTY = "hiyoko_signal_id"
DEAL_TO_COMPANY = 5  # HubSpot-defined association type "deal to company" (the primary company)
RATE_WINDOW_SECONDS = 10.0  # HubSpot's burst limit is per rolling ten seconds
DEFAULT_TIMEOUT = 10.0

_API_ERRORS: tuple[type[Exception], ...] = (
    hs_deals.ApiException,
    hs_companies.ApiException,
    hs_owners.ApiException,
    hs_pipelines.ApiException,
    hs_properties.ApiException,
    hs_assoc.ApiException,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    outcome: Outcome


def _ca_bundle() -> str:
    """The CA file `requests` would use: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi's."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()


def _proxy_for(url: str) -> str | None:
    """The proxy `requests` would use for this URL (HTTPS_PROXY & co., NO_PROXY honoured)."""
    proxies = requests.utils.get_environ_proxies(url)
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def _stage_outcome(metadata: Any) -> Outcome:
    """Won and lost are the closed stages; HubSpot says which by probability 1.0 / 0.0."""
    meta = metadata if isinstance(metadata, dict) else {}
    if str(meta.get("isClosed", "")).lower() != "true":
        return "open"
    try:
        probability = float(meta.get("probability", ""))
    except ValueError:
        return "lost"
    return "won" if probability >= 1.0 else "lost"


def _error_message(body: Any) -> tuple[str, str]:
    """HubSpot's error JSON: its message and category (e.g. MISSING_SCOPES, VALIDATION_ERROR)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(body) if isinstance(body, str) and body else {}
    except ValueError:
        return (str(body)[:200], "")
    if not isinstance(parsed, dict):
        return (str(body)[:200], "")
    message = str(parsed.get("message") or "")
    for error in parsed.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        scopes = (context or {}).get("requiredGranularScopes") or (context or {}).get("requiredScopes")
        if scopes:
            message += f" (needs {', '.join(map(str, scopes))})"
    return (message, str(parsed.get("category") or parsed.get("errorType") or ""))


def _retry_after(headers: Any) -> float:
    value = None
    if headers is not None:
        value = headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else RATE_WINDOW_SECONDS
    except ValueError:
        return RATE_WINDOW_SECONDS


def crm_error(status: int, body: Any, headers: Any, doing: str) -> CrmError:
    """HubSpot's answer as a CrmError: 429 waits as told, 5xx retries, the rest is permanent."""
    message, category = _error_message(body)
    where = f"HubSpot {doing}: {status} {category} {message}".strip()
    if status == 429:
        return CrmError(where, retry_after=_retry_after(headers))
    if status >= 500 or status in (0, 408):
        return CrmError(where)
    return CrmError(where, permanent=True)


class HubSpotGateway:
    """The CrmGateway of HubSpot (see the module docstring)."""

    name = "HubSpot"

    def __init__(
        self,
        *,
        access_token: str,
        api_url: str = "https://api.hubapi.com",
        pipeline: str = "default",
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.pipeline = pipeline
        self.timeout = timeout
        self._token = access_token
        self._session = session or requests.Session()
        client = hubspot.HubSpot(
            access_token=access_token,
            host=self.api_url,
            retry=Retry(total=0, connect=0, read=0, redirect=0, status=0, respect_retry_after_header=False),
            ssl_ca_cert=_ca_bundle(),
            proxy=_proxy_for(self.api_url),
        )
        # Each attribute access builds a new ApiClient and connection pool: build them once.
        self._deals_basic = client.crm.deals.basic_api
        self._companies_basic = client.crm.companies.basic_api
        self._companies_search = client.crm.companies.search_api
        self._owners = client.crm.owners.owners_api
        self._pipelines = client.crm.pipelines.pipelines_api
        self._properties = client.crm.properties.core_api
        self._associations = client.crm.associations.v4.basic_api
        self._lock = threading.Lock()
        self._stages: list[Stage] | None = None
        self._property_ready = False
        self._portal: tuple[str, str] | None = None  # (portal id, UI domain)

    @classmethod
    def from_settings(cls, settings: Settings, *, session: requests.Session | None = None) -> HubSpotGateway:
        """The gateway HIYOKO_CRM=hubspot asks for (HUBSPOT_ACCESS_TOKEN, HUBSPOT_API_URL, HUBSPOT_PIPELINE)."""
        if not settings.hubspot_access_token:
            raise CrmError("HUBSPOT_ACCESS_TOKEN is not set", permanent=True)
        return cls(
            access_token=settings.hubspot_access_token,
            api_url=settings.hubspot_api_url,
            pipeline=settings.hubspot_pipeline,
            session=session,
        )

    # ------------------------------------------------------------------ plumbing

    def _call(self, doing: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, _request_timeout=self.timeout, **kwargs)
        except _API_ERRORS as exc:
            status = int(getattr(exc, "status", 0) or 0)
            body = getattr(exc, "body", None) or json.dumps({"message": str(getattr(exc, "reason", "") or "")})
            raise crm_error(status, body, getattr(exc, "headers", None), doing) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise CrmError(f"HubSpot {doing}: {type(exc).__name__}: {exc}") from exc

    def _get_json(self, path: str, doing: str) -> dict[str, Any]:
        """An endpoint the client has no typed API for (account info), with the same token."""
        try:
            response = self._session.get(
                self.api_url + path, headers={"Authorization": f"Bearer {self._token}"}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise CrmError(f"HubSpot {doing}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise crm_error(response.status_code, response.content, response.headers, doing)
        payload = response.json()
        if not isinstance(payload, dict):
            raise CrmError(f"HubSpot {doing}: unexpected answer")
        return payload

    @staticmethod
    def _status_of(exc: CrmError) -> int:
        cause = exc.__cause__
        return int(getattr(cause, "status", 0) or 0)

    # ------------------------------------------------------------------ what the portal holds

    def stages(self) -> list[Stage]:
        """The pipeline's stages in display order (read once)."""
        with self._lock:
            if self._stages is not None:
                return self._stages
        pipeline = self._call(f"pipeline {self.pipeline}", self._pipelines.get_by_id, "deals", self.pipeline)
        ordered = sorted((s for s in pipeline.stages if not s.archived), key=lambda s: s.display_order)
        stages = [Stage(id=s.id, label=s.label, outcome=_stage_outcome(s.metadata)) for s in ordered]
        with self._lock:
            self._stages = stages
        return stages

    def stage_for(self, outcome: Outcome) -> str:
        """The first stage (in display order) that means this outcome."""
        for stage in self.stages():
            if stage.outcome == outcome:
                return stage.id
        raise CrmError(f"HubSpot pipeline {self.pipeline} has no {outcome} stage", permanent=True)

    def warm_up(self) -> None:
        self.stages()
        self.portal()

    def outcome_of_stage(self, stage_id: str) -> Outcome | None:
        """What a stage of our pipeline means (None: a stage of another pipeline, or unknown)."""
        for stage in self.stages():
            if stage.id == stage_id:
                return stage.outcome
        return None

    def ensure_property(self) -> bool:
        """Make `hiyoko_signal_id` when the portal lacks it; True when it was made now."""
        if self._property_ready:
            return False
        made = False
        try:
            self._call("property read", self._properties.get_by_name, "deals", SIGNAL_PROPERTY)
        except CrmError as exc:
            if self._status_of(exc) != 404:
                raise
            spec = hs_properties.PropertyCreate(
                name=SIGNAL_PROPERTY,
                label="hiyoko signal ID",
                type="string",
                field_type="text",
                group_name="dealinformation",
                has_unique_value=True,
                description="The hiyoko signal this deal came from (S-000123). Set by hiyoko; do not edit.",
            )
            try:
                self._call("property create", self._properties.create, "deals", spec)
                made = True
            except CrmError as create_exc:
                if self._status_of(create_exc) != 409:  # made meanwhile by another worker
                    raise
        self._property_ready = True
        return made

    def portal(self) -> tuple[str, str]:
        """(portal id, UI domain) from the account details, read once."""
        if self._portal is None:
            details = self._get_json("/account-info/v3/details", "account details")
            self._portal = (str(details["portalId"]), str(details.get("uiDomain") or "app.hubspot.com"))
        return self._portal

    def deal_url(self, deal_id: str) -> str:
        portal, domain = self.portal()
        return f"https://{domain}/contacts/{portal}/deal/{deal_id}"

    def owner_id(self, email: str | None) -> str | None:
        if not email:
            return None
        page = self._call("owner by e-mail", self._owners.get_page, email=email, limit=1)
        for owner in page.results or []:
            if (owner.email or "").lower() == email.lower() and not owner.archived:
                return str(owner.id)
        return None

    def company_id(self, crm_id: str | None, name: str) -> str | None:
        """The Accounts tab's CRM ID when HubSpot knows it, else the one company named exactly so."""
        if crm_id:
            try:
                company = self._call("company by id", self._companies_basic.get_by_id, crm_id.strip())
                return str(company.id)
            except CrmError as exc:
                if self._status_of(exc) not in (400, 404):
                    raise
        wanted = name.strip()
        if not wanted:
            return None
        search = hs_companies.PublicObjectSearchRequest(
            filter_groups=[
                hs_companies.FilterGroup(
                    filters=[hs_companies.Filter(property_name="name", operator="EQ", value=wanted)]
                )
            ],
            properties=["name"],
            limit=10,
        )
        found = self._call("company by name", self._companies_search.do_search, search)
        exact = [c for c in found.results or [] if (c.properties or {}).get("name", "").strip() == wanted]
        return str(exact[0].id) if len(exact) == 1 else None  # two of the same name: guess none

    def find_deal(self, signal_id: str) -> Any | None:
        """The deal carrying this signal id, or None."""
        try:
            return self._call(
                "deal by signal id",
                self._deals_basic.get_by_id,
                signal_id,
                properties=[SIGNAL_PROPERTY, "dealstage", "pipeline"],
                id_property=SIGNAL_PROPERTY,
            )
        except CrmError as exc:
            if self._status_of(exc) == 404:
                return None
            raise

    # ------------------------------------------------------------------ the Protocol

    def upsert(self, draft: DealDraft) -> DealRef:
        """Find the deal by signal id, else create it; either way its fields follow the draft."""
        self.ensure_property()  # reading by idProperty needs the property
        # The reads do not depend on each other: asked together, a slow CRM costs one round trip, not five.
        with ThreadPoolExecutor(max_workers=5, thread_name_prefix="hubspot-read") as pool:
            owner_read = pool.submit(self.owner_id, draft.owner_email)
            company_read = pool.submit(self.company_id, draft.company_crm_id, draft.company_name)
            deal_read = pool.submit(self.find_deal, draft.signal_id)
            stages_read = pool.submit(self.stages)
            portal_read = pool.submit(self.portal)
            owner, company, deal = owner_read.result(), company_read.result(), deal_read.result()
            stages_read.result()
            portal_read.result()
        fields = _deal_fields(draft, owner)
        created = False
        if deal is None:
            properties = {
                **fields,
                SIGNAL_PROPERTY: draft.signal_id,
                "pipeline": self.pipeline,
                "dealstage": self.stage_for(draft.outcome),
                "description": draft.permalink,
            }
            associations = (
                [
                    hs_deals.PublicAssociationsForObject(
                        to=hs_deals.PublicObjectId(id=company),
                        types=[
                            hs_deals.AssociationSpec(
                                association_category="HUBSPOT_DEFINED", association_type_id=DEAL_TO_COMPANY
                            )
                        ],
                    )
                ]
                if company
                else None
            )
            body = hs_deals.SimplePublicObjectInputForCreate(properties=properties, associations=associations)
            try:
                deal = self._call("deal create", self._deals_basic.create, body)
                created = True
            except CrmError as exc:
                # The unique property refused a second deal: another attempt made it; use that one.
                if self._status_of(exc) not in (400, 409):
                    raise
                deal = self.find_deal(draft.signal_id)
                if deal is None:
                    raise
        if not created:
            current = self.outcome_of_stage(str((deal.properties or {}).get("dealstage") or ""))
            if current != draft.outcome:  # an open deal in a later open stage stays where the rep put it
                fields["dealstage"] = self.stage_for(draft.outcome)
            update = hs_deals.SimplePublicObjectInput(properties=fields)
            self._call("deal update", self._deals_basic.update, str(deal.id), update)
            if company:
                self._call(
                    "deal company association",
                    self._associations.create_default,
                    "deal",
                    str(deal.id),
                    "company",
                    company,
                )
        return DealRef(
            crm_id=str(deal.id),
            url=self.deal_url(str(deal.id)),
            created=created,
            owner_found=owner is not None,
            company_found=company is not None,
        )

    def set_outcome(self, crm_id: str, outcome: Outcome) -> None:
        """Move the deal to the pipeline's won, lost or first open stage."""
        update = hs_deals.SimplePublicObjectInput(properties={"dealstage": self.stage_for(outcome)})
        self._call("deal stage", self._deals_basic.update, crm_id, update)

    def changes_since(self, cursor: str) -> tuple[list[DealChange], str]:
        """HubSpot tells won/lost by webhook (POST /crm/hubspot), so there is nothing to poll."""
        return ([], cursor)

    def changes_of(self, events: Iterable[StageEvent]) -> list[DealChange]:
        """Webhook stage events as outcomes; stages of other pipelines are left out."""
        changes: list[DealChange] = []
        for event in events:
            outcome = self.outcome_of_stage(event.stage_id)
            if outcome is not None:
                changes.append(
                    DealChange(key=event.key, crm_id=event.crm_id, signal_id=None, outcome=outcome, at=event.at)
                )
        return changes

    def _probe_deal_write(self) -> None:
        """Write to a deal that cannot exist: 404 means the token may write deals, 403 names the missing scope
        (HubSpot checks scopes before it looks for the object)."""
        try:
            self._call("deals write", self._deals_basic.update, "0", hs_deals.SimplePublicObjectInput(properties={}))
        except CrmError as exc:
            if self._status_of(exc) != 404:
                raise

    def check(self) -> list[Check]:
        """Token, scopes, pipeline and stages, the signal-id property: for `hiyoko doctor`."""
        checks: list[Check] = []
        try:
            portal, _domain = self.portal()
            checks.append(Check(True, "HubSpot token", f"portal {portal}"))
        except CrmError as exc:
            checks.append(Check(False, "HubSpot token", str(exc)))
            return checks  # nothing else can answer with a refused token

        def probe(what: str, fn: Callable[[], object], ok: str) -> None:
            try:
                fn()
                checks.append(Check(True, what, ok))
            except CrmError as exc:
                checks.append(Check(False, what, str(exc)))

        def deals_read_and_write() -> None:
            self._call("deals read", self._deals_basic.get_page, limit=1)
            self._probe_deal_write()

        probe("HubSpot deals (crm.objects.deals.read/write)", deals_read_and_write, "can read and write deals")
        probe("HubSpot owners (crm.objects.owners.read)", lambda: self.owner_id("hiyoko-doctor@invalid"), "can look up")
        probe(
            "HubSpot companies (crm.objects.companies.read)",
            lambda: self._call("companies read", self._companies_basic.get_page, limit=1),
            "can read companies",
        )
        try:
            stages = self.stages()
            missing = [o for o in ("open", "won", "lost") if not any(s.outcome == o for s in stages)]
            labels = ", ".join(f"{s.label} ({s.outcome})" for s in stages)
            if missing:
                checks.append(
                    Check(False, f"pipeline {self.pipeline} and its stages", f"no {'/'.join(missing)} stage: {labels}")
                )
            else:
                checks.append(Check(True, f"pipeline {self.pipeline} and its stages", labels))
        except CrmError as exc:
            checks.append(Check(False, f"pipeline {self.pipeline} and its stages", str(exc)))
        try:
            made = self.ensure_property()
            detail = "created now (crm.schemas.deals.write)" if made else "present"
            checks.append(Check(True, f"deal property {SIGNAL_PROPERTY}", detail))
        except CrmError as exc:
            checks.append(
                Check(False, f"deal property {SIGNAL_PROPERTY}", f"{exc} — grant crm.schemas.deals.write or create it")
            )
        return checks


def _close_date(day: date) -> str:
    """HubSpot date-times take epoch milliseconds; a date is its midnight UTC."""
    return str(int(datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000))


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _deal_fields(draft: DealDraft, owner: str | None) -> dict[str, str]:
    fields = {"dealname": draft.name}
    if draft.amount is not None:
        fields["amount"] = _amount(draft.amount)
    if draft.close_date is not None:
        fields["closedate"] = _close_date(draft.close_date)
    if owner is not None:
        fields["hubspot_owner_id"] = owner
    return fields
