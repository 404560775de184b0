"""The push to the provincial platform: follow the change feed into the ledger, then send what is pending."""

from __future__ import annotations

from typing import Any

import httpx

from domain.platform_push.services import endpoints_from, refresh_ledger, send_pending

# A platform that holds a batch longer than this is treated as away; its records are tried again with backoff.
REQUEST_TIMEOUT_S = 30.0


async def push_to_platform(ctx: dict[str, Any]) -> dict[str, Any]:
    """One pass: new versions from the feed, then signed batches to each region's endpoint (`SF_PLATFORM_PUSH`);
    with no endpoint set it only keeps the ledger and says so. `ctx["platform_http"]` overrides the HTTP client."""
    refreshed = await refresh_ledger()
    endpoints = endpoints_from(ctx["settings"].platform_push)
    client = ctx.get("platform_http")
    if client is not None or not endpoints:
        report = await send_pending(endpoints, client)
    else:
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
            report = await send_pending(endpoints, client)
    return {"enterprises": refreshed.enterprises, "versions": refreshed.records_moved} | report.as_dict()
