"""The overdue sweep: find hazards past their deadline and days of missed inspection tasks, and escalate each once.

Each escalation is one transaction: its row (unique per subject, occasion and step, so a second sweep finds it and
does nothing), a notification with its deliveries, and — for a hazard — a link in a hash-chained history.

That link is NOT in the hazard's own chain. A hazard's version counts the events of its chain (every event is a
transition and bumps it; `If-Match` and the ETag carry it, and the chain is checked against it). An escalation is
not a transition: appending it without bumping the version would break "events = version", and bumping it would
make the phone of the officer at work on the hazard hold a stale version, so their next real step would fail with
412 because of a sweep they never saw. So a hazard's escalations form their own chain (subject kind
`escalation`), verified and exported with every other. The history's chain ids are 26-character ids, too short
for `escalation:<hazard id>`, so the chain is named by the hazard's first escalation's id, and every escalation row
records its chain and link (`chain_id`, `chain_seq`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from domain.access.model import SYSTEM
from domain.accounts import store as accounts
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.escalation import store
from domain.escalation.model import (
    AUDIENCE_OF_STEP,
    STEP_PRINCIPAL,
    TASK_LOOKBACK_DAYS,
    day_bounds,
    hazard_steps,
    local_day,
    overdue_days,
    task_days,
)
from domain.escalation.store import NewEscalation
from domain.hazards import store as hazards
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections import store as inspections
from domain.notifications.model import EventKind, Notice
from domain.notifications.services import NotificationSubject, enterprise_place, record_notification, to_json

CHAIN_KIND = "escalation"
MAX_TASK_IDS = 100  # a digest names this many missed tasks and counts the rest


@dataclass(slots=True)
class SweepReport:
    """What one sweep found and did: overdue hazards, new escalations, and the deliveries they made."""

    overdue_hazards: int = 0
    missed_task_days: int = 0
    escalated: int = 0
    delivery_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Occasion:
    """One late duty at one step, and what its notification says."""

    subject_kind: str
    subject_id: str
    occasion: str
    step: int
    enterprise_id: str
    level: str
    due_at: datetime
    kind: EventKind
    data: dict


async def sweep_overdue(*, now: datetime | None = None, lookback_days: int = TASK_LOOKBACK_DAYS) -> SweepReport:
    """Escalate every overdue hazard and every recent day of missed tasks that has not been escalated yet."""
    now = now or utcnow()
    report = SweepReport()
    for occasion in await _hazard_occasions(now, report) + await _task_occasions(now, lookback_days, report):
        delivery_ids = await _escalate(occasion, now)
        if delivery_ids is not None:
            report.escalated += 1
            report.delivery_ids += delivery_ids
    return report


async def _hazard_occasions(now: datetime, report: SweepReport) -> list[Occasion]:
    occasions = []
    for hazard in await hazards.overdue_hazards(now):
        report.overdue_hazards += 1
        deadline = hazard.deadline
        data = {
            "hazardId": hazard.id,
            "title": hazard.title,
            "level": hazard.level,
            "status": hazard.status,
            "deadline": deadline,
            "overdueDays": overdue_days(deadline, now),
            "supervised": hazard.supervised,
        }
        occasions += [
            Occasion(
                "hazard",
                hazard.id,
                deadline.astimezone(UTC).isoformat(),
                step,
                hazard.enterprise_id,
                hazard.level,
                deadline,
                EventKind.HAZARD_OVERDUE,
                data | {"step": step},
            )
            for step in hazard_steps(hazard.level, deadline, now)
        ]
    return occasions


async def _task_occasions(now: datetime, lookback_days: int, report: SweepReport) -> list[Occasion]:
    start, end = task_days(now, lookback_days)
    missed: dict[tuple[str, date], list[str]] = defaultdict(list)
    for task_id, enterprise_id, window_end in await inspections.late_tasks(ended_after=start, ended_by=end):
        # a window ending at midnight belongs to the day before it
        missed[(enterprise_id, local_day(window_end - timedelta(microseconds=1)))].append(task_id)
    report.missed_task_days = len(missed)
    occasions = []
    for (enterprise_id, day), task_ids in sorted(missed.items()):
        _, day_end = day_bounds(day)
        data = {
            "day": day.isoformat(),
            "missedTasks": len(task_ids),
            "taskIds": task_ids[:MAX_TASK_IDS],
            "step": STEP_PRINCIPAL,
        }
        occasions.append(
            Occasion(
                "tasks",
                enterprise_id,
                day.isoformat(),
                STEP_PRINCIPAL,
                enterprise_id,
                "",
                day_end,
                EventKind.TASKS_MISSED,
                data,
            )
        )
    return occasions


async def _principals(enterprise_id: str) -> list[dict]:
    return [{"userId": user_id, "name": name} for user_id, name in await accounts.active_principals(enterprise_id)]


async def _chain_of(hazard_id: str, escalation_id: str) -> str:
    return await store.hazard_chain_id(hazard_id) or escalation_id


async def _escalate(occasion: Occasion, now: datetime) -> list[str] | None:
    """Record one escalation with its notification (and chain link); None when it was escalated before."""
    place = await enterprise_place(occasion.enterprise_id)
    escalation_id, notification_id = new_id(), new_id()
    audience = AUDIENCE_OF_STEP[occasion.step]
    data = occasion.data | {
        "enterpriseId": occasion.enterprise_id,
        "enterpriseName": place.name,
        "regionCode": place.region_code,
        "escalationId": escalation_id,
    }
    if occasion.step == STEP_PRINCIPAL:
        data["principals"] = await _principals(occasion.enterprise_id)
    async with transaction():
        new = NewEscalation(
            id=escalation_id,
            subject_kind=occasion.subject_kind,
            subject_id=occasion.subject_id,
            occasion=occasion.occasion,
            step=occasion.step,
            enterprise_id=occasion.enterprise_id,
            region_path=place.region_path,
            level=occasion.level,
            due_at=occasion.due_at,
            overdue_days=overdue_days(occasion.due_at, now),
            details=to_json(data),
            notification_id=notification_id,
            escalated_at=now,
        )
        if not await store.insert_escalation(new):
            return None
        if occasion.subject_kind == "hazard":
            chain_id = await _chain_of(occasion.subject_id, escalation_id)
            payload = {
                "escalation_id": escalation_id,
                "hazard_id": occasion.subject_id,
                "step": occasion.step,
                "audience": str(audience),
                "deadline": occasion.due_at,
                "level": occasion.level,
                "overdue_days": data["overdueDays"],
                "status": data["status"],
            }
            link = await append_event(
                chain_id=chain_id,
                subject_kind=CHAIN_KIND,
                action="escalate",
                name="HazardEscalated",
                actor=SYSTEM,
                at=now,
                payload=payload,
            )
            await store.set_chain_link(escalation_id, chain_id=chain_id, chain_seq=link.seq)
            data |= {"chainId": chain_id, "chainSeq": link.seq, "historyHash": link.hash}
        subject = NotificationSubject(
            occasion.subject_kind, occasion.subject_id, occasion.enterprise_id, place.region_path
        )
        return await record_notification(
            event_key=f"escalation:{escalation_id}",
            notice=Notice(occasion.kind, audience),
            subject=subject,
            data=data,
            occurred_at=now,
            now=now,
            notification_id=notification_id,
        )
