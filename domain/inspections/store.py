"""Every statement on the inspections area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.changes.services import TASK, TASK_HORIZON, register_entities
from domain.inspections.model import TaskStatus
from domain.inspections.tables import InspectionTask

# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_tasks(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(task id, enterprise id) of the enterprises' tasks still current (of all when None), in id order: the feed's list."""
    query = InspectionTask.select(InspectionTask.id, InspectionTask.enterprise_id).order_by(InspectionTask.id)
    if enterprise_ids is not None:
        query = query.where(InspectionTask.enterprise_id.is_in(list(enterprise_ids)))
    query = query.where(InspectionTask.window_end > now - TASK_HORIZON)
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(TASK, feed_tasks)


async def task_window_counts(enterprise_id: str, *, after: datetime, until: datetime) -> tuple[int, int]:
    """(due, done) of the enterprise's tasks whose window ended in (after, until] (the safety code's input)."""
    window = (
        (InspectionTask.enterprise_id == enterprise_id)
        & (InspectionTask.window_end > after)
        & (InspectionTask.window_end <= until)
    )
    due = await InspectionTask.count().where(window).run()
    done = await InspectionTask.count().where(window, InspectionTask.status == TaskStatus.DONE.value).run()
    return due, done
