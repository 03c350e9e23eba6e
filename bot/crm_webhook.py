"""`POST /crm/hubspot`: HubSpot's webhook subscriptions (deal.propertyChange of dealstage).

The v3 signature is checked over the exact bytes received (HUBSPOT_CLIENT_SECRET; the URI is
HIYOKO_PUBLIC_URL + path behind a proxy, else the request's own). A bad or stale signature is
answered 401 and changes nothing. Otherwise each change is recorded and applied — database work
only (the thread lines go through the outbox) — and answered 200; a failure to record answers
500, so HubSpot sends the batch again (each event is heard once, by its id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from crm.gateway import DealChange
from crm.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_PATH,
    StageEvent,
    parse_events,
    signed_uri,
    verify_v3,
)

log = logging.getLogger(__name__)


def hubspot_route(
    secret: str,
    public_url: str | None,
    to_changes: Callable[[list[StageEvent]], list[DealChange]],
    apply: Callable[[list[DealChange]], Mapping[str, int]],
    now: Callable[[], datetime],
    max_body_bytes: int,
) -> Route:
    """The route, given how to read stage events as outcomes (the gateway knows the pipeline's
    stages) and how to apply them (jobs.crm.CrmHandOff.apply, then wake the relay)."""

    async def hubspot(request: Request) -> Response:
        body = await request.body()
        if len(body) > max_body_bytes:
            return PlainTextResponse("request body too large", status_code=413)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        uri = signed_uri(public_url, str(request.url), path)
        headers = request.headers
        if not verify_v3(
            secret, request.method, uri, body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), now()
        ):
            log.warning("HubSpot webhook refused: bad or stale v3 signature")
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            events = parse_events(body)
        except ValueError as error:
            return PlainTextResponse(f"bad request: {error}", status_code=400)
        if events:

            def record() -> Mapping[str, int]:
                return apply(to_changes(events))

            try:
                outcomes = await run_in_threadpool(record)
            except Exception:  # the database, or HubSpot asked for the pipeline's stages: nothing half-kept
                log.exception("HubSpot webhook: %d event(s) not recorded; HubSpot sends them again", len(events))
                return PlainTextResponse("not recorded, please send again", status_code=500)
            if outcomes.get("later"):  # a deal being made right now, perhaps one of these
                return PlainTextResponse("a deal is being recorded, please send again", status_code=503)
        return PlainTextResponse("ok")

    return Route(WEBHOOK_PATH, hubspot, methods=["POST"])
