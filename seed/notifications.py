"""The demo's webhook and escalations: the city regulator's endpoint on a local port nobody answers, and the sweep.

The endpoint is `http://127.0.0.1:9/…` (port 9, the discard port, where nothing listens on this machine): every try
is refused at once, so the demo shows retries and, after the schedule, dead letters, without sending anything off
this machine. The sweep escalates the seeded overdue hazards and missed task days; the deliveries wait for the
schedule (`deliver_due_notifications`, every minute), so seeding itself sends nothing. Running it again adds
nothing.
"""

from __future__ import annotations

from domain.accounts.services import AccountService
from domain.config import Settings
from domain.escalation.services import sweep_overdue
from domain.notifications.services import NewSubscription, create_subscription
from domain.notifications.store import subscription_exists_for
from seed.inspections import actor_named

DEMO_WEBHOOK_URL = "http://127.0.0.1:9/shuangfang/webhook"
DEMO_WEBHOOK_OWNER = "regulator_city"


async def seed_notifications(settings: Settings) -> str:
    """Register the city regulator's demo webhook (once) and run the overdue sweep."""
    owner = await actor_named(AccountService(settings), DEMO_WEBHOOK_OWNER)
    if owner is None:
        return "notifications: no city regulator account, nothing seeded"
    if not await subscription_exists_for(DEMO_WEBHOOK_URL):
        await create_subscription(
            actor=owner,
            new=NewSubscription(
                url=DEMO_WEBHOOK_URL,
                description="演示：舟山市应急管理局接收端（本机端口无应答，用于展示重试与死信）",
            ),
        )
    report = await sweep_overdue()
    return (
        f"notifications: webhook of {DEMO_WEBHOOK_OWNER} at {DEMO_WEBHOOK_URL} (nothing answers there: retries, then "
        f"dead letters); sweep: {report.overdue_hazards} overdue hazards, {report.missed_task_days} days of missed "
        f"tasks, {report.escalated} new escalations, {len(report.delivery_ids)} deliveries waiting to be sent"
    )
