"""HubSpot's webhook requests: the v3 signature check and the deal-stage events they carry. Pure.

HubSpot signs with HMAC-SHA256 (the app's client secret) over method + URI + body + timestamp,
base64-encodes it into `X-HubSpot-Signature-v3`, and puts the timestamp (epoch milliseconds) in
`X-HubSpot-Request-Timestamp`; a request older than five minutes is refused. In the URI, a few
percent-encoded characters are compared decoded (HubSpot's table: : / ? @ ! $ ' ( ) * , ;).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
MAX_AGE = timedelta(minutes=5)
WEBHOOK_PATH = "/crm/hubspot"

# The characters HubSpot's validation guide says to decode in the request URI before hashing.
_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_ENCODED = re.compile("|".join(_DECODED), re.IGNORECASE)


@dataclass(frozen=True)
class StageEvent:
    """A deal whose `dealstage` changed, as a webhook tells it (the stage id, not yet an outcome)."""

    key: str  # "hubspot:{eventId}", to hear each event once
    crm_id: str  # the deal's id
    stage_id: str
    at: datetime
    change_source: str  # e.g. "CRM_UI", "INTEGRATION", "API"


def signed_uri(public_url: str | None, request_url: str, path_and_query: str) -> str:
    """The URI HubSpot signed: HIYOKO_PUBLIC_URL + path when set (behind a proxy), else the request's URL."""
    if public_url:
        return public_url.rstrip("/") + path_and_query
    return request_url


def _decoded_uri(uri: str) -> str:
    return _ENCODED.sub(lambda m: _DECODED[m.group(0).upper()], uri)


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The signature HubSpot would send for this request (also what the tests sign with)."""
    source = method.upper().encode() + _decoded_uri(uri).encode("utf-8") + body + timestamp.encode()
    digest = hmac.new(secret.encode("utf-8"), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_v3(
    secret: str, method: str, uri: str, body: bytes, timestamp: str | None, signature: str | None, now: datetime
) -> bool:
    """True when the request carries HubSpot's v3 signature over exactly these bytes, made in the last 5 minutes."""
    if not secret or not timestamp or not signature:
        return False
    try:
        sent = datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return False
    age = now - sent
    if age > MAX_AGE or age < -MAX_AGE:  # a clock far ahead is as suspicious as a replay
        return False
    expected = sign_v3(secret, method, uri, body, timestamp)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def parse_events(body: bytes) -> list[StageEvent]:
    """The `deal.propertyChange` events of `dealstage` in a webhook batch; everything else is ignored.

    Raises ValueError when the body is not HubSpot's JSON array of events.
    """
    try:
        events = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a JSON body") from exc
    if not isinstance(events, list):
        raise ValueError("not a JSON array of events")
    out: list[StageEvent] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        if event.get("subscriptionType") != "deal.propertyChange" or event.get("propertyName") != "dealstage":
            continue  # deal.deletion, other properties, other objects
        stage, deal, event_id, occurred = (
            event.get("propertyValue"),
            event.get("objectId"),
            event.get("eventId"),
            event.get("occurredAt"),
        )
        if not stage or deal is None or event_id is None or not isinstance(occurred, int | float):
            continue
        out.append(
            StageEvent(
                key=f"hubspot:{event_id}",
                crm_id=str(deal),
                stage_id=str(stage),
                at=datetime.fromtimestamp(occurred / 1000, tz=UTC),
                change_source=str(event.get("changeSource") or ""),
            )
        )
    return out
