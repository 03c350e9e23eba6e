"""HTTP mode, served by uvicorn: every Slack request at POST /slack/events, GET /healthz and
GET /metrics. Requests carry a request id into the logs; oversized bodies are refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ops.logs import request_id
from ops.metrics import Metrics

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def create_asgi(
    bolt: App,
    health: Callable[[], dict[str, Any]],
    metrics: Metrics,
    max_body_bytes: int,
    routes: Sequence[Route] = (),
) -> Starlette:
    """An ASGI app around the Bolt app: `health` answers /healthz (its "ok" sets 200 or 503),
    `metrics` renders /metrics, and a Slack request longer than `max_body_bytes` is refused.
    `routes` adds more (the CRM's webhook, bot/crm_webhook.py).
    Bolt's dispatch blocks, so it runs in a worker thread, never on the event loop."""
    limit = max_body_bytes

    async def slack_events(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return PlainTextResponse("request body too large", status_code=413)
        body = b""
        async for chunk in request.stream():  # no length given: count as it comes
            body += chunk
            if len(body) > limit:
                return PlainTextResponse("request body too large", status_code=413)
        token = request_id.set(request.headers.get("x-request-id") or uuid.uuid4().hex[:16])
        try:
            response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        finally:
            request_id.reset(token)
        return to_starlette_response(response)

    async def healthz(_: Request) -> Response:
        report = await run_in_threadpool(health)
        return JSONResponse(report, status_code=200 if report["ok"] else 503)

    async def prometheus(_: Request) -> Response:
        text = await run_in_threadpool(metrics.render)
        return Response(text, media_type=PROMETHEUS_TEXT)

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
            *routes,
        ]
    )
