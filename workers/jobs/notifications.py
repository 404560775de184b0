"""Jobs of notifications: notify a hazard event, send what is due, send one delivery, and the overdue sweep.

Each is idempotent: a notification is unique per event and side, a delivery per notification and subscription, an
escalation per subject, occasion and step, and a try is only sent by the sender that claimed it. A test may put
`webhook_retry_schedule` (seconds between tries) into `ctx` to retry in milliseconds.
"""

from __future__ import annotations

from typing import Any

from domain.escalation.services import sweep_overdue as sweep
from domain.notifications import services as notifications
from domain.notifications.model import RETRY_SCHEDULE_S


def _schedule(ctx: dict[str, Any]) -> tuple[float, ...]:
    return tuple(ctx.get("webhook_retry_schedule") or RETRY_SCHEDULE_S)


def _summary(report: notifications.DeliveryReport) -> dict[str, int]:
    return {
        "claimed": report.claimed,
        "delivered": report.delivered,
        "retrying": report.retrying,
        "dead": report.dead,
        "lostClaims": report.lost_claims,
    }


async def notify_hazard_event(ctx: dict[str, Any], hazard_id: str, seq: int) -> dict[str, int]:
    """Notify event `seq` of the hazard's chain (once, however often this runs) and send its first tries now."""
    delivery_ids = await notifications.notify_hazard_event(hazard_id=hazard_id, seq=seq)
    if not delivery_ids:
        return {"deliveries": 0}
    report = await notifications.deliver_due(delivery_ids=delivery_ids, schedule=_schedule(ctx))
    return {"deliveries": len(delivery_ids)} | _summary(report)


async def deliver_due_notifications(ctx: dict[str, Any]) -> dict[str, int]:
    """Send every delivery whose next try is due (the cron pass, every minute); safe beside other senders."""
    report = await notifications.deliver_due(schedule=_schedule(ctx))
    return _summary(report)


async def deliver_notification(ctx: dict[str, Any], delivery_id: str) -> dict[str, int]:
    """Send one delivery now if it is due and nobody holds it (after a redrive); otherwise do nothing."""
    report = await notifications.deliver_due(delivery_ids=[delivery_id], schedule=_schedule(ctx))
    return _summary(report)


async def sweep_overdue(ctx: dict[str, Any]) -> dict[str, int]:
    """Escalate overdue hazards and missed task days not escalated yet, and send the first tries now."""
    report = await sweep()
    sent = (
        await notifications.deliver_due(delivery_ids=report.delivery_ids, schedule=_schedule(ctx))
        if report.delivery_ids
        else notifications.DeliveryReport()
    )
    return {
        "overdueHazards": report.overdue_hazards,
        "missedTaskDays": report.missed_task_days,
        "escalated": report.escalated,
    } | _summary(sent)
