"""Every statement on the escalation area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.escalation.tables import Escalation


@dataclass(frozen=True, slots=True)
class NewEscalation:
    """One escalation about to be recorded (unique per subject, occasion and step)."""

    id: str
    subject_kind: str
    subject_id: str
    occasion: str
    step: int
    enterprise_id: str
    region_path: str
    level: str
    due_at: datetime
    overdue_days: int
    details: str  # JSON
    notification_id: str
    escalated_at: datetime


async def insert_escalation(new: NewEscalation) -> bool:
    """Record the escalation unless its (subject, occasion, step) was escalated before; True when it was inserted."""
    inserted = (
        await Escalation.insert(
            Escalation(
                id=new.id,
                subject_kind=new.subject_kind,
                subject_id=new.subject_id,
                occasion=new.occasion,
                step=new.step,
                enterprise_id=new.enterprise_id,
                region_path=new.region_path,
                level=new.level,
                due_at=new.due_at,
                overdue_days=new.overdue_days,
                details=new.details,
                notification_id=new.notification_id,
                escalated_at=new.escalated_at,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(Escalation.id)
        .run()
    )
    return bool(inserted)


async def hazard_chain_id(hazard_id: str) -> str | None:
    """The chain of a hazard's escalations (named by its first escalation with a link), None before the first."""
    first = (
        await Escalation.select(Escalation.chain_id)
        .where(
            Escalation.subject_kind == "hazard", Escalation.subject_id == hazard_id, Escalation.chain_id.is_not_null()
        )
        .order_by(Escalation.id)
        .first()
        .run()
    )
    return first["chain_id"] if first else None


async def set_chain_link(escalation_id: str, *, chain_id: str, chain_seq: int) -> None:
    """Record the escalation's link in its chain."""
    await (
        Escalation.update({Escalation.chain_id: chain_id, Escalation.chain_seq: chain_seq})
        .where(Escalation.id == escalation_id)
        .run()
    )
