"""Jobs of public reports: notify the receiving regulators of a report, and purge expired rate counters."""

from __future__ import annotations

from typing import Any

from domain.notifications.model import RETRY_SCHEDULE_S
from domain.public_reports import services as public_reports
from domain.public_reports.limits import purge_expired_counters


async def notify_public_report(ctx: dict[str, Any], report_id: str) -> dict[str, int]:
    """Notify the report's arrival once (its event key is unique), however often this runs, and send it now."""
    schedule = tuple(ctx.get("webhook_retry_schedule") or RETRY_SCHEDULE_S)
    return {"deliveries": await public_reports.notify_and_send(report_id=report_id, schedule=schedule)}


async def purge_public_rate_counters(ctx: dict[str, Any]) -> dict[str, int]:
    """Drop the rate counters of windows long over."""
    return {"purged": await purge_expired_counters()}
