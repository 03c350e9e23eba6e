"""The Slack Web API client every part of hiyoko uses: the app, `hiyoko doctor`, `hiyoko import`."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from settings import Settings


def slack_client(settings: Settings) -> WebClient:
    """The Web API client: SLACK_API_URL as base, retries on 429 (Retry-After) and lost connections."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.hiyoko_slack_timeout,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
